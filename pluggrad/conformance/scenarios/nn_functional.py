"""torch.nn.functional's activations, losses and helpers: values and gradients as PyTorch
computes them (reductions, weights, ignore_index, label_smoothing, pos_weight, padding modes)."""

import pluggrad as torch
from pluggrad.conformance.scenarios._common import check
from pluggrad.nn import functional as F

x = torch.tensor([[1.5, -2.0, 0.5, 0.0], [-0.5, 3.0, -1.0, 2.5]], dtype=torch.float64)
y = torch.tensor([[1.0, -1.5, 0.0, 0.5], [0.5, 2.0, -2.0, 1.0]], dtype=torch.float64)
p = torch.tensor([[0.9, 0.2, 0.5, 0.01], [0.3, 0.7, 0.999, 0.6]], dtype=torch.float64)
t = torch.tensor([[1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 1.0, 0.5]], dtype=torch.float64)
labels = torch.tensor([2, 0])
w = torch.tensor([[0.5, -1.0, 2.0, 0.25], [1.5, 0.5, -0.5, 1.0], [0.2, 0.3, -0.4, 0.1]],
                 dtype=torch.float64)  # fmt: skip
b = torch.tensor([0.1, -0.2, 0.3], dtype=torch.float64)

# activations
check("linear", F.linear, x, w, b)
check("relu", F.relu, x)
check("relu6", lambda v: F.relu6(v * 3), x)
check("hardtanh", F.hardtanh, x)
check("gelu", F.gelu, x)
check("gelu tanh", lambda v: F.gelu(v, approximate="tanh"), x)
check("silu", F.silu, x)
check("sigmoid", F.sigmoid, x)
check("tanh", F.tanh, x)
check("logsigmoid", F.logsigmoid, x)
check("softplus", F.softplus, x)
check("softplus beta threshold", lambda v: F.softplus(v, beta=2.0, threshold=3.0), x)
check("elu", F.elu, x)
check("elu alpha", lambda v: F.elu(v, alpha=0.5), x)
check("leaky_relu", lambda v: F.leaky_relu(v, 0.1), x)
check("softmax", lambda v: F.softmax(v, dim=1), x)
check("log_softmax", lambda v: F.log_softmax(v, dim=0), x)
check("softmin", lambda v: F.softmin(v, dim=1), x)
for name, inplace_call in [
    ("relu", lambda v: F.relu(v, inplace=True)),
    ("hardtanh", lambda v: F.hardtanh(v, -0.5, 1.0, inplace=True)),
    ("silu", lambda v: F.silu(v, inplace=True)),
    ("elu", lambda v: F.elu(v, 0.5, inplace=True)),
    ("leaky_relu", lambda v: F.leaky_relu(v, 0.2, inplace=True)),
]:
    check(f"{name} inplace", lambda v, call=inplace_call: call(v * 1), x)
changed = x.clone()
print("inplace returns its input", F.silu(changed, inplace=True) is changed, changed._version)
check("dropout eval", lambda v: F.dropout(v, 0.3, training=False), x)
check("normalize", F.normalize, x)
check("normalize p1 dim0", lambda v: F.normalize(v, p=1.0, dim=0), x)
check("layer_norm", lambda v: F.layer_norm(v, (4,)), x)
check("layer_norm affine", lambda v, g: F.layer_norm(v, [4], g, g * 0.5), x, y[0])
check("cosine_similarity", F.cosine_similarity, x, y)
check("embedding", lambda e: F.embedding(torch.tensor([[0, 2], [1, 0]]), e), w)
check("embedding padding_idx", lambda e: F.embedding(torch.tensor([0, 2, 1]), e, padding_idx=2), w)
check("pad constant", lambda v: F.pad(v, (1, 2), value=-1.0), x)
check("pad 2d crop", lambda v: F.pad(v, (-1, 1, 1, 0)), x)
check("pad reflect", lambda v: F.pad(v, (2, 1), mode="reflect"), x)
check("pad replicate", lambda v: F.pad(v, (1, 2), mode="replicate"), x)
check("pad circular", lambda v: F.pad(v, (3, 1), mode="circular"), x)
print("one_hot", F.one_hot(torch.tensor([0, 2, 1])).tolist(), F.one_hot(labels, 4).tolist())


