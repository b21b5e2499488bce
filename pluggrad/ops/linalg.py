"""Matrix products and the array API ``linalg`` extension.

The main namespace gets the products of the standard (``matmul``, ``matrix_transpose``,
``tensordot``, ``vecdot``) and PyTorch's spellings (``dot``, ``mm``, ``mv``, ``bmm``, ``outer``,
``inner``, ``trace``, ``norm``, ``det``, ``inverse``, ``slogdet``, ``logdet``, ``matrix_power``,
``pinverse``).  The rest of the extension (decompositions, solvers, norms) lives in this module
but is exported only by :mod:`pluggrad.linalg`, as the standard asks.

The products are defined in :mod:`pluggrad.ops._products` and the matrix diagonal in
:mod:`pluggrad.ops._shape` (below the topics that use them); this module exports them.  Its
``EXTENSION`` table is also what derivative formulas reach as ``ns.linalg`` under
``create_graph=True`` (the backends' formula namespaces map ``ns.linalg`` to ``xp.linalg``), so
its functions keep the standard's signatures.  Every kernel is the backend's
``xp.linalg.<name>``.
"""

from __future__ import annotations

import operator

from .._core.primitive import apply, mixed_backend_error
from .._core.tensor import Tensor
from . import _products
from ._args import as_tensor_arg, merge_axis, result_type
from ._autocast import full_precision
from ._convert import astype, clone
from ._define import linalg_kernel, primitive
from ._products import (
    bmm,
    cross,
    dot,
    inner,
    matmul,
    matrix_transpose,
    mm,
    mv,
    outer,
    tensordot,
    trace,
    vecdot,
)
from ._shape import broadcast_to, diagonal, expand_dims, permute_dims
from .creation import eye
from .elementwise import abs as _abs
from .elementwise import log
from .manipulation import where
from .reductions import amax, amin
from .reductions import sum as _sum

__all__ = [
    "matmul", "matrix_transpose", "tensordot", "vecdot",
    "dot", "mm", "mv", "bmm", "outer", "inner", "trace", "norm",
    "det", "inverse", "slogdet", "logdet", "matrix_power", "pinverse",
]  # fmt: skip


def _lower_hermitian(backend, x):
    """The Hermitian matrix that the lower triangle of `x` defines (PyTorch reads only the
    lower triangle; JAX would otherwise symmetrize the whole matrix instead)."""
    xp = backend.xp
    strict_lower = xp.tril(x, k=-1)
    upper = xp.matrix_transpose(strict_lower)
    if "complex" in str(x.dtype):
        upper = xp.conj(upper)
        diagonal = xp.linalg.diagonal(x)
        x = x - _embed_raw(xp, diagonal - xp.real(diagonal))  # Hermitian: real diagonal
    return xp.tril(x) + upper


def _embed_raw(xp, v):
    n = v.shape[-1]
    return xp.expand_dims(v, axis=-1) * xp.eye(n, dtype=v.dtype)


_VECTOR_NORM = primitive("vector_norm", ("x",), forward=linalg_kernel("vector_norm"))
_DET = primitive("det", ("x",), forward=linalg_kernel("det"))
_SLOGDET = primitive("slogdet", ("x",), forward=linalg_kernel("slogdet"), n_outputs=2)
_INV = primitive("inv", ("x",), forward=linalg_kernel("inv"))
_SOLVE = primitive("solve", ("x1", "x2"), forward=linalg_kernel("solve"))
_PINV = primitive("pinv", ("x",), forward=linalg_kernel("pinv"))
_MATRIX_RANK = primitive("matrix_rank", ("x",), forward=linalg_kernel("matrix_rank"))
_CHOLESKY = primitive(
    "cholesky",
    ("x",),
    forward=lambda backend, x, upper: backend.xp.linalg.cholesky(
        _lower_hermitian(backend, x), upper=upper
    ),
)
_EIGH = primitive(
    "eigh",
    ("x",),
    forward=lambda backend, x: backend.xp.linalg.eigh(_lower_hermitian(backend, x)),
    n_outputs=2,
)
_EIG = primitive("eig", ("x",), forward=lambda backend, x: backend.eig(x), n_outputs=2)
_SVD = primitive("svd", ("x",), forward=linalg_kernel("svd"), n_outputs=3)
_EigResult = result_type("linalg_eig", "eigenvalues", "eigenvectors")
# torch.slogdet's result is named "slogdet", torch.linalg.slogdet's "linalg_slogdet"
_SlogdetResult = result_type("slogdet", "sign", "logabsdet")
_LinalgSlogdetResult = result_type("linalg_slogdet", "sign", "logabsdet")
_EighResult = result_type("linalg_eigh", "eigenvalues", "eigenvectors")
_SVDResult = result_type("linalg_svd", "U", "S", "Vh")
_QRResult = result_type("linalg_qr", "Q", "R")
_QR = primitive("qr", ("x",), forward=linalg_kernel("qr"), n_outputs=2)


