"""Derivatives of the loss primitives behind ``nn.functional`` (:mod:`pluggrad.ops.losses`), as
PyTorch's ``binary_cross_entropy_with_logits_backward`` and ``..._target_backward`` compute them:
one expression each, in PyTorch's order of operations.  Under ``create_graph=True`` the same
expressions are recorded with the differentiable namespace, which gives every higher order."""

from __future__ import annotations

import math

from ._helpers import Entry


def _sigmoid(ns, x):
    """``sigmoid(x)``: the differentiable operation under ``create_graph=True``; on raw arrays
    PyTorch's CPU kernel, ``1 / (1 + exp(-x))``, with ``-x`` capped below the logarithm of the
    dtype's largest value (where ``exp`` would overflow, and NumPy warn; the sigmoid is below
    ``1e-38`` in float32, ``1e-307`` in float64 there).

    None of its operations is one of the forward's (:func:`pluggrad.ops.losses.log_sigmoid_of`
    spells ``-|x|``, not ``-x``): Dask names an operation by its inputs, so a repeated one
    would be one task shared by the forward and the backward, which then no longer fuse each
    into one task per chunk."""
    if getattr(ns, "differentiable", False):
        return ns.sigmoid(x)
    cap = math.log(float(ns.finfo(x.dtype).max)) - 1
    return 1 / (1 + ns.exp(ns.minimum(-x, cap)))


def _log_sigmoid(ns, x):
    """``log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|))``, PyTorch's kernel (no overflow)."""
    return ns.minimum(x, 0.0) - ns.log1p(ns.exp(-ns.abs(x)))


def _weighted(ns, grad, g, weight, reduction, like):
    """``grad * g`` times `weight`, divided by the element count for the mean."""
    grad = grad * g
    if weight is not None:
        grad = grad * weight
    if reduction == "mean":
        grad = grad / math.prod(like.shape)
    return grad


def _bce_logits_input_grad(ns, g, input, target, weight, pos_weight, reduction):  # noqa: A002
    """``(sigmoid(x) - t) * g``; with `pos_weight` ``((pw t + 1 - t) sigmoid(x) - pw t) * g``."""
    if pos_weight is None:
        grad = _sigmoid(ns, input) - target
    else:
        scaled = pos_weight * target
        grad = (scaled + 1 - target) * _sigmoid(ns, input) - scaled
    return _weighted(ns, grad, g, weight, reduction, input)


def _bce_logits_target_grad(ns, g, input, target, weight, pos_weight, reduction):  # noqa: A002
    """``-x * g``; with `pos_weight` ``(log sigmoid(-x) - pw log sigmoid(x)) * g``."""
    if pos_weight is None:
        grad = -input
    else:
        grad = _log_sigmoid(ns, -input) - _log_sigmoid(ns, input) * pos_weight
    return _weighted(ns, grad, g, weight, reduction, target)


def _nll_loss_input_grad(ns, g, input_shape, input_dtype, target, weight, ignore_index,
                         reduction):  # fmt: skip
    """``-weight[t] g`` (``/ total weight`` for the mean) at ``(n, t[n])``, zeros elsewhere and
    in the rows of `ignore_index`: PyTorch's ``nll_loss_backward``, in its order of operations."""
    kept = target != ignore_index
    safe = ns.where(kept, target, ns.zeros_like(target))
    weights = ns.astype(kept, input_dtype)
    if weight is not None:
        weights = weights * ns.take(weight, safe, axis=0)
    scaled = -(g / ns.sum(weights)) if reduction == "mean" else -g
    rows = ns.expand_dims(weights * scaled, axis=1)
    return ns.put_along_axis_add(rows, ns.expand_dims(safe, axis=1), 1, tuple(input_shape))


TABLE = {
    # (1 - t) x - (1 + (pos_weight - 1) t) log(sigmoid(x)), times weight, reduced: PyTorch's
    # BinaryCrossEntropyWithLogitsBackward0, which saves self, target, weight and pos_weight
    "binary_cross_entropy_with_logits": Entry(
        "BinaryCrossEntropyWithLogitsBackward0",
        saved_as={"target": "target"},
        input=_bce_logits_input_grad,
        target=_bce_logits_target_grad,
    ),
    # -weight[t] input[n, t], reduced: PyTorch's NllLossBackward0 (no formula for the weight,
    # as in PyTorch; nn.functional composes the loss where a weight requires grad)
    "nll_loss": Entry(
        "NllLossBackward0", saved_as={"target": "target"}, input=_nll_loss_input_grad
    ),
}

NONDIFFERENTIABLE: frozenset[str] = frozenset()
