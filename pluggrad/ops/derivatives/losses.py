"""Derivatives of the loss primitives behind ``nn.functional`` (:mod:`pluggrad.ops.losses`), as
PyTorch's ``mse_loss_backward``, ``binary_cross_entropy_with_logits_backward``,
``binary_cross_entropy_backward`` and their ``..._target_backward`` compute them: one
expression each, in PyTorch's order of operations.  Under ``create_graph=True`` the same
expressions are recorded with the differentiable namespace, which gives every higher order;
mse_loss's and binary_cross_entropy's gradients are recorded as one operation instead,
``mse_loss_backward`` and ``binary_cross_entropy_backward``, whose formulas are PyTorch's
double backward (``mse_loss_double_backward``, ``binary_cross_entropy_double_backward`` and
their ``_grad_output`` and ``_target`` forms)."""

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


def _per_element(grad, weight, reduction, like):
    """`grad` times `weight`, divided by the element count (of `like`) for the mean."""
    if weight is not None:
        grad = grad * weight
    if reduction == "mean":
        grad = grad / math.prod(like.shape)
    return grad


def _weighted(ns, grad, g, weight, reduction, like):
    """``grad * g`` times `weight`, divided by the element count for the mean."""
    return _per_element(grad * g, weight, reduction, like)


def _mse_norm(input, reduction: str) -> float:  # noqa: A002
    """mse_loss_backward's factor: 2, ``2 / n`` for the mean."""
    return 2.0 / math.prod(input.shape) if reduction == "mean" else 2.0


def mse_input_grad(ns, g, input, target, reduction):  # noqa: A002
    """``norm (x - t) g`` with ``norm`` 2 (``2 / n`` for the mean): PyTorch's
    ``mse_loss_backward``; under ``create_graph=True`` that operation itself."""
    if getattr(ns, "differentiable", False):
        return ns.mse_loss_backward(g, input, target, reduction)
    return _mse_norm(input, reduction) * (input - target) * g


def _mse_target_grad(ns, g, input, target, reduction):  # noqa: A002
    """PyTorch's ``mse_loss_backward(grad, target, self)``: the input's, swapped."""
    return mse_input_grad(ns, g, target, input, reduction)


def _mse_backward_grad_output_grad(ns, g, input, target, reduction):  # noqa: A002
    """PyTorch's ``mse_loss_double_backward_grad_output``: ``mse_loss_backward(g, x, t)``
    unreduced; reduced, ``(mse_loss_backward(1, x, t) * g).sum()``."""
    if reduction == "none":
        return mse_input_grad(ns, g, input, target, reduction)
    return ns.sum(_mse_norm(input, reduction) * (input - target) * g)


def _mse_backward_input_grad(ns, g, grad_output, input, reduction):  # noqa: A002
    """PyTorch's ``mse_loss_double_backward(grad * grad_output)``: ``2 g grad_output``
    (divided by the element count for the mean)."""
    return _per_element(2 * (g * grad_output), None, reduction, input)


def _mse_backward_target_grad(ns, g, grad_output, input, reduction):  # noqa: A002
    """``-mse_loss_double_backward(grad * grad_output)``, as PyTorch."""
    return -_mse_backward_input_grad(ns, g, grad_output, input, reduction)


# PyTorch's epsilons of binary_cross_entropy's backward, for every dtype: 1e-12 rounded to
# float32 in the first derivative's kernel (its gradient at x = 1 is (1 - t) / 9.99999996e-13,
# measured), a double in the double-backward formulas
_BCE_EPS_F32 = 9.999999960041972e-13
_BCE_EPS = 1e-12


def bce_input_grad(ns, g, input, target, weight, reduction):  # noqa: A002
    """``g (x - t) / max((1 - x) x, 1e-12)`` times `weight`, divided by the element count for
    the mean: PyTorch's ``binary_cross_entropy_backward``, finite where `input` is 0 or 1;
    under ``create_graph=True`` that operation itself (its own node, PyTorch's formulas)."""
    if getattr(ns, "differentiable", False):
        return ns.binary_cross_entropy_backward(g, input, target, weight, reduction)
    grad = g * (input - target) / ns.maximum((1 - input) * input, _BCE_EPS_F32)
    return _per_element(grad, weight, reduction, input)


