"""The LU decomposition and the ``*_ex`` solvers of ``torch.linalg``, made of other
operations (exported by :mod:`pluggrad.linalg`; ``lu``, ``lu_solve``, ``lu_unpack`` also by
:mod:`pluggrad.ops.composite`).

The row pivots (partial pivoting, LAPACK's choice) are found on the host from the values; the
elimination itself is tensor arithmetic on the permuted matrix, so every derivative of ``L``
and ``U`` follows.  ``householder_product`` multiplies the reflectors out.
"""

from __future__ import annotations

import numpy as np

from .._core.tensor import Tensor
from ._args import as_tensor_arg, result_type
from ._autocast import full_precision
from ._composite_linalg import solve_triangular
from ._products import matmul
from ._shape import expand_dims
from .creation import eye, tril, triu
from .indexing import take_along_axis
from .linalg import cholesky, inv, solve
from .manipulation import concat, where

__all__ = [
    "lu_factor", "lu_factor_ex", "lu", "lu_unpack", "lu_solve", "inv_ex", "solve_ex",
    "cholesky_ex", "householder_product", "torch_lu", "torch_lu_solve",
]  # fmt: skip


_LUFactor = result_type("linalg_lu_factor", "LU", "pivots")
_LUFactorEx = result_type("linalg_lu_factor_ex", "LU", "pivots", "info")
_LU = result_type("linalg_lu", "P", "L", "U")
_LUUnpack = result_type("lu_unpack", "P", "L", "U")
_InvEx = result_type("linalg_inv_ex", "inverse", "info")
_SolveEx = result_type("linalg_solve_ex", "result", "info")
_CholeskyEx = result_type("linalg_cholesky_ex", "L", "info")


