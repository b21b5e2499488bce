"""Matrix and vector products of the array API (``matmul``, ``matrix_transpose``, ``tensordot``,
``vecdot`` and the ``linalg`` extension's ``trace``, ``cross``) and PyTorch's (``dot``, ``mm``,
``mv``, ``bmm``, ``outer``, ``inner``); exported by :mod:`pluggrad.ops.linalg`."""

from __future__ import annotations

import math
import operator

from .._core.primitive import apply
from .._core.size import broadcast_mismatch
from .._core.tensor import Tensor
from .._dtypes import acts_as_torch, in_float32
from ._args import as_tensor_arg, merge_axis
from ._autocast import full_precision, lower_precision
from ._convert import accumulation_dtype, astype
from ._define import linalg_kernel, primitive
from ._shape import broadcast_shape, expand_dims, permute_dims, reshape
from ._views import matrix_transpose_view
from .elementwise import conj
from .reductions import sum as _sum

__all__ = [
    "matmul", "matrix_transpose", "tensordot", "vecdot", "trace", "cross",
    "dot", "mm", "mv", "bmm", "outer", "inner",
]  # fmt: skip

_MATMUL = primitive("matmul", ("x1", "x2"))
_ADDMM = primitive(
    "addmm",
    ("input", "mat1", "mat2"),
    forward=lambda backend, *arrays, **params: _addmm_kernel(backend.xp, *arrays, **params),
)
_BMM = primitive("bmm", ("x1", "x2"), forward=lambda backend, x1, x2: backend.xp.matmul(x1, x2))
_DOT = primitive("dot", ("x1", "x2"), forward=lambda backend, x1, x2: backend.xp.matmul(x1, x2))
_MATRIX_TRANSPOSE = primitive("matrix_transpose", ("x",), view=matrix_transpose_view)
_TRACE = primitive("trace", ("x",), forward=linalg_kernel("trace"))
_CROSS = primitive("cross", ("x1", "x2"), elementwise=True, forward=linalg_kernel("cross"))


# ---- arguments ---------------------------------------------------------------------------------


def _both(x1, x2):
    """Both operands as tensors on one backend (array-likes follow the other operand)."""
    if not isinstance(x1, Tensor):
        x1 = as_tensor_arg(x1, like=x2 if isinstance(x2, Tensor) else None)
    return x1, as_tensor_arg(x2, like=x1)


# ---- products -----------------------------------------------------------------------------------


@lower_precision
def matmul(x1, x2, /) -> Tensor:
    """Matrix product with NumPy's rules for 1-D operands and broadcast batch dimensions."""
    x1, x2 = _both(x1, x2)
    if x1.ndim == 0 or x2.ndim == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {x1.ndim}D and "
            f"{x2.ndim}D"
        )
    _check_matmul_shapes(x1.shape, x2.shape)
    if x1.dtype is not x2.dtype and acts_as_torch():
        # PyTorch's products take one dtype; the array API standard's matmul promotes
        raise _dtype_mismatch(x1, x2)
    return apply(_MATMUL, (x1, x2))


def _dtype_mismatch(x1: Tensor, x2: Tensor) -> RuntimeError:
    """PyTorch's error for operands of two dtypes: that of the kernel its ``matmul`` reduces
    the product to (``dot``, ``mv``, ``bmm`` for a batched `x2`, else ``mm``)."""
    a, b = x1.dtype, x2.dtype
    if x1.ndim == 1 and x2.ndim == 1:
        message = (
            "dot : expected both vectors to have same dtype, but found "
            f"{a.torch_name} and {b.torch_name}"
        )
    elif x2.ndim == 1:  # (the result, allocated like the vector, is named first)
        message = (
            "addmv input tensors must have the same dtype, but got "
            f"{b.torch_name}, {a.torch_name}, and {b.torch_name}"
        )
    elif x2.ndim >= 3:
        message = f"expected scalar type {a.torch_name} but found {b.torch_name}"
    else:
        message = (
            f"expected m1 and m2 to have the same dtype, but got: {a.cpp_name} != {b.cpp_name}"
        )
    return RuntimeError(message)


def _check_matmul_shapes(shape1, shape2) -> None:
    """Raise PyTorch's error where the inner sizes of ``matmul`` differ: the error of the
    operation PyTorch reduces the product to (``dot``, ``mv``, ``mm`` with the batches of `x1`
    folded into its rows, or ``bmm`` over the broadcast batches)."""
    batched = len(shape2) >= 3  # else `x1`'s batches are folded into the rows of a matrix
    if batched:
        mismatch = broadcast_mismatch([shape1[:-2], shape2[:-2]])
        if mismatch is not None:
            raise mismatch
    inner1 = shape1[-1]
    inner2 = shape2[-2] if len(shape2) > 1 else shape2[0]
    if inner1 == inner2:
        return
    if len(shape1) == 1 and len(shape2) == 1:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{inner1}] and src [{inner2}] to have "
            f"the same number of elements, but got {inner1} and {inner2} elements respectively"
        )
    rows = math.prod(shape1[:-1])
    if len(shape2) == 1:
        raise RuntimeError(
            f"size mismatch, got input ({rows}), mat ({rows}x{inner1}), vec ({inner2})"
        )
    if not batched:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({rows}x{inner1} and {inner2}x{shape2[1]})"
        )
    batch = math.prod(broadcast_shape([shape1[:-2], shape2[:-2]]))
    raise RuntimeError(
        "Expected size for first two dimensions of batch2 tensor to be: "
        f"[{batch}, {inner1}] but got: [{batch}, {inner2}]."
    )


