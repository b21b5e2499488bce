"""Recurrent layers: ``RNN`` (tanh or ReLU), ``LSTM`` and ``GRU`` over whole sequences, and
their one-step cells ``RNNCell``, ``LSTMCell`` and ``GRUCell``, with PyTorch's parameter names,
shapes, gate order, initialisation, checks and printing.

Each time step is composed of pluggrad's differentiable operations (``F.linear``, ``sigmoid``,
``tanh``, ...), and the per-step outputs are stacked, so every backend and derivative order
works.  A ``PackedSequence`` input runs through :mod:`._packed_rnn` with the same step.
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

from ..._core.tensor import Tensor
from ...ops.creation import empty, zeros
from ...ops.manipulation import cat, stack
from .. import functional as F
from .. import init
from ..parameter import Parameter
from ..utils.rnn import PackedSequence
from ._packed_rnn import packed_forward, stacked_layers
from .module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _step(mode: str, x: Tensor, h: Tensor, c: Any, w_ih: Tensor, w_hh: Tensor, b_ih: Any,
          b_hh: Any, w_hr: Any = None) -> tuple[Tensor, Any]:  # fmt: skip
    """One time step of `mode` from input `x` (batch, features) and state `h` (and `c` for
    LSTM): the new ``(h, c)`` (``c`` None except for LSTM)."""
    gi = F.linear(x, w_ih, b_ih)
    gh = F.linear(h, w_hh, b_hh)
    if mode == "RNN_TANH":
        return (gi + gh).tanh(), None
    if mode == "RNN_RELU":
        return (gi + gh).relu(), None
    if mode == "LSTM":
        i, f, g, o = (gi + gh).chunk(4, -1)
        c = f.sigmoid() * c + i.sigmoid() * g.tanh()
        h = o.sigmoid() * c.tanh()
        if w_hr is not None:
            h = F.linear(h, w_hr)
        return h, c
    # GRU: r, z, n, with the reset gate applied to the hidden part of n (PyTorch's form)
    i_r, i_z, i_n = gi.chunk(3, -1)
    h_r, h_z, h_n = gh.chunk(3, -1)
    r = (i_r + h_r).sigmoid()
    z = (i_z + h_z).sigmoid()
    n = (i_n + r * h_n).tanh()
    return n + z * (h - n), None


class RNNBase(Module):
    """What ``RNN``, ``LSTM`` and ``GRU`` share: the parameters of every layer and direction,
    the checks of the input and initial state, and the loop over layers and time steps.

    Parameters
    ----------
    mode : str
        ``"RNN_TANH"``, ``"RNN_RELU"``, ``"LSTM"`` or ``"GRU"``.
    input_size, hidden_size : int
        Features of each input step and of the hidden state.
    num_layers : int
        Stacked recurrent layers (default 1); each layer after the first reads the outputs
        of the one before.
    bias : bool
        Whether to learn ``bias_ih_l<k>`` and ``bias_hh_l<k>`` (default True).
    batch_first : bool
        Inputs and outputs ``(batch, seq, feature)`` rather than ``(seq, batch, feature)``
        (default False); the hidden states are ``(layers * directions, batch, hidden)``
        either way.
    dropout : float
        Dropout probability on the outputs of every layer but the last, in training.
    bidirectional : bool
        Whether each layer also runs backwards in time (parameters suffixed ``_reverse``),
        its outputs concatenated after the forward ones.
    proj_size : int
        LSTM only: project the hidden state to this size with ``weight_hr_l<k>``.
    device, dtype
        Where and in which dtype to make the parameters.

    Attributes
    ----------
    weight_ih_l<k>[_reverse] : Parameter
        ``(gates * hidden_size, input features of layer k)``, gates 1, 4 (i, f, g, o) or
        3 (r, z, n).
    weight_hh_l<k>[_reverse] : Parameter
        ``(gates * hidden_size, proj_size or hidden_size)``.
    bias_ih_l<k>[_reverse], bias_hh_l<k>[_reverse] : Parameter
        ``(gates * hidden_size,)``, when `bias`.
    weight_hr_l<k>[_reverse] : Parameter
        ``(proj_size, hidden_size)``, when ``proj_size > 0``.

    All are drawn from U(-k, k), k = 1 / sqrt(hidden_size).  A ``PackedSequence`` input
    gives a ``PackedSequence`` output, and final states at each sequence's own last step.
    """

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device: Any = None,
                 dtype: Any = None) -> None:  # fmt: skip
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        number = isinstance(dropout, numbers.Number) and not isinstance(dropout, bool)
        if not number or not 0 <= dropout <= 1:
            raise ValueError(
                "dropout should be a number in range [0, 1] representing the probability of "
                "an element being zeroed"
            )
        if dropout > 0 and num_layers == 1:  # type: ignore[operator]
            warnings.warn(
                "dropout option adds dropout after all but last recurrent layer, so non-zero "
                f"dropout expects num_layers greater than 1, but got dropout={dropout} and "
                f"num_layers={num_layers}",
                stacklevel=2,
            )
        for name, value, kind in [("bias", bias, bool), ("batch_first", batch_first, bool),
                                  ("input_size", input_size, int),
                                  ("hidden_size", hidden_size, int)]:  # fmt: skip
            if not isinstance(value, kind):
                raise TypeError(f"{name} should be of type {kind.__name__}, got: "
                                f"{type(value).__name__}")  # fmt: skip
            if kind is int and value <= 0:
                raise ValueError(f"{name} must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError(
                "proj_size should be a positive integer or zero to disable projections"
            )
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        gate_size = _GATES[mode] * hidden_size
        directions = 2 if bidirectional else 1
        real_hidden_size = proj_size if proj_size > 0 else hidden_size
        self._flat_weights_names: list[str] = []
        self._all_weights: list[list[str]] = []
        for layer in range(num_layers):
            for direction in range(directions):
                layer_input_size = input_size if layer == 0 else real_hidden_size * directions
                shapes: list[tuple[int, ...]] = [
                    (gate_size, layer_input_size),
                    (gate_size, real_hidden_size),
                ]
                names = ["weight_ih_l{}{}", "weight_hh_l{}{}"]
                if bias:
                    shapes += [(gate_size,), (gate_size,)]
                    names += ["bias_ih_l{}{}", "bias_hh_l{}{}"]
                if proj_size > 0:
                    shapes += [(proj_size, hidden_size)]
                    names += ["weight_hr_l{}{}"]
                suffix = "_reverse" if direction == 1 else ""
                names = [n.format(layer, suffix) for n in names]
                for name, shape in zip(names, shapes):
                    self.register_parameter(
                        name, Parameter(empty(shape, device=device, dtype=dtype))
                    )
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    @property
    def _flat_weights(self) -> list[Tensor]:
        return [getattr(self, name) for name in self._flat_weights_names]

    @property
    def all_weights(self) -> list[list[Parameter]]:
        """The parameters of each layer and direction, in PyTorch's order."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def flatten_parameters(self) -> None:
        """Nothing to do (PyTorch compacts the weights for cuDNN here)."""

    def reset_parameters(self) -> None:
        """Draw every parameter again from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _layer_weights(self, layer: int, direction: int) -> tuple:
        """``(w_ih, w_hh, b_ih, b_hh, w_hr)`` of one layer and direction (None where absent)."""
        suffix = f"l{layer}{'_reverse' if direction == 1 else ''}"
        names = ["weight_ih_", "weight_hh_", "bias_ih_", "bias_hh_", "weight_hr_"]
        return tuple(getattr(self, name + suffix, None) for name in names)

    def check_input(self, input: Tensor, batch_sizes: Any = None) -> None:  # noqa: A002
        """PyTorch's checks of the (batched) input's dtype, rank and feature size."""
        weight_dtype = self._flat_weights[0].dtype
        if input.dtype != weight_dtype:
            raise ValueError(
                f"RNN input dtype ({input.dtype}) does not match weight dtype ({weight_dtype})."
                f" Convert input: input.to({weight_dtype}), or convert model: "
                f"model.to({input.dtype})"
            )
        expected = 2 if batch_sizes is not None else 3
        if input.dim() != expected:
            raise RuntimeError(f"input must have {expected} dimensions, got {input.dim()}")
        if self.input_size != input.size(-1):
            raise RuntimeError(
                "input.size(-1) must be equal to input_size. Expected "
                f"{self.input_size}, got {input.size(-1)}"
            )

    def get_expected_hidden_size(self, input: Tensor, batch_sizes: Any = None) -> tuple:  # noqa: A002
        """``(layers * directions, batch, proj_size or hidden_size)``."""
        mini_batch = input.size(0) if self.batch_first else input.size(1)
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        size = self.proj_size if self.proj_size > 0 else self.hidden_size
        return (self.num_layers * (2 if self.bidirectional else 1), mini_batch, size)

    def check_hidden_size(self, hx: Tensor, expected_hidden_size: tuple,
                          msg: str = "Expected hidden size {}, got {}") -> None:  # fmt: skip
        """Raise PyTorch's RuntimeError when `hx` is not `expected_hidden_size`."""
        if tuple(hx.size()) != tuple(expected_hidden_size):
            raise RuntimeError(msg.format(expected_hidden_size, list(hx.size())))

    def _batched(self, input: Tensor, hx: Any) -> tuple[Tensor, Any, bool]:  # noqa: A002
        """The input made 3-D, the initial states made 3-D (``hx`` a tensor, a pair for
        LSTM, or None), and whether the input was batched; PyTorch's rank checks."""
        name = {"LSTM": "LSTM", "GRU": "GRU"}.get(self.mode, "RNN")
        if input.dim() not in (2, 3):
            noun = " tensor" if name == "RNN" else ""
            raise ValueError(
                f"{name}: Expected input to be 2D or 3D, got {input.dim()}D{noun} instead"
            )
        is_batched = input.dim() == 3
        if not is_batched:
            input = input.unsqueeze(0 if self.batch_first else 1)  # noqa: A001
        if hx is None:
            return input, None, is_batched
        rank = 3 if is_batched else 2
        kind = "batched 3-D" if is_batched else "unbatched 2-D"
        if self.mode == "LSTM":
            if hx[0].dim() != rank or hx[1].dim() != rank:
                raise RuntimeError(
                    f"For {kind} input, hx and cx should also be {rank}-D but got "
                    f"({hx[0].dim()}-D, {hx[1].dim()}-D) tensors"
                )
            if not is_batched:
                hx = (hx[0].unsqueeze(1), hx[1].unsqueeze(1))
        else:
            if hx.dim() != rank:
                raise RuntimeError(
                    f"For {kind} input, hx should also be {rank}-D but got {hx.dim()}-D tensor"
                )
            if not is_batched:
                hx = hx.unsqueeze(1)
        return input, hx, is_batched

    def _run(self, input: Tensor, h0: Tensor, c0: Any) -> tuple[Tensor, Tensor, Any]:  # noqa: A002
        """The layers over a 3-D input: the output and the final states (c None but LSTM)."""
        steps = list((input.transpose(0, 1) if self.batch_first else input).unbind(0))
        hs, cs = list(h0.unbind(0)), list(c0.unbind(0)) if c0 is not None else None

        def run(direction: int, steps: list, h: Tensor, c: Any, weights: tuple) -> tuple:
            out: list[Any] = [None] * len(steps)
            order = range(len(steps) - 1, -1, -1) if direction else range(len(steps))
            for t in order:
                h, c = _step(self.mode, steps[t], h, c, *weights)
                out[t] = h
            return out, h, c

        steps, h_n, c_n = stacked_layers(
            self, steps, hs, cs, run,
            lambda outputs: [cat(list(pair), -1) for pair in zip(*outputs)],
            lambda steps: [F.dropout(s, self.dropout, True) for s in steps],
        )  # fmt: skip
        output = stack(steps, 0)
        if self.batch_first:
            output = output.transpose(0, 1)
        return output, h_n, c_n

    def _zeros(self, input: Tensor, size: int) -> Tensor:  # noqa: A002
        batch = input.size(0) if self.batch_first else input.size(1)
        layers = self.num_layers * (2 if self.bidirectional else 1)
        return zeros((layers, batch, size), dtype=input.dtype, device=input.device)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s


