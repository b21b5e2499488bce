"""torch.nn.utils' parametrizations as a training program uses them: a symmetric weight
registered with register_parametrization (state_dict keys, parameters, the class swap, the
repr, gradients reaching the original, assignment through right_inverse, caching, removal),
weight normalization trained a few SGD steps, spectral normalization's power iteration (u and v
set, as PyTorch draws them at random), orthogonal weights, the old weight_norm and
spectral_norm hooks, batch-norm fusion, and PyTorch's error messages."""

import warnings

import pluggrad as torch
from pluggrad import nn
from pluggrad.conformance.scenarios._common import failure, fixed, rounded
from pluggrad.nn.utils import parametrize
from pluggrad.nn.utils.parametrizations import orthogonal, spectral_norm, weight_norm


class Symmetric(nn.Module):
    def forward(self, X):
        return X.triu() + X.triu(1).transpose(-1, -2)

    def right_inverse(self, A):
        return A.triu()


class Scale(nn.Module):
    def __init__(self):
        super().__init__()
        self.s = nn.Parameter(torch.tensor(1.5, dtype=torch.float64))

    def forward(self, X):
        return self.s * X


def values(t):
    return rounded(t.detach().tolist())


x = torch.tensor([[0.3, -0.2, 0.5], [0.1, 0.4, -0.6]], dtype=torch.float64)

# register_parametrization: the weight computed from parametrizations.weight.original
m = fixed(nn.Linear(3, 3))
original = m.weight
parametrize.register_parametrization(m, "weight", Symmetric())
print(m)
print(type(m).__name__, parametrize.type_before_parametrizations(m).__name__)
print(list(m.state_dict()), [n for n, _ in m.named_parameters()])
print("same parameter", m.parametrizations.weight.original is original)
print("weight", values(m.weight))
(m(x) ** 2).sum().backward()
print("grad original", values(m.parametrizations.weight.original.grad))
print("grad bias", values(m.bias.grad))
m.weight = torch.eye(3, dtype=torch.float64) * 3
print("after assignment", values(m.parametrizations.weight.original), values(m.weight))
parametrize.register_parametrization(m, "weight", Scale())
print(m.parametrizations.weight)
print([n for n, _ in m.named_parameters()])
with parametrize.cached():
    print("cached", m.weight is m.weight)
print("uncached", m.weight is m.weight)
failure("assign Scale", lambda: setattr(m, "weight", torch.eye(3, dtype=torch.float64)))
parametrize.remove_parametrizations(m, "weight")
print(type(m).__name__, values(m.weight), list(m.state_dict()))

# weight normalization, trained
wn = weight_norm(fixed(nn.Linear(3, 2)))
g, v = wn.parametrizations.weight.original0, wn.parametrizations.weight.original1
print("g", values(g), "v", values(v))
opt = torch.optim.SGD(wn.parameters(), lr=0.1)
for step in range(3):
    opt.zero_grad()
    loss = (wn(x) ** 2).mean()
    loss.backward()
    opt.step()
    print("step", step, rounded(loss.item()), values(g), values(wn.weight))
print(list(wn.state_dict()))

# spectral normalization: power iterations in training mode only
sn = spectral_norm(fixed(nn.Linear(3, 4)))
p = sn.parametrizations.weight[0]
with torch.no_grad():
    p._u.copy_(torch.tensor([0.1, -0.4, 0.5, 0.7], dtype=torch.float64))
    p._v.copy_(torch.tensor([0.6, 0.0, 0.8], dtype=torch.float64))
print(list(sn.state_dict()))
print("train", values(sn(x)), values(p._u), values(p._v))
sn.eval()
print("eval", values(sn.weight), values(p._u))

# orthogonal weights
maps: list[tuple[str, dict]] = [
    ("matrix_exp", {}),
    ("cayley", {"orthogonal_map": "cayley"}),
    ("householder", {"orthogonal_map": "householder", "use_trivialization": False}),
]
for name, kwargs in maps:
    q = orthogonal(fixed(nn.Linear(3, 3)), **kwargs)
    W = q.weight
    (W.sum() ** 2).backward()
    print(name, values(W), values(q.parametrizations.weight.original.grad))
    print("  orthogonal", rounded((W.T @ W).tolist(), 6))

# the old hooks
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    old = nn.utils.weight_norm(fixed(nn.Linear(3, 2)))
print([str(w.message) for w in caught])
print([n for n, _ in old.named_parameters()], values(old.weight_g), values(old(x)))
nn.utils.remove_weight_norm(old)
print(list(old.state_dict()), values(old.weight))
osn = nn.utils.spectral_norm(fixed(nn.Linear(3, 4)))
with torch.no_grad():
    osn.weight_u.copy_(torch.tensor([0.1, -0.4, 0.5, 0.7], dtype=torch.float64))
    osn.weight_v.copy_(torch.tensor([0.6, 0.0, 0.8], dtype=torch.float64))
print(list(osn.state_dict()), values(osn(x)), values(osn.weight_u))
nn.utils.remove_spectral_norm(osn)
print(list(osn.state_dict()), values(osn.weight))

# batch norm folded into the convolution before it
conv, bn = fixed(nn.Conv2d(2, 3, 2)).eval(), fixed(nn.BatchNorm2d(3)).eval()
with torch.no_grad():
    bn.running_mean.copy_(torch.tensor([0.1, -0.2, 0.3], dtype=torch.float64))
    bn.running_var.copy_(torch.tensor([0.5, 1.5, 2.0], dtype=torch.float64))
img = torch.arange(32, dtype=torch.float64).reshape(1, 2, 4, 4) / 10
fused = nn.utils.fuse_conv_bn_eval(conv, bn)
print("fused", values(fused.weight.reshape(-1)[:6]), values(fused.bias))
print("same output", bool(torch.allclose(fused(img), bn(conv(img)))))

# errors
lin = fixed(nn.Linear(3, 3))
failure("missing", lambda: parametrize.register_parametrization(lin, "foo", Symmetric()))
failure("remove", lambda: parametrize.remove_parametrizations(lin, "weight"))
failure("orthogonal 1-d", lambda: orthogonal(lin, "bias"))
failure("spectral iterations", lambda: spectral_norm(lin, n_power_iterations=0))
failure("remove_weight_norm", lambda: nn.utils.remove_weight_norm(lin))
failure("fusion in training", lambda: nn.utils.fuse_conv_bn_eval(conv.train(), bn))
