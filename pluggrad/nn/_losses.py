"""The losses of :mod:`pluggrad.nn.functional`, as PyTorch defines them (names, defaults,
reductions, weights, ``ignore_index``, ``label_smoothing``, ``pos_weight``, the edge values)."""

from __future__ import annotations

import functools
import warnings

from .. import _dtypes
from .. import ops as _ops
from .._core.grad_mode import grad_enabled
from .._core.tensor import Size, Tensor, _make
from ..ops import losses as _fused
from ..ops._autocast import full_precision

__all__ = [
    "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "nll_loss", "cross_entropy", "kl_div",
]  # fmt: skip


def softplus_of(z) -> Tensor:
    """``log(1 + exp(z))`` without overflow, with PyTorch's derivative ``sigmoid(z)`` everywhere
    (0.5 at 0): each branch of the ``where`` sees only its own side of 0, so the other branch's
    overflow never reaches a gradient."""
    positive = z > 0
    above = _ops.where(positive, z, 0.0)  # z where z > 0, else 0 (derivative 1 there, 0 here)
    below = _ops.where(positive, 0.0, z)
    return _ops.where(positive, above + _ops.log1p(_ops.exp(-above)), _ops.log1p(_ops.exp(below)))


def legacy_reduction(size_average, reduce, reduction: str) -> str:
    """The reduction that PyTorch's deprecated `size_average` and `reduce` arguments ask for
    (with its deprecation warning), or `reduction` when neither is given."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    chosen = "mean" if size_average and reduce else "sum" if reduce else "none"
    warnings.warn(
        f"size_average and reduce args will be deprecated, please use reduction='{chosen}' "
        "instead.",
        UserWarning,
        stacklevel=3,
    )
    return chosen


def check_reduction(reduction: str) -> str:
    """`reduction` itself where it is one of PyTorch's three; PyTorch's error otherwise (raised
    before any work, as `_Reduction.get_enum` does)."""
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if check_reduction(reduction) == "none":
        return loss
    return _ops.mean(loss) if reduction == "mean" else _ops.sum(loss)


def _broadcast_warning(input, target) -> None:  # noqa: A002 - PyTorch's names throughout
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(
            f"Using a target size ({Size(target.shape)}) that is different to the input "
            f"size ({Size(input.shape)}). This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.",
            UserWarning,
            stacklevel=4,  # the caller of the loss (behind full_precision's wrapper)
        )


def _weighted_reduce(loss: Tensor, weight: Tensor, reduction: str, *, mean_of_weights: bool):
    """`loss` times `weight` (which must have the input's shape), reduced as PyTorch's weighted
    losses reduce it: the mean divided by the sum of the weights (mse_loss, l1_loss) or by the
    element count (huber_loss)."""
    if tuple(weight.shape) != tuple(loss.shape):
        raise ValueError("Weights and input must have the same size.")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(
            f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'."
        )
    weighted = loss * weight
    if reduction == "mean" and mean_of_weights:
        return _ops.sum(weighted) / _ops.sum(weight)
    return _reduce(weighted, reduction)


@full_precision
def mse_loss(input, target, size_average=None, reduce=None, reduction: str = "mean",  # noqa: A002
             weight=None) -> Tensor:  # fmt: skip
    """``(input - target) ** 2``, reduced; with a `weight` (of the input's shape) times it,
    the mean divided by the sum of the weights, as PyTorch.

    One operation, PyTorch's ``MseLossBackward0``, for an input and target of one floating
    dtype (broadcast against each other first, as PyTorch does, with its warning)."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _broadcast_warning(input, target)
    input, target = _ops.broadcast_tensors(input, target)  # noqa: A001
    if weight is not None:
        return _weighted_reduce((input - target) ** 2, weight, reduction, mean_of_weights=True)
    reduction = check_reduction(reduction)
    if input.dtype is target.dtype and input.dtype.is_floating_point:
        return _fused.mse_loss(input, target, reduction)
    return _reduce((input - target) ** 2, reduction)


@full_precision
def l1_loss(input, target, size_average=None, reduce=None, reduction: str = "mean",  # noqa: A002
            weight=None) -> Tensor:  # fmt: skip
    """``|input - target|``, reduced; with a `weight` (of the input's shape) times it, the
    mean divided by the sum of the weights, as PyTorch."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _broadcast_warning(input, target)
    loss = _ops.abs(input - target)
    if weight is not None:
        return _weighted_reduce(loss, weight, reduction, mean_of_weights=True)
    return _reduce(loss, reduction)


@full_precision
def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction: str = "mean",  # noqa: A002
                   beta: float = 1.0) -> Tensor:  # fmt: skip
    """``0.5 d**2 / beta`` where ``d = |input - target| < beta``, ``d - 0.5 beta`` elsewhere."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    _broadcast_warning(input, target)
    d = _ops.abs(input - target)
    if beta == 0.0:
        return _reduce(d, reduction)
    return _reduce(_ops.where(d < beta, 0.5 * d * d / beta, d - 0.5 * beta), reduction)


@full_precision
def huber_loss(input, target, reduction: str = "mean", delta: float = 1.0, weight=None) -> Tensor:  # noqa: A002
    """``0.5 d**2`` where ``d = |input - target| < delta``, ``delta (d - 0.5 delta)`` elsewhere."""
    _broadcast_warning(input, target)
    d = _ops.abs(input - target)
    loss = _ops.where(d < delta, 0.5 * d * d, delta * (d - 0.5 * delta))
    if weight is not None:
        return _weighted_reduce(loss, weight, reduction, mean_of_weights=False)
    return _reduce(loss, reduction)


def _one_operation(input, target, *constants) -> bool:  # noqa: A002
    """Whether a binary cross-entropy of `input` and `target` with the weights `constants`
    (None or tensors) is one operation, as in PyTorch: an input and target of one floating
    dtype, not empty, and weights that need no gradient and broadcast to the input's shape.
    Otherwise it is made of the elementwise operations (PyTorch refuses a weight that
    requires grad, which pluggrad differentiates, or one that broadcasts the loss to a larger
    shape)."""
    shape, dtype = tuple(input.shape), input.dtype
    given = [w for w in constants if w is not None]
    return bool(
        dtype is target.dtype
        and dtype.is_floating_point
        and input.numel()
        and all(isinstance(w, Tensor) for w in given)
        and not any(w.requires_grad and grad_enabled() for w in given)
        and all(_ops.broadcast_shapes(tuple(w.shape), shape) == shape for w in given)
    )


def _dtype_of(weight: Tensor | None, input: Tensor) -> Tensor | None:  # noqa: A002
    """A constant `weight` (or None) in `input`'s dtype, as the one-operation losses take it."""
    return (
        weight
        if weight is None or weight.dtype is input.dtype
        else _ops.astype(weight, input.dtype)
    )


@full_precision
def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,  # noqa: A002
                         reduction: str = "mean") -> Tensor:  # fmt: skip
    """``-(t log x + (1 - t) log(1 - x))`` with each log clamped at -100, as PyTorch.

    One operation, PyTorch's ``BinaryCrossEntropyBackward0``, whose input gradient
    ``(x - t) / max((1 - x) x, 1e-12) * grad`` stays finite where the input is exactly 0 or 1;
    made of the elementwise operations where PyTorch refuses (a `weight` that requires grad,
    or that broadcasts the loss to a larger shape)."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(
            f"Using a target size ({Size(target.shape)}) that is different to the input "
            f"size ({Size(input.shape)}) is deprecated. Please ensure they have the same "
            "size."
        )
    # where values can be read (a lazy backend checks them when the loss is computed; a
    # trace, as compiled PyTorch code, not at all)
    if input.numel() and input._backend.has_values(input._data):
        _fused.check_probabilities(input._backend.to_numpy(input._data))
    reduction = check_reduction(reduction)
    if _one_operation(input, target, weight):
        return _fused.binary_cross_entropy(input, target, _dtype_of(weight, input), reduction)
    log_x = _ops.clamp(_ops.log(input), min=-100.0)
    log_1mx = _ops.clamp(_ops.log1p(-input), min=-100.0)
    loss = -(target * log_x + (1 - target) * log_1mx)
    return _reduce(loss if weight is None else loss * weight, reduction)


@full_precision
def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None,  # noqa: A002
                                     reduce=None, reduction: str = "mean",
                                     pos_weight=None) -> Tensor:  # fmt: skip
    """``binary_cross_entropy(sigmoid(input), target)`` computed stably:
    ``(1 - t) x - (1 + (pos_weight - 1) t) log(sigmoid(x))``, times `weight`, reduced.

    One operation, PyTorch's ``BinaryCrossEntropyWithLogitsBackward0`` (its backward is
    ``(sigmoid(x) - t) * grad``), for an input and target of one floating dtype; made of the
    elementwise operations where PyTorch refuses (a `weight` or `pos_weight` that requires
    grad, which pluggrad differentiates, or that broadcasts the loss to a larger shape)."""
    reduction = check_reduction(legacy_reduction(size_average, reduce, reduction))
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(
            f"Target size ({Size(target.shape)}) must be the same as input size "
            f"({Size(input.shape)})"
        )
    if _one_operation(input, target, weight, pos_weight):
        weight, pos_weight = _dtype_of(weight, input), _dtype_of(pos_weight, input)
        return _fused.binary_cross_entropy_with_logits(input, target, weight, pos_weight, reduction)
    softplus_neg = softplus_of(-input)
    if pos_weight is None:
        loss = (1 - target) * input + softplus_neg
    else:
        loss = (1 - target) * input + ((pos_weight - 1) * target + 1) * softplus_neg
    return _reduce(loss if weight is None else loss * weight, reduction)


def _class_axis_last(scores, target):
    """`scores` ``(C,)``, ``(N, C)`` or ``(N, C, d...)`` and `target` as ``(M, C)`` and
    ``(M,)``."""
    if scores.ndim == 1:
        return _ops.expand_dims(scores, axis=0), _ops.reshape(target, (1,))
    if scores.ndim > 2:
        c = scores.shape[1]
        scores = _ops.reshape(_ops.moveaxis(scores, 1, -1), (-1, c))
        target = _ops.reshape(target, (-1,))
    return scores, target


def _checked_rows(scores, target, weight, ignore_index: int):
    """`scores` as rows ``(M, C)`` and `target` as ``(M,)`` after PyTorch's checks of their
    shapes and dtypes, of the weight's size and of the class indices (where values cannot be
    read yet, on a lazy backend, when the loss is computed; not at all inside a trace)."""
    if scores.ndim == 0:
        raise ValueError("Expected 1 or more dimensions (got 0)")
    if scores.ndim >= 2:
        if target.ndim == 0 or target.shape[0] != scores.shape[0]:
            raise ValueError(
                f"Expected input batch_size ({scores.shape[0]}) to match target batch_size "
                f"({target.shape[0] if target.ndim else 1})."
            )
        expected = (scores.shape[0], *scores.shape[2:])
        if scores.ndim == 2 and target.ndim != 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if tuple(target.shape) != expected:
            raise RuntimeError(f"Expected target size {list(expected)}, got {list(target.shape)}")
    # after the shapes, as PyTorch checks them; int32 indices are refused there too
    if target.dtype.name not in ("int64", "uint8"):
        raise RuntimeError(
            f"expected target dtype to be Long or Byte, but got {target.dtype.torch_name}"
        )
    if target.dtype.name == "uint8":  # compared with a negative ignore_index below
        target = _ops.astype(target, _dtypes.int64)
    rows, flat_target = _class_axis_last(scores, target)
    c = rows.shape[-1]
    if weight is not None and weight.numel() != c:
        raise RuntimeError(
            f"weight tensor should be defined either for all {c} classes or no classes but got "
            f"weight tensor of shape: {list(weight.shape)}"
        )
    backend = flat_target._backend
    check = functools.partial(_targets_in_range, classes=c, ignore_index=ignore_index)
    if flat_target.numel() and backend.has_values(flat_target._data):
        check(backend.to_numpy(flat_target._data))
    elif flat_target.numel() and backend.lazy:  # checked when the loss is computed
        flat_target = _make(backend.checked_when_computed(flat_target._data, check), backend)
    return rows, flat_target


def _targets_in_range(labels, classes: int, ignore_index: int) -> None:
    """PyTorch's IndexError for a class index of `labels` (NumPy's) outside ``[0, classes)``."""
    bad = (labels != ignore_index) & ((labels < 0) | (labels >= classes))
    if bad.any():
        raise IndexError(f"Target {int(labels[bad][0])} is out of bounds.")


def _target_weights(flat_target, weight, ignore_index: int, dtype):
    """``w[t]`` of each class index ``t`` (1 without a `weight`), 0 where ``t`` is
    `ignore_index`; and the indices with the ignored ones replaced by class 0 (safe to index
    with)."""
    kept = flat_target != ignore_index
    safe = _ops.where(kept, flat_target, 0)
    weights = _ops.astype(kept, dtype)
    return (weights if weight is None else weights * _ops.take(weight, safe)), safe


def _picked(scores, target, weight, ignore_index: int):
    """Per target: ``-w[t] scores[t]`` (0 where ignored), the weights ``w[t]`` (0 where
    ignored), both shaped as the target: the loss made of indexing operations (a `weight` that
    requires grad, label smoothing's weights)."""
    rows, flat_target = _checked_rows(scores, target, weight, ignore_index)
    weights, safe = _target_weights(flat_target, weight, ignore_index, rows.dtype)
    values = _ops.squeeze(_ops.take_along_axis(rows, _ops.expand_dims(safe, axis=-1), axis=-1),
                          axis=-1)  # fmt: skip
    out_shape = tuple(target.shape)
    return _ops.reshape(-values * weights, out_shape), _ops.reshape(weights, out_shape)


@full_precision
def nll_loss(input, target, weight=None, size_average=None, ignore_index: int = -100,  # noqa: A002
             reduce=None, reduction: str = "mean") -> Tensor:  # fmt: skip
    """``-weight[t] input[n, t]`` for the class index ``t`` of each element, reduced; the mean
    divides by the sum of the weights of the targets that are not `ignore_index`.

    One operation, PyTorch's ``NllLossBackward0``; made of indexing operations where PyTorch
    has no derivative (a `weight` that requires grad, which pluggrad differentiates)."""
    reduction = check_reduction(legacy_reduction(size_average, reduce, reduction))
    if weight is not None and weight._requires_grad:
        losses, weights = _picked(input, target, weight, ignore_index)
        if reduction == "mean":
            return _ops.sum(losses) / _ops.sum(weights)
        return _reduce(losses, reduction)
    rows, flat_target = _checked_rows(input, target, weight, ignore_index)
    loss = _fused.nll_loss_rows(rows, flat_target, weight, ignore_index, reduction)
    return _ops.reshape(loss, tuple(target.shape)) if reduction == "none" else loss


@full_precision
def cross_entropy(input, target, weight=None, size_average=None, ignore_index: int = -100,  # noqa: A002
                  reduce=None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:  # fmt: skip
    """``nll_loss(log_softmax(input, 1), target)`` for class indices; for class probabilities
    (a floating `target` shaped as `input`), ``-sum(weight target log_softmax(input))``.
    `label_smoothing` mixes the target with the uniform distribution, as PyTorch."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    class_axis = 0 if input.ndim == 1 else 1
    n_classes = input.shape[class_axis]
    logp = _ops.log_softmax(input, class_axis)
    if weight is not None:
        shape = [1] * input.ndim
        shape[class_axis] = n_classes
        class_weight = _ops.reshape(weight, tuple(shape))
    # PyTorch reads a target shaped as `input` as class probabilities, any other as indices
    if tuple(target.shape) == tuple(input.shape):
        if not target.dtype.is_floating_point:
            raise RuntimeError(
                "Expected floating point type for target with class probabilities, got "
                f"{target.dtype.torch_name}"
            )
        if label_smoothing > 0:
            target = target * (1 - label_smoothing) + label_smoothing / n_classes
        terms = logp * target if weight is None else logp * target * class_weight
        losses = -_ops.sum(terms, axis=class_axis)
        if reduction == "mean":
            return _ops.sum(losses) / (input.numel() // n_classes if input.numel() else 1)
        return _reduce(losses, reduction)
    nll = nll_loss(logp, target, weight, None, ignore_index, None, reduction)
    if label_smoothing == 0.0:
        return nll
    kept = target != ignore_index
    terms = logp if weight is None else logp * class_weight
    smooth = -_ops.sum(terms, axis=class_axis) * _ops.astype(kept, logp.dtype)
    if reduction == "mean":  # over the weights of the kept targets (already checked by nll_loss)
        flat_target = _ops.reshape(target, (-1,))
        weights, _ = _target_weights(flat_target, weight, ignore_index, logp.dtype)
        smooth = _ops.sum(smooth) / _ops.sum(weights)
    elif reduction == "sum":
        smooth = _ops.sum(smooth)
    return (1 - label_smoothing) * nll + smooth * (label_smoothing / n_classes)


@full_precision
def kl_div(input, target, size_average=None, reduce=None, reduction: str = "mean",  # noqa: A002
           log_target: bool = False) -> Tensor:  # fmt: skip
    """``target (log target - input)`` (0 where ``target == 0``); `input` holds log
    probabilities, `target` probabilities (log probabilities if `log_target`).
    ``reduction="batchmean"`` divides the sum by the batch size."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    if log_target:
        loss = _ops.exp(target) * (target - input)
    else:
        loss = _ops.xlogy(target, target) - target * input
    if reduction == "batchmean":
        return _ops.sum(loss) / (input.shape[0] if input.ndim else 1)
    if reduction == "mean":
        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size and the support "
            "size.'batchmean' divides only by the batch size, and aligns with the KL div math "
            "definition.'mean' will be changed to behave the same as 'batchmean' in the next "
            "major release.",
            UserWarning,
            stacklevel=2,
        )
    return _reduce(loss, reduction)
