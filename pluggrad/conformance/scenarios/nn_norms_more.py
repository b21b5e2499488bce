"""RMS, instance and 3-d batch normalisation as PyTorch computes them: outputs, gradients,
running statistics (instance norm averages its per-instance estimates over the batch),
unbatched inputs, the default eps of RMSNorm, errors and repr."""

# (the scenario reads .grad after backward())
# mypy: disable-error-code="union-attr"

import pluggrad as torch
from pluggrad import nn
from pluggrad.conformance.scenarios._common import failure, rounded
from pluggrad.nn import functional as F

x3 = torch.linspace(-2, 3, 2 * 3 * 4, dtype=torch.float64).reshape(2, 3, 4) ** 2
x4 = torch.linspace(-1, 2, 2 * 2 * 2 * 3, dtype=torch.float64).reshape(2, 2, 2, 3) ** 3
x5 = torch.linspace(-1, 1, 2 * 2 * 2 * 2 * 2, dtype=torch.float64).reshape(2, 2, 2, 2, 2).exp()

for name, layer, x in [
    ("rms", nn.RMSNorm(4), x3),
    ("rms eps", nn.RMSNorm([3, 4], eps=1e-3), x3),
    ("rms no affine", nn.RMSNorm(3, elementwise_affine=False), x4),
    ("in1d", nn.InstanceNorm1d(3), x3),
    ("in1d affine stats", nn.InstanceNorm1d(3, affine=True, track_running_stats=True), x3),
    ("in1d unbatched", nn.InstanceNorm1d(3, track_running_stats=True, momentum=0.3), x3[0]),
    ("in2d", nn.InstanceNorm2d(2, affine=True), x4),
    ("in3d stats", nn.InstanceNorm3d(2, track_running_stats=True), x5),
    ("bn3d", nn.BatchNorm3d(2), x5),
]:
    layer = layer.double()
    print(layer)
    with torch.no_grad():
        for p in layer.parameters():
            p.copy_(torch.linspace(0.5, 1.5, p.numel(), dtype=torch.float64).reshape(p.shape))
    for step in range(2):
        leaf = (x + step).detach().requires_grad_()
        out = layer(leaf)
        (
            out * torch.linspace(-1, 1, out.numel(), dtype=torch.float64).reshape(out.shape)
        ).sum().backward()
        print(
            name,
            "train",
            list(out.shape),
            rounded(out.reshape(-1)[:6].tolist()),
            rounded(leaf.grad.reshape(-1)[:6].tolist()),
        )
        print(name, "grads", [rounded(p.grad.reshape(-1).tolist()) for p in layer.parameters()])
        print(name, "buffers", [rounded(b.reshape(-1).tolist()) for b in layer.buffers()])
    layer.eval()
    print(name, "eval", rounded(layer(x).reshape(-1)[:6].tolist()))

print("rms float32 eps", rounded(F.rms_norm(x3.float(), (4,)).reshape(-1)[:4].tolist()))
print("rms weight", rounded(F.rms_norm(x3, (3, 4), torch.ones(3, 4, dtype=torch.float64) * 2)
                            .reshape(-1)[:4].tolist()))  # fmt: skip
print("instance_norm", rounded(F.instance_norm(x3).reshape(-1)[:4].tolist()))
failure("rms shape", lambda: F.rms_norm(x3, (3,)))
failure("in1d dims", lambda: nn.InstanceNorm1d(3)(x4))
failure("in2d dims", lambda: nn.InstanceNorm2d(2)(x3[0]))
failure("in1d features", lambda: nn.InstanceNorm1d(5, affine=True)(x3))
failure("in one spatial", lambda: F.instance_norm(torch.ones(2, 3, 1)), cut=" got input size ")
failure("bn3d dims", lambda: nn.BatchNorm3d(2)(x4))

# local response normalisation across channels (3-d and 4-d inputs, even and odd sizes)
for size, x in [(3, x3), (2, x4), (4, x5)]:
    layer = nn.LocalResponseNorm(size, alpha=0.5, beta=0.6, k=1.5)
    leaf = x.detach().requires_grad_()
    out = layer(leaf)
    (
        out * torch.linspace(-1, 1, out.numel(), dtype=torch.float64).reshape(out.shape)
    ).sum().backward()
    print(layer, rounded(out.reshape(-1)[:6].tolist()), rounded(leaf.grad.reshape(-1)[:6].tolist()))