class _SingleStateRNN(RNNBase):
    """``RNN`` and ``GRU``: one hidden state ``h``."""

    def forward(self, input: Tensor, hx: Tensor | None = None) -> tuple[Tensor, Tensor]:  # noqa: A002
        """``(output, h_n)``: output ``(seq, batch, directions * hidden)`` (batch first when
        `batch_first`, no batch for a 2-D input), ``h_n`` ``(layers * directions, batch,
        hidden)``; `hx` the initial ``h`` (zeros when None).  A ``PackedSequence`` input gives
        a ``PackedSequence`` output."""
        if isinstance(input, PackedSequence):
            return packed_forward(self, input, hx, _step)  # type: ignore[no-any-return]
        input, hx, is_batched = self._batched(input, hx)  # noqa: A001
        if hx is None:
            hx = self._zeros(input, self.hidden_size)
        self.check_input(input)
        self.check_hidden_size(hx, self.get_expected_hidden_size(input))
        output, h_n, _ = self._run(input, hx, None)
        if not is_batched:
            output = output.squeeze(0 if self.batch_first else 1)
            h_n = h_n.squeeze(1)
        return output, h_n


class RNN(_SingleStateRNN):
    """An Elman RNN: ``h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)`` (ReLU with
    ``nonlinearity="relu"``), for each layer and direction.

    ``RNN(input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
    batch_first=False, dropout=0.0, bidirectional=False, device=None, dtype=None)``; see
    :class:`RNNBase` for the arguments, parameters and shapes (one gate).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if self.nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif self.nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(
                f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' or 'relu'."
            )
        super().__init__(mode, *args, **kwargs)


class GRU(_SingleStateRNN):
    """A gated recurrent unit, gates in PyTorch's order r, z, n::

        r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)
        z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
        n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
        h' = (1 - z) * n + z * h

    ``GRU(input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
    bidirectional=False, device=None, dtype=None)``; see :class:`RNNBase` (three gates).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)


