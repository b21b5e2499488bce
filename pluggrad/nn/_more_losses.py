"""More losses of :mod:`pluggrad.nn.functional`, as PyTorch defines them: the margin and
embedding losses, ``soft_margin_loss``, ``multilabel_soft_margin_loss``, ``poisson_nll_loss``,
``gaussian_nll_loss`` and ``triplet_margin_loss`` (with ``pairwise_distance``)."""

from __future__ import annotations

import math

from .. import ops as _ops
from .._core.tensor import Size, Tensor
from ..ops._autocast import full_precision
from ._losses import _reduce, check_reduction, legacy_reduction, softplus_of

__all__ = [
    "margin_ranking_loss", "hinge_embedding_loss", "soft_margin_loss",
    "multilabel_soft_margin_loss", "cosine_embedding_loss", "poisson_nll_loss",
    "gaussian_nll_loss", "triplet_margin_loss", "pairwise_distance",
]  # fmt: skip


@full_precision
def margin_ranking_loss(input1, input2, target, margin: float = 0, size_average=None,
                        reduce=None, reduction: str = "mean") -> Tensor:  # fmt: skip
    """``max(0, -target (input1 - input2) + margin)``, reduced."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    if not input1.ndim == input2.ndim == target.ndim:
        raise RuntimeError(
            "margin_ranking_loss : All input tensors should have same dimension but got sizes: "
            f"input1: {Size(input1.shape)}, input2: {Size(input2.shape)}, "
            f"target: {Size(target.shape)} "
        )
    return _reduce(_ops.clamp(-target * (input1 - input2) + margin, min=0), reduction)


@full_precision
def hinge_embedding_loss(input, target, margin: float = 1.0, size_average=None,  # noqa: A002
                         reduce=None, reduction: str = "mean") -> Tensor:  # fmt: skip
    """``x`` where ``target == 1``, ``max(0, margin - x)`` where ``target == -1``, reduced."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    zeros = _ops.zeros_like(input).detach()
    margin_part = _ops.where(target != 1, _ops.clamp(margin - input, min=0), zeros)
    self_part = _ops.where(target != -1, input, zeros)
    return _reduce(margin_part + self_part, reduction)


@full_precision
def soft_margin_loss(input, target, size_average=None, reduce=None,  # noqa: A002
                     reduction: str = "mean") -> Tensor:  # fmt: skip
    """``log(1 + exp(-target x))``, reduced."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    return _reduce(softplus_of(-input * target), reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None,  # noqa: A002
                                reduce=None, reduction: str = "mean") -> Tensor:  # fmt: skip
    """The binary cross entropy of each class's logit, averaged over the classes (the last
    axis), then reduced over the samples."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    loss = target * softplus_of(-input) + (1 - target) * softplus_of(input)
    if weight is not None:
        loss = loss * weight
    classes = input.shape[input.ndim - 1]
    loss = _ops.sum(loss, axis=input.ndim - 1) / classes
    return _reduce(loss, reduction)


@full_precision
def cosine_embedding_loss(input1, input2, target, margin: float = 0, size_average=None,
                          reduce=None, reduction: str = "mean") -> Tensor:  # fmt: skip
    """``1 - cos(x1, x2)`` where ``target == 1``, ``max(0, cos(x1, x2) - margin)`` where
    ``target == -1`` (the squared norms each get ``1e-12``, as PyTorch), reduced."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    axis = target.ndim
    if target.ndim > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if input1.ndim != target.ndim + 1 or input2.ndim != input1.ndim:
        raise RuntimeError(
            f"{target.ndim}D target tensor expects {target.ndim + 1}D input tensors, but found "
            f"inputs with sizes {list(input1.shape)} and {list(input2.shape)}."
        )
    eps = 1e-12
    dot = _ops.sum(input1 * input2, axis=axis)
    square1 = _ops.sum(input1 * input1, axis=axis) + eps
    square2 = _ops.sum(input2 * input2, axis=axis) + eps
    cos = dot / _ops.sqrt(square1 * square2)
    zeros = _ops.zeros_like(cos).detach()
    positive = _ops.where(target == 1, 1 - cos, zeros)
    negative = _ops.where(target == -1, _ops.clamp(cos - margin, min=0), zeros)
    return _reduce(positive + negative, reduction)


@full_precision
def poisson_nll_loss(input, target, log_input: bool = True, full: bool = False,  # noqa: A002
                     size_average=None, eps: float = 1e-8, reduce=None,
                     reduction: str = "mean") -> Tensor:  # fmt: skip
    """``exp(x) - target x`` (``log_input``) or ``x - target log(x + eps)``, plus Stirling's
    term for ``target > 1`` with ``full=True``, reduced."""
    reduction = check_reduction(legacy_reduction(size_average, reduce, reduction))
    if log_input:
        loss = _ops.exp(input) - target * input
    else:
        loss = input - target * _ops.log(input + eps)
    if full:
        above = target > 1
        safe = _ops.where(above, target, _ops.ones_like(target))
        stirling = safe * _ops.log(safe) - safe + 0.5 * _ops.log(2 * math.pi * safe)
        loss = loss + _ops.where(above, stirling, _ops.zeros_like(stirling))
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full: bool = False, eps: float = 1e-6,  # noqa: A002
                      reduction: str = "mean") -> Tensor:  # fmt: skip
    """``0.5 (log(var) + (input - target)**2 / var)`` (plus ``0.5 log(2 pi)`` with
    ``full=True``), `var` clamped at `eps` without changing its gradient, as PyTorch."""
    if not isinstance(var, Tensor):
        var = _ops.full_like(input, float(var))
    if tuple(var.shape) != tuple(input.shape):
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = _ops.expand_dims(var, axis=-1)
        elif (
            input.ndim == var.ndim
            and sum(y for x, y in zip(input.shape, var.shape, strict=True) if x != y) == 1
        ):
            pass
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    if var.numel() and bool((var < 0).any()):
        raise ValueError("var has negative entry/entries")
    var = var + (_ops.clamp(var, min=eps) - var).detach()
    loss = 0.5 * (_ops.log(var) + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


def pairwise_distance(x1, x2, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> Tensor:
    """``||x1 - x2 + eps||_p`` along the last axis."""
    difference = x1 - x2 + eps
    axis = -1 if difference.ndim else None
    return _ops.linalg.vector_norm(difference, ord=p, axis=axis, keepdims=keepdim)


@full_precision
def triplet_margin_loss(anchor, positive, negative, margin: float = 1.0, p: float = 2,
                        eps: float = 1e-6, swap: bool = False, size_average=None,
                        reduce=None, reduction: str = "mean") -> Tensor:  # fmt: skip
    """``max(0, margin + d(anchor, positive) - d(anchor, negative))``, `d` the
    :func:`pairwise_distance` (with ``swap``, the smaller of ``d(a, n)`` and ``d(p, n)``)."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number "
            f"of dimensions, but got: anchor {anchor.ndim}D, positive {positive.ndim}D, and "
            f"negative {negative.ndim}D inputs"
        )
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    d_positive = pairwise_distance(anchor, positive, p, eps)
    d_negative = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_negative = _ops.minimum(d_negative, pairwise_distance(positive, negative, p, eps))
    return _reduce(_ops.clamp(margin + d_positive - d_negative, min=0), reduction)
