"""``torch.linalg`` functions made of other operations (exported by :mod:`pluggrad.linalg`,
``matrix_exp`` also by :mod:`pluggrad.ops.composite`): ``matrix_exp``, ``multi_dot``,
``solve_triangular``, ``lstsq``, ``cond``, ``vander``, ``tensorinv``, ``tensorsolve``.  Their
derivatives, every order, are those of their parts."""

from __future__ import annotations

import math

import numpy as np

from .._core.tensor import Tensor
from ._args import as_tensor_arg, result_type
from ._autocast import exempt, full_precision
from ._products import matmul
from ._shape import expand_dims, permute_dims, reshape
from .creation import eye, tril, triu
from .linalg import cholesky as _linalg_cholesky
from .linalg import cross as _linalg_cross
from .linalg import inv, matrix_norm, matrix_rank, pinv, solve, svdvals, vector_norm
from .linalg import qr as _linalg_qr
from .linalg import svd as _linalg_svd
from .manipulation import stack
from .reductions import amax, amin

__all__ = [
    "matrix_exp", "multi_dot", "solve_triangular", "lstsq", "cond", "vander", "tensorinv",
    "tensorsolve", "cholesky", "cholesky_solve", "cholesky_inverse", "qr", "svd",
    "triangular_solve", "frobenius_norm", "nuclear_norm", "cross",
]  # fmt: skip

# Taylor terms of exp(A / 2**s) with ||A / 2**s|| <= 1/2: the remainder is below 1e-22
_TAYLOR_TERMS = 18


@exempt  # one kernel in PyTorch, outside autocast's lists: its products stay in A's dtype
def matrix_exp(A) -> Tensor:
    """The matrix exponential of (a batch of) square matrices: scaling and squaring of a
    Taylor series, through matrix products (so every derivative follows)."""
    a = as_tensor_arg(A)
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise RuntimeError("linalg.matrix_exp: A must be batches of square matrices")
    if a.numel() == 0:
        return a * 1
    norm = float(np.max(np.sum(np.abs(a.detach().numpy(force=True)), axis=-1)))
    squarings = max(0, math.ceil(math.log2(norm / 0.5))) if norm > 0.5 else 0
    scaled = a / (2.0**squarings) if squarings else a
    identity = eye(a.shape[-1], dtype=a.dtype, backend=a._backend)
    term = identity + 0 * scaled  # the batch shape, and the graph of `a` (for second order)
    total = term
    for k in range(1, _TAYLOR_TERMS + 1):
        term = matmul(term, scaled) / k
        total = total + term
    for _ in range(squarings):
        total = matmul(total, total)
    return total


def multi_dot(tensors) -> Tensor:
    """``tensors[0] @ tensors[1] @ ...``; the first may be a vector (a row), the last a vector
    (a column)."""
    tensors = [as_tensor_arg(t) for t in tensors]
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    out = tensors[0]
    for t in tensors[1:]:
        out = matmul(out, t)
    return out


@full_precision
def solve_triangular(
    A, B, *, upper: bool, left: bool = True, unitriangular: bool = False
) -> Tensor:
    """The solution of ``A X = B`` (``X A = B`` when not `left`) for triangular `A` (its
    `upper` or lower triangle is read; ``unitriangular``: its diagonal is taken as ones)."""
    a = as_tensor_arg(A)
    triangle = triu(a) if upper else tril(a)
    if unitriangular:
        n = a.shape[-1]
        identity = eye(n, dtype=a.dtype, backend=a._backend)
        triangle = triangle * (1 - identity) + identity
    return solve(triangle, B, left=left)


_Lstsq = result_type("linalg_lstsq", "solution", "residuals", "rank", "singular_values")


@full_precision
def lstsq(A, B, rcond=None, *, driver=None):
    """The least-squares solution of ``A X = B`` (the minimum-norm one), as PyTorch's default
    CPU driver (``gelsy``) returns it: ``(solution, residuals, rank, singular_values)`` with
    empty ``residuals`` and ``singular_values``."""
    a, b = as_tensor_arg(A), as_tensor_arg(B)
    vector = b.ndim == a.ndim - 1
    rhs = expand_dims(b, axis=-1) if vector else b
    solution = matmul(pinv(a) if rcond is None else pinv(a, rtol=rcond), rhs)
    if vector:
        solution = reshape(solution, tuple(solution.shape[:-1]))
    empty = a.new_zeros(0)
    return _Lstsq(solution, empty, matrix_rank(a), empty)


def cond(A, p=None) -> Tensor:
    """The condition number of `A` in the norm `p` (the 2-norm by default: the ratio of the
    largest to the smallest singular value)."""
    a = as_tensor_arg(A)
    if p is None or p in (2, -2):
        s = svdvals(a)
        ratio = amax(s, -1) / amin(s, -1)
        return ratio if p != -2 else 1 / ratio
    return matrix_norm(a, ord=p) * matrix_norm(inv(a), ord=p)


def vander(x, *, N=None) -> Tensor:
    """The Vandermonde matrix: columns ``x**0, x**1, ..., x**(N - 1)`` (increasing powers,
    PyTorch's ``linalg.vander``)."""
    x = as_tensor_arg(x)
    n = x.shape[-1] if N is None else N
    if n <= 0:
        raise RuntimeError("N must be greater than 1.")
    columns = [x * 0 + 1]  # ones, in x's graph
    for _ in range(1, n):
        columns.append(columns[-1] * x)
    return stack(columns, axis=-1)


