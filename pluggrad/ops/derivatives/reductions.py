"""Derivatives of reductions, statistics, cumulative functions and softmax.

PyTorch's conventions: ``max(x)``/``amax`` share the gradient evenly among tied extrema,
``max(x, dim)`` sends it to the returned index; ``prod`` and ``cumprod`` are exact with zeros
in the input (at every order of derivative); ``std`` gives 0 where the deviation is 0.
"""

from __future__ import annotations

import math

from ..._dtypes import in_float32
from ._helpers import Entry, by_axis, conj, normalize_axes, reduced_count, unreduce, zeros_where

# ---- helpers shared with the sorting section --------------------------------------------------


def along(axis: int, ndim: int, part: slice) -> tuple:
    """An indexing key applying `part` on `axis` and taking everything on the other axes."""
    return (slice(None),) * axis + (part,) + (Ellipsis,) * (axis < ndim - 1)


def reversed_cumsum(ns, a, axis: int):
    """``out[i] = sum(a[j] for j >= i)`` along `axis`."""
    return ns.flip(ns.cumulative_sum(ns.flip(a, axis=axis), axis=axis), axis=axis)


def scatter_along(ns, values, indices, axis: int, shape: tuple):
    """Zeros of `shape` with ``values`` added at `indices` along `axis` (the backward of
    ``take_along_axis``; PyTorch's scatter of a value-selecting function's gradient)."""
    return ns.put_along_axis_add(values, indices, axis, tuple(shape))


def has_zero(ns, x) -> bool:
    return bool(ns.any(x == 0))


# ---- max and min --------------------------------------------------------------------------------


def _extremum_grad(ns, g, x, result, axis, keepdims):
    """Gradient of ``max``/``min``: shared evenly among the elements equal to the result
    (``torch.max(x)`` counts NaNs as equal to a NaN result, ``amax`` does not)."""
    shape = tuple(x.shape)
    r = unreduce(ns, result, shape, axis, keepdims)
    hit = x == r
    if axis is None:
        hit = hit | (ns.isnan(x) & ns.isnan(r))
    ones = ns.where(hit, ns.ones_like(x), ns.zeros_like(x))
    count = ns.sum(ones, axis=axis, keepdims=True)
    return unreduce(ns, g, shape, axis, keepdims) * ones / count


def _selected_grad(ns, g, x_shape, axis, keepdims, result):
    """Gradient of ``max(x, dim)``/``min(x, dim)``: all of it to the returned index."""
    g, indices = g[0], result[1]
    if len(x_shape) == 0:
        return g
    if not keepdims:
        g = ns.expand_dims(g, axis=axis)
        indices = ns.expand_dims(indices, axis=axis)
    return scatter_along(ns, g, indices, axis, x_shape)


# ---- prod and cumulative_prod ---------------------------------------------------------------


def _prod_others(ns, x, axis):
    """For each element, the product of the others reduced with it (exact with zeros)."""
    ndim = x.ndim
    axes = sorted(set(normalize_axes(axis, ndim)))
    if not axes:
        return ns.ones_like(x)
    kept = [d for d in range(ndim) if d not in axes]
    perm = tuple(kept + axes)
    moved = perm != tuple(range(ndim))
    xt = ns.permute_dims(x, perm) if moved else x
    tshape = tuple(xt.shape)
    n = math.prod(tshape[len(kept) :])
    flat = ns.reshape(xt, tshape[: len(kept)] + (n,))
    last = flat.ndim - 1
    left = ns.cumulative_prod(flat, axis=last, include_initial=True)[..., :-1]
    right = ns.cumulative_prod(ns.flip(flat, axis=last), axis=last, include_initial=True)
    others = ns.reshape(left * ns.flip(right[..., :-1], axis=last), tshape)
    if not moved:
        return others
    inverse = [0] * ndim
    for i, d in enumerate(perm):
        inverse[d] = i
    return ns.permute_dims(others, tuple(inverse))


def _prod_grad(ns, g, x, result, axis, keepdims):
    shape = tuple(x.shape)
    g = unreduce(ns, g, shape, axis, keepdims)
    if not shape:
        return g
    if not has_zero(ns, x):
        return g * conj(ns, unreduce(ns, result, shape, axis, keepdims) / x)
    if reduced_count(shape, axis) == 1:
        return g  # PyTorch's prod_safe_zeros_backward: one factor, no graph through x
    return g * conj(ns, _prod_others(ns, x, axis))


def _cumprod_grad(ns, g, x, result, axis, include_initial):
    if x.ndim == 0:
        return g
    if include_initial:
        key = along(axis, x.ndim, slice(1, None))
        g, result = g[key], result[key]
    if not has_zero(ns, x):
        return reversed_cumsum(ns, g * conj(ns, result), axis) / conj(ns, x)
    if ns.differentiable:  # create_graph: a formula exact at every order
        return _cumprod_grad_masked(ns, g, x, axis)
    return _cumprod_grad_first_zero(ns, g, x, result, axis)


def _cumprod_grad_first_zero(ns, g, x, result, axis):
    """O(n) gradient with zeros (PyTorch's): before the first zero z of a slice the usual
    formula holds, at z it is the reversed cumsum of ``g`` times the products that skip z, and
    after z it is zero."""
    ones, zeros = ns.ones_like(x), ns.zeros_like(x)
    is_zero = x == 0
    count = ns.cumulative_sum(ns.astype(is_zero, ns.int64), axis=axis)
    before = count == 0
    first = is_zero & (count == 1)
    skipping = ns.cumulative_prod(ns.where(first, ones, x), axis=axis)
    grad_before = reversed_cumsum(ns, g * conj(ns, result), axis) / conj(
        ns, ns.where(before, x, ones)
    )
    grad_first = reversed_cumsum(ns, g * conj(ns, skipping), axis)
    return ns.where(before, grad_before, ns.where(first, grad_first, zeros))


