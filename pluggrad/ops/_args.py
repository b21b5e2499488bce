"""Turning the arguments of public functions into tensors, as PyTorch and the standard do."""

from __future__ import annotations

from .. import _dtypes
from .._tensor import Tensor
from ..backends import get_backend

SCALAR_TYPES = (bool, int, float, complex)


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
    float dtype and a complex scalar promotes a real tensor to complex, as in PyTorch.  Other
    array-likes become tensors on the other operand's backend.
    """
    t1, t2 = isinstance(x1, Tensor), isinstance(x2, Tensor)
    if t1 and t2:
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
