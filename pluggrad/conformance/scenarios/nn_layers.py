"""Layers beyond the first ones, with fixed weights: transposed convolutions (output_padding,
groups, output_size), 1-d pooling and adaptive pooling: repr, values and gradients."""

# (the scenario reads .grad after backward())
# mypy: disable-error-code="union-attr"

import pluggrad as torch
from pluggrad import nn
from pluggrad.conformance.scenarios._common import failure, rounded

x1 = torch.linspace(-2, 2, 2 * 2 * 7, dtype=torch.float64).reshape(2, 2, 7) ** 3
x2 = torch.linspace(-1, 2, 2 * 2 * 5 * 5, dtype=torch.float64).reshape(2, 2, 5, 5).sin()

for name, layer, x, kwargs in [
    ("convT1d", nn.ConvTranspose1d(2, 4, 3, stride=2, output_padding=1, groups=2), x1, {}),
    ("convT2d", nn.ConvTranspose2d(2, 3, (2, 3), stride=2, padding=1, bias=False), x2, {}),
    ("convT2d size", nn.ConvTranspose2d(2, 1, 3, stride=2), x2, {"output_size": [12, 12]}),
    ("convT2d dilated", nn.ConvTranspose2d(2, 2, 2, dilation=2), x2, {}),
    ("maxpool1d", nn.MaxPool1d(3, stride=2, padding=1), x1, {}),
    ("avgpool1d", nn.AvgPool1d(2, ceil_mode=True, count_include_pad=False), x1, {}),
    ("adaptive1d", nn.AdaptiveAvgPool1d(3), x1, {}),
    ("adaptive2d", nn.AdaptiveAvgPool2d((2, 3)), x2, {}),
]:
    layer = layer.double()
    print(layer)
    with torch.no_grad():
        for p in layer.parameters():
            p.copy_(torch.linspace(-0.5, 0.5, p.numel(), dtype=torch.float64).reshape(p.shape))
    leaf = x.detach().requires_grad_()
    out = layer(leaf, **kwargs)
    weights = torch.linspace(-1, 1, out.numel(), dtype=torch.float64).reshape(out.shape)
    (out * weights).sum().backward()
    print(name, list(out.shape), rounded(out.reshape(-1)[:8].tolist()))
    print(name, "grad", rounded(leaf.grad.reshape(-1)[:8].tolist()))
    print(name, "params", [rounded(p.grad.reshape(-1)[:4].tolist()) for p in layer.parameters()])

failure(
    "output_size",
    lambda: nn.ConvTranspose2d(2, 1, 3, stride=2)(x2, output_size=[20, 20]),
    cut=" (for an input",  # (the input's Size prints with its library's name)
)
failure("padding_mode", lambda: nn.ConvTranspose2d(2, 1, 3, padding_mode="reflect"))
