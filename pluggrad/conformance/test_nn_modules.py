"""``pluggrad.nn`` modules beyond the ``nn_modules`` scenario (which compares with PyTorch):
NumPy checkpoints, ``assign=True``, identities kept by conversions, shared modules, and the
layers' gradients by finite differences on every backend."""

from __future__ import annotations

import copy
from collections import OrderedDict

import numpy as np
import pytest

import pluggrad as pg
from pluggrad import nn


def _mlp() -> nn.Module:
    return nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 2)).double()


def test_load_state_dict_takes_numpy_arrays(backend):
    src, dst = _mlp(), _mlp()
    arrays = {k: v.numpy() for k, v in src.state_dict().items()}
    weight = dst[0].weight
    assert repr(dst.load_state_dict(arrays)) == "<All keys matched successfully>"
    assert dst[0].weight is weight  # copied into, not replaced
    for key, value in dst.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), arrays[key])
    # float32 arrays are cast to the parameter's dtype, as copy_ casts
    dst.load_state_dict({k: v.astype(np.float32) for k, v in arrays.items()})
    assert dst[0].weight.dtype == pg.float64


def test_load_state_dict_errors_leave_the_module_unchanged(backend):
    model = _mlp()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    bad = {k: v.numpy() for k, v in model.state_dict().items()}
    bad["0.weight"] = np.zeros((2, 2))
    bad["2.bias"] = "not an array"
    with pytest.raises(RuntimeError) as info:
        model.load_state_dict(
            {k: (np.ones_like(v) if k == "0.bias" else v) for k, v in bad.items()}
        )
    message = str(info.value)
    assert "size mismatch for 0.weight" in message and '"2.bias"' in message
    for key, value in model.state_dict().items():
        assert bool((value == before[key]).all())


def test_load_state_dict_assign_takes_the_tensors(backend):
    model = _mlp()
    state = {k: v.clone() for k, v in _mlp().state_dict().items()}
    model.load_state_dict(state, assign=True)
    assert isinstance(model[0].weight, nn.Parameter) and model[0].weight.requires_grad
    state["0.weight"].add_(1)  # the parameter shares the given tensor's elements
    assert bool((model[0].weight == state["0.weight"]).all())


def test_state_dict_shares_elements_and_keep_vars(backend):
    model = _mlp()
    detached = model.state_dict()
    assert not detached["0.weight"].requires_grad
    with pg.no_grad():
        model[0].weight.fill_(2.0)
    assert bool((detached["0.weight"] == 2.0).all())
    assert model.state_dict(keep_vars=True)["0.weight"] is model[0].weight


def test_conversions_keep_parameter_objects(backend):
    model = nn.Linear(3, 2)
    weight = model.weight
    model(pg.ones(1, 3)).sum().backward()
    model.double()
    assert model.weight is weight and weight.dtype == pg.float64
    assert weight.grad.dtype == pg.float64
    model.to(pg.float32).to("cpu")
    assert model.weight is weight and weight.dtype == pg.float32


def test_shared_modules_and_parameters_are_listed_once(backend):
    shared = nn.Linear(2, 2)
    model = nn.Sequential(shared, nn.ReLU(), shared)
    assert len(list(model.parameters())) == 2
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias"]
    assert len(list(model.named_parameters(remove_duplicate=False))) == 4
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_deepcopy_is_independent(backend):
    model = _mlp()
    twin = copy.deepcopy(model)
    with pg.no_grad():
        twin[0].weight.zero_()
    assert not bool((model[0].weight == 0).all())
    assert type(twin[0].weight) is nn.Parameter


def test_always_call_hook_runs_when_forward_raises(backend):
    seen = []

    class Failing(nn.Module):
        def forward(self, x):
            raise ValueError("boom")

    module = Failing()
    module.register_forward_hook(lambda m, a, out: seen.append(out), always_call=True)
    with pytest.raises(ValueError, match="boom"):
        module(pg.ones(1))
    assert seen == [None]


def test_prepend_hooks_run_first(backend):
    order = []
    layer = nn.Identity()
    layer.register_forward_hook(lambda m, a, o: order.append("second"))
    layer.register_forward_hook(lambda m, a, o: order.append("first"), prepend=True)
    layer(pg.ones(1))
    assert order == ["first", "second"]


def test_hook_dicts_are_ordered_dicts_as_pytorchs(backend):
    # scripts print them (the pruning tutorial prints module._forward_pre_hooks)
    layer = nn.Linear(2, 2)
    assert repr(layer._forward_pre_hooks) == "OrderedDict()"
    layer.register_forward_hook(lambda m, a, o: None)
    layer.register_forward_hook(lambda m, a, o: None, prepend=True)
    names = ("_forward_hooks", "_forward_pre_hooks", "_backward_hooks", "_backward_pre_hooks")
    assert all(type(getattr(layer, name)) is OrderedDict for name in names)
    assert len(layer._forward_hooks) == 2


_rng = np.random.default_rng(3)


@pytest.mark.parametrize(
    "make",
    [
        lambda: nn.Linear(4, 3),
        lambda: nn.Bilinear(4, 4, 2),
        lambda: nn.LayerNorm(4),
        lambda: nn.Sequential(nn.Linear(4, 4), nn.GELU(), nn.Linear(4, 2), nn.LogSoftmax(1)),
        lambda: nn.Conv1d(2, 3, 2, padding=1),
    ],
    ids=["linear", "bilinear", "layernorm", "mlp", "conv1d"],
)
def test_layer_gradients_by_finite_differences(backend, make):
    module = make().double()
    in_features = 2 if isinstance(module, nn.Conv1d) else 4
    shape = (2, in_features, 2) if isinstance(module, nn.Conv1d) else (2, in_features)
    x = pg.asarray(_rng.normal(size=shape)).requires_grad_()
    params = list(module.parameters())

    # differentiate through the module with its parameters as explicit inputs
    def through(x, *values):
        saved = [p for p in params]
        names = [n for n, _ in module.named_parameters()]
        try:
            for name, v in zip(names, values):
                owner = module.get_submodule(name.rpartition(".")[0])
                owner._parameters[name.rpartition(".")[2]] = v
            inputs = (x, x) if isinstance(module, nn.Bilinear) else (x,)
            return module(*inputs)
        finally:
            for name, p in zip(names, saved):
                owner = module.get_submodule(name.rpartition(".")[0])
                owner._parameters[name.rpartition(".")[2]] = p

    values = [p.detach().clone().requires_grad_() for p in params]
    assert pg.autograd.gradcheck(through, (x, *values))
    assert pg.autograd.gradgradcheck(through, (x, *values))
