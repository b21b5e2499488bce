"""The last of torch.nn's layers: F.max_unpool1d/2d/3d with max pooling's indices (and
output_size), F.lp_pool1d/2d/3d, F.adaptive_max_pool*_with_indices, F.fractional_max_pool2d/3d
with given samples, the 3-d padding layers, F.dropout3d, F.multi_margin_loss,
F.multilabel_margin_loss, F.triplet_margin_with_distance_loss and F.ctc_loss (reductions,
zero_infinity, unnormalised log-probabilities), the lazy norms and transposed convolutions, their
modules' reprs and PyTorch's messages: values, indices and gradients as PyTorch computes them."""

import pluggrad as torch
from pluggrad import nn
from pluggrad.conformance.scenarios._common import check, failure, fixed
from pluggrad.nn import functional as F

# values in a few levels, so that windows hold ties
plane = (torch.arange(2 * 3 * 6 * 8, dtype=torch.float64) * 7 % 11 / 4).reshape(2, 3, 6, 8)
volume = (torch.arange(2 * 2 * 4 * 6 * 6, dtype=torch.float64) * 5 % 13 / 3).reshape(2, 2, 4, 6, 6)
line = (torch.arange(2 * 3 * 9, dtype=torch.float64) * 3 % 7 / 2 - 1).reshape(2, 3, 9)


def unpooled(x, dims, kernel, stride=None, padding=0, output_size=None):
    pool = getattr(F, f"max_pool{dims}d")
    values, indices = pool(x, kernel, stride, padding, return_indices=True)
    unpool = getattr(F, f"max_unpool{dims}d")
    return unpool(values * 2, indices, kernel, stride, padding, output_size=output_size)


check("max_unpool1d", lambda x: unpooled(x, 1, 2), line)
check("max_unpool1d overlapping", lambda x: unpooled(x, 1, 3, 2, 1, [10]), line)
check("max_unpool2d", lambda x: unpooled(x, 2, 2), plane)
check("max_unpool2d output_size", lambda x: unpooled(x, 2, (2, 3), 2, 1, (2, 3, 7, 8)), plane)
check("max_unpool3d", lambda x: unpooled(x, 3, 2), volume)
check("lp_pool1d", lambda x: F.lp_pool1d(x, 2, 3, 2, ceil_mode=True), line.abs() + 0.5)
check("lp_pool2d", lambda x: F.lp_pool2d(x, 1.5, (2, 3)), plane + 0.25)
check("lp_pool3d inf", lambda x: F.lp_pool3d(x, float("inf"), 2), volume)
check("adaptive_max_pool2d_with_indices", lambda x: F.adaptive_max_pool2d_with_indices(x, 3), plane)
samples = torch.tensor([[[0.25, 0.75], [0.5, 0.1], [0.9, 0.3]]] * 2, dtype=torch.float64)
check(
    "fractional_max_pool2d",
    lambda x: F.fractional_max_pool2d(x, 2, 4, return_indices=True, _random_samples=samples),
    plane,
)
samples3 = torch.tensor([[[0.2, 0.6, 0.9], [0.7, 0.4, 0.05]]] * 2, dtype=torch.float64)
check(
    "fractional_max_pool3d",
    lambda x: F.fractional_max_pool3d(x, 2, (2, 3, 4), _random_samples=samples3),
    volume,
)
for layer in (
    nn.ZeroPad3d((1, 0, 2, 1, 0, 1)),
    nn.ReflectionPad3d(1),
    nn.ReplicationPad3d((2, 0, 1, 1, 0, 1)),
    nn.CircularPad3d((1, 2, 0, 1, 1, 0)),
):
    print(repr(layer))
    check("  module", layer, volume[:1])

scores = (torch.arange(20, dtype=torch.float64) * 3 % 7 / 3).reshape(4, 5)
classes = torch.tensor([1, 0, 4, 2])
labels = torch.tensor([[1, 3, -1, 0, 0], [0, -1, 2, 2, 2], [4, 4, 1, 0, -1], [-1, 1, 2, 3, 4]])
for reduction in ("none", "mean", "sum"):
    check(
        f"multi_margin_loss {reduction}",
        lambda x, r=reduction: F.multi_margin_loss(x, classes, p=2, margin=0.8, reduction=r),
        scores,
    )
    check(
        f"multilabel_margin_loss {reduction}",
        lambda x, r=reduction: F.multilabel_margin_loss(x, labels, reduction=r),
        scores,
    )
    check(
        f"triplet_margin_with_distance_loss {reduction}",
        lambda a, p, n, r=reduction: F.triplet_margin_with_distance_loss(
            a, p, n, swap=True, reduction=r
        ),
        scores,
        scores.flip(0),
        scores * 0.5,
    )
