"""Packed sequences with fixed weights: PackedSequence (repr, tuple unpacking, to), packing and
unpacking (sorted or not, batch first, total_length, padding_value, lengths as list or tensor)
with gradients, RNN, LSTM (two layers, both directions, proj_size, initial states) and GRU over
packed inputs (packed outputs, final states at each sequence's own end in the original order,
input and weight gradients), and PyTorch's errors (not a packed LSTM's: PyTorch checks neither
its input nor its states before its kernel, whose messages are the kernel's; pluggrad gives the
padded LSTM's)."""

# (the scenario reads .grad after backward())
# mypy: disable-error-code="union-attr"

import pluggrad as torch
from pluggrad import nn
from pluggrad.conformance.scenarios._common import failure, fixed, head, rounded, states
from pluggrad.nn.utils.rnn import (
    PackedSequence,
    pack_padded_sequence,
    pack_sequence,
    pad_packed_sequence,
    unpack_sequence,
)

# packing and unpacking
x = torch.arange(24.0).reshape(4, 3, 2)
packed = pack_padded_sequence(x, [4, 2, 1])
print(packed)
data, batch_sizes, sorted_indices, unsorted_indices = packed
print(
    batch_sizes.dtype == torch.int64, sorted_indices, unsorted_indices, packed.is_cuda, len(packed)
)
print(
    packed.data is data,
    packed[1].tolist(),
    packed.double().data.dtype == torch.float64,
    packed.to("cpu") is packed,
)
unsorted = pack_padded_sequence(x, torch.tensor([2, 4, 2]), enforce_sorted=False)
print(unsorted)
print(unsorted.to(torch.float64).data.dtype == torch.float64)
padded, lengths = pad_packed_sequence(unsorted, batch_first=True, padding_value=-1.0)
print(padded.tolist(), lengths)
padded, lengths = pad_packed_sequence(unsorted, total_length=6)
print(list(padded.shape), lengths.tolist())
first = pack_padded_sequence(x.transpose(0, 1), [1, 3, 2], batch_first=True, enforce_sorted=False)
print(first.data.tolist(), first.batch_sizes.tolist(), first.sorted_indices.tolist())
print(PackedSequence(torch.ones(3), torch.tensor([2, 1]), torch.tensor([1, 0])))
print(PackedSequence((torch.ones(2), torch.tensor([1, 1]))))

# gradients through packing and unpacking
leaf = torch.linspace(-1, 1, 24, dtype=torch.float64).reshape(4, 3, 2).requires_grad_()
packed = pack_padded_sequence(leaf, [3, 4, 1], enforce_sorted=False)
padded, _ = pad_packed_sequence(packed, batch_first=True, total_length=5)
(padded * torch.arange(30.0, dtype=torch.float64).reshape(3, 5, 2)).sum().backward()
print("pack grad", leaf.grad.reshape(-1).tolist())
sequences = [torch.linspace(0, 1, n * 2, dtype=torch.float64).reshape(n, 2) for n in (2, 3, 1)]
sequences = [s.requires_grad_() for s in sequences]
packed = pack_sequence(sequences, enforce_sorted=False)
print(
    "pack_sequence",
    rounded(packed.data.tolist()),
    packed.batch_sizes.tolist(),
    packed.sorted_indices,
)
back = unpack_sequence(packed)
print("unpack_sequence", [rounded(s.tolist()) for s in back])
sum(((s * s).sum() * (k + 1) for k, s in enumerate(back)), torch.tensor(0.0)).backward()
print("unpack grads", [rounded(s.grad.tolist()) for s in sequences])

