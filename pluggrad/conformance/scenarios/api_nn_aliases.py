"""The ``torch.*`` names of ``nn.functional``'s functions, with the operators' own signatures
(``torch.dropout(input, p, train)``, ``torch.embedding(weight, indices)``, ``torch.batch_norm``
with every argument, the losses' ``reduction`` as an int), their in-place forms
(``torch.relu_``...), ``F.pdist``, ``F.channel_shuffle``, ``F.rrelu`` and
``F.feature_alpha_dropout``, ``nn.ChannelShuffle``, and ``Tensor.prelu``/``hardshrink``:
values, gradients and errors, and gradcheck/gradgradcheck in float64."""

import pluggrad as torch
from pluggrad import nn
from pluggrad.autograd import gradcheck, gradgradcheck
from pluggrad.conformance.scenarios._common import check, failure, rounded

F = nn.functional
ALIASES = """conv1d conv2d conv3d conv_transpose1d conv_transpose2d conv_transpose3d
cosine_similarity pairwise_distance pdist pixel_shuffle pixel_unshuffle channel_shuffle prelu
hardshrink bilinear adaptive_avg_pool1d""".split()
# these are the functionals themselves (their values: the nn_* scenarios)
print("aliases", [name for name in ALIASES if getattr(torch, name) is not getattr(F, name)])
x = torch.tensor([[0.5, -1.5, 2.0, -0.25], [1.0, 0.75, -2.5, 3.0], [-0.5, 0.0, 1.25, -1.0]])
y = torch.tensor([[1.0, 0.5, -1.0, 2.0], [0.25, -0.5, 1.5, 1.0], [2.0, -1.0, 0.5, 0.5]])
img = torch.arange(48.0).reshape(2, 6, 2, 2) / 10 - 2
x64 = x.double()

check("pdist", lambda a: torch.pdist(a), x)
check("pdist1", lambda a: F.pdist(a, p=1), x)
check("pdist_inf", lambda a: torch.pdist(a, float("inf")), x)
check("channel_shuffle", lambda a: torch.channel_shuffle(a, 3)[0, :, 0], img)
check("F.channel_shuffle", lambda a: F.channel_shuffle(a, 2)[1, :, 1], img)
print("ChannelShuffle", nn.ChannelShuffle(2), nn.ChannelShuffle(3)(img)[0, :, 0, 0].tolist())
failure("channel_shuffle2d", lambda: torch.channel_shuffle(x, 2))
failure("channel_shuffle0", lambda: torch.channel_shuffle(img, 0))
failure("channel_shuffle4", lambda: torch.channel_shuffle(img, 4))
failure("pdist3d", lambda: torch.pdist(img))
failure("pdist_int", lambda: torch.pdist(x.long()))
failure("pdist_p", lambda: torch.pdist(x, -1.0))
print("pdist_one", torch.pdist(x[:1]).shape == (0,), list(torch.pdist(x[:2]).shape))

# dropouts: positional (input, p, train), RuntimeError for p
print("dropout_eval", torch.dropout(x, 0.5, False) is x, torch.alpha_dropout(x, 0.3, False) is x)
print("dropout_p0", torch.dropout(x, 0.0, True) is x, torch.feature_dropout(x, 0.0, True) is x)
failure("dropout_p", lambda: torch.dropout(x, 1.5, True))
failure("dropout_p_F", lambda: F.dropout(x, 1.5, True))
failure("alpha_dropout_p", lambda: torch.alpha_dropout(x, -0.1, True))
failure("feature_dropout1d", lambda: torch.feature_dropout(x[0], 0.5, True))
failure("dropout_args", lambda: torch.dropout(x, 0.5))
failure("dropout_args2", lambda: torch.feature_alpha_dropout(x))
failure("threshold_args", lambda: torch.threshold_(x, 0.5))
failure("batch_norm_args", lambda: torch.batch_norm(img, None, None))
print("dropout_one", torch.dropout(x, 1.0, True).tolist())
# the draws themselves are PyTorch's on NumPy (test_random_aliases); here what holds on JAX too
big = torch.arange(1.0, 201.0).reshape(20, 10) / 50 - 2


