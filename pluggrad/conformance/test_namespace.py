"""The namespace as the array API standard sees it: dtypes and their functions, the inspection
object, constants, creation functions, and the array object's attributes."""

from __future__ import annotations

import math

import numpy as np
import pytest

import pluggrad as pg

from .helpers import assert_values

ALL_DTYPE_NAMES = [
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float32", "float64", "complex64", "complex128",
]  # fmt: skip


def test_version_and_constants():
    assert pg.__array_api_version__ == "2025.12"
    assert (pg.e, pg.pi, pg.newaxis) == (math.e, math.pi, None)
    assert math.isinf(pg.inf) and math.isnan(pg.nan)


@pytest.mark.parametrize("name", ALL_DTYPE_NAMES)
def test_every_dtype_makes_tensors_on_every_backend(backend, name):
    dtype = getattr(pg, name)
    t = pg.zeros((2,), dtype=dtype)
    assert t.dtype is dtype
    assert t.dtype == dtype
    assert pg.asarray(t, dtype=dtype) is t


@pytest.mark.parametrize(
    ("dtypes", "expected"),
    [
        (("int8", "uint8"), "int16"),
        (("int32", "uint16"), "int32"),
        (("uint32", "int64"), "int64"),
        (("float32", "float64"), "float64"),
        (("float32", "complex64"), "complex64"),
        (("float64", "complex64"), "complex128"),
        (("bool", "int8"), "int8"),
        (("int64", "float32"), "float32"),  # across kinds: PyTorch's rule
    ],
)
def test_result_type_follows_the_promotion_lattice(dtypes, expected):
    assert pg.result_type(*(getattr(pg, d) for d in dtypes)) is getattr(pg, expected)


def test_result_type_with_weak_python_scalars(backend):
    assert pg.result_type(pg.float32, 1.5) is pg.float32
    assert pg.result_type(pg.int8, 300) is pg.int8
    assert pg.result_type(pg.int8, 1.5) is pg.float32
    assert pg.result_type(pg.ones(2, dtype=pg.float64), 1j) is pg.complex128
    with pytest.raises(TypeError):
        pg.result_type(pg.uint64, pg.int64)


def test_can_cast():
    assert pg.can_cast(pg.int8, pg.int64)
    assert pg.can_cast(pg.uint8, pg.int16)
    assert not pg.can_cast(pg.int64, pg.int8)
    assert not pg.can_cast(pg.float64, pg.float32)
    assert not pg.can_cast(pg.float32, pg.int64)
    assert not pg.can_cast(pg.complex64, pg.float64)
    assert pg.can_cast(pg.bool, pg.float32)


def test_finfo_and_iinfo():
    f = pg.finfo(pg.float32)
    assert (f.bits, f.eps, f.dtype) == (32, float(np.finfo(np.float32).eps), pg.float32)
    assert pg.finfo(pg.complex128).dtype is pg.float64
    i = pg.iinfo(pg.int16)
    assert (i.bits, i.min, i.max) == (16, -32768, 32767)
    with pytest.raises(TypeError):
        pg.finfo(pg.int32)
    # PyTorch's fields: tiny (smallest_normal), resolution (10 ** -digits, in double), and the
    # default dtype's limits without an argument
    assert (f.tiny, f.resolution) == (f.smallest_normal, 1e-06)
    assert pg.finfo(pg.float64).resolution == 1e-15
    assert pg.finfo().dtype is pg.get_default_dtype()


def test_finfo_and_iinfo_print_as_pytorchs():
    # repr(torch.finfo(...)) and repr(torch.iinfo(...)) from PyTorch 2.13
    assert repr(pg.finfo(pg.float16)) == (
        "finfo(resolution=0.001, min=-65504, max=65504, eps=0.000976562, "
        "smallest_normal=6.10352e-05, tiny=6.10352e-05, dtype=float16)"
    )
    assert str(pg.finfo(pg.complex64)) == (
        "finfo(resolution=1e-06, min=-3.40282e+38, max=3.40282e+38, eps=1.19209e-07, "
        "smallest_normal=1.17549e-38, tiny=1.17549e-38, dtype=float32)"
    )
    assert repr(pg.finfo(pg.bfloat16)) == (
        "finfo(resolution=0.01, min=-3.38953e+38, max=3.38953e+38, eps=0.0078125, "
        "smallest_normal=1.17549e-38, tiny=1.17549e-38, dtype=bfloat16)"
    )
    assert repr(pg.iinfo(pg.int64)) == "iinfo(min=-9.22337e+18, max=9.22337e+18, dtype=int64)"
    assert repr(pg.iinfo(pg.uint8)) == "iinfo(min=0, max=255, dtype=uint8)"