failure("lrn dims", lambda: F.local_response_norm(x3[0], 2))

# the fixed-mode upsampling layers
grid = torch.arange(8, dtype=torch.float64).reshape(1, 2, 2, 2).requires_grad_()
for layer in [nn.UpsamplingNearest2d(scale_factor=2), nn.UpsamplingBilinear2d(size=(3, 3))]:
    out = layer(grid)
    (out * torch.arange(out.numel(), dtype=torch.float64).reshape(out.shape)).sum().backward()
    print(
        layer,
        list(out.shape),
        rounded(out.reshape(-1)[:9].tolist()),
        rounded(grid.grad.reshape(-1).tolist()),
    )
    grid.grad = None

# Gumbel-softmax (properties that hold whatever the generator: JAX draws from its own keys)
logits = torch.linspace(-1, 1, 8, dtype=torch.float64).reshape(2, 4).requires_grad_()
grads = []
for hard in (False, True):
    torch.manual_seed(3)
    sample = F.gumbel_softmax(logits, tau=0.7, hard=hard)
    (sample * torch.arange(8, dtype=torch.float64).reshape(2, 4)).sum().backward()
    grads.append(logits.grad)
    logits.grad = None
    ones = ((sample == 0) | (sample == 1)).all().item()
    print("gumbel", hard, list(sample.shape), rounded(sample.sum(-1).tolist()), ones)
print("gumbel straight through", (grads[0] == grads[1]).all().item())

# adaptive max pooling: PyTorch's windows (overlapping, and more outputs than inputs), indices
planes = (torch.linspace(-2, 2, 2 * 2 * 5 * 4, dtype=torch.float64).reshape(2, 2, 5, 4) * 3).sin()
for layer, x in [
    (nn.AdaptiveMaxPool2d((3, 2), return_indices=True), planes),
    (nn.AdaptiveMaxPool2d((None, 6), return_indices=True), planes[0]),
    (nn.AdaptiveMaxPool1d(3, return_indices=True), planes[:, 0, 0]),
]:
    leaf = x.detach().requires_grad_()
    out, indices = layer(leaf)
    (
        out * torch.linspace(-1, 1, out.numel(), dtype=torch.float64).reshape(out.shape)
    ).sum().backward()
    grad = rounded(leaf.grad.reshape(-1)[:8].tolist())
    print(
        layer,
        list(out.shape),
        rounded(out.reshape(-1)[:6].tolist()),
        indices.reshape(-1)[:6].tolist(),
        grad,
    )
for pool in (F.adaptive_max_pool2d, F.adaptive_avg_pool2d, F.adaptive_max_pool1d):
    failure("adaptive dims", lambda pool=pool: pool(planes[0, 0, 0, :1], 2))

# unfold (im2col) and fold (col2im): blocks with padding, stride and dilation, overlaps summed
images = torch.linspace(-1, 1, 2 * 2 * 5 * 4, dtype=torch.float64).reshape(2, 2, 5, 4).exp()
for unfolder in [nn.Unfold(2), nn.Unfold((2, 3), dilation=(1, 2), padding=1, stride=2)]:
    leaf = images.detach().requires_grad_()
    columns = unfolder(leaf)
    folder = nn.Fold((5, 4), unfolder.kernel_size, unfolder.dilation, unfolder.padding,
                     unfolder.stride)  # fmt: skip
    back = folder(columns)
    (
        back * torch.linspace(-1, 1, back.numel(), dtype=torch.float64).reshape(back.shape)
    ).sum().backward()
    print(unfolder, folder, list(columns.shape), rounded(columns.reshape(-1)[:5].tolist()))
    print(
        "fold", rounded(back.reshape(-1)[:6].tolist()), rounded(leaf.grad.reshape(-1)[:6].tolist())
    )
failure("unfold empty", lambda: F.unfold(images, 6))
failure("unfold dims", lambda: F.unfold(images[0, 0], 2))
failure("fold blocks", lambda: F.fold(torch.ones(1, 4, 5), (3, 3), 2))
failure("fold channels", lambda: F.fold(torch.ones(1, 5, 4), (3, 3), 2))
