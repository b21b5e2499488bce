"""``pluggrad.nn.utils.rnn.pad_sequence`` and ``unpad_sequence``: PyTorch's layouts (time- or
batch-first, right or left padding), dtype of the first sequence, gradients, and errors."""

from __future__ import annotations

import numpy as np
import pytest

import pluggrad as pg
from pluggrad.nn.utils.rnn import pad_sequence, unpad_sequence

# three sequences of lengths 3, 1, 2 with two features (values 1..12)
LENGTHS = (3, 1, 2)


def _sequences(dtype=pg.float32, requires_grad=False):
    start, out = 1, []
    for n in LENGTHS:
        values = np.arange(start, start + 2 * n, dtype=float).reshape(n, 2)
        out.append(pg.tensor(values.tolist(), dtype=dtype, requires_grad=requires_grad))
        start += 2 * n
    return out


# PyTorch 2.13's pad_sequence(..., batch_first=True, padding_value=-1) of these sequences
RIGHT = [
    [[1, 2], [3, 4], [5, 6]],
    [[7, 8], [-1, -1], [-1, -1]],
    [[9, 10], [11, 12], [-1, -1]],
]
LEFT = [
    [[1, 2], [3, 4], [5, 6]],
    [[-1, -1], [-1, -1], [7, 8]],
    [[-1, -1], [9, 10], [11, 12]],
]


@pytest.mark.parametrize("side, expected", [("right", RIGHT), ("left", LEFT)])
def test_layouts(backend, side, expected):
    batch_first = pad_sequence(_sequences(), batch_first=True, padding_value=-1, padding_side=side)
    assert tuple(batch_first.shape) == (3, 3, 2) and batch_first.dtype == pg.float32
    assert batch_first.tolist() == expected
    time_first = pad_sequence(_sequences(), padding_value=-1, padding_side=side)
    assert time_first.tolist() == np.swapaxes(np.asarray(expected), 0, 1).tolist()


def test_default_padding_dtype_and_gradient(backend):
    sequences = _sequences(pg.float64, requires_grad=True)
    padded = pad_sequence(sequences + [pg.ones(1, 2, dtype=pg.int64)])
    assert padded.dtype == pg.float64 and tuple(padded.shape) == (3, 4, 2)
    assert padded[:, 3].tolist() == [[1, 1], [0, 0], [0, 0]]
    (padded * pg.arange(3, dtype=pg.float64).reshape(3, 1, 1)).sum().backward()
    for sequence in sequences:
        steps = np.arange(sequence.shape[0], dtype=float)[:, None]
        assert sequence.grad.tolist() == np.broadcast_to(steps, sequence.shape).tolist()
    integers = pad_sequence([pg.tensor([1, 2]), pg.tensor([3])], padding_value=-1.5)
    assert integers.dtype == pg.int64 and integers.tolist() == [[1, 3], [2, -1]]


def test_unpad_sequence_round_trip(backend):
    for batch_first in (False, True):
        padded = pad_sequence(_sequences(), batch_first=batch_first)
        back = unpad_sequence(padded, pg.tensor(LENGTHS), batch_first=batch_first)
        assert [s.tolist() for s in back] == [s.tolist() for s in _sequences()]


def test_errors_are_pytorchs(backend):
    with pytest.raises(RuntimeError, match="received an empty list of sequences"):
        pad_sequence([])
    with pytest.raises(
        RuntimeError, match="Expected padding_side to be one of left or right, but got up."
    ):
        pad_sequence(_sequences(), padding_side="up")
    message = (
        r"The size of tensor a \(2\) must match the size of tensor b \(4\) at non-singleton "
        r"dimension 1"
    )
    with pytest.raises(RuntimeError, match=message):
        pad_sequence([pg.ones(2, 2), pg.ones(1, 4)])
    with pytest.raises(RuntimeError, match="Expected iterable for input sequences"):
        pad_sequence(3)
