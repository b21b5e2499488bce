"""``pluggrad.func`` against ``torch.func``: every case of ``func_cases.py`` gives, on each
backend, what PyTorch 2.13 gave (``func_torch.json``, written by ``_regenerate_func.py``):
the same values (float64, to 1e-9), shapes, output structures, ``requires_grad`` of the
results (no graph leaks to a caller that is not differentiating), and the same errors with
the same first line of message."""

from __future__ import annotations

import json
import math
import pathlib

import pytest

import pluggrad as pg
import pluggrad.func
from pluggrad.func import _pytree
from pluggrad.nn.utils import stateless

from . import func_cases_modules  # noqa: F401  (registers its cases)
from .func_cases import CASES, run

EXPECTED = json.loads((pathlib.Path(__file__).parent / "func_torch.json").read_text())


def _same(actual, expected, path="result"):
    """Assert that two encoded results agree (floats to 1e-9)."""
    if isinstance(expected, float) and isinstance(actual, (int, float)):
        assert math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-9), (path, actual, expected)
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), (path, actual, expected)
        for i, (a, e) in enumerate(zip(actual, expected)):
            _same(a, e, f"{path}[{i}]")
    elif isinstance(expected, dict):
        assert isinstance(actual, dict) and list(actual) == list(expected), (path, actual, expected)
        for k in expected:
            _same(actual[k], expected[k], f"{path}.{k}")
    else:
        assert actual == expected, (path, actual, expected)


def test_every_case_has_torchs_result():
    assert sorted(EXPECTED) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_case_matches_torch(backend, name):
    pg.set_default_dtype(pg.float32)
    actual = run(pg, name)
    if isinstance(actual, dict) and "message" in actual:
        # dtypes and sizes print as pluggrad's outside ``python -m pluggrad run``
        actual["message"] = actual["message"].replace("pluggrad.", "torch.")
    _same(actual, EXPECTED[name])


def test_func_is_an_attribute_of_the_package():
    assert pg.func is pluggrad.func
    assert set(pluggrad.func.__all__) >= {"grad", "vmap", "jacrev", "functional_call"}


def test_stateless_functional_call_is_deprecated_and_works(backend):
    m = pg.nn.Linear(2, 1)
    weight = pg.tensor([[1.0, 2.0]])
    with pytest.warns(FutureWarning, match="torch.func.functional_call"):
        out = stateless.functional_call(m, {"weight": weight, "bias": pg.zeros(1)}, pg.ones(1, 2))
    assert out.tolist() == [[3.0]]
    assert m.weight is not weight


def test_vmap_loops_once_per_sample(backend):
    calls = []

    def f(x):
        calls.append(tuple(x.shape))
        return x * 2

    out = pluggrad.func.vmap(f, in_dims=1, out_dims=1)(pg.ones(2, 5))
    assert calls == [(2,)] * 5 and tuple(out.shape) == (2, 5)


def test_vmap_over_an_empty_batch_keeps_the_shapes(backend):
    out = pluggrad.func.vmap(lambda r: r.sum(0, keepdim=True) * 2, out_dims=1)(pg.ones(0, 3))
    assert tuple(out.shape) == (1, 0)


def test_functional_call_restores_missing_attributes(backend):
    m = pg.nn.Linear(2, 2)
    pluggrad.func.functional_call(m, {"extra": pg.ones(1)}, pg.ones(1, 2))
    assert not hasattr(m, "extra")


def test_replace_all_batch_norm_modules_drops_running_statistics(backend):
    nn = pg.nn
    net = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.InstanceNorm1d(4, affine=True,
                        track_running_stats=True))  # fmt: skip
    assert pluggrad.func.replace_all_batch_norm_modules_(net) is net
    bn, inorm = net[1], net[2]
    assert (bn.running_mean, bn.running_var, bn.num_batches_tracked) == (None, None, None)
    assert not bn.track_running_stats and inorm.track_running_stats  # instance norm kept
    assert sorted(dict(net.named_buffers())) == [
        "2.num_batches_tracked", "2.running_mean", "2.running_var"
    ]  # fmt: skip
    # in eval mode too the batch's own statistics normalise: zero mean per feature
    bn.eval()
    out = bn(net[0](pg.randn(6, 3)))
    assert float(out.mean(0).abs().max()) < 1e-5


def test_treespec_prints_as_torchs():
    spec = _pytree.tree_flatten((1, [2, 3], {"a": 4}))[1]
    assert repr(spec) == (
        "TreeSpec(tuple, None, [*,\n  TreeSpec(list, None, [*,\n    *]),\n"
        "  TreeSpec(dict, ['a'], [*])])"
    )
    assert _pytree.treespec_pprint(spec) == "(*, [*, *], {'a': *})"