logits = (torch.arange(7 * 3 * 5, dtype=torch.float64) * 11 % 17 / 5).reshape(7, 3, 5)
targets = torch.tensor([[1, 2, 2], [3, 1, 0], [4, 4, 1]])
for reduction in ("none", "mean", "sum"):
    check(
        f"ctc_loss {reduction}",
        lambda z, r=reduction: F.ctc_loss(
            z.log_softmax(2), targets, (7, 5, 6), (3, 2, 0), reduction=r
        ),
        logits,
    )
check(
    "ctc_loss unnormalised",
    lambda z: F.ctc_loss(z, targets, torch.tensor([7, 6, 4]), torch.tensor([3, 1, 2])),
    logits,
)
check(
    "ctc_loss zero_infinity",
    lambda z: F.ctc_loss(
        z.log_softmax(2), targets, (2, 5, 1), (3, 2, 0), reduction="sum", zero_infinity=True
    ),
    logits,
)
check(
    "CTCLoss concatenated",
    lambda z: nn.CTCLoss(blank=4)(
        z.log_softmax(2), torch.tensor([1, 2, 2, 3, 1]), (7, 5, 6), (3, 2, 0)
    ),  # fmt: skip
    logits,
)
for module in (
    nn.MaxUnpool2d(2),
    nn.MaxUnpool1d(3, 1, 1),
    nn.LPPool2d(2, 3),
    nn.FractionalMaxPool3d(2, output_ratio=0.5),
    nn.Dropout3d(0.2),
    nn.MultiMarginLoss(p=2),
    nn.MultiLabelMarginLoss(),
    nn.TripletMarginWithDistanceLoss(margin=0.5),
    nn.CTCLoss(zero_infinity=True),
    nn.LazyBatchNorm2d(),
    nn.LazyInstanceNorm1d(affine=False),
    nn.LazyConvTranspose3d(4, 2, stride=2),
):
    print(repr(module))

lazy = nn.LazyConvTranspose2d(6, 3, stride=2, groups=3, dtype=torch.float64)
lazy(plane)
print(repr(lazy), list(lazy.weight.shape), list(lazy.bias.shape))
norm = nn.LazyBatchNorm2d(dtype=torch.float64)
check("LazyBatchNorm2d", norm, plane)
print(repr(norm), list(norm.running_mean.shape), norm.num_batches_tracked.item())
adaptive = fixed(nn.AdaptiveLogSoftmaxWithLoss(8, 16, [4, 10], div_value=2.0, head_bias=True))
print(repr(adaptive))
rows = plane.reshape(-1, 8)[:6]
check(
    "AdaptiveLogSoftmaxWithLoss",
    lambda x: adaptive(x, torch.tensor([0, 3, 7, 12, 15, 5])).output,
    rows,
)
check("AdaptiveLogSoftmaxWithLoss log_prob", adaptive.log_prob, rows[:2])
print("predict", adaptive.predict(rows).tolist())
failure("adaptive cutoffs", lambda: nn.AdaptiveLogSoftmaxWithLoss(8, 16, [4, 16]))
failure("adaptive target", lambda: adaptive(rows, torch.tensor([0, 3, 7, 12, 16, 5])))
# the draws are the backend's generator's: only their pattern is compared (whole channels)
channels = F.dropout3d(torch.ones(2, 4, 1, 1, 2), 0.5).reshape(8, 2).tolist()
print("dropout3d", all(a == b and a in (0.0, 2.0) for a, b in channels))
print("dropout3d eval", F.dropout3d(torch.ones(1, 2, 1, 1, 1), 0.5, training=False).tolist())

failure("unpool rank", lambda: F.max_unpool2d(plane[0, 0], plane[0, 0].long(), 2))
failure("unpool output_size", lambda: unpooled(plane, 2, 2, output_size=(9, 9)))
failure("unpool float indices", lambda: F.max_unpool2d(plane, plane, 2))
failure("multi_margin p", lambda: F.multi_margin_loss(scores, classes, p=3))
failure("multi_margin target size", lambda: F.multi_margin_loss(scores, classes[:2]))
failure("multilabel target size", lambda: F.multilabel_margin_loss(scores, classes))
failure("triplet margin", lambda: nn.TripletMarginWithDistanceLoss(margin=0))
failure("ctc input length", lambda: F.ctc_loss(logits, targets, (8, 5, 6), (3, 2, 0)))
failure("ctc blank", lambda: F.ctc_loss(logits, targets, (7, 5, 6), (3, 2, 0), blank=5))
failure("ctc target length", lambda: F.ctc_loss(logits, targets, (7, 5, 6), (4, 2, 0)))
failure(
    "fractional pool size", lambda: F.fractional_max_pool2d(plane, 2, 7, _random_samples=samples)
)
failure("fractional module", lambda: nn.FractionalMaxPool2d(2))
failure("pad replicate rank", lambda: nn.ReplicationPad3d(1)(volume[0, 0]))
failure("pad circular rank", lambda: nn.CircularPad3d(1)(volume[0, 0]))
failure(
    "lazy transposed rank",
    lambda: nn.LazyConvTranspose2d(2, 2)(volume),
    cut=(" torch.Size", " pluggrad.Size"),
)