def kept(out, scale=2.0, base=big, shift=0.0, drop=0.0):
    """Whether each element is dropped (to `drop`) or kept (``base * scale + shift``), and
    some of both happened."""
    dropped, scaled = (out - drop).abs() < 1e-4, (out - base * scale - shift).abs() < 1e-4
    return bool((dropped | scaled).all()), bool(dropped.any()), bool(scaled.any())


wide = big[:, :, None].expand(20, 10, 3)
print("dropout", kept(torch.dropout(big, 0.5, True)), kept(torch.dropout(big, 0.75, True), 4.0))
print("feature_dropout", kept(torch.feature_dropout(wide, 0.5, True), base=wide))
out = torch.feature_dropout(wide, 0.5, True)
print("feature_dropout_channels", bool((out.std(dim=2) < 1e-6).all()))
# SELU's dropout: a dropped element is -alpha' a (1 - p), a kept one a x + alpha' a p
a = 1.0 / ((1.7580993408473766**2 * 0.5 + 1) * 0.5) ** 0.5
b = 1.7580993408473766 * a * 0.5
print("alpha_dropout", kept(torch.alpha_dropout(big, 0.5, True), a, big, b, -b))
print("F.alpha_dropout", kept(F.alpha_dropout(big, 0.5, True), a, big, b, -b))
out = torch.feature_alpha_dropout(wide, 0.5, True)
print("feature_alpha", kept(out, a, wide, b, -b), bool((out.std(dim=2) < 1e-6).all()))
out = F.feature_alpha_dropout(wide, 0.5, True)
print("F.feature_alpha", kept(out, a, wide, b, -b), bool((out.std(dim=2) < 1e-6).all()))
z = big.clone()
print("dropout_", torch.dropout_(z, 0.5, True) is z, kept(z))
z = big.clone()
print("alpha_dropout_", torch.alpha_dropout_(z, 0.5, True) is z, kept(z, a, big, b, -b))
z = wide.clone()
print("feature_dropout_", torch.feature_dropout_(z, 0.5, True) is z, kept(z, base=wide))
z = wide.clone()
print(
    "feature_alpha_dropout_",
    torch.feature_alpha_dropout_(z, 0.5, True) is z,
    kept(z, a, wide, b, -b),
)
for name, out in [
    ("rrelu_train", torch.rrelu(big, 0.1, 0.3, True)),
    ("F.rrelu_train", F.rrelu(big, training=True)),
    ("rrelu_", torch.rrelu_(big.clone(), 0.1, 0.3, True)),
    ("F.rrelu_inplace", F.rrelu(big.clone(), 0.1, 0.3, True, True)),
]:
    slopes = out[big < 0] / big[big < 0]
    print(
        name,
        bool((out[big >= 0] == big[big >= 0]).all()),
        bool(slopes.min() >= 0.1),
        bool(slopes.max() < 1 / 3),
        bool(slopes.std() > 0.01),
    )
leaf = big.double().requires_grad_()
out = torch.rrelu(leaf, training=True)
out.sum().backward()
nonzero = leaf.detach() != 0
print("rrelu_grad", bool(((leaf.grad - out / leaf).abs()[nonzero] < 1e-12).all()))

# activations and their in-place forms
check("rrelu_eval", lambda a: torch.rrelu(a), x)
check("F.rrelu_eval", lambda a: F.rrelu(a, 0.2, 0.4), x)
check("prelu", lambda a, w: torch.prelu(a, w), x, torch.tensor([0.25, 0.5, 0.1, 0.2]))
check("prelu_method", lambda a, w: a.prelu(w), x, torch.tensor([0.3]))
check("selu", lambda a: torch.selu(a), x)
check("celu", lambda a: torch.celu(a, 2.0), x)
check("threshold", lambda a: torch.threshold(a, 0.6, -3.0), x)
check("hardshrink", lambda a: torch.hardshrink(a, 0.6), x)
check("hardshrink_method", lambda a: a.hardshrink(), x)
check("hardshrink_method1", lambda a: a.hardshrink(1.1), x)
for name, args in [("relu_", ()), ("selu_", ()), ("celu_", (0.5,)), ("threshold_", (0.6, 9.0))]:
    z = x.clone()
    print(name, getattr(torch, name)(z, *args) is z, rounded(z.tolist()))
    leaf = x.clone().requires_grad_()
    leaf2 = leaf * 1
    getattr(torch, name)(leaf2, *args).sum().backward()
    print(" ", type(leaf2.grad_fn).__name__ != "MulBackward0", rounded(leaf.grad.tolist()))
