"""Dtype conversion and copies (``astype``, ``clone``, exported by
:mod:`pluggrad.ops.manipulation`), and the dtype rules of PyTorch that several topics apply:
the promotion of binary operands, integer inputs of float-only functions, the accumulation dtype
of sums and products."""

from __future__ import annotations

from .. import _dtypes
from .._core.primitive import apply
from .._core.tensor import Tensor
from .._dtypes import to_dtype
from ._args import SCALAR_TYPES, as_tensor_arg
from ._define import primitive

__all__ = ["astype", "clone"]

_ASTYPE = primitive("astype", ("x",), forward=lambda backend, x, dtype: backend.xp.astype(x, dtype))
_CLONE = primitive("clone", ("x",), forward=lambda backend, x: backend.copy(x))
_COPY = primitive("copy", ("x",), forward=lambda backend, x: backend.copy(x))


def astype(x, dtype, /, *, copy: bool = True, device=None) -> Tensor:
    """`x` converted to `dtype` (differentiable between floating and complex dtypes)."""
    x = as_tensor_arg(x)
    dtype = to_dtype(dtype)
    if dtype is x.dtype and not copy:
        return x
    return apply(_ASTYPE, (x,), {"dtype": x._backend.to_native[dtype]})


def clone(x, /) -> Tensor:
    """A copy of `x` that stays in the graph (``CloneBackward0``)."""
    return apply(_CLONE, (as_tensor_arg(x),))


def accumulation_copy(x: Tensor) -> Tensor:
    """The copy AccumulateGrad stores as a first ``.grad`` under ``create_graph=True``."""
    return apply(_COPY, (x,))


def cast(x: Tensor, dtype) -> Tensor:
    """`x` in `dtype` (a DType): `x` itself when it has that dtype already or `dtype` is None."""
    if dtype is None or dtype is x.dtype:
        return x
    return astype(x, dtype)


def default_float(x: Tensor) -> Tensor:
    """Integer and boolean tensors as the default float dtype, others as they are (PyTorch's
    rule for functions defined on floating-point values only)."""
    if x.dtype.kind in "biu":
        return astype(x, _dtypes.get_default_dtype())
    return x


def accumulation_dtype(x: Tensor, dtype):
    """The dtype ``sum``/``prod``/``cumulative_*`` compute in: `dtype`, else signed integers
    and booleans in int64 and unsigned integers in uint64 (the standard and PyTorch)."""
    if dtype is not None:
        return to_dtype(dtype)
    kind = x.dtype.kind
    if kind in "bi":
        return _dtypes.int64
    if kind == "u":  # PyTorch (pluggrad.as_torch installed): int64, as signed ones
        return _dtypes.int64 if _dtypes.acts_as_torch() else _dtypes.uint64
    return None


# ---- operands of binary functions ----------------------------------------------------------------
def binary_operands(x1, x2) -> tuple:
    """Prepare the operands of a binary elementwise op.

    Python scalars stay scalars (they are "weak": they do not change the tensor's dtype), except
    that a float scalar with an integer or boolean tensor promotes the tensor to the default
    float dtype and a complex scalar promotes a real tensor to complex, as in PyTorch.  Two
    tensors of different kinds (bool, integer, floating, complex) follow PyTorch too: the one of
    the lower kind takes the other's dtype (the standard leaves mixed kinds to the library).
    Other array-likes become tensors on the other operand's backend.
    """
    t1, t2 = isinstance(x1, Tensor), isinstance(x2, Tensor)
    if t1 and t2:
        if x1.dtype is not x2.dtype:
            return _promote_mixed_kinds(x1, x2)
        return x1, x2
    if not t1 and not t2:
        x1 = as_tensor_arg(x1)
        return binary_operands(x1, x2)
    tensor, other = (x1, x2) if t1 else (x2, x1)
    if isinstance(other, SCALAR_TYPES):
        tensor = _promote_for_scalar(tensor, other)
    else:
        other = as_tensor_arg(other, like=tensor)
    return (tensor, other) if t1 else (other, tensor)


_KIND_RANK = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}


def _promote_mixed_kinds(x1: Tensor, x2: Tensor) -> tuple:
    rank1, rank2 = _KIND_RANK[x1.dtype.kind], _KIND_RANK[x2.dtype.kind]
    if rank1 == rank2 or (rank1, rank2) in ((2, 3), (3, 2)):
        return x1, x2  # same kind, or real with complex: the standard's promotion table
    if rank1 < rank2:
        return astype(x1, x2.dtype), x2
    return x1, astype(x2, x1.dtype)


def _promote_for_scalar(tensor: Tensor, scalar) -> Tensor:
    kind = tensor.dtype.kind
    if isinstance(scalar, complex) and kind != "c":
        target = (
            _dtypes.default_complex_dtype()
            if kind != "f"
            else (_dtypes.complex128 if tensor.dtype is _dtypes.float64 else _dtypes.complex64)
        )
    elif isinstance(scalar, float) and kind in "biu":
        target = _dtypes.get_default_dtype()
    elif isinstance(scalar, int) and not isinstance(scalar, bool) and kind == "b":
        target = _dtypes.int64
    else:
        return tensor
    return astype(tensor, target)
