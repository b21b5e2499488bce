"""PyTorch's 16-bit floats, ``float16`` (``half``) and ``bfloat16``: type promotion, ``finfo``,
printing, casts of tensors and modules, float16 draws, values and gradients, compared with
PyTorch's results stored in ``half_dtypes_torch.json`` (see ``_regenerate_half_dtypes``).

The array API standard has neither type.  A backend offers what its library has: NumPy and
Dask float16, JAX both, array_api_strict neither; the others are refused by name.
"""

from __future__ import annotations

import functools
import json

import numpy as np
import pytest

import pluggrad as pg
from pluggrad.conformance import _regenerate_half_dtypes as regen
from pluggrad.conformance.helpers import backend_dtype
from pluggrad.conformance.test_torch_random import torch_stream  # noqa: F401 - the fixture


@functools.cache
def _stored() -> dict:
    return json.loads(regen.OUTPUT.read_text())


def test_promotion_matches_pytorch(backend):
    for pair, want in _stored()["promote"].items():
        a, b = (getattr(pg, name) for name in pair.split(","))
        assert pg.promote_types(a, b) is getattr(pg, want), pair
        assert pg.result_type(a, b) is getattr(pg, want), pair


def test_finfo_matches_pytorch(backend):
    for name, want in _stored()["finfo"].items():
        info = pg.finfo(getattr(pg, name))
        got = [float(getattr(info, k)) for k in ("bits", "eps", "max", "min", "tiny", "resolution")]
        assert got == want, name
        assert info.dtype is getattr(pg, name)


def test_half_is_float16_and_both_are_floating(backend):
    assert pg.half is pg.float16
    for dtype in (pg.float16, pg.bfloat16):
        assert dtype.is_floating_point and dtype.itemsize == 2 and not dtype.is_complex
    # the standard's inspection lists only the standard's dtypes
    assert not {"float16", "bfloat16"} & set(pg.__array_namespace_info__().dtypes())


@pytest.mark.filterwarnings("ignore:overflow encountered in cast")  # 1e5 is inf in float16
def test_printing_and_type_names_match_pytorch(backend):
    backend_dtype(pg.float16)
    stored = _stored()
    x = regen.points(pg)
    for key, code in regen.REPRS.items():
        if "bfloat16" in code and pg.bfloat16 not in pg.get_backend().to_native:
            continue
        got = repr(eval(code, {"T": pg, "X": x}))  # the stored case list
        assert got == stored["repr"][key].replace("torch.", "pluggrad."), key
    assert pg.ones(1).half().type() == stored["types"][0]
    assert isinstance(pg.ones(2).half(), pg.HalfTensor)
    assert pg.HalfTensor([1.0, 2.0]).dtype is pg.float16


def test_module_half_casts_floating_parameters_and_buffers(backend):
    backend_dtype(pg.float16)
    model = pg.nn.Sequential(pg.nn.Linear(3, 2), pg.nn.BatchNorm1d(2)).half()
    assert {p.dtype for p in model.parameters()} == {pg.float16}
    assert model[1].running_mean.dtype is pg.float16
    assert model[1].num_batches_tracked.dtype is pg.int64  # integers are left alone
    out = model(pg.ones(4, 3, dtype=pg.float16))
    out.sum().backward()
    assert out.dtype is pg.float16 and model[0].weight.grad.dtype is pg.float16


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_addmm_rounds_once_as_pytorchs_kernel(backend, dtype):
    # PyTorch's 16-bit addmm (a half linear layer) accumulates and adds the bias in float32,
    # then rounds; rounding the product before adding the bias differs in the last bit
    half = getattr(pg, dtype)
    backend_dtype(half)
    gen = pg.Generator().manual_seed(0)
    a, w, b = (pg.randn(*s, generator=gen).to(half) for s in [(64, 16), (8, 16), (8,)])
    once = (a.float() @ w.float().T + b.float()).to(half)
    assert _same(pg.nn.functional.linear(a, w, b), once)
    assert _same(pg.addmm(b, a, w.T, beta=0.5, alpha=2), (0.5 * b.float() + 2 * (
        a.float() @ w.float().T)).to(half))  # fmt: skip
    assert not _same((a @ w.T) + b, once)  # the sum of rounded terms is not the same


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_sum_and_prod_accumulate_in_float32(backend, dtype):
    # PyTorch sums 16-bit floats in float32 and rounds once; rounding at each step drifts
    half = getattr(pg, dtype)
    backend_dtype(half)
    x = pg.randn(50, 7, generator=pg.Generator().manual_seed(0)).to(half)
    assert _same(x.sum(0), x.float().sum(0).to(half))
    assert _same(x.sum(), x.float().sum().to(half))
    assert _same(x[:6].prod(0), x[:6].float().prod(0).to(half))


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_computes_in_float32_and_rounds_once(backend, dtype, name):
    # as PyTorch's CPU kernels: the values, and the gradient from the 16-bit result, computed
    # in float32 (in 16-bit steps they drift by several ulps; a half training step's loss moved)
    half = getattr(pg, dtype)
    backend_dtype(half)
    gen = pg.Generator().manual_seed(0)
    x = (3 * pg.randn(6, 9, generator=gen)).to(half).requires_grad_()
    g = pg.randn(6, 9, generator=gen).to(half)
    for dim in (0, 1):
        y = getattr(pg, name)(x, dim)
        assert _same(y, getattr(pg, name)(x.detach().float(), dim).to(half))
        (grad,) = pg.autograd.grad(y, x, g)
        wide, g32 = y.detach().float(), g.float()  # the backward reads the 16-bit result
        if name == "softmax":
            expected = wide * (g32 - (g32 * wide).sum(dim, True))
        else:
            expected = g32 - wide.exp() * g32.sum(dim, True)
        assert _same(grad, expected.to(half))


def _same(x, y) -> bool:
    return x.dtype is y.dtype and bool((x == y).all())


@pytest.mark.usefixtures("torch_stream")
def test_float16_draws_match_pytorch(backend):
    backend_dtype(pg.float16)
    for seed, low, high in regen.DRAWS:
        pg.manual_seed(seed)
        got = pg.empty(300, dtype=pg.float16).uniform_(low, high).tolist()
        assert got == _stored()["uniform"][f"{low},{high}"], (seed, low, high)


def test_float16_values_and_gradients_match_pytorch(backend):
    backend_dtype(pg.float16)
    v = pg.linspace(0.0, 3.0, 13, dtype=pg.float64).half()
    for name, want in _stored()["values"].items():
        got = getattr(pg, name)(v)
        assert got.dtype is pg.float16
        # float16's kernels round a float32 result: PyTorch's and NumPy's may differ by an ulp
        np.testing.assert_allclose(got.tolist(), want, rtol=2.0**-10, err_msg=name)
    w = pg.tensor([0.5, -1.25, 2.0], dtype=pg.float16, requires_grad=True)
    (w * w * w).sum().backward()
    assert w.grad.dtype is pg.float16
    assert w.grad.tolist() == _stored()["grad_cube"]


def test_a_type_the_backend_lacks_is_refused_by_name(backend):
    missing = [d for d in (pg.float16, pg.bfloat16) if d not in pg.get_backend().to_native]
    if not missing:
        pytest.skip(f"the {pg.get_backend().name} backend has both 16-bit floats")
    message = f"{missing[0]} is not supported by the {pg.get_backend().name} backend"
    with pytest.raises(TypeError, match=message):
        pg.zeros(2, dtype=missing[0])
    with pytest.raises(TypeError, match=message):
        pg.ones(2).to(missing[0])