def _addmm_kernel(xp, added, mat1, mat2, beta, alpha):
    # 16-bit floats: PyTorch's kernel accumulates the product and adds `input` in float32,
    # rounding once (a float16 product plus a float16 bias would round twice)
    return in_float32(
        xp, lambda m1, m2, a: _addmm_values(xp, a, m1, m2, beta, alpha), mat1, mat2, added
    )


def _addmm_values(xp, added, mat1, mat2, beta, alpha):
    product = xp.matmul(mat1, mat2)
    if alpha != 1:
        product = product * alpha
    if beta == 0:  # input is ignored, its NaNs too (PyTorch)
        return product
    return product + (added if beta == 1 else added * beta)


def fused_addmm(input, mat1, mat2, beta=1, alpha=1) -> Tensor:  # noqa: A002
    """``beta * input + alpha * (mat1 @ mat2)`` as one operation (PyTorch's ``addmm`` and the
    forward of a linear layer, ``AddmmBackward0``), for two matrices of one floating dtype and
    an `input` of that dtype that broadcasts to their product's shape."""
    return apply(_ADDMM, (input, mat1, mat2), {"beta": beta, "alpha": alpha})


def dot(input, tensor, /) -> Tensor:  # noqa: A002 - PyTorch's parameter names
    """Inner product of two 1-D tensors (``torch.dot``)."""
    x1, x2 = _both(input, tensor)
    if x1.ndim != 1 or x2.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {x1.ndim}D and {x2.ndim}D tensors")
    if x1.shape[0] != x2.shape[0]:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{x1.shape[0]}] and src [{x2.shape[0]}] "
            "to have the same number of elements, but got "
            f"{x1.shape[0]} and {x2.shape[0]} elements respectively"
        )
    if x1.dtype is not x2.dtype:
        raise _dtype_mismatch(x1, x2)
    return apply(_DOT, (x1, x2))


@lower_precision
def mm(input, mat2, /) -> Tensor:  # noqa: A002
    """Product of two matrices (``torch.mm``; no broadcasting)."""
    x1, x2 = _both(input, mat2)
    if x1.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if x2.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    if x1.shape[1] != x2.shape[0]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({x1.shape[0]}x{x1.shape[1]} and "
            f"{x2.shape[0]}x{x2.shape[1]})"
        )
    if x1.dtype is not x2.dtype:
        raise _dtype_mismatch(x1, x2)
    return apply(_MATMUL, (x1, x2))


def mv(input, vec, /) -> Tensor:  # noqa: A002
    """Product of a matrix and a vector (``torch.mv``)."""
    x1, x2 = _both(input, vec)
    if x1.ndim != 2 or x2.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {x1.ndim}, {x2.ndim}")
    if x1.shape[1] != x2.shape[0]:
        raise RuntimeError(
            f"size mismatch, got input ({x1.shape[0]}), mat ({x1.shape[0]}x{x1.shape[1]}), "
            f"vec ({x2.shape[0]})"
        )
    if x1.dtype is not x2.dtype:
        raise _dtype_mismatch(x1, x2)
    return apply(_MATMUL, (x1, x2))


@lower_precision
def bmm(input, mat2, /) -> Tensor:  # noqa: A002
    """Batched product of two stacks of matrices with equal batch sizes (``torch.bmm``)."""
    x1, x2 = _both(input, mat2)
    if x1.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if x2.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if x2.shape[0] != x1.shape[0] or x2.shape[1] != x1.shape[2]:
        raise RuntimeError(
            "Expected size for first two dimensions of batch2 tensor to be: "
            f"[{x1.shape[0]}, {x1.shape[2]}] but got: [{x2.shape[0]}, {x2.shape[1]}]."
        )
    if x1.dtype is not x2.dtype:
        raise _dtype_mismatch(x1, x2)
    return apply(_BMM, (x1, x2))


def matrix_transpose(x, /) -> Tensor:
    """Swap the last two axes."""
    x = as_tensor_arg(x)
    if x.ndim < 2:
        raise ValueError("matrix_transpose requires at least 2 dimensions")
    return apply(_MATRIX_TRANSPOSE, (x,))


