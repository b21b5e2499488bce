"""The multi-class margin losses of :mod:`pluggrad.nn.functional`, as PyTorch defines them:
``multi_margin_loss``, ``multilabel_margin_loss`` and ``triplet_margin_with_distance_loss``.

Each is made of pluggrad's differentiable operations; the hinge is ``relu`` (no gradient where
the margin is met exactly, as PyTorch's kernels, which test ``z > 0``).
"""

from __future__ import annotations

import numpy as np

from .. import ops as _ops
from .._core.tensor import Tensor
from ..ops._autocast import full_precision
from ._losses import _reduce, check_reduction, legacy_reduction
from ._more_losses import pairwise_distance

__all__ = ["multi_margin_loss", "multilabel_margin_loss", "triplet_margin_with_distance_loss"]


def _as_matrix(input, target, multilabel: bool = False):  # noqa: A002
    """`input` as ``(N, C)`` (a vector or a scalar is one sample) after PyTorch's checks of
    its rank and of `target`'s dtype."""
    if input.ndim > 2 or (input.ndim == 2 and input.shape[1] == 0):
        raise RuntimeError(
            "Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
            f"{list(input.shape)}"
        )
    if target.dtype.name != "int64":
        if multilabel and target.dtype.kind == "f":  # PyTorch reads its bits as indices first
            raise RuntimeError("argument #2 'target' is out of range")
        kind = target.type().split(".")[-1][:-6]
        raise RuntimeError(f"expected scalar type Long but found {kind}")
    return _ops.reshape(input, (1, -1)) if input.ndim < 2 else input


def _host(t) -> np.ndarray | None:
    """`t`'s values on the host, where they can be read (not on a lazy backend's graph)."""
    backend = t._backend
    return backend.to_numpy(t._data) if backend.has_values(t._data) else None


@full_precision
def multi_margin_loss(input, target, p: int = 1, margin: float = 1.0, weight=None,  # noqa: A002
                      size_average=None, reduce=None,
                      reduction: str = "mean") -> Tensor:  # fmt: skip
    """The multi-class hinge loss: for each sample, ``sum over i != y of
    weight[y] * max(0, margin - x[y] + x[i]) ** p``, divided by the number of classes.

    Parameters
    ----------
    input : Tensor
        ``(N, C)`` scores (or ``(C,)``, one sample).
    target : Tensor
        int64 ``(N,)`` classes, in ``[0, C)``.
    p : int
        1 or 2.
    margin : float
        The margin (default 1).
    weight : Tensor, optional
        ``(C,)`` weights of the classes (that of each sample's target multiplies its terms).
    size_average, reduce
        Deprecated (see `reduction`).
    reduction : str
        ``'none'``, ``'mean'`` (over the samples) or ``'sum'``.

    Returns
    -------
    Tensor
        The loss.
    """
    reduction = check_reduction(legacy_reduction(size_average, reduce, reduction))
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.ndim != 1:
        raise ValueError("weight must be one-dimensional")
    x = _as_matrix(input, target)
    samples, classes = x.shape
    if not (target.ndim <= 1 and target.numel() == samples):
        raise RuntimeError(
            "multi_margin_loss: target tensor should be 1-D with size equal to the number of "
            f"input samples (batch size). Expected target size [{samples}], but got "
            f"{list(target.shape)}. Input has shape {list(input.shape)}."
        )
    if weight is not None and weight.numel() != classes:
        raise RuntimeError(
            f"inconsistent weight size, expected {classes} but got {list(weight.shape)}"
        )
    values = _host(target)
    if values is not None and values.size and (values.min() < 0 or values.max() >= classes):
        raise RuntimeError("target out of range")
    y = _ops.reshape(target, (samples, 1))
    hinge = _ops.relu(margin - _ops.take_along_axis(x, y, axis=1) + x)
    if p == 2:
        hinge = hinge * hinge
    if weight is not None:
        hinge = hinge * _ops.take(weight, _ops.reshape(target, (-1,)), axis=0)[:, None]
    others = y != _ops.arange(classes, device=x.device)
    loss = _ops.sum(_ops.where(others, hinge, 0.0), axis=1) / classes
    if input.ndim < 2:
        loss = _ops.reshape(loss, tuple(target.shape))
    return _reduce(loss, reduction)