# ---- argument checks ----------------------------------------------------------------------------


def _floating(x, name: str) -> Tensor:
    """`x` as a tensor, which must have a floating-point or complex dtype."""
    x = as_tensor_arg(x)
    if x.dtype.kind not in "fc":
        raise RuntimeError(
            f"{name}: Expected a floating point or complex tensor as input. Got "
            f"{x.dtype.torch_name}"
        )
    return x


def _matrices(x, name: str, *, square: bool = False, floating: bool = True) -> Tensor:
    """`x` as a tensor of (square) matrices (batches allowed)."""
    x = _floating(x, name) if floating else as_tensor_arg(x)
    if x.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if square and x.shape[-1] != x.shape[-2]:
        raise RuntimeError(
            f"{name}: A must be batches of square matrices, but they are {x.shape[-2]} by "
            f"{x.shape[-1]} matrices"
        )
    return x


# ---- norms --------------------------------------------------------------------------------------


def vector_norm(x, /, *, axis=None, keepdims: bool = False, ord=2, dim=None,  # noqa: A002
                keepdim: bool = False, dtype=None) -> Tensor:  # fmt: skip
    """The `ord`-norm of `x` over `axis` (all axes by default), as ``torch.linalg.vector_norm``.

    ``ord`` may be any real number or ``±inf``; ``dim``/``keepdim`` are PyTorch's names and
    ``dtype`` converts `x` first.  Complex inputs give real norms.
    """
    x = _floating(x, "linalg.vector_norm")
    if dtype is not None:
        x = astype(x, dtype)
    axis = merge_axis(axis, dim)
    if isinstance(axis, tuple) and len(axis) == 0:
        axis = None
    params = {"axis": axis, "keepdims": bool(keepdims or keepdim), "ord": ord}
    return apply(_VECTOR_NORM, (x,), params)


def _keep_matrix_axes(t: Tensor, keepdims: bool) -> Tensor:
    if keepdims:
        t = expand_dims(expand_dims(t, axis=-1), axis=-1)
    return t


def matrix_norm(x, /, *, keepdims: bool = False, ord="fro", dim=None, keepdim: bool = False,  # noqa: A002
                dtype=None) -> Tensor:  # fmt: skip
    """Matrix norm over the last two axes: ``'fro'``, ``'nuc'``, ``±1``, ``±2`` or ``±inf``.

    As in PyTorch: ``'fro'`` is the vector 2-norm of the entries, ``'nuc'`` the sum and ``±2``
    the largest/smallest singular value (``amax``/``amin``), ``±1`` (``±inf``) the
    largest/smallest column (row) sum of absolute values.  ``dim`` (a pair of axes) moves other
    axes into place first.
    """
    x = _matrices(x, "linalg.matrix_norm")
    if dtype is not None:
        x = astype(x, dtype)
    keepdims = bool(keepdims or keepdim)
    if dim is not None:
        d1, d2 = (d % x.ndim for d in dim)
        order = [a for a in range(x.ndim) if a not in (d1, d2)] + [d1, d2]
        if order != list(range(x.ndim)):
            if keepdims:
                raise NotImplementedError("matrix_norm with dim= other than (-2, -1) and keepdim")
            x = permute_dims(x, order)
    if ord == "fro":
        return vector_norm(x, axis=(-2, -1), keepdims=keepdims)
    if ord == "nuc":
        return _keep_matrix_axes(_sum(svdvals(x), axis=-1), keepdims)
    if ord in (2, -2, 1, -1, float("inf"), float("-inf")):
        extreme = amax if ord > 0 else amin
        if ord in (2, -2):
            return _keep_matrix_axes(extreme(svdvals(x), axis=-1), keepdims)
        summed = -2 if abs(ord) == 1 else -1  # column sums for ord 1, row sums for ord inf
        sums = _sum(_abs(x), axis=summed)
        return _keep_matrix_axes(extreme(sums, axis=-1), keepdims)
    raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")


