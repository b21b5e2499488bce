"""The layers and functions of ``torch.nn`` added last (unpooling, power-average and fractional
max pooling, 3-d padding and dropout, the multi-class margin losses, the CTC loss, the lazy
norms and transposed convolutions) against PyTorch 2.13's values, gradients, indices, reprs
and messages (recorded in ``nn_more_layers_torch.json`` by ``_regenerate_nn_more_layers``),
on every backend; and their first and second derivatives against finite differences."""

from __future__ import annotations

import json
import math
import pathlib
import sys
import warnings

import numpy as np
import pytest

import pluggrad as pg
from pluggrad.autograd import gradcheck, gradgradcheck
from pluggrad.nn import functional as F

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import _nn_more_layers_cases as cases

RECORD = json.loads(
    pathlib.Path(__file__).with_name("nn_more_layers_torch.json").read_text(encoding="utf-8")
)


def _close(actual, expected, label: str) -> None:
    np.testing.assert_allclose(
        np.asarray(actual, dtype=np.float64), np.asarray(expected, dtype=np.float64),
        rtol=1e-10, atol=1e-12, equal_nan=True, err_msg=label,
    )  # fmt: skip


def test_every_case_has_a_record():
    assert sorted(RECORD["values"]) == sorted(cases.VALUE_CASES)
    assert sorted(RECORD["errors"]) == sorted(cases.ERROR_CASES)
    assert sorted(RECORD["modules"]) == sorted(cases.MODULE_CASES)