def test_size_keeps_its_type_through_tuple_operations():
    shape = pg.zeros(2, 3, 4).shape
    for derived, expected in [
        (shape[:-1], (2, 3)), (shape[::-1], (4, 3, 2)), (shape + (5,), (2, 3, 4, 5)),
        ((1,) + shape, (1, 2, 3, 4)), (shape * 2, (2, 3, 4) * 2), (2 * shape, (2, 3, 4) * 2),
    ]:  # fmt: skip
        assert type(derived) is pg.Size and derived == expected
    assert type(shape[0]) is int and shape[-1] == 4
    assert repr(shape[1:]) == "pluggrad.Size([3, 4])"


def test_isdtype():
    assert pg.isdtype(pg.float32, "real floating")
    assert pg.isdtype(pg.uint8, ("bool", "integral"))
    assert pg.isdtype(pg.complex64, "numeric")
    assert not pg.isdtype(pg.bool, "numeric")
    assert pg.isdtype(pg.int8, pg.int8)
    with pytest.raises(ValueError):
        pg.isdtype(pg.int8, "integer")


def test_namespace_info(backend):
    info = pg.__array_namespace_info__()
    assert set(info.capabilities()) >= {"boolean indexing", "data-dependent shapes"}
    defaults = info.default_dtypes()
    assert defaults["real floating"] is pg.float32
    assert defaults["indexing"] is pg.int64
    assert set(info.dtypes()) == set(ALL_DTYPE_NAMES)
    assert set(info.dtypes(kind="real floating")) == {"float32", "float64"}
    assert info.default_device() in info.devices()


def test_array_object_attributes(backend):
    x = pg.ones((2, 3), dtype=pg.float64)
    assert x.__array_namespace__() is pg
    assert x.shape == (2, 3) and x.ndim == 2
    assert x.size == 6 and x.size() == (2, 3) and x.size(-1) == 3
    assert x.mT.shape == (3, 2)
    assert x.to_device(x.device) is x
    assert np.from_dlpack(x).shape == (2, 3)
    assert complex(pg.tensor(2.0)) == 2 + 0j


def test_dlpack_refuses_a_tensor_that_requires_grad(backend):
    with pytest.raises(RuntimeError, match="require gradient"):
        pg.ones(2, requires_grad=True).__dlpack__()


def test_creation_functions(backend):
    assert_values(pg.arange(5), [0, 1, 2, 3, 4], dtype=pg.int64)
    assert_values(pg.arange(0.0, 1.0, 0.25), [0, 0.25, 0.5, 0.75], dtype=pg.float32)
    assert_values(pg.linspace(0, 1, 3), [0, 0.5, 1], dtype=pg.float32)
    assert_values(pg.linspace(0, 1, steps=3, endpoint=True), [0, 0.5, 1])
    assert_values(pg.eye(2, 3, k=1), [[0, 1, 0], [0, 0, 1]])
    assert_values(pg.full((2,), 7), [7, 7], dtype=pg.int64)
    assert_values(pg.full((2,), True), [True, True], dtype=pg.bool)
    assert_values(pg.zeros(2, 2), np.zeros((2, 2)), dtype=pg.float32)
    assert_values(pg.zeros((2, 2)), np.zeros((2, 2)))
    x = pg.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert_values(pg.ones_like(x), np.ones((2, 2)), dtype=pg.float32)
    assert_values(pg.full_like(x, 3), np.full((2, 2), 3.0))
    assert_values(pg.tril(x), [[1, 0], [3, 4]])
    assert_values(pg.triu(x, k=1), [[0, 2], [0, 0]])
    gx, gy = pg.meshgrid(pg.tensor([1, 2, 3]), pg.tensor([4, 5]))
    ex, ey = np.meshgrid([1, 2, 3], [4, 5])
    assert_values(gx, ex)
    assert_values(gy, ey)
    assert_values(pg.from_dlpack(np.arange(3.0)), [0, 1, 2])


def test_tensor_infers_torch_dtypes(backend):
    assert pg.tensor([1, 2]).dtype is pg.int64
    assert pg.tensor([1.0, 2]).dtype is pg.float32
    assert pg.tensor([True]).dtype is pg.bool
    assert pg.tensor([1j]).dtype is pg.complex64
    assert pg.tensor(np.ones(2)).dtype is pg.float64
    assert pg.Tensor(2, 3).shape == (2, 3)
    assert pg.Tensor([1, 2]).dtype is pg.float32