def _host_pivots(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row order and LAPACK's (1-based) swap list of partial pivoting, for each matrix."""
    m, n = a.shape[-2:]
    k = min(m, n)
    flat = a.reshape(-1, m, n).astype(np.complex128 if np.iscomplexobj(a) else np.float64)
    orders = np.empty((flat.shape[0], m), dtype=np.int64)
    swaps = np.empty((flat.shape[0], k), dtype=np.int32)
    for b, matrix in enumerate(flat):
        work = matrix.copy()
        order = np.arange(m)
        for j in range(k):
            r = j + int(np.argmax(np.abs(work[j:, j])))
            swaps[b, j] = r + 1
            work[[j, r]] = work[[r, j]]
            order[[j, r]] = order[[r, j]]
            if work[j, j] != 0:
                work[j + 1 :] -= np.outer(work[j + 1 :, j] / work[j, j], work[j])
        orders[b] = order
    return orders.reshape(a.shape[:-2] + (m,)), swaps.reshape(a.shape[:-2] + (k,))


def _permute_rows(x: Tensor, order: np.ndarray) -> Tensor:
    """``x[..., order, :]`` for one row order per matrix."""
    index = as_tensor_arg(np.broadcast_to(order[..., None], order.shape + (x.shape[-1],)), like=x)
    return take_along_axis(x, index, axis=-2)


def _eliminate(pa: Tensor) -> tuple[Tensor, Tensor]:
    """``L`` (unit lower, m x k) and ``U`` (upper, k x n) with ``pa = L U``, no pivoting."""
    m, n = pa.shape[-2:]
    k = min(m, n)
    rows = np.arange(m).reshape(m, 1)
    work = pa
    columns = []
    for j in range(k):
        below = as_tensor_arg(rows > j, like=pa)
        column = where(below, work[..., :, j : j + 1] / work[..., j : j + 1, j : j + 1], 0.0)
        work = work - column * work[..., j : j + 1, :]
        columns.append(column)
    lower = concat(columns, axis=-1) + as_tensor_arg(np.eye(m, k), like=pa).to(pa.dtype)
    return lower, triu(work[..., :k, :])


def lu_factor(A, *, pivot: bool = True):
    """``(LU, pivots)``: ``L`` (without its unit diagonal) and ``U`` packed in one matrix, and
    LAPACK's 1-based row swaps, with ``A = P L U``."""
    a = as_tensor_arg(A)
    if not pivot:
        lower, upper = _eliminate(a)
        k = min(a.shape[-2:])
        swaps = np.broadcast_to(np.arange(1, k + 1, dtype=np.int32), tuple(a.shape[:-2]) + (k,))
        return _LUFactor(_pack(lower, upper), as_tensor_arg(np.array(swaps), like=a))
    order, swaps = _host_pivots(a._backend.to_numpy(a.detach()._data))
    lower, upper = _eliminate(_permute_rows(a, order))
    return _LUFactor(_pack(lower, upper), as_tensor_arg(swaps, like=a))


def _pack(lower: Tensor, upper: Tensor) -> Tensor:
    """``L`` below the diagonal and ``U`` on and above it, in one m x n matrix."""
    m, k = lower.shape[-2:]
    n = upper.shape[-1]
    if m > k:  # U (k x n, k = n) gets zero rows below
        upper = concat([upper, lower[..., k:, :] * 0], axis=-2)
    if n > k:  # L (m x k, k = m) gets zero columns to the right
        lower = concat([lower, upper[..., :, k:] * 0], axis=-1)
    return tril(lower, -1) + triu(upper)


def lu_factor_ex(A, *, pivot: bool = True, check_errors: bool = False):
    """:func:`lu_factor` and ``info`` (the 1-based index of the first zero pivot, 0 if none)."""
    lu_, pivots = lu_factor(A, pivot=pivot)
    diagonal = np.abs(np.diagonal(lu_._backend.to_numpy(lu_.detach()._data), axis1=-2, axis2=-1))
    zero = diagonal == 0
    info = np.where(zero.any(-1), np.argmax(zero, axis=-1) + 1, 0).astype(np.int32)
    if check_errors and info.any():
        raise RuntimeError(
            f"linalg.lu_factor_ex: U[{int(info.flat[0])},{int(info.flat[0])}] is zero and using "
            "it on lu_solve would result in a division by zero."
        )
    return _LUFactorEx(lu_, pivots, as_tensor_arg(info, like=lu_))


def _order_from_swaps(pivots: np.ndarray, m: int) -> np.ndarray:
    flat = pivots.reshape(-1, pivots.shape[-1])
    orders = np.empty((flat.shape[0], m), dtype=np.int64)
    for b, swaps in enumerate(flat):
        order = np.arange(m)
        for j, r in enumerate(swaps - 1):
            order[[j, r]] = order[[r, j]]
        orders[b] = order
    return orders.reshape(pivots.shape[:-1] + (m,))


def _permutation(order: np.ndarray, like: Tensor) -> Tensor:
    """P with ``A = P L U`` for rows taken in `order` (``P[order[i], i] = 1``)."""
    m = order.shape[-1]
    p = np.zeros(order.shape + (m,))
    np.put_along_axis(p, order[..., None], 1.0, axis=-1)
    return as_tensor_arg(np.swapaxes(p, -1, -2), like=like).to(like.dtype)


def lu(A, *, pivot: bool = True):
    """``(P, L, U)`` with ``A = P L U``: a permutation, a unit lower and an upper triangular
    matrix."""
    a = as_tensor_arg(A)
    if not pivot:
        lower, upper = _eliminate(a)
        return _LU(a[..., :0, :0], lower, upper)
    order, _ = _host_pivots(a._backend.to_numpy(a.detach()._data))
    lower, upper = _eliminate(_permute_rows(a, order))
    return _LU(_permutation(order, a), lower, upper)


def lu_unpack(LU_data, LU_pivots, unpack_data: bool = True, unpack_pivots: bool = True):
    """``(P, L, U)`` from :func:`lu_factor`'s packed result."""
    packed = as_tensor_arg(LU_data)
    m, n = packed.shape[-2:]
    k = min(m, n)
    lower = tril(packed[..., :, :k], -1) + as_tensor_arg(np.eye(m, k), like=packed).to(packed.dtype)
    upper = triu(packed[..., :k, :])
    swaps = np.asarray(as_tensor_arg(LU_pivots).tolist(), dtype=np.int64)
    p = _permutation(_order_from_swaps(swaps, m), packed)
    return _LUUnpack(p, lower, upper)


@full_precision
def lu_solve(LU, pivots, B, *, left: bool = True, adjoint: bool = False) -> Tensor:
    """The solution of ``A X = B`` (``A^H X = B`` with `adjoint`; ``X A = B`` unless `left`)
    from :func:`lu_factor`'s result."""
    p, lower, upper = lu_unpack(LU, pivots)
    b = as_tensor_arg(B)
    if not left:  # X A = B  <=>  A^H X^H = B^H
        return lu_solve(LU, pivots, b.mT.conj(), adjoint=not adjoint).mT.conj()
    if adjoint:  # A^H = U^H L^H P^T
        y = solve_triangular(upper.mT.conj(), b, upper=False)
        z = solve_triangular(lower.mT.conj(), y, upper=True, unitriangular=True)
        return matmul(p, z)
    y = solve_triangular(lower, matmul(p.mT, b), upper=False, unitriangular=True)
    return solve_triangular(upper, y, upper=True)


def torch_lu(A, pivot: bool = True, get_infos: bool = False):
    """``torch.lu``: ``(LU, pivots)`` (and ``infos`` with `get_infos`)."""
    if get_infos:
        return tuple(lu_factor_ex(A, pivot=pivot))
    return tuple(lu_factor(A, pivot=pivot))


def torch_lu_solve(b, LU_data, LU_pivots) -> Tensor:
    """``torch.lu_solve(b, LU_data, LU_pivots)``: :func:`lu_solve` with the right-hand side
    first."""
    return lu_solve(LU_data, LU_pivots, b)


# ---- the *_ex variants: an info code instead of an error ---------------------------------------
def _failed(x: Tensor) -> Tensor:
    return x * float("nan")


@full_precision
def inv_ex(A, *, check_errors: bool = False):
    """``(inverse, info)``: `info` is 0, or positive where `A` is singular (the inverse is
    then NaN); with ``check_errors`` a singular matrix raises."""
    a = as_tensor_arg(A)
    try:
        return _InvEx(inv(a), a.new_zeros(tuple(a.shape[:-2]), dtype="int32"))
    except Exception:
        if check_errors:
            raise
        return _InvEx(_failed(a), a.new_ones(tuple(a.shape[:-2]), dtype="int32"))


@full_precision
def solve_ex(A, B, *, left: bool = True, check_errors: bool = False):
    """``(result, info)`` of :func:`~pluggrad.linalg.solve` (see :func:`inv_ex`)."""
    a = as_tensor_arg(A)
    try:
        return _SolveEx(solve(a, B, left=left), a.new_zeros(tuple(a.shape[:-2]), dtype="int32"))
    except Exception:
        if check_errors:
            raise
        b = as_tensor_arg(B, like=a)
        return _SolveEx(_failed(b), a.new_ones(tuple(a.shape[:-2]), dtype="int32"))


@full_precision
def cholesky_ex(A, *, upper: bool = False, check_errors: bool = False):
    """``(L, info)`` of :func:`~pluggrad.linalg.cholesky`: `info` positive (and ``L`` NaN)
    where `A` is not positive definite, unless ``check_errors`` makes that an error."""
    a = as_tensor_arg(A)
    try:
        factor = cholesky(a, upper=upper)
        bad = bool((factor != factor).any())
    except Exception:
        if check_errors:
            raise
        factor, bad = _failed(a), True
    if bad and check_errors:
        raise RuntimeError("linalg.cholesky_ex: The factorization could not be completed because "
                           "the input is not positive-definite.")  # fmt: skip
    info = a.new_full(tuple(a.shape[:-2]), 1 if bad else 0, dtype="int32")
    return _CholeskyEx(factor, info)


@full_precision
def householder_product(A, tau) -> Tensor:
    """The first n columns of ``H_1 H_2 ... H_k`` with ``H_i = I - tau_i v_i v_i^H`` and
    ``v_i`` the i-th column of `A` below its diagonal, with 1 on it (LAPACK's orgqr)."""
    a, t = as_tensor_arg(A), as_tensor_arg(tau)
    m, n = a.shape[-2:]
    k = t.shape[-1]
    rows = np.arange(m).reshape(m, 1)
    identity = eye(m, dtype=a.dtype, backend=a._backend)
    q = identity + 0 * a[..., :1, :1]
    for i in range(k):
        below = as_tensor_arg(rows > i, like=a)
        at = as_tensor_arg(rows == i, like=a)
        v = where(below, a[..., :, i : i + 1], 0.0) + where(at, 1.0, 0.0)
        h = identity - expand_dims(t[..., i : i + 1], axis=-1) * (v @ v.mT.conj())
        q = matmul(q, h)
    return q[..., :, :n]
