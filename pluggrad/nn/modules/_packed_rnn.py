"""``RNN``, ``LSTM`` and ``GRU`` over a :class:`~pluggrad.nn.utils.rnn.PackedSequence`, as
PyTorch's packed kernels run them.

The sequences are sorted longest first, so the batch at step ``t`` is the first
``batch_sizes[t]`` rows of the state.  Forward in time the state shrinks as sequences end (the
rows dropped are those sequences' final states); backward in time each sequence starts at its
own last step, from its initial state, and the state grows as longer sequences join.  Each step
is the padded layers' own step function, so values and derivatives are theirs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..._core.tensor import Tensor
from ...ops.creation import zeros
from ...ops.manipulation import cat, stack
from .. import functional as F
from ..utils.rnn import PackedSequence

__all__ = ["packed_forward", "stacked_layers"]


def stacked_layers(module: Any, inputs: Any, hs: Any, cs: Any, run: Callable, join: Callable,
                   drop: Callable) -> tuple:  # fmt: skip
    """The layers and directions of `module` (an ``RNNBase``), padded or packed alike:
    ``(outputs of the last layer, h_n, c_n)`` (c_n None but for LSTM).

    ``run(direction, inputs, h0, c0, weights)`` gives one layer and direction's
    ``(outputs, h_n, c_n)``; ``join`` puts both directions' outputs side by side, ``drop``
    applies dropout between layers in training.  `hs` and `cs` index the initial states by
    ``layer * directions + direction``.
    """
    directions = 2 if module.bidirectional else 1
    final_h: list[Tensor] = []
    final_c: list[Tensor] = []
    for layer in range(module.num_layers):
        outputs = []
        for direction in range(directions):
            index = layer * directions + direction
            weights = module._layer_weights(layer, direction)
            c0 = cs[index] if cs is not None else None
            out, h_n, c_n = run(direction, inputs, hs[index], c0, weights)
            outputs.append(out)
            final_h.append(h_n)
            if c_n is not None:
                final_c.append(c_n)
        inputs = join(outputs) if directions == 2 else outputs[0]
        if module.dropout > 0 and module.training and layer < module.num_layers - 1:
            inputs = drop(inputs)
    return inputs, stack(final_h, 0), stack(final_c, 0) if final_c else None


def _permuted(hx: Any, permutation: Tensor | None) -> Any:
    """`hx` (a tensor or a pair) with its batch dimension reordered by `permutation`."""
    if permutation is None:
        return hx
    if isinstance(hx, tuple):
        return tuple(h.index_select(1, permutation) for h in hx)
    return hx.index_select(1, permutation)


def _forward(step: Callable, data: Tensor, sizes: list[int], h: Tensor, c: Any) -> tuple:
    """One layer forward in time: ``(outputs, h_n, c_n)``, outputs packed like `data`."""
    outputs, ended_h, ended_c = [], [], []
    offset, last = 0, sizes[0]
    for size in sizes:
        if size < last:
            # sequences last..size ended at the previous step: their states are final
            ended_h.append(h[size:last])
            h = h[:size]
            if c is not None:
                ended_c.append(c[size:last])
                c = c[:size]
        last = size
        h, c = step(data[offset : offset + size], h, c)
        offset += size
        outputs.append(h)
    h_n = cat([h, *reversed(ended_h)], 0)
    c_n = cat([c, *reversed(ended_c)], 0) if c is not None else None
    return cat(outputs, 0), h_n, c_n


def _backward(step: Callable, data: Tensor, sizes: list[int], h0: Tensor, c0: Any) -> tuple:
    """One layer backward in time: each sequence starts from its initial state at its own
    last step; ``(outputs, h_n, c_n)``."""
    outputs = []
    last = sizes[-1]
    h, c = h0[:last], c0[:last] if c0 is not None else None
    offset = data.shape[0]
    for size in reversed(sizes):
        if size > last:
            h = cat([h, h0[last:size]], 0)
            c = cat([c, c0[last:size]], 0) if c0 is not None else None
        last = size
        h, c = step(data[offset - size : offset], h, c)
        offset -= size
        outputs.append(h)
    return cat(outputs[::-1], 0), h, c


def packed_forward(module: Any, packed: PackedSequence, hx: Any, step: Callable) -> tuple:
    """`module` (an ``RNNBase``) run over `packed`: ``(PackedSequence, h_n)`` (``(h_n, c_n)``
    for LSTM), the final states in the sequences' original order, as PyTorch returns them.

    `hx` is None (zeros) or the initial state in the original order; `step` is the padded
    layers' ``_step(mode, x, h, c, *weights)``.
    """
    data, batch_sizes, sorted_indices, unsorted_indices = packed
    sizes = [int(n) for n in batch_sizes.tolist()]
    lstm = module.mode == "LSTM"
    directions = 2 if module.bidirectional else 1
    layers = module.num_layers * directions
    if hx is None:
        shape = (layers, sizes[0], module.proj_size or module.hidden_size)
        h0 = zeros(shape, dtype=data.dtype, device=data.device)
        hx = (h0, zeros((*shape[:2], module.hidden_size), dtype=data.dtype,
                        device=data.device)) if lstm else h0  # fmt: skip
    else:
        hx = _permuted(hx, sorted_indices)
    module.check_input(data, batch_sizes)
    if lstm:
        module.check_hidden_size(hx[0], module.get_expected_hidden_size(data, batch_sizes),
                                 "Expected hidden[0] size {}, got {}")  # fmt: skip
        module.check_hidden_size(hx[1], module.get_expected_cell_size(data, batch_sizes),
                                 "Expected hidden[1] size {}, got {}")  # fmt: skip
    else:
        module.check_hidden_size(hx, module.get_expected_hidden_size(data, batch_sizes))
    hs, cs = hx if lstm else (hx, None)

    def run(direction: int, data: Tensor, h: Tensor, c: Any, weights: tuple) -> tuple:
        def cell(x: Tensor, h: Tensor, c: Any) -> tuple:
            return step(module.mode, x, h, c, *weights)  # type: ignore[no-any-return]

        return (_backward if direction else _forward)(cell, data, sizes, h, c)

    data, h_n, c_n = stacked_layers(
        module, data, hs, cs, run,
        lambda outputs: cat(outputs, -1),
        lambda data: F.dropout(data, module.dropout, True),
    )  # fmt: skip
    output = PackedSequence(data, batch_sizes, sorted_indices, unsorted_indices)
    hidden = (h_n, c_n) if lstm else h_n
    return output, _permuted(hidden, unsorted_indices)
