"""Recurrent layers with fixed weights: RNN (tanh, relu), LSTM and GRU with two layers, both
directions, batch_first, unbatched inputs and initial states, and the three cells: parameter
names and shapes, repr, outputs, final states, input and weight gradients, and errors."""

# (the scenario reads .grad after backward())
# mypy: disable-error-code="union-attr"

import pluggrad as torch
from pluggrad import nn
from pluggrad.conformance.scenarios._common import failure, fixed, head, rounded, states

x3 = torch.linspace(-1, 1, 4 * 2 * 3, dtype=torch.float64).reshape(4, 2, 3).sin() * 2
x2 = torch.linspace(-1, 2, 5 * 3, dtype=torch.float64).reshape(5, 3).cos()

for name, layer, x, hx in [
    ("rnn_tanh", nn.RNN(3, 4), x3, None),
    ("rnn_relu", nn.RNN(3, 4, 2, nonlinearity="relu", bias=False), x3, None),
    ("rnn_bi_h0", nn.RNN(3, 2, bidirectional=True), x3, torch.ones(2, 2, 2, dtype=torch.float64)),
    ("lstm", nn.LSTM(3, 4), x3, None),
    ("lstm_2_bi", nn.LSTM(3, 4, num_layers=2, bidirectional=True), x3, None),
    ("lstm_batch_first", nn.LSTM(3, 5, num_layers=2, batch_first=True), x3, None),
    (
        "lstm_states",
        nn.LSTM(3, 4, 2),
        x3,
        (
            torch.linspace(-1, 1, 16, dtype=torch.float64).reshape(2, 2, 4),
            torch.linspace(1, -1, 16, dtype=torch.float64).reshape(2, 2, 4),
        ),
    ),
    ("lstm_unbatched", nn.LSTM(3, 4, bidirectional=True), x2, None),
    (
        "lstm_unbatched_states",
        nn.LSTM(3, 2, batch_first=True),
        x2,
        (
            torch.full((1, 2), 0.3, dtype=torch.float64),
            torch.full((1, 2), -0.2, dtype=torch.float64),
        ),
    ),
    ("lstm_proj", nn.LSTM(3, 4, 2, bidirectional=True, proj_size=2), x3, None),
    ("gru", nn.GRU(3, 4), x3, None),
    ("gru_2_bi_bf", nn.GRU(3, 3, 2, batch_first=True, bidirectional=True, dropout=0.3), x3, None),
    ("gru_unbatched", nn.GRU(3, 4, bias=False), x2, 0.5 * torch.ones(1, 4, dtype=torch.float64)),
]:
    layer = fixed(layer).eval()
    print(name, layer)
    print(name, "params", [(n, list(p.shape)) for n, p in layer.named_parameters()])
    leaf = x.detach().requires_grad_()
    output, hidden = layer(leaf) if hx is None else layer(leaf, hx)
    print(name, "output", head(output))
    for k, h in enumerate(states(hidden)):
        print(name, "state", k, head(h))
    total = (
        output * torch.linspace(-1, 1, output.numel(), dtype=torch.float64).reshape(output.shape)
    ).sum()
    for h in states(hidden):
        total = total + (h * h).sum()
    total.backward()
    print(name, "grad", head(leaf.grad))
    print(
        name, "weight grads", [rounded(p.grad.reshape(-1)[:3].tolist()) for p in layer.parameters()]
    )

xc = torch.linspace(-1, 1, 2 * 3, dtype=torch.float64).reshape(2, 3)
for name, cell, hx in [
    ("rnn_cell", nn.RNNCell(3, 4), None),
    (
        "rnn_cell_relu",
        nn.RNNCell(3, 4, nonlinearity="relu", bias=False),
        torch.ones(2, 4, dtype=torch.float64),
    ),
    ("lstm_cell", nn.LSTMCell(3, 4), None),
    (
        "lstm_cell_states",
        nn.LSTMCell(3, 2),
        (torch.ones(2, 2, dtype=torch.float64), -torch.ones(2, 2, dtype=torch.float64)),
    ),
    ("gru_cell", nn.GRUCell(3, 4), 0.1 * torch.ones(2, 4, dtype=torch.float64)),
]:
    cell = fixed(cell)
    print(name, cell, [(n, list(p.shape)) for n, p in cell.named_parameters()])
    leaf = xc.detach().requires_grad_()
    result = cell(leaf) if hx is None else cell(leaf, hx)
    total = 0.0
    for k, h in enumerate(states(result)):
        print(name, "state", k, head(h))
        total = (
            total
            + (h * torch.linspace(-1, 1, h.numel(), dtype=torch.float64).reshape(h.shape)).sum()
        )
    total.backward()
    print(name, "grad", head(leaf.grad))
    print(
        name, "weight grads", [rounded(p.grad.reshape(-1)[:3].tolist()) for p in cell.parameters()]
    )
    unbatched = cell(xc[0])
    print(name, "unbatched", [head(h) for h in states(unbatched)])