def _bce_target_grad(ns, g, input, target, weight, reduction):  # noqa: A002
    """``-logit(x) g`` times `weight`, divided by the element count for the mean: PyTorch's
    ``binary_cross_entropy_target_backward``."""
    if getattr(ns, "differentiable", False):
        logit = ns.logit(input)
    else:
        logit = ns.log(input / (1 - input))
    return _per_element(-logit * g, weight, reduction, target)


def _bce_backward_grad_output_grad(ns, g, input, target, weight, reduction):  # noqa: A002
    """PyTorch's ``binary_cross_entropy_double_backward_grad_output``:
    ``(x - t) / ((x + eps) (1 - x + eps)) g`` times `weight`, summed (and divided by the
    element count for the mean) where the loss was reduced."""
    ggo = (input - target) / ((input + _BCE_EPS) * (1 - input + _BCE_EPS)) * g
    if weight is not None:
        ggo = ggo * weight
    if reduction == "none":
        return ggo
    ggo = ns.sum(ggo)
    return ggo / math.prod(input.shape) if reduction == "mean" else ggo


def _bce_backward_input_grad(ns, g, grad_output, input, target, weight, reduction):  # noqa: A002
    """PyTorch's ``binary_cross_entropy_double_backward``:
    ``(x^2 - 2 x t + t) / ((x + eps)^2 (1 - x + eps)^2) (g grad_output)``, weighted."""
    above, below = input + _BCE_EPS, 1 - input + _BCE_EPS
    grad = (input * input - 2 * input * target + target) / (above * above * (below * below))
    return _per_element(grad * (g * grad_output), weight, reduction, input)


def _bce_backward_target_grad(ns, g, grad_output, input, target, weight, reduction):  # noqa: A002
    """PyTorch's ``binary_cross_entropy_double_backward_target``:
    ``-g grad_output / max((1 - x) x, eps)``, weighted; the denominator a constant (PyTorch
    clamps it under ``no_grad``)."""
    grad = -g * grad_output
    if weight is not None:
        grad = grad * weight
    x = input.detach() if getattr(ns, "differentiable", False) else input
    grad = grad / ns.maximum((1 - x) * x, _BCE_EPS)
    return _per_element(grad, None, reduction, input)


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
    # -(t log x + (1 - t) log(1 - x)), each log at least -100, times weight, reduced: PyTorch's
    # BinaryCrossEntropyBackward0 (self, target, weight, reduction saved; no formula for the
    # weight, as in PyTorch: nn.functional composes the loss where a weight requires grad)
    "binary_cross_entropy": Entry(
        "BinaryCrossEntropyBackward0",
        saved_as={"target": "target"},
        input=bce_input_grad,
        target=_bce_target_grad,
    ),
    "binary_cross_entropy_backward": Entry(
        "BinaryCrossEntropyBackwardBackward0",
        saved_as={"grad_output": "grad_output", "input": "self", "target": "target"},
        grad_output=_bce_backward_grad_output_grad,
        input=_bce_backward_input_grad,
        target=_bce_backward_target_grad,
    ),
    # (input - target) ** 2, reduced: PyTorch's MseLossBackward0 (self, target, reduction saved)
    "mse_loss": Entry(
        "MseLossBackward0",
        saved_as={"target": "target"},
        input=mse_input_grad,
        target=_mse_target_grad,
    ),
    "mse_loss_backward": Entry(
        "MseLossBackwardBackward0",
        saved_as={"grad_output": "grad_output", "input": "self", "target": "target"},
        grad_output=_mse_backward_grad_output_grad,
        input=_mse_backward_input_grad,
        target=_mse_backward_target_grad,
    ),
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
