# mypy: disable-error-code="union-attr"
"""More of torch.nn: activations (values and gradients at the kinks), margin, embedding and
likelihood losses, padding layers, channel dropout, pixel shuffles, distances, interpolate and
scaled_dot_product_attention, with their modules' reprs and a few errors."""

import pluggrad as torch
from pluggrad import nn
from pluggrad.conformance.scenarios._common import check, failure
from pluggrad.nn import functional as F

d = torch.float64
x = torch.tensor([[1.5, -2.0, 0.5, 0.0], [-0.5, 3.0, -3.0, 2.5]], dtype=d)
y = torch.tensor([[1.0, -1.5, 0.0, 0.5], [0.5, 2.0, -2.0, 1.0]], dtype=d)
sign = torch.tensor([[1.0, -1.0, 1.0, -1.0], [-1.0, 1.0, -1.0, 1.0]], dtype=d)
kinks = torch.tensor([-3.0, -0.5, 0.0, 0.5, 3.0, -4.0, 4.0, 1.0], dtype=d)

# activations
for name, fn in [
    ("celu", F.celu),
    ("celu alpha", lambda v: F.celu(v, 0.5)),
    ("selu", F.selu),
    ("mish", F.mish),
    ("softsign", F.softsign),
    ("softshrink", F.softshrink),
    ("softshrink 1", lambda v: F.softshrink(v, 1.0)),
    ("hardshrink", F.hardshrink),
    ("tanhshrink", F.tanhshrink),
    ("hardsigmoid", F.hardsigmoid),
    ("hardswish", F.hardswish),
    ("threshold", lambda v: F.threshold(v, 0.5, -7.0)),
    ("prelu scalar", lambda v: F.prelu(v, torch.tensor([0.25], dtype=d))),
]:
    check(name, fn, kinks)
check("hardswish inplace", lambda v: F.hardswish(v * 1, inplace=True), kinks)
check("selu inplace", lambda v: F.selu(v * 1, inplace=True), kinks)
check("glu", F.glu, x)
check("glu dim0", lambda v: F.glu(v, 0), x)
check("prelu channels", F.prelu, x.reshape(2, 2, 2), torch.tensor([0.1, 0.3], dtype=d))
check("softmax2d", nn.Softmax2d(), x.reshape(1, 2, 2, 2))
prelu = nn.PReLU(2).double()
check("PReLU module", prelu, x.reshape(2, 2, 2))
print("PReLU weight", prelu.weight.tolist(), list(prelu.weight.shape))
for m in [
    nn.CELU(),
    nn.CELU(0.5, True),
    nn.SELU(),
    nn.Mish(),
    nn.Softsign(),
    nn.Softshrink(),
    nn.Hardshrink(0.3),
    nn.Tanhshrink(),
    nn.GLU(),
    nn.Hardsigmoid(),
    nn.Hardswish(True),
    nn.Threshold(0.1, 20.0),
    nn.PReLU(3),
    nn.Softmax2d(),
]:
    print(repr(m))
failure("glu odd", lambda: F.glu(torch.ones(2, 3), 1))
failure("softmax2d 1d", lambda: nn.Softmax2d()(torch.ones(2)))

# losses
a = torch.tensor([0.5, -1.0, 2.0, 0.0], dtype=d)
b = torch.tensor([1.0, -1.0, 0.5, 0.5], dtype=d)
ab_target = torch.tensor([1.0, -1.0, -1.0, 1.0], dtype=d)
for reduction in ["mean", "sum", "none"]:
    check(
        f"margin_ranking {reduction}",
        lambda u, v, r=reduction: F.margin_ranking_loss(u, v, ab_target, 0.5, reduction=r),
        a,
        b,
    )
    check(
        f"hinge_embedding {reduction}",
        lambda u, r=reduction: F.hinge_embedding_loss(u, sign, reduction=r),
        x,
    )
    check(
        f"soft_margin {reduction}",
        lambda u, r=reduction: F.soft_margin_loss(u, sign, reduction=r),
        x,
    )
    check(
        f"multilabel_soft_margin {reduction}",
        lambda u, r=reduction: F.multilabel_soft_margin_loss(u, (sign + 1) / 2, reduction=r),
        x,
    )
    check(
        f"cosine_embedding {reduction}",
        lambda u, v, r=reduction: F.cosine_embedding_loss(
            u, v, torch.tensor([1, -1]), 0.1, reduction=r
        ),
        x,
        y,
    )
    check(
        f"poisson_nll {reduction}",
        lambda u, r=reduction: F.poisson_nll_loss(u, torch.abs(y) * 2, reduction=r),
        x,
    )
    check(
        f"gaussian_nll {reduction}",
        lambda u, v, r=reduction: F.gaussian_nll_loss(u, y, v, reduction=r),
        x,
        torch.abs(y) + 0.1,
    )
    check(
        f"triplet_margin {reduction}",
        lambda u, v, w, r=reduction: F.triplet_margin_loss(u, v, w, reduction=r),
        x,
        y,
        y.flip(0),
    )