print(nn.LSTM(10, 20, num_layers=2, batch_first=True))
print(nn.GRU(10, 20, bias=False, dropout=0.5, num_layers=3, bidirectional=True))
print(
    nn.RNN(10, 20, 1, "relu"), nn.RNNCell(2, 3, nonlinearity="relu"), nn.GRUCell(2, 3, bias=False)
)
print(
    nn.LSTM(3, 4).hidden_size,
    list(nn.GRU(3, 4).weight_ih_l0.shape),
    list(nn.LSTM(3, 4, bidirectional=True).weight_hh_l0_reverse.shape),
)
lstm = fixed(nn.LSTM(3, 4, 2))
gru = fixed(nn.GRU(3, 4))
failure("input size", lambda: lstm(torch.zeros(4, 2, 5, dtype=torch.float64)))
failure("rank", lambda: lstm(torch.zeros(4, 2, 3, 1, dtype=torch.float64)))
failure("gru rank", lambda: gru(torch.zeros(4, dtype=torch.float64)))
failure("rnn rank", lambda: fixed(nn.RNN(3, 4))(torch.zeros(4, dtype=torch.float64)))
failure("hidden size", lambda: gru(x3, torch.zeros(1, 2, 5, dtype=torch.float64)))
failure("hidden batch", lambda: gru(x3, torch.zeros(1, 3, 4, dtype=torch.float64)))
failure("hidden rank", lambda: gru(x3, torch.zeros(2, 4, dtype=torch.float64)))
failure("unbatched hidden rank", lambda: gru(x2, torch.zeros(1, 1, 4, dtype=torch.float64)))
zeros = torch.zeros(2, 2, 4, dtype=torch.float64)
failure("lstm h0", lambda: lstm(x3, (torch.zeros(2, 2, 5, dtype=torch.float64), zeros)))
failure("lstm c0", lambda: lstm(x3, (zeros, torch.zeros(1, 2, 4, dtype=torch.float64))))
failure("lstm ranks", lambda: lstm(x3, (zeros, torch.zeros(2, 4, dtype=torch.float64))))
failure("nonlinearity", lambda: nn.RNN(3, 4, nonlinearity="sigmoid"))
failure("proj_size", lambda: nn.LSTM(3, 4, proj_size=4))
failure("proj_size gru", lambda: nn.GRU(3, 4, proj_size=2))
failure("dropout", lambda: nn.LSTM(3, 4, dropout=1.5))
failure("hidden zero", lambda: nn.LSTM(3, 0))
failure("layers zero", lambda: nn.GRU(3, 4, num_layers=0))
failure("bias type", lambda: nn.GRU(3, 4, bias=1))
failure("cell input", lambda: fixed(nn.LSTMCell(3, 4))(torch.zeros(2, 5, dtype=torch.float64)))
failure("cell hidden", lambda: fixed(nn.GRUCell(3, 4))(xc, torch.zeros(2, 3, dtype=torch.float64)))
failure("cell batch", lambda: fixed(nn.RNNCell(3, 4))(xc, torch.zeros(3, 4, dtype=torch.float64)))
failure("cell rank", lambda: fixed(nn.GRUCell(3, 4))(torch.zeros(1, 2, 3, dtype=torch.float64)))
failure(
    "lstm cell hx rank",
    lambda: fixed(nn.LSTMCell(3, 4))(xc, (torch.zeros(1, 2, 4, dtype=torch.float64),) * 2),
)
