"""Lazy modules: nn.LazyLinear and nn.LazyConv1d/2d/3d before and after their first forward
(UninitializedParameter's repr and errors, in_features/in_channels taken from the input, the
module turned into Linear/Conv, parameters drawn as the eager module draws them from the same
seed, training after materialisation), and nn.UninitializedParameter.materialize."""

import pluggrad as torch
from pluggrad import nn
from pluggrad.conformance.scenarios._common import failure

lazy = nn.LazyLinear(3)
print(lazy, type(lazy.weight).__name__, repr(lazy.weight), repr(lazy.bias))
print(lazy.in_features, lazy.has_uninitialized_params(), len(list(lazy.parameters())))
failure("shape", lambda: lazy.weight.shape)
failure("numel", lambda: lazy.weight.numel())
print(nn.LazyLinear(4, bias=False), nn.LazyLinear(4, bias=False).bias)

torch.manual_seed(0)
lazy = nn.LazyLinear(3)
out = lazy(torch.ones(2, 5))
torch.manual_seed(0)
eager = nn.Linear(5, 3)
print(lazy, type(lazy).__name__, lazy.in_features, list(lazy.weight.shape), list(out.shape))
print(type(lazy.weight).__name__, lazy.weight.requires_grad, lazy.weight.is_leaf)
same = [bool((a == b).all()) for a, b in ((lazy.weight, eager.weight), (lazy.bias, eager.bias))]
print("drawn as Linear", same)
print("hooks left", len(lazy._forward_pre_hooks), lazy.has_uninitialized_params()
      if hasattr(lazy, "has_uninitialized_params") else "no method")  # fmt: skip

# an optimizer made before the first forward holds the same parameters
model = nn.Sequential(nn.LazyLinear(4), nn.ReLU(), nn.LazyLinear(1))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
x = torch.linspace(-1.0, 1.0, 12).reshape(4, 3)
loss = model(x).pow(2).mean()
loss.backward()
optimizer.step()
print(model)
print([list(p.shape) for p in model.parameters()], [p.grad is not None for p in model.parameters()])
print(
    "stepped", all(p is q for p, q in zip(model.parameters(), optimizer.param_groups[0]["params"]))
)

for make, shape in (
    (lambda: nn.LazyConv1d(4, 3), (2, 3, 7)),
    (lambda: nn.LazyConv2d(4, 3, stride=2, padding=1, bias=False), (2, 3, 6, 5)),
    (lambda: nn.LazyConv2d(4, (2, 3), groups=2), (6, 5, 5)),
    (lambda: nn.LazyConv3d(2, 2), (1, 2, 3, 4, 3)),
):
    conv = make()
    print(conv, repr(conv.weight))
    out = conv(torch.ones(*shape))
    print("  ", conv, type(conv).__name__, list(conv.weight.shape), list(out.shape))
failure("groups", lambda: nn.LazyConv2d(4, 3, groups=2)(torch.ones(1, 3, 5, 5)))

p = nn.UninitializedParameter()
print(repr(p), p.requires_grad, isinstance(p, nn.Parameter))
p.materialize((2, 3))
print(type(p).__name__, list(p.shape), p.requires_grad, str(p.dtype).split(".")[-1])
q = nn.UninitializedParameter(requires_grad=False, dtype=torch.float64)
q.materialize(4)
print(type(q).__name__, list(q.shape), q.requires_grad, str(q.dtype).split(".")[-1])