class LSTM(RNNBase):
    """A long short-term memory, gates in PyTorch's order i, f, g, o::

        i, f, o = sigmoid(...), g = tanh(...)   (each W_i* x + b_i* + W_h* h + b_h*)
        c' = f * c + i * g
        h' = o * tanh(c')          (then h' W_hr^T when proj_size > 0)

    ``LSTM(input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
    bidirectional=False, proj_size=0, device=None, dtype=None)``; see :class:`RNNBase`
    (four gates).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__("LSTM", *args, **kwargs)

    def get_expected_cell_size(self, input: Tensor, batch_sizes: Any = None) -> tuple:  # noqa: A002
        """``(layers * directions, batch, hidden_size)``."""
        mini_batch = input.size(0) if self.batch_first else input.size(1)
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        return (self.num_layers * (2 if self.bidirectional else 1), mini_batch,
                self.hidden_size)  # fmt: skip

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None) -> tuple:  # noqa: A002
        """``(output, (h_n, c_n))``: output ``(seq, batch, directions * (proj_size or
        hidden))`` (batch first when `batch_first`, no batch for a 2-D input); `hx` the
        initial ``(h_0, c_0)`` (zeros when None).  A ``PackedSequence`` input gives a
        ``PackedSequence`` output."""
        if isinstance(input, PackedSequence):
            return packed_forward(self, input, hx, _step)  # type: ignore[no-any-return]
        input, hx, is_batched = self._batched(input, hx)  # noqa: A001
        if hx is None:
            hx = (self._zeros(input, self.proj_size or self.hidden_size),
                  self._zeros(input, self.hidden_size))  # fmt: skip
        self.check_input(input)
        self.check_hidden_size(hx[0], self.get_expected_hidden_size(input),
                               "Expected hidden[0] size {}, got {}")  # fmt: skip
        self.check_hidden_size(hx[1], self.get_expected_cell_size(input),
                               "Expected hidden[1] size {}, got {}")  # fmt: skip
        output, h_n, c_n = self._run(input, hx[0], hx[1])
        if not is_batched:
            output = output.squeeze(0 if self.batch_first else 1)
            h_n, c_n = h_n.squeeze(1), c_n.squeeze(1)
        return output, (h_n, c_n)


class RNNCellBase(Module):
    """What the cells share: ``weight_ih`` ``(chunks * hidden_size, input_size)``,
    ``weight_hh`` ``(chunks * hidden_size, hidden_size)`` and, when `bias`, ``bias_ih`` and
    ``bias_hh`` ``(chunks * hidden_size,)``, all from U(-k, k), k = 1 / sqrt(hidden_size)."""

    _mode = ""

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int,
                 device: Any = None, dtype: Any = None) -> None:  # fmt: skip
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        size = num_chunks * hidden_size
        self.weight_ih = Parameter(empty((size, input_size), device=device, dtype=dtype))
        self.weight_hh = Parameter(empty((size, hidden_size), device=device, dtype=dtype))
        if bias:
            self.bias_ih = Parameter(empty(size, device=device, dtype=dtype))
            self.bias_hh = Parameter(empty(size, device=device, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw every parameter again from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        nonlinearity = self.__dict__.get("nonlinearity", "tanh")
        if nonlinearity != "tanh":
            s += f", nonlinearity={nonlinearity}"
        return s

    def _cell(self, input: Tensor, hx: Any, states: int) -> tuple:  # noqa: A002
        """PyTorch's checks, then one step: the new ``(h, c)`` (c None but for LSTMCell)."""
        name = type(self).__name__
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        given = [] if hx is None else list(hx) if states == 2 else [hx]
        for i, value in enumerate(given):
            if value.dim() not in (1, 2):
                what = f"hx[{i}]" if states == 2 else "hidden"
                raise ValueError(
                    f"{name}: Expected {what} to be 1D or 2D, got {value.dim()}D instead"
                )
        is_batched = input.dim() == 2
        if not is_batched:
            input = input.unsqueeze(0)  # noqa: A001
            given = [value.unsqueeze(0) for value in given]
        if not given:
            zero = zeros((input.size(0), self.hidden_size), dtype=input.dtype,
                         device=input.device)  # fmt: skip
            given = [zero] * states
        if input.size(1) != self.input_size:
            raise RuntimeError(
                f"input has inconsistent input_size: got {input.size(1)} expected {self.input_size}"
            )
        for i, value in enumerate(given):
            if input.size(0) != value.size(0):
                raise RuntimeError(
                    f"Input batch size {input.size(0)} doesn't match hidden{i} batch size "
                    f"{value.size(0)}"
                )
            if value.size(1) != self.hidden_size:
                raise RuntimeError(
                    f"hidden{i} has inconsistent hidden_size: got {value.size(1)}, expected "
                    f"{self.hidden_size}"
                )
        h, c = _step(self._mode, input, given[0], given[-1], self.weight_ih, self.weight_hh,
                     self.bias_ih, self.bias_hh)  # fmt: skip
        if not is_batched:
            h, c = h.squeeze(0), c.squeeze(0) if c is not None else None
        return h, c