@lower_precision
def tensordot(x1, x2, /, axes=2, *, dims=None) -> Tensor:
    """Sum of products over the axes `axes` (``dims`` is PyTorch's name).

    `axes` is an int N (the last N axes of `x1` with the first N of `x2`) or a pair of axis
    sequences.  Built from ``permute_dims``, ``reshape`` and ``matmul``.
    """
    x1, x2 = _both(x1, x2)
    axes = merge_axis(axes, dims, default=2, names=("axes", "dims"))
    if isinstance(axes, int) or hasattr(axes, "__index__") and not isinstance(axes, Tensor):
        n = operator.index(axes)
        if n < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={n}")
        axes1 = list(range(x1.ndim - n, x1.ndim))
        axes2 = list(range(n))
    else:
        first, second = axes
        axes1 = [first] if isinstance(first, int) else list(first)
        axes2 = [second] if isinstance(second, int) else list(second)
        axes1 = [a % x1.ndim for a in axes1]
        axes2 = [a % x2.ndim for a in axes2]
    if len(axes1) != len(axes2):
        raise RuntimeError("both dimension lists should have same length")
    for a, b in zip(axes1, axes2):
        if x1.shape[a] != x2.shape[b]:
            raise RuntimeError(
                f"contracted dimensions need to match, but first has size {x1.shape[a]} in dim "
                f"{a - x1.ndim if a >= x1.ndim else a} and second has size {x2.shape[b]} in dim "
                f"{b}"
            )
    free1 = [a for a in range(x1.ndim) if a not in axes1]
    free2 = [b for b in range(x2.ndim) if b not in axes2]
    order1, order2 = free1 + axes1, axes2 + free2
    if order1 != list(range(x1.ndim)):
        x1 = permute_dims(x1, order1)
    if order2 != list(range(x2.ndim)):
        x2 = permute_dims(x2, order2)
    shape1 = [x1.shape[i] for i in range(len(free1))]
    shape2 = [x2.shape[len(axes2) + i] for i in range(len(free2))]
    inner_size = math.prod(x2.shape[i] for i in range(len(axes2)))
    left = reshape(x1, (math.prod(shape1), inner_size))
    right = reshape(x2, (inner_size, math.prod(shape2)))
    return reshape(matmul(left, right), tuple(shape1 + shape2))


@lower_precision
def vecdot(x1, x2, /, *, axis: int = -1, dim=None) -> Tensor:
    """Dot product of vectors along `axis` (``dim``), conjugating `x1`; broadcasts."""
    x1, x2 = _both(x1, x2)
    axis = merge_axis(-1 if axis is None else axis, dim, default=-1)
    if x1.shape[axis] != x2.shape[axis]:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{x1.shape[axis]}] and src "
            f"[{x2.shape[axis]}] to have the same number of elements, but got "
            f"{x1.shape[axis]} and {x2.shape[axis]} elements respectively"
        )
    if x1.dtype.is_complex:
        x1 = conj(x1)
    product = x1 * x2
    result = _sum(product, axis=axis)
    if result.dtype is not product.dtype:  # the standard keeps integer dtypes (sum widens them)
        result = astype(result, product.dtype)
    return result


def outer(x1, x2, /) -> Tensor:
    """Outer product of two 1-D tensors."""
    x1, x2 = _both(x1, x2)
    for name, x in (("self", x1), ("vec2", x2)):
        if x.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {x.ndim}-D")
    return expand_dims(x1, axis=-1) * expand_dims(x2, axis=0)


def inner(input, other, /) -> Tensor:  # noqa: A002
    """Sum of products over the last axes of both tensors (``torch.inner``)."""
    x1, x2 = _both(input, other)
    if x1.ndim == 0 or x2.ndim == 0:
        return x1 * x2
    return tensordot(x1, x2, axes=([-1], [-1]))


@full_precision
def trace(x, /, *, offset: int = 0, dtype=None) -> Tensor:
    """Sum of the `offset`-th diagonal of the matrices in `x` (``torch.trace`` for 2-D `x`).

    Integers and booleans are summed in int64 and unsigned integers in uint64 (the standard;
    PyTorch sums unsigned ones in int64), as :func:`sum` does.
    """
    x = as_tensor_arg(x)
    if x.ndim < 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {x.ndim}")
    dtype = accumulation_dtype(x, dtype) or x.dtype
    params = {"offset": int(offset), "dtype": x._backend.to_native[dtype]}
    return apply(_TRACE, (x,), params)


def cross(x1, x2, /, *, axis: int = -1, dim=None) -> Tensor:
    """Cross product of 3-element vectors along `axis` (``dim``); broadcasts."""
    x1, x2 = _both(x1, x2)
    axis = merge_axis(axis, dim, default=-1)
    ndim = max(x1.ndim, x2.ndim)
    if axis >= 0:
        axis -= ndim
    size1 = x1.shape[axis] if -x1.ndim <= axis else None
    size2 = x2.shape[axis] if -x2.ndim <= axis else None
    if size1 != 3 or size2 != 3:
        raise RuntimeError(
            f"linalg.cross: inputs dimension {axis} must have length 3. Got {size1} and {size2}"
        )
    return apply(_CROSS, (x1, x2), {"axis": axis})


TENSOR_METHODS: dict = {
    "dot": dot,
    "matmul": matmul,
    "mm": mm,
    "mv": mv,
    "bmm": bmm,
    "outer": outer,
    "inner": inner,
    "trace": lambda self: trace(self),
}
