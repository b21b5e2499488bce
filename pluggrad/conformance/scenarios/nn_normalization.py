"""Batch and group normalisation as PyTorch computes them: outputs, gradients, running
statistics in training, evaluation mode, momentum=None (a cumulative average), without
running statistics, without affine parameters, errors and repr."""

# (the scenario reads .grad after backward())
# mypy: disable-error-code="union-attr"

import pluggrad as torch
from pluggrad import nn
from pluggrad.conformance.scenarios._common import failure, rounded
from pluggrad.nn import functional as F

x2 = torch.tensor([[1.0, -2.0, 0.5], [3.0, 0.0, -1.5], [0.5, 2.5, 1.0], [-1.0, 1.0, 2.0]],
                  dtype=torch.float64)  # fmt: skip
x4 = torch.linspace(-2, 3, 2 * 3 * 2 * 2, dtype=torch.float64).reshape(2, 3, 2, 2) ** 2

for name, layer, x in [
    ("bn1d", nn.BatchNorm1d(3), x2),
    ("bn1d momentum None", nn.BatchNorm1d(3, momentum=None), x2),
    ("bn1d no stats", nn.BatchNorm1d(3, track_running_stats=False), x2),
    ("bn2d", nn.BatchNorm2d(3, affine=False), x4),
    ("bn2d 3d-free", nn.BatchNorm2d(3, eps=1e-3, momentum=0.3), x4),
    ("gn", nn.GroupNorm(1, 3), x4),
    ("gn3", nn.GroupNorm(3, 3, affine=False), x4),
]:
    layer = layer.double()
    print(layer)
    with torch.no_grad():
        for p in layer.parameters():
            p.copy_(torch.linspace(0.5, 1.5, p.numel(), dtype=torch.float64))
    for step in range(2):
        leaf = (x + step).detach().requires_grad_()
        out = layer(leaf)
        (
            out * torch.linspace(-1, 1, out.numel(), dtype=torch.float64).reshape(out.shape)
        ).sum().backward()
        print(
            name,
            "train",
            rounded(out.reshape(-1)[:6].tolist()),
            rounded(leaf.grad.reshape(-1)[:6].tolist()),
        )
        print(name, "grads", [rounded(p.grad.tolist()) for p in layer.parameters()])
        print(name, "buffers", [rounded(b.tolist()) for b in layer.buffers()])
    layer.eval()
    print(name, "eval", rounded(layer(x).reshape(-1)[:6].tolist()))

failure("1d shape", lambda: nn.BatchNorm1d(3)(torch.zeros(2, 3, 4, 5)))
failure("2d shape", lambda: nn.BatchNorm2d(3)(torch.zeros(2, 3)))
try:  # (the message ends with the shape, which each library's Size prints with its name)
    nn.BatchNorm1d(3)(torch.zeros(1, 3))
except ValueError as exc:
    print("one value", str(exc).split("input size")[0])
failure("groups", lambda: nn.GroupNorm(2, 3))
failure("F groups", lambda: F.group_norm(torch.zeros(2, 3), 2))
out = F.batch_norm(x2, None, None, training=True)
print("F no stats", rounded(out[0].tolist()))