class RNNCell(RNNCellBase):
    """One step of an Elman RNN: ``h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)`` (ReLU with
    ``nonlinearity="relu"``); input ``(batch, input_size)`` or ``(input_size,)``, `hx` the
    state (zeros when None), the new state returned."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device: Any = None,
                 dtype: Any = None) -> None:  # fmt: skip
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:  # noqa: A002
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        self._mode = "RNN_TANH" if self.nonlinearity == "tanh" else "RNN_RELU"
        return self._cell(input, hx, 1)[0]  # type: ignore[no-any-return]


class LSTMCell(RNNCellBase):
    """One LSTM step (gates i, f, g, o; four chunks): input ``(batch, input_size)`` or
    ``(input_size,)``, `hx` the pair ``(h, c)`` (zeros when None), ``(h', c')`` returned."""

    _mode = "LSTM"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:  # fmt: skip
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input: Tensor,  # noqa: A002
                hx: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, Tensor]:  # fmt: skip
        return self._cell(input, hx, 2)  # type: ignore[return-value]


class GRUCell(RNNCellBase):
    """One GRU step (gates r, z, n; three chunks): input ``(batch, input_size)`` or
    ``(input_size,)``, `hx` the state (zeros when None), the new state returned."""

    _mode = "GRU"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:  # fmt: skip
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:  # noqa: A002
        return self._cell(input, hx, 1)[0]  # type: ignore[no-any-return]