def linalg_norm(x, /, ord=None, dim=None, keepdim: bool = False, *, axis=None,  # noqa: A002
                keepdims: bool = False, dtype=None) -> Tensor:  # fmt: skip
    """``torch.linalg.norm``: a vector norm, or a matrix norm when `dim` names two axes (or,
    with `ord` given, when `x` is 2-D).  Exported as :func:`pluggrad.linalg.norm`."""
    dim = merge_axis(axis, dim)
    keepdim = bool(keepdim or keepdims)
    x = _floating(x, "linalg.norm")
    if dim is not None and not isinstance(dim, int):
        dim = tuple(dim)
        if len(dim) == 2:
            return matrix_norm(x, ord="fro" if ord is None else ord, dim=dim, keepdim=keepdim,
                               dtype=dtype)  # fmt: skip
        if len(dim) != 1:
            raise RuntimeError("linalg.norm: If dim is specified, it must be of length 1 or 2.")
    elif dim is None and ord is not None:
        if x.ndim == 2:
            return matrix_norm(x, ord=ord, keepdim=keepdim, dtype=dtype)
        if x.ndim != 1:
            raise RuntimeError(
                "linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
                f"Got {x.ndim}D."
            )
    return vector_norm(x, ord=2 if ord is None else ord, dim=dim, keepdim=keepdim, dtype=dtype)


def norm(input, p="fro", dim=None, keepdim: bool = False, out=None, dtype=None) -> Tensor:  # noqa: A002
    """``torch.norm``: the 2-norm of all elements by default; ``p`` a number for other vector
    norms (over `dim`, all elements by default), ``'fro'`` or ``'nuc'`` for matrix norms."""
    if out is not None:
        raise TypeError("norm(): out= is not supported")
    x = _floating(input, "linalg.vector_norm")
    if isinstance(dim, list):
        dim = tuple(dim)
    if p == "nuc":
        return matrix_norm(x, ord="nuc", dim=dim, keepdim=keepdim, dtype=dtype)
    if isinstance(p, str):
        if p != "fro":
            raise RuntimeError(f"norm(): unsupported norm type {p!r}")
        p = 2
    if p is None:
        p = 2
    return vector_norm(x, ord=p, dim=dim, keepdim=keepdim, dtype=dtype)


def _norm_method(self, p="fro", dim=None, keepdim: bool = False, dtype=None) -> Tensor:
    return norm(self, p, dim, keepdim, dtype=dtype)


# ---- determinants, inverses, solvers ------------------------------------------------------------


def det(x, /) -> Tensor:
    """Determinant of the square matrices in `x` (``torch.det``, ``linalg.det``)."""
    return apply(_DET, (_matrices(x, "linalg.det", square=True),))


def slogdet(x, /):
    """Sign and log of the absolute value of the determinant, a ``(sign, logabsdet)`` named
    tuple (``torch.slogdet``, ``Tensor.slogdet``)."""
    return _SlogdetResult(*apply(_SLOGDET, (_matrices(x, "linalg.slogdet", square=True),)))


