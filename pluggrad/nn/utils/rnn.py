"""``pluggrad.nn.utils.rnn``: padding a list of variable-length sequences into one tensor and
back.

Only the padded representation: pluggrad's RNN modules take padded tensors, not
``PackedSequence`` (their loop runs over a fixed batch), so ``pack_sequence``,
``pack_padded_sequence`` and ``pad_packed_sequence`` are not provided.
"""

from __future__ import annotations

from collections.abc import Iterable

from ... import ops
from ..._core.tensor import Tensor

__all__ = ["pad_sequence", "unpad_sequence"]


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