def _cumprod_grad_masked(ns, g, x, axis):
    """``grad[i] = L[i] * sum(g[k] * prod(x[i+1:k+1]) for k >= i)`` with ``L`` the exclusive
    cumulative product, through an n-by-n table of partial products: no division, so its own
    derivatives are exact with zeros too (O(n^2) memory; used under create_graph only)."""
    ndim = x.ndim
    perm = tuple(d for d in range(ndim) if d != axis) + (axis,)
    moved = perm != tuple(range(ndim))
    if moved:
        x, g = ns.permute_dims(x, perm), ns.permute_dims(g, perm)
    n = x.shape[-1]
    last = ndim - 1
    left = ns.cumulative_prod(x, axis=last, include_initial=True)[..., :-1]
    pos = ns.arange(n)
    row, col = ns.reshape(pos, (n, 1)), ns.reshape(pos, (1, n))
    table = ns.broadcast_to(ns.expand_dims(x, axis=last), tuple(x.shape[:-1]) + (n, n))
    partial = ns.cumulative_prod(
        ns.where(col > row, table, ns.ones_like(table)), axis=ndim
    )  # partial[..., i, k] = prod(x[i+1:k+1])
    terms = ns.expand_dims(g, axis=last) * conj(ns, partial)
    grad = ns.sum(ns.where(col >= row, terms, ns.zeros_like(terms)), axis=ndim) * conj(ns, left)
    if moved:
        inverse = [0] * ndim
        for i, d in enumerate(perm):
            inverse[d] = i
        grad = ns.permute_dims(grad, tuple(inverse))
    return grad


# ---- var and std --------------------------------------------------------------------------------


def _var_grad(ns, g, x, axis, correction, keepdims):
    shape = tuple(x.shape)
    dof = reduced_count(shape, axis) - correction
    scale = 2.0 / dof if dof > 0 else math.inf
    g = unreduce(ns, g, shape, axis, keepdims)
    return scale * g * (x - ns.mean(x, axis=axis, keepdims=True))


def _std_grad(ns, g, x, result, axis, correction, keepdims):
    zero = result == 0
    half = zeros_where(ns, zero, g / (2 * ns.where(zero, ns.ones_like(result), result)))
    return _var_grad(ns, half, x, axis, correction, keepdims)


# ---- cumulative_sum ----------------------------------------------------------------------------


def _cumsum_grad(ns, g, x_shape, axis, include_initial):
    if not x_shape:
        return g
    if include_initial:
        g = g[along(axis, len(x_shape), slice(1, None))]
    return reversed_cumsum(ns, g, axis)


# ---- logsumexp, softmax, log_softmax ------------------------------------------------------------


def _logsumexp_grad(ns, g, x, result, axis, keepdims):
    shape = tuple(x.shape)
    r = unreduce(ns, result, shape, axis, keepdims)
    return unreduce(ns, g, shape, axis, keepdims) * ns.exp(x - r)


def _in_float32(formula):
    """`formula` computed in float32 and rounded once for 16-bit floats (the gradient and the
    16-bit result it reads widened), as PyTorch's CPU kernels compute it."""

    def run(ns, g, result, axis):
        return in_float32(ns, lambda g, result: formula(ns, g, result, axis), g, result)

    return run


@_in_float32
def _softmax_grad(ns, g, result, axis):
    return result * (g - ns.sum(g * result, axis=axis, keepdims=True))


@_in_float32
def _log_softmax_grad(ns, g, result, axis):
    return g - ns.exp(result) * ns.sum(g, axis=axis, keepdims=True)


TABLE = {
    "sum": Entry(
        by_axis("SumBackward0", "SumBackward1"),
        x=lambda ns, g, x_shape, axis, keepdims: unreduce(ns, g, x_shape, axis, keepdims),
    ),
    "mean": Entry(
        by_axis("MeanBackward0", "MeanBackward1"),
        x=lambda ns, g, x_shape, axis, keepdims: unreduce(
            ns, g / reduced_count(x_shape, axis), x_shape, axis, keepdims
        ),
    ),
    "prod": Entry(by_axis("ProdBackward0", "ProdBackward1"), x=_prod_grad),
    "var": Entry("VarBackward0", x=_var_grad),
    "std": Entry("StdBackward0", x=_std_grad),
    # max(x) is torch.max(x); max(x, axis=...) is torch.amax (and amax always names it so)
    "max": Entry(by_axis("MaxBackward1", "AmaxBackward0"), x=_extremum_grad),
    "min": Entry(by_axis("MinBackward1", "AminBackward0"), x=_extremum_grad),
    # torch.max(x, dim) / torch.min(x, dim): (values, indices)
    # they save the indices only (PyTorch's): the values may change in place afterwards
    "max_dim": Entry("MaxBackward0", saved_outputs=(1,), x=_selected_grad),
    "min_dim": Entry("MinBackward0", saved_outputs=(1,), x=_selected_grad),
    "cumulative_sum": Entry("CumsumBackward0", x=_cumsum_grad),
    "cumulative_prod": Entry("CumprodBackward0", x=_cumprod_grad),
    "logsumexp": Entry("LogsumexpBackward0", x=_logsumexp_grad),
    "softmax": Entry("SoftmaxBackward0", x=_softmax_grad),
    "log_softmax": Entry("LogSoftmaxBackward0", x=_log_softmax_grad),
}

NONDIFFERENTIABLE = frozenset({"all", "any"})