def linalg_slogdet(x, /):
    """``linalg.slogdet``: :func:`slogdet`, its result named as PyTorch's
    (``torch.return_types.linalg_slogdet``)."""
    return _LinalgSlogdetResult(*slogdet(x))


def logdet(input, /) -> Tensor:  # noqa: A002
    """``torch.logdet``: log of the determinant (nan for a negative real determinant)."""
    x = _matrices(input, "linalg.slogdet", square=True)
    sign, logabsdet = slogdet(x)
    if x.dtype.is_complex:
        return log(sign) + logabsdet
    return where(sign < 0, float("nan"), logabsdet)


@full_precision
def inv(x, /) -> Tensor:
    """Inverse of the square matrices in `x`."""
    return apply(_INV, (_matrices(x, "linalg.inv", square=True),))


@full_precision
def inverse(input, /) -> Tensor:  # noqa: A002
    """``torch.inverse``: the same as :func:`pluggrad.linalg.inv`."""
    return inv(input)


@full_precision
def solve(x1, x2, /, *, left: bool = True) -> Tensor:
    """Solution X of ``x1 @ X = x2`` (``left=False``: of ``X @ x1 = x2``).

    As in the standard, `x2` is a vector only when it is 1-D; batch axes broadcast.
    """
    x1 = _matrices(x1, "linalg.solve", square=True)
    x2 = _floating(as_tensor_arg(x2, like=x1), "linalg.solve")
    if not left:
        if x2.ndim < 2:
            raise RuntimeError(
                "linalg.solve: Vector broadcasting of B is only supported with left=True"
            )
        return matrix_transpose(solve(matrix_transpose(x1), matrix_transpose(x2)))
    n = x1.shape[-1]
    rows = x2.shape[0] if x2.ndim == 1 else x2.shape[-2]
    if rows != n:
        raise RuntimeError(
            f"linalg.solve: Incompatible shapes of A and B for the equation AX = B "
            f"({x1.shape[-2]}x{n} and {'x'.join(map(str, x2.shape))})"
        )
    return apply(_SOLVE, (x1, x2))


def _tolerance(rtol, x: Tensor):
    """`rtol` for a kernel: a float, or (the standard allows an array, one value per matrix of
    the stack) the backend array of a tensor, a constant for differentiation."""
    if isinstance(rtol, Tensor):
        if rtol._backend is not x._backend:
            raise mixed_backend_error(x._backend, rtol._backend)
        return rtol._data
    return rtol


def pinv(x, /, *, rtol=None, hermitian: bool = False) -> Tensor:
    """Moore-Penrose pseudo-inverse (singular values below ``rtol * largest`` count as zero;
    by default ``rtol = max(M, N) * eps``).  ``hermitian`` is accepted for PyTorch."""
    x = _matrices(x, "linalg.pinv")
    return apply(_PINV, (x,), {"rtol": _tolerance(rtol, x)})


def pinverse(input, rcond: float = 1e-15) -> Tensor:  # noqa: A002
    """``torch.pinverse``: :func:`pluggrad.linalg.pinv` with ``rtol=rcond``."""
    return pinv(input, rtol=rcond)


def matrix_rank(x, /, *, rtol=None, hermitian: bool = False) -> Tensor:
    """Number of singular values above ``rtol * largest`` (int64; not differentiable)."""
    x = _matrices(x, "linalg.matrix_rank")
    return apply(_MATRIX_RANK, (x,), {"rtol": _tolerance(rtol, x)})


def matrix_power(x, n, /) -> Tensor:
    """`x` multiplied by itself `n` times (``n < 0``: powers of the inverse, ``n = 0``: the
    identity), by repeated squaring."""
    x = _matrices(x, "linalg.matrix_power", square=True, floating=False)
    n = operator.index(n)
    if n == 0:
        identity = eye(x.shape[-1], dtype=x.dtype, backend=x._backend)
        return where(broadcast_to(identity == identity, tuple(x.shape)), identity, x)
    if n < 0:
        x = inv(_matrices(x, "linalg.inv", square=True))
        n = -n
    if n == 1:
        return clone(x)
    result = None
    power = x
    while n:
        if n & 1:
            result = power if result is None else matmul(result, power)
        n >>= 1
        if n:
            power = matmul(power, power)
    assert result is not None  # n >= 1 here
    return result