@full_precision
def tensorinv(A, ind: int = 2) -> Tensor:
    """The inverse of `A` for :func:`tensordot` over its first `ind` axes: ``A`` reshaped to a
    square matrix, inverted, reshaped to ``A.shape[ind:] + A.shape[:ind]``."""
    a = as_tensor_arg(A)
    rows, cols = a.shape[:ind], a.shape[ind:]
    if math.prod(rows) != math.prod(cols):
        raise RuntimeError(
            "Expected self to satisfy the requirement prod(self.shape[ind:]) == "
            f"prod(self.shape[:ind]), but got {math.prod(cols)} != {math.prod(rows)}"
        )
    square = reshape(a, (math.prod(rows), math.prod(cols)))
    return reshape(inv(square), tuple(cols) + tuple(rows))


@full_precision
def tensorsolve(A, B, dims=None) -> Tensor:
    """`X` with ``tensordot(A, X, X.ndim) == B`` (``dims``: axes of `A` moved to the end
    first)."""
    a, b = as_tensor_arg(A), as_tensor_arg(B)
    if dims is not None:
        moved = [d % a.ndim for d in dims]
        order = [d for d in range(a.ndim) if d not in moved] + moved
        a = permute_dims(a, tuple(order))
    x_shape = tuple(a.shape[b.ndim :])
    square = reshape(a, (b.numel(), math.prod(x_shape)))
    return reshape(solve(square, reshape(b, (b.numel(),))), x_shape)


# ---- torch.<name>: PyTorch's older spellings of the linalg functions -----------------------------
@full_precision
def cholesky(input, upper: bool = False) -> Tensor:  # noqa: A002
    """``torch.cholesky``: the lower (or `upper`) Cholesky factor."""
    return _linalg_cholesky(as_tensor_arg(input), upper=upper)


@full_precision
def cholesky_solve(B, L, upper: bool = False) -> Tensor:
    """The solution of ``A X = B`` given the Cholesky factor `L` of ``A``."""
    factor = as_tensor_arg(L)
    lower = factor.mT.conj() if upper else factor
    y = solve_triangular(lower, B, upper=False)
    return solve_triangular(lower.mT.conj(), y, upper=True)


@full_precision
def cholesky_inverse(L, upper: bool = False) -> Tensor:
    """The inverse of ``A`` given its Cholesky factor `L`."""
    factor = as_tensor_arg(L)
    identity = eye(factor.shape[-1], dtype=factor.dtype, backend=factor._backend)
    return cholesky_solve(identity + 0 * factor, factor, upper)


_QR = result_type("qr", "Q", "R")
_SVD = result_type("svd", "U", "S", "V")  # V, not Vh
_TriangularSolve = result_type("triangular_solve", "solution", "cloned_coefficient")


@full_precision
def qr(input, some: bool = True):  # noqa: A002
    """``torch.qr``: ``(Q, R)``, reduced unless ``some=False``."""
    q, r = _linalg_qr(as_tensor_arg(input), mode="reduced" if some else "complete")
    return _QR(q, r)


@full_precision
def svd(input, some: bool = True, compute_uv: bool = True):  # noqa: A002
    """``torch.svd``: ``(U, S, V)`` with ``input = U diag(S) V^H`` (reduced unless
    ``some=False``)."""
    x = as_tensor_arg(input)
    u, s, vh = _linalg_svd(x, full_matrices=not some)
    if not compute_uv:
        return _SVD(u * 0, s, vh.mT * 0)
    return _SVD(u, s, vh.mT.conj())


@full_precision
def triangular_solve(b, A, upper: bool = True, transpose: bool = False,
                     unitriangular: bool = False):  # fmt: skip
    """``torch.triangular_solve``: ``(X, A)`` with ``A X = b`` (``A^T X = b`` with
    `transpose`)."""
    a = as_tensor_arg(A)
    coefficient = a.mT if transpose else a
    solution = solve_triangular(coefficient, b, upper=upper != transpose,
                                unitriangular=unitriangular)  # fmt: skip
    return _TriangularSolve(solution, a.clone())


def frobenius_norm(input, dim=(-2, -1), keepdim: bool = False) -> Tensor:  # noqa: A002
    """The Frobenius norm over `dim`."""
    return vector_norm(as_tensor_arg(input), axis=tuple(dim), keepdims=keepdim)


def nuclear_norm(input, dim=None, keepdim: bool = False) -> Tensor:  # noqa: A002
    """The nuclear norm (the sum of the singular values) of the matrices."""
    x = as_tensor_arg(input)
    if dim is None:
        return matrix_norm(x, ord="nuc", keepdims=keepdim)
    return matrix_norm(x, ord="nuc", keepdims=keepdim, dim=tuple(dim))


def cross(input, other, dim=None) -> Tensor:  # noqa: A002
    """``torch.cross``: the cross product along `dim` (the first axis of length 3 when not
    given, as PyTorch's deprecated default)."""
    x = as_tensor_arg(input)
    if dim is None:
        dim = next((d for d, n in enumerate(x.shape) if n == 3), -1)
    return _linalg_cross(x, other, axis=dim)
