"""``torch.nn.functional.ctc_loss``: the Connectionist Temporal Classification loss, as PyTorch
computes it.

The forward (alpha) recursion of Graves et al. runs in log space over the extended target (a
blank between every two labels and at both ends), one time step at a time, each step made of
pluggrad's differentiable operations (``logaddexp``, ``where``, ``take_along_axis``), so the
engine derives it.  Two details make the result PyTorch's:

* impossible alignments: states that cannot be reached hold a large negative number instead of
  ``-inf`` (so that no derivative reads ``-inf - -inf``); a sequence whose likelihood stays
  that low is impossible, its loss ``inf`` (``0`` with ``zero_infinity``, with a zero
  gradient, as PyTorch);
* the gradient: PyTorch's ``ctc_loss`` backward is ``exp(log_probs) - (the posterior of each
  class)`` at the time steps of the input, which is the derivative of the loss only for
  normalised `log_probs` (those of a ``log_softmax``, where the ``exp(log_probs)`` term sums
  to nothing).  A term worth ``0`` whose gradient is ``exp(log_probs)`` is added, so the
  gradient is PyTorch's in every case.
"""

from __future__ import annotations

import numpy as np

from .. import ops as _ops
from .._core.grad_mode import no_grad
from .._core.tensor import Tensor
from ..ops._autocast import full_precision
from ._losses import check_reduction

__all__ = ["ctc_loss"]

# what an impossible state holds: far below any log-likelihood, far above float32's -inf
_UNREACHABLE = -1e30
_CHECKING = " (while checking arguments for ctc_loss_allocate_outputs)"


def _lengths(value, name: str) -> list[int]:
    """`value` (a tensor or a sequence of ints) as a list of ints, PyTorch's check on its
    dtype."""
    if isinstance(value, Tensor):
        if value.dtype.kind not in "iu":
            raise RuntimeError(f"{name} must be integral")
        return [int(v) for v in np.reshape(np.asarray(value.tolist()), (-1,))]
    if isinstance(value, int):
        return [value]
    return [int(v) for v in value]


def _padded_targets(targets, target_lengths: list[int], batch: int) -> np.ndarray:
    """The targets as a ``(batch, max length)`` array of ints, from PyTorch's padded 2-d form
    or its concatenated 1-d form, after PyTorch's checks of their sizes."""
    values = np.asarray(targets.tolist(), dtype=np.int64)
    width = max([*target_lengths, 0])
    padded = np.zeros((batch, width), dtype=np.int64)
    if values.ndim == 1:
        total = sum(target_lengths)
        if values.shape[0] != total:
            raise RuntimeError(
                f"Expected tensor to have size {total} at dimension 0, but got size "
                f"{values.shape[0]} for argument #2 'targets'{_CHECKING}"
            )
        start = 0
        for n, length in enumerate(target_lengths):
            padded[n, :length] = values[start : start + length]
            start += length
        return padded
    for n, length in enumerate(target_lengths):
        if length > values.shape[1]:
            raise RuntimeError(
                f"Expected tensor to have size at least {length} at dimension 1, but got size "
                f"{values.shape[1]} for argument #2 'targets'{_CHECKING}"
            )
        padded[n, :length] = values[n, :length]
    return padded


def _check_input_lengths(input_lengths: list[int], steps: int) -> None:
    for length in input_lengths:
        if length > steps:
            raise RuntimeError(
                f"Expected input_lengths to have value at most {steps}, but got value "
                f"{length}{_CHECKING}"
            )
        if length < 0:
            raise RuntimeError(
                f"Expected input_lengths to have value at least 0, but got value {length}"
                f"{_CHECKING}"
            )


def _log_sum_exp(*terms) -> Tensor:
    """``log(sum(exp(terms)))`` as PyTorch's kernel computes it: the largest term (held
    constant, so no derivative reads an overflow) plus the log of the sum of the others'
    exponentials relative to it."""
    with no_grad():
        top = terms[0]
        for term in terms[1:]:
            top = _ops.maximum(top, term)
    return top + _ops.log(
        sum(_ops.exp(term - top) for term in terms[1:]) + _ops.exp(terms[0] - top)
    )