check(
    "multilabel weight", lambda u: F.multilabel_soft_margin_loss(u, (sign + 1) / 2, weight=y[0]), x
)
check("poisson full", lambda u: F.poisson_nll_loss(u, torch.abs(y) * 2, full=True), x)
check(
    "poisson not log",
    lambda u: F.poisson_nll_loss(u, torch.abs(y), log_input=False),
    torch.abs(x) + 0.5,
)
check(
    "gaussian full tiny var",
    lambda u, v: F.gaussian_nll_loss(u, y, v, full=True),
    x,
    torch.abs(y) * 0.0 + 1e-8,
)
check(
    "gaussian homoscedastic",
    lambda u, v: F.gaussian_nll_loss(u, y, v),
    x,
    torch.tensor([0.5, 2.0], dtype=d),
)
check(
    "triplet swap p1",
    lambda u, v, w: F.triplet_margin_loss(u, v, w, margin=2.0, p=1, swap=True),
    x,
    y,
    y.flip(0),
)
check("pairwise_distance", F.pairwise_distance, x, y)
check(
    "pairwise_distance p3 keepdim", lambda u, v: F.pairwise_distance(u, v, 3.0, keepdim=True), x, y
)
check("CosineSimilarity dim0", nn.CosineSimilarity(dim=0), x, y)
check("PairwiseDistance module", nn.PairwiseDistance(1.0), x, y)
check("MarginRankingLoss", nn.MarginRankingLoss(0.2, reduction="sum"), a, b, ab_target)
check("TripletMarginLoss", nn.TripletMarginLoss(swap=True), x, y, y.flip(0))
check("GaussianNLLLoss", nn.GaussianNLLLoss(full=True), x, y, torch.abs(y) + 0.5)
for m in [
    nn.MarginRankingLoss(),
    nn.HingeEmbeddingLoss(),
    nn.SoftMarginLoss(),
    nn.MultiLabelSoftMarginLoss(),
    nn.CosineEmbeddingLoss(),
    nn.PoissonNLLLoss(),
    nn.GaussianNLLLoss(),
    nn.TripletMarginLoss(),
    nn.CosineSimilarity(),
    nn.PairwiseDistance(),
]:
    print(repr(m))
failure("gaussian var size", lambda: F.gaussian_nll_loss(x, y, torch.ones(3, 3)))
failure("gaussian var negative", lambda: F.gaussian_nll_loss(x, y, -torch.ones(2, 4)))
failure("triplet margin", lambda: F.triplet_margin_loss(x, y, y, margin=0))

# layers
img = torch.arange(18, dtype=d).reshape(1, 2, 3, 3) * 0.5 - 2.0
for m in [
    nn.ConstantPad1d(2, 1.5),
    nn.ConstantPad2d((1, 0, 2, 1), -1.0),
    nn.ConstantPad3d(1, 2.0),
    nn.ZeroPad1d((1, 2)),
    nn.ZeroPad2d(1),
    nn.ReflectionPad1d(2),
    nn.ReflectionPad2d((1, 2, 2, 1)),
    nn.ReplicationPad1d((1, 3)),
    nn.ReplicationPad2d(1),
    nn.CircularPad1d(2),
    nn.CircularPad2d((1, 0, 0, 2)),
]:
    print(repr(m))
    check(type(m).__name__, m, img[0])
