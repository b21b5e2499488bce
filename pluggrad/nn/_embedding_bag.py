"""``torch.nn.functional.embedding_bag``: sums, means or maxima of bags of embedding rows.

Which input positions make each bag (from ``offsets``, or the rows of a 2-D input, less the
positions holding ``padding_idx``) is worked out on the host; the rows are then read through
``take`` into a ``(bags, longest bag, embedding_dim)`` tensor, the missing places masked by
``where``, and reduced by ``sum`` (times ``per_sample_weights``), or divided by the bag's size,
or reduced to the first maximum of each column, read through ``take_along_axis`` (the row
PyTorch's kernel keeps, the only one its gradient reaches). Empty bags give zeros.
"""

from __future__ import annotations

import numpy as np

from .. import _dtypes
from .. import ops as _ops
from .._core.grad_mode import no_grad
from .._core.tensor import Tensor

__all__ = ["embedding_bag"]


def _host(x: Tensor) -> np.ndarray:
    return np.asarray(x._backend.to_numpy(x.detach()._data))


def _bag_bounds(input, offsets, include_last_offset: bool) -> tuple[np.ndarray, np.ndarray]:  # noqa: A002
    """The flat indices, and each bag's ``[start, end)`` in them."""
    if input.ndim == 2:
        if offsets is not None:
            raise ValueError(
                "if input is 2D, then offsets has to be None, as input is treated is a mini-batch "
                "of fixed length sequences. However, found offsets of type "
                + ("<class 'torch.Tensor'>" if isinstance(offsets, Tensor) else str(type(offsets)))
            )
        rows, length = input.shape
        starts = np.arange(rows) * length
        return _host(input).reshape(-1), np.stack([starts, starts + length], axis=1)
    if input.ndim != 1:
        raise ValueError(
            f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.ndim}"
        )
    if offsets is None:
        raise ValueError("offsets has to be a 1D Tensor but got None")
    if offsets.ndim != 1:
        raise ValueError("offsets has to be a 1D Tensor")
    flat, cuts = _host(input).reshape(-1), _host(offsets).astype(np.int64)
    if cuts.size and cuts[0] != 0:
        raise RuntimeError(
            "offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start "
            f"from position 0. However, got {int(cuts[0])}"
        )
    if cuts.size and cuts[-1] > flat.size:
        raise RuntimeError(
            f"offsets[-1] can not be greater than input's length {flat.size} but got "
            f"offsets[-1] of {int(cuts[-1])}"
        )
    ends = cuts[1:] if include_last_offset else np.append(cuts[1:], flat.size)
    return flat, np.stack([cuts[: len(ends)], ends], axis=1)


def _check(input, weight, mode: str, per_sample_weights, padding_idx):  # noqa: A002
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if input.dtype.is_floating_point or input.dtype.is_complex:
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got {input.type()} instead (while checking arguments for "
            "embedding_bag)"
        )
    if per_sample_weights is not None:
        if mode != "sum":
            raise NotImplementedError(
                "embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                f"supported for mode='sum' (got mode='{mode}'). Please open a feature request "
                "on GitHub."
            )
        if tuple(per_sample_weights.shape) != tuple(input.shape):
            raise ValueError(
                "embedding_bag: If per_sample_weights "
                f"(torch.Size({list(per_sample_weights.shape)})) is not None, then it must have "
                f"the same shape as the input (torch.Size({list(input.shape)}))"
            )
    rows = weight.shape[0]
    if padding_idx is None:
        return None
    if not -rows <= padding_idx < rows:
        raise RuntimeError(
            f"padding_idx must be within the number of embeddings, -{rows} through {rows - 1}, "
            f"but got {padding_idx}"
        )
    return padding_idx % rows


def _table(flat: np.ndarray, bounds: np.ndarray, rows: int, padding_idx):
    """Per bag, the positions in `flat` it reduces (padded with position 0) and a mask of the
    real ones."""
    bad = (flat < 0) | (flat >= rows)
    if bad.any():
        at = int(np.argmax(bad))
        raise RuntimeError(
            f"Index {at} of input takes value {int(flat[at])} which is not in the valid range "
            f"[0, {rows})"
        )
    members = [
        [p for p in range(start, end) if padding_idx is None or flat[p] != padding_idx]
        for start, end in bounds
    ]
    width = max([len(m) for m in members] + [1])
    table = np.zeros((len(members), width), dtype=np.int64)
    mask = np.zeros((len(members), width), dtype=bool)
    for b, m in enumerate(members):
        table[b, : len(m)] = m
        mask[b, : len(m)] = True
    return table, mask


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type: float = 2,  # noqa: A002
                  scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                  per_sample_weights=None, include_last_offset: bool = False,
                  padding_idx=None) -> Tensor:  # fmt: skip
    """The sum, mean or maximum of each bag of rows of `weight`: the bags are the rows of a 2-D
    `input`, or the runs of a 1-D `input` starting at `offsets` (the last one ending the last
    bag with ``include_last_offset``); positions holding `padding_idx` are left out (and not
    counted in the mean); ``per_sample_weights`` (mode ``"sum"``) scales each row first."""
    if max_norm is not None or scale_grad_by_freq or sparse:
        raise NotImplementedError(
            "embedding_bag: max_norm, scale_grad_by_freq and sparse are not supported by pluggrad"
        )
    padding_idx = _check(input, weight, mode, per_sample_weights, padding_idx)
    flat, bounds = _bag_bounds(input, offsets, include_last_offset)
    table, mask = _table(flat, bounds, weight.shape[0], padding_idx)
    if flat.size == 0:  # every bag is empty: the padded places read row 0
        flat = np.zeros(1, dtype=np.int64)
    device = weight.device
    picked = _ops.asarray(flat[table].reshape(-1), device=device)
    rows = _ops.reshape(_ops.take(weight, picked, axis=0), (*table.shape, weight.shape[1]))
    real = _ops.asarray(mask[..., None], device=device)
    if per_sample_weights is not None:
        scale = _ops.take(_ops.reshape(per_sample_weights, (-1,)),
                          _ops.asarray(table.reshape(-1), device=device))  # fmt: skip
        rows = rows * _ops.reshape(scale, (*table.shape, 1))
    if mode != "max":
        out = _ops.sum(_ops.where(real, rows, 0.0), axis=1)
        if mode == "mean":
            counts = np.maximum(mask.sum(axis=1, keepdims=True), 1)
            out = out / _ops.asarray(counts, dtype=weight.dtype, device=device)
        return out
    with no_grad():  # the first maximum of each column, as PyTorch's kernel keeps it
        values = _ops.where(real, rows.detach(), -np.inf)
        top = _ops.max(values, axis=1, keepdims=True)
        chosen = _ops.argmax(_ops.astype((values == top) & real, _dtypes.int32), axis=1)
    out = _ops.squeeze(_ops.take_along_axis(rows, _ops.expand_dims(chosen, axis=1), axis=1), 1)
    return _ops.where(_ops.asarray(mask.any(axis=1)[:, None], device=device), out, 0.0)