# recurrent layers over packed inputs
xs = torch.linspace(-1, 1, 5 * 4 * 3, dtype=torch.float64).reshape(5, 4, 3).sin() * 2
for name, layer, sizes, hx in [
    ("rnn", nn.RNN(3, 4), [5, 3, 3, 1], None),
    ("rnn_relu_bi", nn.RNN(3, 2, nonlinearity="relu", bidirectional=True), [2, 5, 1, 4], None),
    ("lstm", nn.LSTM(3, 4), [4, 5, 2, 2], None),
    ("lstm_2_bi", nn.LSTM(3, 3, num_layers=2, bidirectional=True), [3, 1, 5, 2], None),
    ("lstm_proj_bi", nn.LSTM(3, 4, bidirectional=True, proj_size=2), [5, 4, 3, 1], None),
    (
        "lstm_states",
        nn.LSTM(3, 2, 2, batch_first=True),
        [1, 5, 3, 3],
        (
            torch.linspace(-1, 1, 16, dtype=torch.float64).reshape(2, 4, 2),
            torch.linspace(1, -1, 16, dtype=torch.float64).reshape(2, 4, 2),
        ),
    ),
    ("gru", nn.GRU(3, 4), [5, 5, 2, 1], None),
    (
        "gru_2_bi_h0",
        nn.GRU(3, 2, 2, bidirectional=True, dropout=0.5),
        [2, 3, 5, 4],
        torch.linspace(-0.5, 0.5, 32, dtype=torch.float64).reshape(4, 4, 2),
    ),
]:
    layer = fixed(layer).eval()
    leaf = xs.detach().requires_grad_()
    packed = pack_padded_sequence(leaf, sizes, enforce_sorted=False)
    output, hidden = layer(packed) if hx is None else layer(packed, hx)
    print(name, type(output).__name__, output.batch_sizes is packed.batch_sizes,
          output.sorted_indices.tolist(), output.unsorted_indices.tolist())  # fmt: skip
    print(name, "data", head(output.data))
    padded, out_lengths = pad_packed_sequence(output)
    print(name, "padded", head(padded[:, 1], 12), out_lengths.tolist())
    for k, h in enumerate(states(hidden)):
        print(name, "state", k, head(h, 12))
    total = (output.data * torch.linspace(-1, 1, output.data.numel(), dtype=torch.float64)
             .reshape(output.data.shape)).sum()  # fmt: skip
    for h in states(hidden):
        total = total + (h * h).sum()
    total.backward()
    print(name, "grad", head(leaf.grad, 12))
    print(name, "weight grads",
          [rounded(p.grad.reshape(-1)[:3].tolist()) for p in layer.parameters()])  # fmt: skip

# a sorted packed input and the padded run agree on the longest sequence
lstm = fixed(nn.LSTM(3, 4, bidirectional=True))
full = xs[:, :2]
out_padded, _ = lstm(full)
out_packed, (h_n, _) = lstm(pack_padded_sequence(full, [5, 3]))
print("padded vs packed", rounded((pad_packed_sequence(out_packed)[0][:, 0] - out_padded[:, 0])
                                  .abs().max().item()))  # fmt: skip

# errors
failure("unsorted", lambda: pack_padded_sequence(x, [2, 4, 1]))
failure("zero length", lambda: pack_padded_sequence(x, [4, 2, 0]))
failure("zero unsorted", lambda: pack_padded_sequence(x, [0, 2, 1], enforce_sorted=False))
failure("lengths count", lambda: pack_padded_sequence(x, [4, 2]))
failure("empty", lambda: pack_padded_sequence(torch.zeros(0, 2, 2), [1, 1]))
failure(
    "total_length", lambda: pad_packed_sequence(pack_padded_sequence(x, [4, 1, 1]), total_length=3)
)
failure("no sequences", lambda: pack_sequence([]))
packed = pack_padded_sequence(xs, [5, 3, 2, 2])
failure("input size", lambda: fixed(nn.GRU(2, 3))(packed))
failure("dtype", lambda: nn.GRU(3, 3)(packed), cut=(" (torch.", " (pluggrad."))  # dtypes' names
failure(
    "hidden size", lambda: fixed(nn.GRU(3, 3))(packed, torch.zeros(1, 3, 3, dtype=torch.float64))
)
failure(
    "data rank",
    lambda: fixed(nn.RNN(3, 3))(PackedSequence(xs, torch.tensor([4, 4, 4, 4, 4]))),
)