failure("relu_leaf", lambda: torch.relu_(x.clone().requires_grad_()))
failure("selu_args", lambda: torch.selu(x, True))  # type: ignore[call-arg]

# normalizations, embedding, pooling
check("layer_norm", lambda a, w, b: torch.layer_norm(a, [4], w, b, 1e-5, False), x,
      torch.tensor([1.0, 2.0, 0.5, 1.5]), torch.tensor([0.0, 1.0, -1.0, 0.5]))  # fmt: skip
check("layer_norm2", lambda a: torch.layer_norm(a, (3, 4)), x)
check("group_norm", lambda a: torch.group_norm(a, 3), img[:, :, 0])


def check4(label, make, *inputs):
    """The output and gradients (of the output's sum) to 4 places: JAX sums in another order,
    so float32 normalizations differ in the fifth."""
    leaves = [t.detach().clone().requires_grad_() for t in inputs]
    out = make(*leaves)
    (out * out.detach().clone().uniform_(0.5, 0.5)).sum().backward()
    grads = [rounded(t.grad.tolist(), 4) if t.grad is not None else None for t in leaves]
    print(label, list(out.shape), rounded(out.detach().tolist(), 4), grads)


img64 = img.double()
check4("group_norm_affine", lambda a, w: torch.group_norm(a, 2, w, None, 1e-3), img64[:, :, 0],
      torch.arange(6.0).double() / 3)  # fmt: skip
mean, var = torch.zeros(6, dtype=torch.float64), torch.ones(6, dtype=torch.float64)
check4("batch_norm", lambda a: torch.batch_norm(a, None, None, mean, var, True, 0.1, 1e-5, False),
      img64)  # fmt: skip
print("running", rounded(mean.tolist()), rounded(var.tolist()))
check4("batch_norm_eval", lambda a, w: torch.batch_norm(a, w, None, mean, var, False, 0.1, 1e-5,
      False), img64, torch.arange(6.0).double())  # fmt: skip
check("instance_norm", lambda a: torch.instance_norm(a, None, None, None, None, True, 0.1, 1e-5,
      False), img[:, :, 0].double())  # fmt: skip
weight = torch.arange(15.0).reshape(5, 3) / 7
check("embedding", lambda w: torch.embedding(w, torch.tensor([[1, 2], [4, 1]])), weight)
check("embedding_pad", lambda w: torch.embedding(w, torch.tensor([0, 2, 2]), 2), weight)
check("embedding_neg", lambda w: torch.embedding(w, torch.tensor([4, 3]), -1), weight)
check("max_pool1d", lambda a: torch.max_pool1d(a, 2), x[None])
check("max_pool1d_with_indices", lambda a: torch.max_pool1d_with_indices(a, 2, 1), x[None])
check("max_pool1d_s", lambda a: torch.max_pool1d(a, 2, 1, 1, 1, True), x[None])
check("max_pool2d", lambda a: torch.max_pool2d(a, 2, 1), img[:1, :2])
check("max_pool3d", lambda a: torch.max_pool3d(a, (1, 2, 2)), img[:1, None, :2])
check("avg_pool1d", lambda a: torch.avg_pool1d(a, 3, 1, 1, False, False), x[None])
check("adaptive_max_pool1d", lambda a: torch.adaptive_max_pool1d(a, 2), x[None])
check("constant_pad_nd", lambda a: torch.constant_pad_nd(a, [1, 2], 1.5), x)
check("constant_pad_nd2", lambda a: torch.constant_pad_nd(a, (0, -1, 1, 0)), x)
failure("constant_pad_odd", lambda: torch.constant_pad_nd(x, [1]))
failure("constant_pad_long", lambda: torch.constant_pad_nd(x, [1, 2, 3, 4, 5, 6]))

