"""Idioms of tutorial PyTorch programs that once differed: ``torch.where(condition)`` alone
(nonzero as a tuple), ``logspace``, ``broadcast_tensors`` giving back a tensor already of the
common shape (so ``Normal(loc, scale).mean`` is the leaf ``loc``), ``cosine_similarity``
computed as PyTorch does (each side normalised first: parallel vectors give 0.99999994 in
float32, a zero vector's gradient passes the clamped norm), and the reprs of ``ParameterList``
and ``ParameterDict`` inside a module."""

import pluggrad as torch
from pluggrad import nn
from pluggrad.distributions import Normal

x = torch.tensor([[1.0, -2.0, 3.0], [-4.0, 5.0, -6.0]])
rows, cols = torch.where(x < 0)
print("where", rows.tolist(), cols.tolist(), [t.tolist() for t in torch.where(torch.tensor(1.0))])
print("where3", torch.where(x > 0, x, 0.0).tolist(), x.where(x < 0, torch.ones(3)).tolist())
try:
    torch.where(x > 0, x)
except TypeError as exc:
    print("where2", type(exc).__name__, str(exc).split(" - ")[0])

print("logspace", torch.logspace(0, 2, 3).tolist(), torch.logspace(0, 3, 4, base=2).tolist())
print(
    "logspace",
    torch.logspace(0, 2, 3, dtype=torch.int64).tolist(),
    torch.logspace(2, 2, 1).tolist(),
)
print("logspace", [round(v, 10) for v in torch.logspace(-1, 1, 5, dtype=torch.float64).tolist()])
print(
    "logspace",
    torch.logspace(1.5, 3.7, 4, dtype=torch.int32).tolist(),
    torch.logspace(0, 1, 0).tolist(),
)
print(
    "logspace",
    torch.logspace(0.1, 0.7, 7).tolist(),
    torch.logspace(0.0, 1.0, 2, requires_grad=True),
)

a = torch.ones(2, 3, requires_grad=True)
b = torch.zeros(1, 3)
same, wider = torch.broadcast_tensors(a, b)
print("broadcast", same is a, same.grad_fn, type(wider.grad_fn).__name__, b.shape == wider.shape)
loc = torch.tensor([0.0, 1.0], requires_grad=True)
dist = Normal(loc, torch.tensor([1.0, 2.0]))
print("normal", dist.mean is loc, dist.mean, dist.stddev, dist.loc.grad_fn)
print("normal", type(Normal(loc, 1.0).scale.grad_fn).__name__, Normal(0.0, torch.ones(2)).loc)

F = nn.functional
print("cosine", F.cosine_similarity(torch.ones(2, 3), torch.ones(2, 3)).tolist())
u = torch.tensor([[3.0, 4.0, 0.0], [0.0, 0.0, 0.0]], dtype=torch.float64, requires_grad=True)
v = torch.tensor([[1.0, 2.0, 2.0]], dtype=torch.float64, requires_grad=True)
sim = F.cosine_similarity(u, v)
sim.sum().backward()
print("cosine", [round(s, 12) for s in sim.tolist()])
print("cosine", [[round(g, 10) for g in row] for row in u.grad.tolist()])
print("cosine", [[round(g, 10) for g in row] for row in v.grad.tolist()])
print("cosine", nn.CosineSimilarity(dim=0)(x, x.flip(0)).tolist())


class Heads(nn.Module):
    def __init__(self):
        super().__init__()
        self.gains = nn.ParameterList([nn.Parameter(torch.ones(2, 3)), torch.zeros(1)])
        self.single = nn.ParameterList([nn.Parameter(torch.ones(2))])
        self.named = nn.ParameterDict({"alpha": nn.Parameter(torch.tensor(0.5))})
        self.pair = nn.ParameterDict({"a": nn.Parameter(torch.ones(2)), "b": torch.ones(1, 1)})
        self.out = nn.Linear(2, 1)


# a ParameterList names dtypes, which print as pluggrad's outside ``python -m pluggrad run``
print(repr(Heads()).replace("pluggrad.", "torch."))
mixed = nn.ParameterList([nn.Parameter(torch.ones(1)), "x"])
print(nn.ParameterList(), nn.ParameterDict(), repr(mixed).replace("pluggrad.", "torch."))
