"""``pluggrad.nn``'s recurrent layers: first and second derivatives of LSTM and GRU (and the
cells) by finite differences (float64, every backend), with respect to the input, an initial
state and a weight; dropout between layers in training.  The ``nn_rnn`` scenario compares
values, gradients, reprs and errors with PyTorch's."""

from __future__ import annotations

import numpy as np
import pytest

import pluggrad as pg
from pluggrad.nn.modules.rnn import GRU, LSTM, RNN, GRUCell, LSTMCell

_rng = np.random.default_rng(5)


def _t(*shape):
    return pg.asarray(_rng.uniform(-1.0, 1.0, shape)).requires_grad_()


def _layer(module, name):
    """The module in float64, and a function of (input, weight) through `name`."""
    module = module.double()

    def fn(x, w, *state):
        # run with `w` in place of the parameter so that the derivative reaches it
        original = module._parameters[name]
        module._parameters[name] = w
        try:
            result = module(x, *state) if state else module(x)
        finally:
            module._parameters[name] = original
        output, hidden = result if isinstance(result, tuple) else (result, ())
        hidden = hidden if isinstance(hidden, tuple) else (hidden,)
        return (output, *hidden)

    return module, fn


CASES = {
    "lstm": (lambda: LSTM(2, 2), "weight_hh_l0", (3, 2, 2)),
    "lstm_2_bi_batch_first": (
        lambda: LSTM(2, 2, num_layers=2, bidirectional=True, batch_first=True),
        "weight_ih_l1_reverse",
        (2, 2, 2),
    ),
    "lstm_proj": (lambda: LSTM(2, 3, proj_size=2), "weight_hr_l0", (2, 1, 2)),
    "lstm_unbatched": (lambda: LSTM(2, 2, bias=False), "weight_ih_l0", (3, 2)),
    "gru": (lambda: GRU(2, 2), "weight_hh_l0", (3, 2, 2)),
    "gru_2_bi": (lambda: GRU(2, 2, num_layers=2, bidirectional=True), "bias_hh_l1", (2, 2, 2)),
    "gru_unbatched": (lambda: GRU(2, 3, batch_first=True), "bias_ih_l0", (3, 2)),
    "rnn_tanh": (lambda: RNN(2, 2), "weight_hh_l0", (3, 2, 2)),
    "lstm_cell": (lambda: LSTMCell(2, 2), "weight_hh", (2, 2)),
    "gru_cell": (lambda: GRUCell(2, 2), "weight_ih", (2, 2)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_first_and_second_derivatives(backend, name):
    make, weight, shape = CASES[name]
    module, fn = _layer(make(), weight)
    inputs = (_t(*shape), _t(*getattr(module, weight).shape))
    assert pg.autograd.gradcheck(fn, inputs)
    assert pg.autograd.gradgradcheck(fn, inputs)


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_derivatives_through_the_initial_state(backend, kind):
    module = (LSTM if kind == "lstm" else GRU)(2, 2, num_layers=2).double()

    if kind == "lstm":

        def fn(x, h0, c0):
            output, (h_n, c_n) = module(x, (h0, c0))
            return output, h_n, c_n

        inputs = (_t(3, 1, 2), _t(2, 1, 2), _t(2, 1, 2))
    else:

        def fn(x, h0):  # type: ignore[misc]
            output, h_n = module(x, h0)
            return output, h_n

        inputs = (_t(3, 1, 2), _t(2, 1, 2))  # type: ignore[assignment]
    assert pg.autograd.gradcheck(fn, inputs)
    assert pg.autograd.gradgradcheck(fn, inputs)


def test_dropout_between_layers_in_training(backend):
    pg.manual_seed(0)
    module = GRU(3, 50, num_layers=2, dropout=0.5).double()
    x = pg.ones(4, 2, 3, dtype=pg.float64)
    module.eval()
    first, _ = module(x)
    second, _ = module(x)
    assert np.array_equal(first.detach().numpy(), second.detach().numpy())
    module.train()
    trained, _ = module(x)
    assert not np.array_equal(first.detach().numpy(), trained.detach().numpy())
    single = GRU(3, 50, num_layers=2).double()
    single.load_state_dict(module.state_dict())
    single.train()
    # without p, no dropout in training either
    assert np.array_equal(single(x)[0].detach().numpy(), first.detach().numpy())


def test_warns_for_dropout_with_one_layer():
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        LSTM(2, 2, dropout=0.2)