# losses with reduction as an int
target = torch.tensor([0.2, 0.9, 0.4, 0.6])
check("kl_div", lambda a: torch.kl_div(a, target), x)
check("kl_div_sum", lambda a: torch.kl_div(a, x * 0.5, 2, log_target=True), y)
check("kl_div_mean", lambda a: torch.kl_div(a, target, 1), x)
check("kl_div_none", lambda a: torch.kl_div(a, target, 0), x)
check("kl_div_3", lambda a: torch.kl_div(a, target, 3), x[0])
failure("kl_div_str", lambda: torch.kl_div(x, target, "mean"))  # type: ignore[arg-type]
check("bce_logits", lambda a: torch.binary_cross_entropy_with_logits(a, target.expand(3, 4)), x)
check(
    "bce_logits_w",
    lambda a: torch.binary_cross_entropy_with_logits(
        a, target.expand(3, 4), torch.tensor([1.0, 2.0, 0.5, 1.0]), torch.tensor([2.0]), 2
    ),
    x,
)
check("cosine_embedding", lambda a, b: torch.cosine_embedding_loss(a, b, torch.tensor([1, -1, 1]),
      0.1), x, y)  # fmt: skip
check("hinge_embedding", lambda a: torch.hinge_embedding_loss(a, torch.tensor([1.0, -1, 1, -1]),
      1.0, 0), x)  # fmt: skip
check("margin_ranking", lambda a, b: torch.margin_ranking_loss(a, b, torch.ones(4), 0.2, 2),
      x[0], y[0])  # fmt: skip
check("poisson_nll", lambda a: torch.poisson_nll_loss(a, y.abs(), True, True, 1e-8, 1), x)
check("poisson_nll_none", lambda a: torch.poisson_nll_loss(a, y.abs(), False, False, 0.5, 0),
      x.abs())  # fmt: skip
check("triplet_margin", lambda a, b, c: torch.triplet_margin_loss(a, b, c, 0.5, 1.0, 1e-6, True),
      x, y, y.flip(0))  # fmt: skip
failure("poisson_args", lambda: torch.poisson_nll_loss(x, y, True))

# gradcheck and gradgradcheck in float64
y64 = y.double()
x64 = x64 + 0.125  # no element at the kinks of prelu, selu, rrelu
funcs = [
    ("pdist", lambda a: torch.pdist(a), (x64,)),
    ("pdist1.5", lambda a: torch.pdist(a, 1.5), (x64,)),
    ("channel_shuffle", lambda a: torch.channel_shuffle(a, 2), (img64,)),
    ("prelu", lambda a, w: torch.prelu(a, w), (x64, torch.tensor([0.25, 0.5, 0.1, 0.2]).double())),
    ("selu", torch.selu, (x64,)),
    ("celu", lambda a: torch.celu(a, 2.0), (x64,)),
    ("rrelu", lambda a: torch.rrelu(a), (x64,)),
    ("layer_norm", lambda a: torch.layer_norm(a, [4]), (x64,)),
    ("group_norm", lambda a: torch.group_norm(a, 3), (img64[:, :, 0],)),
    ("kl_div", lambda a, b: torch.kl_div(a, b, 1, log_target=True), (x64, y64)),
    (
        "margin_ranking",
        lambda a, b: torch.margin_ranking_loss(a, b, torch.ones(4).double()),
        (x64[0], y64[0]),
    ),
    ("constant_pad_nd", lambda a: torch.constant_pad_nd(a, [1, 1, 0, 1], 2.0), (x64,)),
]
for name, fn, inputs in funcs:
    leaves = [t.detach().clone().requires_grad_() for t in inputs]
    # PyTorch has no second derivative of pdist (_pdist_backward)
    second = gradgradcheck(fn, leaves) if not name.startswith("pdist") else "-"
    print("gradcheck", name, gradcheck(fn, leaves), second)