ps = torch.arange(16, dtype=d).reshape(1, 4, 2, 2)
check("pixel_shuffle", lambda v: F.pixel_shuffle(v, 2), ps)
check("pixel_unshuffle", lambda v: F.pixel_unshuffle(v, 2), ps.reshape(1, 1, 4, 4))
print(nn.PixelShuffle(2), nn.PixelUnshuffle(3))
failure("pixel_shuffle channels", lambda: F.pixel_shuffle(torch.ones(1, 3, 2, 2), 2))
failure("pixel_unshuffle height", lambda: F.pixel_unshuffle(torch.ones(1, 1, 3, 4), 2))
line = torch.tensor([[[1.0, -2.0, 0.5, 3.0]]], dtype=d)
check("nearest x2", lambda v: F.interpolate(v, scale_factor=2), line)
check("nearest size 3", lambda v: F.interpolate(v, size=3), line)
check("nearest 1.7", lambda v: F.interpolate(v, scale_factor=1.7), line)
check("linear x2", lambda v: F.interpolate(v, scale_factor=2, mode="linear"), line)
check(
    "linear size 7 corners",
    lambda v: F.interpolate(v, size=7, mode="linear", align_corners=True),
    line,
)
check("linear size 3", lambda v: F.interpolate(v, size=3, mode="linear"), line)
check("bilinear x2", lambda v: F.interpolate(v, scale_factor=2, mode="bilinear"), img)
check(
    "bilinear corners",
    lambda v: F.interpolate(v, size=(4, 5), mode="bilinear", align_corners=True),
    img,
)
check("bilinear 1.5", lambda v: F.interpolate(v, scale_factor=(1.5, 0.7), mode="bilinear"), img)
check("nearest 2d", lambda v: F.interpolate(v, size=(5, 2)), img)
check("Upsample", nn.Upsample(scale_factor=2, mode="bilinear", align_corners=True), img)
for m in [
    nn.Upsample(scale_factor=2),
    nn.Upsample(size=(3, 4), mode="bilinear", align_corners=True),
    nn.Upsample(scale_factor=1.5, mode="linear"),
]:
    print(repr(m))
failure("bilinear 3d", lambda: F.interpolate(line, scale_factor=2, mode="bilinear"))
failure("size and scale", lambda: F.interpolate(line, size=3, scale_factor=2))
failure("nearest corners", lambda: F.interpolate(line, size=3, align_corners=True))

# dropout
feat = torch.ones(4, 6, 3, 3, dtype=d)
for name, fn in [
    ("dropout1d", lambda v: F.dropout1d(v.reshape(4, 6, 9), 0.5)),
    ("dropout2d", lambda v: F.dropout2d(v, 0.5)),
]:
    out = fn(feat)
    per_channel = out.reshape(4, 6, 9)
    whole = bool(((per_channel == 0).all(-1) | (per_channel == 2).all(-1)).all())
    print(name, "whole channels", whole, list(out.shape))
    check(
        name + " eval", lambda v, f=name: getattr(F, f)(v.reshape(2, 2, 2), 0.5, training=False), x
    )
    check(name + " p0", lambda v, f=name: getattr(F, f)(v.reshape(2, 2, 2), 0.0), x)
    check(name + " p1", lambda v, f=name: getattr(F, f)(v.reshape(1, 2, 2, 2)[0], 1.0), x)
out = F.alpha_dropout(torch.ones(2000, dtype=d), 0.2, training=True)
print("alpha_dropout values", sorted({round(v, 5) for v in out.tolist()}))
check("alpha_dropout eval", lambda v: F.alpha_dropout(v, 0.3), x)
check("AlphaDropout eval", nn.AlphaDropout(0.3).eval(), x)
print(nn.Dropout1d(), nn.Dropout2d(0.2), nn.AlphaDropout(0.3))
failure("dropout1d 4d", lambda: F.dropout1d(torch.ones(2, 2, 2, 2), 0.5))

# attention
q = torch.tensor([[[0.5, -1.0], [1.0, 0.2], [-0.3, 0.8]]], dtype=d)
k = torch.tensor([[[0.1, 0.4], [-0.7, 1.2], [0.9, -0.5], [0.3, 0.3]]], dtype=d)
v = torch.tensor([[[1.0, 0.0, -1.0], [0.5, 2.0, 0.1], [-1.5, 0.3, 0.7], [0.2, -0.4, 1.1]]], dtype=d)
bool_mask = torch.tensor(
    [[True, False, True, True], [True, True, False, False], [False, True, True, True]]
)
check("sdpa", F.scaled_dot_product_attention, q, k, v)
check(
    "sdpa bool mask",
    lambda a1, a2, a3: F.scaled_dot_product_attention(a1, a2, a3, attn_mask=bool_mask),
    q,
    k,
    v,
)
check(
    "sdpa float mask",
    lambda a1, a2, a3, m: F.scaled_dot_product_attention(a1, a2, a3, attn_mask=m),
    q,
    k,
    v,
    x[:, :4].repeat(2, 1)[:3],
)
check(
    "sdpa causal scale",
    lambda a1, a2, a3: F.scaled_dot_product_attention(a1, a2, a3, is_causal=True, scale=0.3),
    q,
    k,
    v,
)
failure(
    "sdpa causal and mask",
    lambda: F.scaled_dot_product_attention(q, k, v, attn_mask=bool_mask, is_causal=True),
)