# losses
def losses(reduction):
    check(f"mse_loss {reduction}", lambda a, c: F.mse_loss(a, c, reduction=reduction), x, y)
    check(f"l1_loss {reduction}", lambda a, c: F.l1_loss(a, c, reduction=reduction), x, y)
    check(f"smooth_l1_loss {reduction}",
          lambda a, c: F.smooth_l1_loss(a, c, reduction=reduction, beta=0.5), x, y)  # fmt: skip
    check(f"huber_loss {reduction}",
          lambda a, c: F.huber_loss(a, c, reduction=reduction, delta=0.75), x, y)  # fmt: skip
    check(f"bce {reduction}", lambda a: F.binary_cross_entropy(a, t, reduction=reduction), p)
    check(f"bce logits {reduction}",
          lambda a: F.binary_cross_entropy_with_logits(a, t, reduction=reduction), x)  # fmt: skip
    check(f"nll_loss {reduction}",
          lambda a: F.nll_loss(F.log_softmax(a, 1), labels, reduction=reduction), x)  # fmt: skip
    check(f"cross_entropy {reduction}",
          lambda a: F.cross_entropy(a, labels, reduction=reduction), x)  # fmt: skip
    target = F.softmax(y, 1)
    check(f"kl_div {reduction}",
          lambda a: F.kl_div(F.log_softmax(a, 1), target, reduction=reduction), x)  # fmt: skip


for reduction in ("mean", "sum", "none"):
    losses(reduction)
check("bce weight", lambda a: F.binary_cross_entropy(a, t, weight=t + 0.5), p)
check("bce logits pos_weight",
      lambda a: F.binary_cross_entropy_with_logits(a, t, pos_weight=torch.tensor(
          [1.0, 2.0, 0.5, 3.0], dtype=torch.float64)), x)  # fmt: skip
cw = torch.tensor([0.2, 1.0, 3.0, 0.5], dtype=torch.float64)
check("nll weight", lambda a: F.nll_loss(a, labels, weight=cw), x)
check("nll ignore_index", lambda a: F.nll_loss(a, torch.tensor([2, -100]), weight=cw), x)
check("nll 3d", lambda a: F.nll_loss(a.reshape(2, 2, 2), torch.tensor([[0, 1], [1, 1]])), x)
check("cross_entropy weight ignore",
      lambda a: F.cross_entropy(a, torch.tensor([3, 1]), weight=cw, ignore_index=1), x)  # fmt: skip
check("cross_entropy smoothing", lambda a: F.cross_entropy(a, labels, label_smoothing=0.2), x)
check("cross_entropy smoothing weight",
      lambda a: F.cross_entropy(a, labels, weight=cw, label_smoothing=0.1), x)  # fmt: skip
check("cross_entropy smoothing none",
      lambda a: F.cross_entropy(a, torch.tensor([1, -100]), label_smoothing=0.3,
                                reduction="none"), x)  # fmt: skip
check("cross_entropy probabilities", lambda a: F.cross_entropy(a, F.softmax(y, 1)), x)
probabilities = F.softmax(y, 1)
check("cross_entropy probabilities smoothing weight",
      lambda a: F.cross_entropy(a, probabilities, weight=cw, label_smoothing=0.25), x)  # fmt: skip
check("cross_entropy 1d", lambda a: F.cross_entropy(a[0], torch.tensor(3)), x)
check("kl_div batchmean", lambda a: F.kl_div(a, F.softmax(y, 1), reduction="batchmean"), x)
check("kl_div log_target",
      lambda a: F.kl_div(a, F.log_softmax(y, 1), reduction="sum", log_target=True), x)  # fmt: skip
for call in [
    lambda: F.binary_cross_entropy(p * 2, t),
    lambda: F.nll_loss(x, torch.tensor([2, 7])),
    lambda: F.cross_entropy(x, labels, label_smoothing=1.5),
    lambda: F.pad(x, (5, 0), mode="reflect"),
    lambda: F.mse_loss(x, y, reduction="average"),
]:
    try:
        call().sum().item()  # read: a lazy backend (Dask) checks the values when it computes
    except (RuntimeError, ValueError, IndexError) as error:
        print(type(error).__name__, str(error).splitlines()[0])
