"""``pluggrad.nn.utils.rnn``: variable-length sequences, padded into one tensor or packed.

A :class:`PackedSequence` holds the steps of sequences sorted by decreasing length, step by
step: ``data`` is ``(sum of lengths, *)``, ``batch_sizes[t]`` how many sequences have a step
``t``.  pluggrad's ``RNN``, ``LSTM`` and ``GRU`` take one as input.  Packing and unpacking are
composed of slicing, ``cat``, ``stack`` and ``index_select``, so they are differentiable.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from ... import _dtypes, ops
from ..._core.tensor import Tensor

__all__ = [
    "PackedSequence", "invert_permutation", "pack_padded_sequence", "pad_packed_sequence",
    "pad_sequence", "unpad_sequence", "pack_sequence", "unpack_sequence",
]  # fmt: skip


class PackedSequence_(NamedTuple):
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None
    unsorted_indices: Tensor | None


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The permutation undoing `permutation` (None for None)."""
    if permutation is None:
        return None
    return ops.argsort(permutation)


class PackedSequence(PackedSequence_):
    """Sequences packed step by step: a tuple ``(data, batch_sizes, sorted_indices,
    unsorted_indices)``, made by :func:`pack_padded_sequence` or :func:`pack_sequence`.

    Attributes
    ----------
    data : Tensor or tuple
        ``(sum of lengths, *)``: the first step of every sequence (longest first), then the
        second, ...; or a pair ``(data, batch_sizes)`` when `batch_sizes` is None.
    batch_sizes : Tensor
        int64, how many sequences have each step.
    sorted_indices : Tensor, optional
        The original index of each sorted sequence (None when the input was sorted).
    unsorted_indices : Tensor, optional
        Its inverse; computed from `sorted_indices` when None.
    """

    def __new__(cls, data: Any, batch_sizes: Tensor | None = None,
                sorted_indices: Tensor | None = None,
                unsorted_indices: Tensor | None = None) -> PackedSequence:  # fmt: skip
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:
            data, batch_sizes = data
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args: Any, **kwargs: Any) -> PackedSequence:
        """``data.to(*args, **kwargs)``, the indices moved to its device; `self` when
        ``data`` is unchanged."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        sorted_indices, unsorted_indices = (
            None if t is None else t.to(data.device)
            for t in (self.sorted_indices, self.unsorted_indices)
        )
        return type(self)(data, self.batch_sizes, sorted_indices, unsorted_indices)

    def cpu(self, *args: Any, **kwargs: Any) -> PackedSequence:
        """The packed sequence with ``data`` on the CPU."""
        return self.to(*args, device="cpu", **kwargs)

    def double(self) -> PackedSequence:
        """``data`` in float64."""
        return self.to(dtype=_dtypes.float64)

    def float(self) -> PackedSequence:
        """``data`` in float32."""
        return self.to(dtype=_dtypes.float32)

    def long(self) -> PackedSequence:
        """``data`` in int64."""
        return self.to(dtype=_dtypes.int64)

    def int(self) -> PackedSequence:
        """``data`` in int32."""
        return self.to(dtype=_dtypes.int32)

    @property
    def is_cuda(self) -> bool:
        """Whether ``data`` is on a CUDA device."""
        return bool(self.data.is_cuda)


def pad_sequence(sequences, batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:  # fmt: skip
    """Stack tensors of shapes ``(L_i, *)`` into one of shape ``(max L_i, B, *)`` (or
    ``(B, max L_i, *)`` with `batch_first`), filling the rest with `padding_value`.

    Parameters
    ----------
    sequences : iterable of Tensor
        The sequences; their trailing shapes must match, and the result has the first's dtype.
    batch_first : bool
        Whether the batch dimension comes first.
    padding_value : float
        The fill value.
    padding_side : {"right", "left"}
        Where the padding goes: after each sequence or before it.

    Returns
    -------
    Tensor
        The padded batch, differentiable with respect to each sequence.

    Raises
    ------
    RuntimeError
        For a non-iterable or empty `sequences`, an unknown `padding_side`, or trailing
        shapes that differ, with PyTorch's messages.
    """
    if not isinstance(sequences, Iterable):
        raise RuntimeError(
            "pad_sequence: Expected iterable for input sequences, but got arg of type: "
            f"{type(sequences)}"
        )
    sequences = tuple(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    if padding_side not in ("left", "right"):
        raise RuntimeError(
            f"Expected padding_side to be one of left or right, but got {padding_side}."
        )
    first = sequences[0]
    trailing = tuple(first.shape[1:])
    longest = max(s.shape[0] for s in sequences)
    rows = []
    for sequence in sequences:
        for dim, (want, got) in enumerate(zip(trailing, sequence.shape[1:]), start=1):
            if want != got and got != 1:
                raise RuntimeError(
                    f"The size of tensor a ({want}) must match the size of tensor b ({got}) "
                    f"at non-singleton dimension {dim}"
                )
        length = sequence.shape[0]
        body = sequence.to(first.dtype).expand((length, *trailing))
        filler = ops.full(
            (longest - length, *trailing), padding_value, dtype=first.dtype, device=first.device
        )
        rows.append(ops.cat([body, filler] if padding_side == "right" else [filler, body], 0))
    return ops.stack(rows, 0 if batch_first else 1)


def pack_padded_sequence(input: Tensor, lengths: Any, batch_first: bool = False,  # noqa: A002
                         enforce_sorted: bool = True) -> PackedSequence:  # fmt: skip
    """Pack a right-padded batch of sequences.

    Parameters
    ----------
    input : Tensor
        ``(T, B, *)``, or ``(B, T, *)`` with `batch_first`.
    lengths : Tensor or list of int
        The length of each sequence, all greater than zero.
    batch_first : bool
        Whether the batch dimension of `input` comes first.
    enforce_sorted : bool
        Require `lengths` in decreasing order; when False the sequences are sorted here
        (stably) and the permutation is kept in ``sorted_indices``.

    Returns
    -------
    PackedSequence
        Differentiable with respect to `input`.

    Raises
    ------
    RuntimeError
        For unsorted lengths with `enforce_sorted`, a length not greater than zero, a number of
        lengths other than the batch size, or an empty input, with PyTorch's messages.
    """
    if isinstance(lengths, Tensor):
        lengths = lengths.to(_dtypes.int64)
    else:
        lengths = ops.tensor(lengths, dtype=_dtypes.int64)
    sorted_indices = None
    if not enforce_sorted:
        if lengths.dim() != 1:
            raise IndexError("index_select(): Index is supposed to be a vector")
        sorted_indices = ops.argsort(lengths, descending=True, stable=True)
        lengths = lengths[sorted_indices]
        sorted_indices = sorted_indices.to(input.device)
        input = input.index_select(0 if batch_first else 1, sorted_indices)  # noqa: A001
    if batch_first:
        input = input.transpose(0, 1)  # noqa: A001
    if input.numel() == 0:
        raise RuntimeError("Cannot pack empty tensors.")
    counts = [int(n) for n in lengths.reshape(-1).tolist()]
    if lengths.dim() != 1 or len(counts) != input.shape[1]:
        raise RuntimeError(
            f"Expected `len(lengths)` to be equal to batch_size, but got {len(counts)} "
            f"(batch_size={input.shape[1]})"
        )
    if counts[-1] <= 0:
        raise RuntimeError(
            "Length of all samples has to be greater than 0, but found an element in 'lengths'"
            " that is <= 0"
        )
    if any(a < b for a, b in zip(counts, counts[1:])):
        raise RuntimeError(
            "`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. "
            "You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence "
            "to sidestep this requirement if you do not need ONNX exportability."
        )
    if counts[0] > input.shape[0]:
        # PyTorch reads past the end of the input here; pluggrad refuses
        raise RuntimeError(
            f"Expected every length to be at most the sequence length {input.shape[0]}, but got "
            f"{counts[0]}"
        )
    sizes = [sum(n > t for n in counts) for t in range(counts[0])]
    data = ops.cat([input[t, :size] for t, size in enumerate(sizes)], 0)
    batch_sizes = ops.tensor(sizes, dtype=_dtypes.int64)
    return PackedSequence(data, batch_sizes, sorted_indices, None)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False,
                        padding_value: float = 0.0,
                        total_length: int | None = None) -> tuple[Tensor, Tensor]:  # fmt: skip
    """Undo :func:`pack_padded_sequence`: the padded batch and the length of each sequence.

    Parameters
    ----------
    sequence : PackedSequence
        The packed batch.
    batch_first : bool
        Return ``(B, T, *)`` rather than ``(T, B, *)``.
    padding_value : float
        The fill value.
    total_length : int, optional
        Pad to this many steps (at least the longest sequence's length).

    Returns
    -------
    tuple of Tensor
        The padded batch, in the sequences' original order and differentiable with respect
        to ``sequence.data``, and their lengths (int64).

    Raises
    ------
    ValueError
        When `total_length` is shorter than the longest sequence, in PyTorch's words.
    """
    data, batch_sizes = sequence.data, sequence.batch_sizes
    sizes = [int(n) for n in batch_sizes.tolist()]
    steps = len(sizes)
    if total_length is not None:
        if total_length < steps:
            raise ValueError(
                "Expected total_length to be at least the length of the longest sequence in "
                f"input, but got total_length={total_length} and max sequence length being "
                f"{steps}"
            )
        steps = total_length
    batch, trailing = sizes[0], tuple(data.shape[1:])

    def filler(*shape: int) -> Tensor:
        return ops.full(shape, padding_value, dtype=data.dtype, device=data.device)

    rows, offset = [], 0
    for size in sizes:
        rows.append(ops.cat([data[offset : offset + size], filler(batch - size, *trailing)], 0))
        offset += size
    padded = ops.stack(rows, 0)
    if steps > len(sizes):
        padded = ops.cat([padded, filler(steps - len(sizes), batch, *trailing)], 0)
    lengths = ops.tensor([sum(n > b for n in sizes) for b in range(batch)], dtype=_dtypes.int64)
    if batch_first:
        padded = padded.transpose(0, 1)
    if sequence.unsorted_indices is not None:
        padded = padded.index_select(0 if batch_first else 1, sequence.unsorted_indices)
        lengths = lengths[sequence.unsorted_indices.cpu()]
    return padded, lengths


def pack_sequence(sequences: Any, enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of tensors of shapes ``(L_i, *)``: :func:`pad_sequence` then
    :func:`pack_padded_sequence` (`enforce_sorted` as there)."""
    lengths = ops.tensor([v.size(0) for v in sequences], dtype=_dtypes.int64)
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list:
    """The list of sequences a :class:`PackedSequence` holds, in their original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)


def unpad_sequence(padded_sequences: Tensor, lengths, batch_first: bool = False) -> list:
    """The sequences of a right-padded batch: ``padded[:, i][:lengths[i]]`` for each ``i``.

    Parameters
    ----------
    padded_sequences : Tensor
        Of shape ``(L, B, *)``, or ``(B, L, *)`` with `batch_first`.
    lengths : Tensor or sequence of int
        The length of each sequence.
    batch_first : bool
        Whether the batch dimension comes first.
    """
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    lengths = lengths.tolist() if isinstance(lengths, Tensor) else list(lengths)
    return [sequence[: int(n)] for sequence, n in zip(padded_sequences, lengths)]
