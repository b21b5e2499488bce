"""Turning the arguments of public functions into tensors, as PyTorch and the standard do."""

from __future__ import annotations

from .. import _dtypes
from .._core.tensor import Tensor
from ..backends import get_backend

SCALAR_TYPES = (bool, int, float, complex)


def is_array_like(obj) -> bool:
    """True for an array of some library (it has ``shape`` and ``dtype``), Tensors included."""
    return hasattr(obj, "shape") and hasattr(obj, "dtype")


def merge_axis(axis, dim):
    """The axis of a reduction given as the standard's `axis` or PyTorch's `dim` (not both);
    a list becomes a tuple."""
    if dim is not None:
        if axis is not None:
            raise TypeError("pass either axis or dim, not both")
        axis = dim
    if isinstance(axis, list):
        axis = tuple(axis)
    return axis


def torch_positional(function: str, args: tuple, names: tuple, given: dict) -> dict:
    """Map PyTorch's positional arguments after the tensor (``dim, keepdim``...) to the
    keyword names in `names`, into `given` (the keyword values passed)."""
    if len(args) > len(names):
        raise TypeError(f"{function}() takes at most {len(names) + 1} positional arguments")
    for name, value in zip(names, args):
        if given.get(name) not in (None, False):
            raise TypeError(f"{function}() got multiple values for argument '{name}'")
        given[name] = value
    return given


def as_tensor_arg(x, like: Tensor | None = None) -> Tensor:
    """`x` as a Tensor: tensors pass through, anything else becomes a tensor on the backend of
    `like` (or the active backend)."""
    if isinstance(x, Tensor):
        return x
    from .creation import tensor

    backend = like._backend if like is not None else get_backend()
    return tensor(x, backend=backend)


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
    from .manipulation import astype

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
    from .manipulation import astype

    return astype(tensor, target)