@full_precision
def multilabel_margin_loss(input, target, size_average=None, reduce=None,  # noqa: A002
                           reduction: str = "mean") -> Tensor:  # fmt: skip
    """The multi-label hinge loss: for each sample, ``sum over its targets j and the classes i
    that are not targets of max(0, 1 - (x[j] - x[i]))``, divided by the number of classes.

    Parameters
    ----------
    input : Tensor
        ``(N, C)`` scores (or ``(C,)``, one sample).
    target : Tensor
        int64, `input`'s shape: each row's target classes, ended by the first ``-1``.
    size_average, reduce
        Deprecated (see `reduction`).
    reduction : str
        ``'none'``, ``'mean'`` (over the samples) or ``'sum'``.

    Returns
    -------
    Tensor
        The loss.
    """
    reduction = check_reduction(legacy_reduction(size_average, reduce, reduction))
    x = _as_matrix(input, target, multilabel=True)
    samples, classes = x.shape
    if tuple(target.shape) != tuple(input.shape if input.ndim else (1,)) and not (
        input.ndim == 0 and target.numel() == 1
    ):
        raise RuntimeError(
            f"inconsistent target size: {list(target.shape)} for input of size: {list(input.shape)}"
        )
    t = _ops.reshape(target, (samples, classes))
    # the targets are those before the first -1
    listed = _ops.cumprod(_ops.astype(t != -1, t.dtype), 1) == 1
    values = _host(target)
    if values is not None:
        kept = np.reshape(values, (samples, classes))[_host(listed)]
        if kept.size and (kept.min() < 0 or kept.max() >= classes):
            raise RuntimeError("argument #2 'target' is out of range")
    safe = _ops.where(listed, t, 0)
    classes_axis = _ops.arange(classes, device=x.device)
    # is_target[n, i]: whether class i is one of sample n's targets
    is_target = _ops.any(listed[:, :, None] & (safe[:, :, None] == classes_axis), axis=1)
    scores = _ops.take_along_axis(x, safe, axis=1)
    hinge = _ops.relu(1 - scores[:, :, None] + x[:, None, :])
    counted = listed[:, :, None] & ~is_target[:, None, :]
    loss = _ops.sum(_ops.where(counted, hinge, 0.0), axis=(1, 2)) / classes
    if input.ndim < 2:
        loss = _ops.reshape(loss, ())
    return _reduce(loss, reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None,
                                      margin: float = 1.0, swap: bool = False,
                                      reduction: str = "mean") -> Tensor:  # fmt: skip
    """``max(0, margin + d(anchor, positive) - d(anchor, negative))`` with a distance of the
    caller's.

    Parameters
    ----------
    anchor, positive, negative : Tensor
        Tensors of the same number of dimensions.
    distance_function : callable, optional
        ``d(x, y)``, a tensor of distances (default :func:`pairwise_distance`).
    margin : float
        A positive margin (default 1).
    swap : bool
        Whether the negative distance is the smaller of ``d(a, n)`` and ``d(p, n)``.
    reduction : str
        ``'none'``, ``'mean'`` or ``'sum'``.

    Returns
    -------
    Tensor
        The loss.
    """
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number "
            f"of dimensions, but got: anchor {anchor.ndim}D, positive {positive.ndim}D, and "
            f"negative {negative.ndim}D inputs"
        )
    distance = pairwise_distance if distance_function is None else distance_function
    d_positive = distance(anchor, positive)
    d_negative = distance(anchor, negative)
    if swap:
        d_negative = _ops.minimum(d_negative, distance(positive, negative))
    loss = _ops.clamp(margin + d_positive - d_negative, min=0)
    if reduction == "sum":
        return _ops.sum(loss)
    return _ops.mean(loss) if reduction == "mean" else loss