# ---- decompositions -----------------------------------------------------------------------------


@full_precision
def cholesky(x, /, *, upper: bool = False) -> Tensor:
    """Cholesky factor of Hermitian positive-definite matrices (lower, or upper if `upper`).

    As in PyTorch, only the lower triangle of `x` is read.
    """
    x = _matrices(x, "linalg.cholesky", square=True)
    return apply(_CHOLESKY, (x,), {"upper": bool(upper)})


@full_precision
def eigh(x, /):
    """Eigenvalues (ascending) and eigenvectors of Hermitian matrices, a named tuple
    ``(eigenvalues, eigenvectors)``; only the lower triangle of `x` is read."""
    return _EighResult(*apply(_EIGH, (_matrices(x, "linalg.eigh", square=True),)))


@full_precision
def eigvalsh(x, /) -> Tensor:
    """Eigenvalues of Hermitian matrices, ascending (the gradient is PyTorch's)."""
    return eigh(x)[0]


@full_precision
def eig(x, /):
    """Eigenvalues and eigenvectors of general square matrices, the named tuple
    ``(eigenvalues, eigenvectors)``, both complex (as PyTorch's ``linalg.eig``: not sorted,
    each eigenvector of unit norm with its largest component real).

    The gradient is PyTorch's; as there, it is defined only for losses that do not depend on
    the eigenvectors' phases, and is infinite where two eigenvalues coincide.
    """
    x = _matrices(x, "linalg.eig", square=True)
    return _EigResult(*apply(_EIG, (x,)))


@full_precision
def eigvals(x, /) -> Tensor:
    """Eigenvalues of general square matrices, complex (PyTorch's ``linalg.eigvals``)."""
    return eig(x)[0]


@full_precision
def svd(x, /, *, full_matrices: bool = True):
    """Singular value decomposition ``(U, S, Vh)`` with ``x = U diag(S) Vh``."""
    x = _matrices(x, "linalg.svd")
    return _SVDResult(*apply(_SVD, (x,), {"full_matrices": bool(full_matrices)}))


@full_precision
def svdvals(x, /) -> Tensor:
    """Singular values, descending."""
    return svd(x, full_matrices=False)[1]


@full_precision
def qr(x, /, *, mode: str = "reduced"):
    """QR decomposition ``(Q, R)``; `mode` is ``'reduced'`` or ``'complete'``."""
    x = _matrices(x, "linalg.qr")
    if mode not in ("reduced", "complete"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")  # fmt: skip
    return _QRResult(*apply(_QR, (x,), {"mode": mode}))


NONDIFFERENTIABLE_FUNCTIONS: frozenset[str] = frozenset()

TENSOR_METHODS: dict = {
    **_products.TENSOR_METHODS,
    "norm": _norm_method,
    "det": det,
    "slogdet": slogdet,
    "logdet": logdet,
    "inverse": inverse,
    "pinverse": pinverse,
    "matrix_power": matrix_power,
}


# ``pluggrad.linalg``: the standard's linalg extension (and torch.linalg.norm), by public name
EXTENSION = {
    "cholesky": cholesky, "cross": cross, "det": det, "diagonal": diagonal, "eig": eig,
    "eigvals": eigvals, "eigh": eigh, "eigvalsh": eigvalsh, "inv": inv, "matmul": matmul,
    "matrix_norm": matrix_norm,
    "matrix_power": matrix_power, "matrix_rank": matrix_rank,
    "matrix_transpose": matrix_transpose, "norm": linalg_norm, "outer": outer, "pinv": pinv,
    "qr": qr, "slogdet": linalg_slogdet, "solve": solve, "svd": svd, "svdvals": svdvals,
    "tensordot": tensordot, "trace": trace, "vecdot": vecdot, "vector_norm": vector_norm,
}  # fmt: skip
