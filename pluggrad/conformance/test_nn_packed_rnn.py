"""Packed sequences on every backend: first and second derivatives (float64, finite
differences) of packing and unpacking and of LSTM, GRU and RNN over packed inputs, with respect
to the input, the initial states and a weight; ``PackedSequence``'s tuple behaviour; dropout
between layers; agreement with the padded layers on each sequence.  The ``nn_packed_sequence``
scenario compares values, gradients, reprs and errors with PyTorch's."""

from __future__ import annotations

import numpy as np
import pytest

import pluggrad as pg
from pluggrad.nn.modules.rnn import GRU, LSTM, RNN
from pluggrad.nn.utils.rnn import (
    PackedSequence,
    pack_padded_sequence,
    pack_sequence,
    pad_packed_sequence,
    unpack_sequence,
)

_rng = np.random.default_rng(7)
LENGTHS = [2, 3, 1]  # unsorted: sorted_indices [1, 0, 2]


def _t(*shape):
    return pg.asarray(_rng.uniform(-1.0, 1.0, shape)).requires_grad_()


def test_packing_and_unpacking_derivatives(backend):
    def fn(x):
        packed = pack_padded_sequence(x, LENGTHS, enforce_sorted=False)
        padded, _ = pad_packed_sequence(packed, batch_first=True, total_length=4)
        return packed.data, padded

    x = _t(3, 3, 2)
    assert pg.autograd.gradcheck(fn, (x,))
    assert pg.autograd.gradgradcheck(fn, (x,))


def test_pack_sequence_round_trip_derivatives(backend):
    def fn(a, b, c):
        return tuple(s * s for s in unpack_sequence(pack_sequence([a, b, c], False)))

    inputs = (_t(2, 2), _t(3, 2), _t(1, 2))
    assert pg.autograd.gradcheck(fn, inputs)


CASES = {
    "lstm_2_bi": (lambda: LSTM(2, 2, num_layers=2, bidirectional=True), "weight_hh_l1_reverse"),
    "lstm_proj_bi": (lambda: LSTM(2, 3, bidirectional=True, proj_size=2), "weight_hr_l0"),
    "gru_bi": (lambda: GRU(2, 2, bidirectional=True), "bias_hh_l0_reverse"),
    "gru_2": (lambda: GRU(2, 2, num_layers=2), "weight_ih_l1"),
    "rnn_bi": (lambda: RNN(2, 2, bidirectional=True), "weight_hh_l0"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_layers_over_packed_inputs_derivatives(backend, name):
    make, weight = CASES[name]
    module = make().double()
    lstm = isinstance(module, LSTM)
    states = module.num_layers * (2 if module.bidirectional else 1)
    hidden = module.proj_size or module.hidden_size

    def fn(x, w, h0, *c0):
        original = module._parameters[weight]
        module._parameters[weight] = w
        try:
            packed = pack_padded_sequence(x, LENGTHS, enforce_sorted=False)
            output, h_n = module(packed, (h0, c0[0]) if lstm else h0)
        finally:
            module._parameters[weight] = original
        return (output.data, *(h_n if lstm else (h_n,)))

    inputs = [_t(3, 3, 2), _t(*getattr(module, weight).shape), _t(states, 3, hidden)]
    if lstm:
        inputs.append(_t(states, 3, module.hidden_size))
    assert pg.autograd.gradcheck(fn, tuple(inputs))
    assert pg.autograd.gradgradcheck(fn, tuple(inputs))


@pytest.mark.parametrize("kind", [LSTM, GRU])
def test_each_sequence_runs_as_alone_in_a_padded_batch(backend, kind):
    # a packed batch gives every sequence what the padded layer gives it alone, both ways
    module = kind(2, 3, num_layers=2, bidirectional=True).double()
    x = pg.asarray(_rng.uniform(-1.0, 1.0, (3, 3, 2)))
    with pg.no_grad():
        output, hidden = module(pack_padded_sequence(x, LENGTHS, enforce_sorted=False))
        padded, lengths = pad_packed_sequence(output)
    assert lengths.tolist() == LENGTHS
    for b, n in enumerate(LENGTHS):
        with pg.no_grad():
            alone, alone_hidden = module(x[:n, b : b + 1])
        np.testing.assert_allclose(padded[:n, b : b + 1].numpy(), alone.numpy())
        assert not padded[n:, b].numpy().any()
        pairs = zip(hidden, alone_hidden) if kind is LSTM else [(hidden, alone_hidden)]
        for got, want in pairs:
            np.testing.assert_allclose(got[:, b : b + 1].numpy(), want.numpy())


def test_packed_sequence_is_a_tuple(backend):
    packed = pack_padded_sequence(pg.ones(3, 2, 1), pg.tensor([1, 3]), enforce_sorted=False)
    data, batch_sizes, sorted_indices, unsorted_indices = packed
    assert isinstance(packed, tuple) and packed[0] is data and len(packed) == 4
    assert batch_sizes.dtype == pg.int64 and batch_sizes.tolist() == [2, 1, 1]
    assert sorted_indices.tolist() == [1, 0] and unsorted_indices.tolist() == [1, 0]
    assert packed.to(pg.float32) is packed and packed.float() is packed
    assert packed.double().data.dtype == pg.float64 and not packed.is_cuda
    rebuilt = PackedSequence(data, batch_sizes, sorted_indices)
    assert rebuilt.unsorted_indices.tolist() == [1, 0]
    assert PackedSequence((data, batch_sizes)).sorted_indices is None


def test_dropout_between_layers_in_training(backend):
    pg.manual_seed(0)
    module = LSTM(3, 50, num_layers=2, dropout=0.5).double()
    packed = pack_padded_sequence(pg.ones(4, 2, 3, dtype=pg.float64), [4, 2])
    module.eval()
    first, _ = module(packed)
    second, _ = module(packed)
    assert np.array_equal(first.data.detach().numpy(), second.data.detach().numpy())
    module.train()
    trained, _ = module(packed)
    assert not np.array_equal(first.data.detach().numpy(), trained.data.detach().numpy())


def test_packed_lstm_checks_its_states(backend):
    # PyTorch's packed LSTM leaves these to its kernel (other messages); pluggrad checks them
    # as the padded LSTM does
    module = LSTM(3, 3).double()
    packed = pack_padded_sequence(pg.zeros(2, 2, 3, dtype=pg.float64), [2, 1])
    cell = (pg.zeros(1, 2, 3, dtype=pg.float64), pg.zeros(1, 2, 2, dtype=pg.float64))
    with pytest.raises(RuntimeError, match=r"Expected hidden\[1\] size \(1, 2, 3\), got"):
        module(packed, cell)
    with pytest.raises(RuntimeError, match="input.size\\(-1\\) must be equal to input_size"):
        LSTM(2, 3).double()(packed)


def test_lengths_longer_than_the_input_are_refused(backend):
    # PyTorch reads past the input's end here
    with pytest.raises(RuntimeError, match="at most the sequence length 2, but got 3"):
        pack_padded_sequence(pg.zeros(2, 2, 1), [3, 1])
