"""Matrix products: ``matmul`` (``@``), ``dot`` and ``matrix_transpose``."""

from __future__ import annotations

from .._tensor import Tensor
from ._args import as_tensor_arg
from ._primitive import Primitive, apply

__all__ = ["matmul", "dot", "matrix_transpose"]

_MATMUL = Primitive("matmul", ("x1", "x2"))
_DOT = Primitive("dot", ("x1", "x2"), forward=lambda backend, x1, x2: backend.xp.matmul(x1, x2))
_MATRIX_TRANSPOSE = Primitive("matrix_transpose", ("x",))


def matmul(x1, x2, /) -> Tensor:
    """Matrix product with NumPy's rules for 1-D operands and broadcast batch dimensions."""
    x1 = as_tensor_arg(x1)
    x2 = as_tensor_arg(x2, like=x1)
    if x1.ndim == 0 or x2.ndim == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {x1.ndim}D and "
            f"{x2.ndim}D"
        )
    return apply(_MATMUL, (x1, x2))


def dot(input, tensor, /) -> Tensor:  # noqa: A002 - PyTorch's parameter names
    """Inner product of two 1-D tensors (``torch.dot``)."""
    x1 = as_tensor_arg(input)
    x2 = as_tensor_arg(tensor, like=x1)
    if x1.ndim != 1 or x2.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {x1.ndim}D and {x2.ndim}D tensors")
    if x1.shape[0] != x2.shape[0]:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{x1.shape[0]}] and src [{x2.shape[0]}] "
            "to have the same number of elements, but got "
            f"{x1.shape[0]} and {x2.shape[0]} elements respectively"
        )
    if x1.dtype is not x2.dtype:
        raise RuntimeError(
            "dot : expected both vectors to have same dtype, but found "
            f"{x1.dtype.name.capitalize()} and {x2.dtype.name.capitalize()}"
        )
    return apply(_DOT, (x1, x2))


def matrix_transpose(x, /) -> Tensor:
    """Swap the last two axes."""
    x = as_tensor_arg(x)
    if x.ndim < 2:
        raise ValueError("matrix_transpose requires at least 2 dimensions")
    return apply(_MATRIX_TRANSPOSE, (x,))


NONDIFFERENTIABLE_FUNCTIONS: frozenset[str] = frozenset()

TENSOR_METHODS: dict = {
    "dot": dot,
    "matmul": matmul,
}