@pytest.mark.parametrize("name", sorted(cases.VALUE_CASES))
def test_values_gradients_and_indices_are_pytorchs(backend, name):
    expected = RECORD["values"][name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # log(0) of the impossible CTC targets, as PyTorch's
        got = cases.run_value_case(pg, name)
    assert got["shape"] == expected["shape"], name
    _close(got["out"], expected["out"], f"{name}: output")
    for i, (mine, theirs) in enumerate(zip(got["grads"], expected["grads"], strict=True)):
        assert (mine is None) == (theirs is None), name
        if theirs is not None:
            _close(mine, theirs, f"{name}: gradient of leaf {i}")
    assert got.get("indices") == expected.get("indices"), name


@pytest.mark.parametrize("name", sorted(cases.ERROR_CASES))
def test_errors_are_pytorchs(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = cases.run_error_case(pg, name)
    assert got.replace("pluggrad.", "torch.") == RECORD["errors"][name]


@pytest.mark.parametrize("name", sorted(cases.MODULE_CASES))
def test_module_reprs_states_and_draws_are_pytorchs(name):
    got = json.loads(json.dumps(cases.run_module_case(pg, name)))
    assert got == RECORD["modules"][name]


def test_dropout3d_drops_whole_channels(backend):
    x = pg.ones(3, 5, 2, 3, 2, dtype=pg.float64, requires_grad=True)
    out = F.dropout3d(x, 0.4)
    per_channel = out.detach().reshape(3, 5, -1).numpy()
    assert np.all((per_channel == 0) | np.isclose(per_channel, 1 / 0.6))
    assert np.all(per_channel.min(axis=-1) == per_channel.max(axis=-1))
    out.sum().backward()
    assert np.array_equal(x.grad.numpy(), out.detach().numpy())
    assert F.dropout3d(x, 0.4, training=False) is x
    with pytest.warns(UserWarning, match="Received a 3-D input to dropout3d"):
        F.dropout3d(pg.ones(2, 3, 4), 0.5)


def test_dropout3d_in_place_changes_the_input(backend):
    x = pg.ones(2, 4, 2, 2, 2, dtype=pg.float64)
    out = F.dropout3d(x, 0.5, inplace=True)
    assert out is x
    assert set(np.unique(x.numpy()).tolist()) <= {0.0, 2.0}


def _leaf(*shape, seed: int, positive: bool = False):
    values = np.random.default_rng(seed).normal(size=shape)
    if positive:
        values = np.abs(values) + 0.5
    return pg.tensor(values, dtype=pg.float64, requires_grad=True)


# each differentiable function on small inputs, for gradcheck and gradgradcheck
DERIVATIVE_CASES = {
    "max_unpool1d": (
        lambda x: F.max_unpool1d(x, pg.tensor([[[1, 2, 5]]]), 2, output_size=[6]),
        lambda: (_leaf(1, 1, 3, seed=1),),
    ),
    "max_unpool2d": (
        lambda x: F.max_unpool2d(x, pg.tensor([[[0, 3], [9, 14]]]), 2),
        lambda: (_leaf(1, 2, 2, seed=2),),
    ),
    "max_unpool3d": (
        lambda x: F.max_unpool3d(x, pg.tensor([[[[0, 7]]]]), (2, 2, 2), (1, 2, 2)),
        lambda: (_leaf(1, 1, 1, 2, seed=3),),
    ),
    "lp_pool1d": (lambda x: F.lp_pool1d(x, 3, 2), lambda: (_leaf(1, 2, 5, seed=4, positive=True),)),
    "lp_pool2d": (
        lambda x: F.lp_pool2d(x, 1.5, 2, 1),
        lambda: (_leaf(1, 1, 3, 3, seed=5, positive=True),),
    ),
    "lp_pool3d": (
        lambda x: F.lp_pool3d(x, 2, (1, 2, 2)),
        lambda: (_leaf(1, 1, 2, 2, 4, seed=6, positive=True),),
    ),
    "fractional_max_pool2d": (
        lambda x: F.fractional_max_pool2d(
            x, 2, 3, _random_samples=pg.tensor([[[0.3, 0.8]]], dtype=pg.float64)
        ),
        lambda: (_leaf(1, 1, 5, 5, seed=7),),
    ),
    "fractional_max_pool3d": (
        lambda x: F.fractional_max_pool3d(
            x, 2, 2, _random_samples=pg.tensor([[[0.3, 0.8, 0.5]]], dtype=pg.float64)
        ),
        lambda: (_leaf(1, 1, 4, 4, 4, seed=8),),
    ),
    "adaptive_max_pool2d_with_indices": (
        lambda x: F.adaptive_max_pool2d_with_indices(x, 2)[0],
        lambda: (_leaf(1, 3, 5, seed=9),),
    ),
    "multi_margin_loss p=1": (
        lambda x: F.multi_margin_loss(x, pg.tensor([0, 2, 1]), margin=0.3),
        lambda: (_leaf(3, 4, seed=10),),
    ),
    "multi_margin_loss p=2": (
        lambda x: F.multi_margin_loss(
            x, pg.tensor([0, 2, 1]), p=2, weight=pg.tensor([1.0, 2.0, 0.5, 1.5], dtype=pg.float64)
        ),
        lambda: (_leaf(3, 4, seed=11),),
    ),
    "multilabel_margin_loss": (
        lambda x: F.multilabel_margin_loss(x, pg.tensor([[2, 0, -1, 1], [3, -1, 0, 0]])),
        lambda: (_leaf(2, 4, seed=12),),
    ),
    "triplet_margin_with_distance_loss": (
        lambda a, p, n: F.triplet_margin_with_distance_loss(a, p, n, margin=3.0, swap=True),
        lambda: (_leaf(3, 4, seed=13), _leaf(3, 4, seed=14), _leaf(3, 4, seed=15)),
    ),
    "AdaptiveLogSoftmaxWithLoss": (
        lambda x: cases._adaptive(pg)(x, pg.tensor([0, 5, 12, 3])).output,
        lambda: (_leaf(4, 8, seed=19),),
    ),
    # through log_softmax, where PyTorch's gradient is the derivative of the loss
    "ctc_loss": (
        lambda z: F.ctc_loss(
            z.log_softmax(2), pg.tensor([[1, 1], [2, 0]]), (5, 4), (2, 1), reduction="mean"
        ),
        lambda: (_leaf(5, 2, 3, seed=16),),
    ),
    "ctc_loss zero_infinity": (
        lambda z: F.ctc_loss(
            z.log_softmax(1),
            pg.tensor([1, 2, 1]),
            5,
            3,
            blank=0,
            reduction="sum",
            zero_infinity=True,
        ),  # fmt: skip
        lambda: (_leaf(5, 3, seed=17),),
    ),
}


@pytest.mark.parametrize("name", sorted(DERIVATIVE_CASES))
def test_first_and_second_derivatives_match_finite_differences(backend, name):
    function, make = DERIVATIVE_CASES[name]
    inputs = make()
    assert gradcheck(function, inputs)
    assert gradgradcheck(function, inputs)


def test_ctc_loss_of_an_impossible_target():
    z = _leaf(3, 2, 4, seed=18)
    args = (pg.tensor([[1, 1, 1], [2, 3, 0]]), (3, 3), (3, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loss = F.ctc_loss(z.log_softmax(2), *args, reduction="none")
        assert math.isinf(loss[0].item()) and math.isfinite(loss[1].item())
        loss.sum().backward()
    assert np.isnan(z.grad.numpy()[:, 0]).all() and np.isfinite(z.grad.numpy()[:, 1]).all()
    z.grad = None
    F.ctc_loss(z.log_softmax(2), *args, reduction="none", zero_infinity=True).sum().backward()
    assert (z.grad.numpy()[:, 0] == 0).all()


def test_uninitialized_buffers_live_in_nn_parameter_and_count_as_lazy():
    # as PyTorch's: torch.nn.parameter.UninitializedBuffer (also torch.nn's), and a lazy
    # module with an uninitialised buffer only has uninitialised parameters until it is made
    assert pg.nn.UninitializedBuffer is pg.nn.parameter.UninitializedBuffer

    class Lazy(pg.nn.modules.lazy.LazyModuleMixin, pg.nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("scale", pg.nn.UninitializedBuffer())

        def initialize_parameters(self, x):
            self.scale.materialize(x.shape)

        def forward(self, x):
            return x * self.scale

    module = Lazy()
    assert module.has_uninitialized_params()
    module(pg.ones(3))
    assert not module.has_uninitialized_params()
    assert type(module.scale) is pg.Tensor and module.scale.shape == (3,)