def _log_likelihoods(log_probs, labels: np.ndarray, input_lengths, target_lengths, blank: int):
    """``log p(target | log_probs)`` of each sequence (below ``_UNREACHABLE / 2`` where the
    target cannot be aligned), by the alpha recursion over the extended targets."""
    steps, batch, _ = log_probs.shape
    width = labels.shape[1]
    states = 2 * width + 1
    extended = np.full((batch, states), blank, dtype=np.int64)
    extended[:, 1::2] = labels
    # the skip from label to label over a blank: only between two different labels
    skip = np.zeros((batch, states), dtype=bool)
    skip[:, 3::2] = labels[:, 1:] != labels[:, :-1]
    device, dtype = log_probs.device, log_probs.dtype
    index = _ops.asarray(np.broadcast_to(extended, (steps, batch, states)), device=device)
    emit = _ops.take_along_axis(log_probs, index, axis=-1)
    emit = _ops.where(emit > _UNREACHABLE, emit, _UNREACHABLE)  # log(0) read as unreachable
    start = np.arange(states) < 2
    alpha = _ops.where(_ops.asarray(start, device=device), emit[0], _UNREACHABLE)
    skip_mask = _ops.asarray(skip, device=device)
    lengths = np.asarray(input_lengths)[:, None]
    wall = _ops.full((batch, 2), _UNREACHABLE, dtype=dtype, device=device)
    for t in range(1, steps):
        shifted = _ops.concat([wall[:, :1], alpha[:, :-1]], axis=1)
        skipped = _ops.concat([wall, alpha[:, :-2]], axis=1)[:, :states]
        skipped = _ops.where(skip_mask, skipped, _UNREACHABLE)
        step = _log_sum_exp(alpha, shifted, skipped) + emit[t]
        alpha = _ops.where(_ops.asarray(t < lengths, device=device), step, alpha)
    ends = np.asarray(target_lengths)
    last = np.stack([2 * ends, np.maximum(2 * ends - 1, 0)], axis=1)
    final = _ops.take_along_axis(alpha, _ops.asarray(last, device=device), axis=1)
    # an empty target ends on its one blank only
    ending = np.stack([np.ones(batch, dtype=bool), ends > 0], axis=1)
    final = _ops.where(_ops.asarray(ending, device=device), final, _UNREACHABLE)
    likelihood = _log_sum_exp(final[:, 0], final[:, 1])
    # an empty input aligns only an empty target, with probability 1
    empty = np.asarray(input_lengths) == 0
    if empty.any():
        nothing = np.where(ends == 0, 0.0, 2 * _UNREACHABLE)
        likelihood = _ops.where(_ops.asarray(empty, device=device),
                                _ops.asarray(nothing, dtype=dtype, device=device),
                                likelihood)  # fmt: skip
    return likelihood


@full_precision
def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank: int = 0,
             reduction: str = "mean", zero_infinity: bool = False) -> Tensor:  # fmt: skip
    """The Connectionist Temporal Classification loss: ``-log p(target | log_probs)`` summed
    over the alignments of each target to its input.

    Parameters
    ----------
    log_probs : Tensor
        ``(T, N, C)`` (or ``(T, C)`` unbatched) log-probabilities of the classes at each time
        step (usually a ``log_softmax``).
    targets : Tensor
        ``(N, S)`` padded targets, or their concatenation ``(sum(target_lengths),)``; no target
        holds the `blank` class.
    input_lengths, target_lengths : Tensor or sequence of int
        The length of each input (at most ``T``) and of each target.
    blank : int
        The blank class (default 0).
    reduction : str
        ``'none'``: the loss of each sequence; ``'mean'``: each divided by its target's length
        (at least 1), then averaged over the batch; ``'sum'``: summed.
    zero_infinity : bool
        Whether an impossible alignment (an infinite loss) counts as ``0``, with a zero
        gradient.

    Returns
    -------
    Tensor
        The reduced loss; its gradient is PyTorch's (see the module's notes).
    """
    check_reduction(reduction)
    batched = log_probs.ndim == 3
    if not batched:
        if log_probs.ndim != 2:
            raise RuntimeError(
                f"Expected 3-dimensional tensor, but got {log_probs.ndim + 1}-dimensional tensor "
                f"for argument #1 'log_probs'{_CHECKING}"
            )
        log_probs = _ops.unsqueeze(log_probs, 1)  # its targets: a concatenation of one
    steps, batch, classes = log_probs.shape
    inputs = _lengths(input_lengths, "input_lengths")
    lengths = _lengths(target_lengths, "target_lengths")
    if len(inputs) != batch:
        raise RuntimeError("input_lengths must be of size batch_size")
    if len(lengths) != batch:
        raise RuntimeError("target_lengths must be of size batch_size")
    if not 0 <= blank < classes:
        raise RuntimeError("blank must be in label range")
    labels = _padded_targets(targets, lengths, batch)
    _check_input_lengths(inputs, steps)
    likelihood = _log_likelihoods(log_probs, labels, inputs, lengths, blank)
    # worth 0, its gradient exp(log_probs) at the input's time steps: PyTorch's backward
    probs = _ops.exp(log_probs)
    live = _ops.asarray(np.arange(steps)[:, None] < np.asarray(inputs)[None, :],
                        device=log_probs.device)  # fmt: skip
    extra = _ops.sum(_ops.where(_ops.unsqueeze(live, -1), probs - probs.detach(), 0.0), axis=(0, 2))
    impossible = likelihood < _UNREACHABLE / 2
    if zero_infinity:
        loss = _ops.where(impossible, 0.0, extra - likelihood)
    else:
        # -log(0 (1 + extra)) is inf, its gradient nan at every step of the input, as PyTorch's
        # for an impossible target
        infinite = extra - _ops.log(_ops.exp(likelihood) * (1 + extra))
        loss = _ops.where(impossible, infinite, extra - likelihood)
    if reduction == "none":
        return loss if batched else _ops.squeeze(loss, 0)
    if reduction == "sum":
        return _ops.sum(loss)
    divisors = np.maximum(np.asarray(lengths), 1)
    return _ops.mean(loss / _ops.asarray(divisors, dtype=loss.dtype, device=loss.device))
