"""``pluggrad.nn.utils``' parametrizations, weight and spectral normalization (both the
parametrizations and the old hooks) and batch-norm fusion, against PyTorch's results recorded
in ``nn_utils_parametrize_torch.json`` (by ``_regenerate_nn_utils_parametrize.py``): values
(float64), gradients, state_dict keys, reprs, class names and error messages."""

from __future__ import annotations

import copy
import json
import math
import pathlib
import pickle
import re

import pytest

import pluggrad as pg
from pluggrad.nn.utils import parametrize

from . import _nn_utils_param_cases as cases

RECORD = json.loads(
    pathlib.Path(__file__).with_name("nn_utils_parametrize_torch.json").read_text("utf-8")
)

_TORCH_NAMES = re.compile(
    r"torch\.(Size|float|int|uint|complex|bool|bfloat)|(?<=<class ')torch\.(nn)"
)


def _same(got, want, path="") -> None:
    if isinstance(want, float) or (isinstance(got, float) and isinstance(want, int)):
        assert isinstance(got, (int, float)), f"{path}: {got!r} != {want!r}"
        assert math.isclose(got, want, rel_tol=1e-8, abs_tol=1e-10), f"{path}: {got} != {want}"
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), f"{path}: {got!r} != {want!r}"
        for i, (g, w) in enumerate(zip(got, want)):
            _same(g, w, f"{path}[{i}]")
    elif isinstance(want, dict):
        assert isinstance(got, dict) and list(got) == list(want), f"{path}: keys {list(got)}"
        for k in want:
            _same(got[k], want[k], f"{path}.{k}")
    elif isinstance(want, str):
        # PyTorch's messages name torch's dtypes and sizes; pluggrad's, its own
        ours = _TORCH_NAMES.sub(lambda m: "pluggrad." + (m.group(1) or m.group(2)), want)
        assert got == ours, f"{path}:\n{got}\n!=\n{want}"
    else:
        assert got == want, f"{path}: {got!r} != {want!r}"


def check_case(module, record: dict, name: str, backend) -> None:
    """Run the case `name` of the cases `module` on pluggrad and compare with `record`."""
    if name in module.SEEDED and backend.name != "numpy":
        pytest.skip("pluggrad draws PyTorch's random numbers on the NumPy backend only")
    got = json.loads(json.dumps(module.CASES[name](pg, record["inputs"])))
    _same(got, record["results"][name], name)


@pytest.mark.parametrize("name", sorted(cases.CASES))
def test_case_matches_torch(name, backend):
    check_case(cases, RECORD, name, backend)


class _Double(pg.nn.Module):
    def forward(self, X):
        return 2 * X


def test_parametrized_module_is_not_picklable_but_deep_copies(backend):
    m = parametrize.register_parametrization(pg.nn.Linear(2, 2), "weight", _Double())
    with pytest.raises(RuntimeError, match="only supported through state_dict"):
        pickle.dumps(m)
    c = copy.deepcopy(m)
    assert type(c) is type(m) and c.parametrizations.weight.original is not m.weight
    assert pg.allclose(c.weight, m.weight)


def test_the_class_swap_is_per_module(backend):
    a = parametrize.register_parametrization(pg.nn.Linear(2, 2), "weight", _Double())
    b = pg.nn.Linear(2, 2)
    assert type(a).__name__ == "ParametrizedLinear" and type(b) is pg.nn.Linear
    assert isinstance(a, pg.nn.Linear) and not hasattr(pg.nn.Linear, "parametrizations")
    assert isinstance(b.weight, pg.nn.Parameter)


def test_cache_is_emptied_on_exit(backend):
    m = parametrize.register_parametrization(pg.nn.Linear(2, 2), "weight", _Double())
    with parametrize.cached():
        with parametrize.cached():
            first = m.weight
        assert m.weight is first
    assert m.weight is not first and not parametrize._cache


def test_state_dict_round_trip(backend):
    m = pg.nn.utils.parametrizations.weight_norm(pg.nn.Linear(3, 2))
    other = pg.nn.utils.parametrizations.weight_norm(pg.nn.Linear(3, 2))
    other.load_state_dict(m.state_dict())
    assert pg.allclose(other.weight, m.weight)


def test_old_weight_norm_warns_as_pytorch(backend):
    with pytest.warns(FutureWarning, match="is deprecated in favor of"):
        pg.nn.utils.weight_norm(pg.nn.Linear(2, 2))


def test_the_namespace_exports_what_torchs_does():
    u = pg.nn.utils
    names = ["parametrize", "parametrizations", "weight_norm", "remove_weight_norm",
             "spectral_norm", "remove_spectral_norm", "fuse_conv_bn_eval", "fuse_conv_bn_weights",
             "fuse_linear_bn_eval", "fuse_linear_bn_weights", "skip_init", "clip_grad_norm",
             "clip_grads_with_norm_"]  # fmt: skip
    for name in names:
        assert name in u.__all__ and hasattr(u, name)
    assert u.parametrizations.__all__ == ["orthogonal", "spectral_norm", "weight_norm"]
    assert u.fusion.fuse_conv_bn_eval is u.fuse_conv_bn_eval


def test_skip_init_leaves_the_generator_as_it_was(backend):
    pg.manual_seed(0)
    first = pg.rand(3).tolist()
    pg.manual_seed(0)
    m = pg.nn.utils.skip_init(pg.nn.Linear, 4, 2, dtype=pg.float64)
    assert pg.rand(3).tolist() == first
    assert m.weight.shape == (2, 4) and m.weight.dtype == pg.float64 and m.weight.requires_grad
    with pytest.raises(RuntimeError, match="Module must support a 'device' arg"):
        pg.nn.utils.skip_init(pg.nn.ReLU)
    with pytest.raises(RuntimeError, match="Expected a Module; got <class 'int'>"):
        pg.nn.utils.skip_init(int)


def test_clip_grads_with_norm_and_the_deprecated_clip_grad_norm(backend):
    def grads_of(seed):
        pg.manual_seed(seed)
        m = pg.nn.Linear(3, 2, dtype=pg.float64)
        m(pg.ones(4, 3, dtype=pg.float64)).pow(2).sum().backward()
        return m

    a, b = grads_of(0), grads_of(0)
    total = pg.nn.utils.get_total_norm([p.grad for p in a.parameters()])
    pg.nn.utils.clip_grads_with_norm_(a.parameters(), 0.5, total)
    with pytest.warns(FutureWarning, match="`torch.nn.utils.clip_grad_norm` is now deprecated"):
        again = pg.nn.utils.clip_grad_norm(b.parameters(), 0.5)
    assert float(again) == pytest.approx(float(total))
    for p, q in zip(a.parameters(), b.parameters()):
        assert pg.allclose(p.grad, q.grad)
    assert float(pg.nn.utils.get_total_norm([p.grad for p in a.parameters()])) < 0.5 + 1e-6
    assert pg.nn.utils.clip_grads_with_norm_([], 1.0, total) is None
