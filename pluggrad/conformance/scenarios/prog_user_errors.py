"""The errors beginners' PyTorch programs hit, with PyTorch's messages: products of
mismatched shapes (``Linear``, ``@``, batched), operands that do not broadcast, class targets
of the wrong dtype or shape, embedding indices out of range or not integers, integer means,
non-boolean masks, float gather indices; and ``Embedding(max_norm=...)``, which renormalises
the rows it looks up."""

import pluggrad as torch
from pluggrad import nn
from pluggrad.nn import functional as F


def attempt(label, fn):
    try:
        out = fn()
    except Exception as exc:  # the class can be more than PyTorch's: what it is, is printed
        kind = "RuntimeError" if isinstance(exc, RuntimeError) else type(exc).__name__
        print(label, kind, "|", str(exc).split("\n")[0])
    else:
        print(label, "ok", list(out.shape))


torch.manual_seed(0)
lin = nn.Linear(4, 2)
attempt("linear", lambda: lin(torch.ones(3, 5)))
attempt("linear3d", lambda: lin(torch.ones(2, 3, 5)))
attempt("linear1d", lambda: F.linear(torch.ones(5), torch.ones(2, 4)))
for a, b in [((2, 3), (2, 3)), ((3,), (4,)), ((2, 3), (4,)), ((2, 2, 3), (4,)), ((4,), (2, 3)),
             ((2, 2, 3), (2, 4)), ((5, 2, 3), (5, 4, 2)), ((2, 1, 2, 3), (3, 4, 2)),
             ((3,), (2, 4, 5)), ((2, 3, 4), (3, 4, 6)), ((2, 3, 4), (3, 5, 6))]:  # fmt: skip
    attempt(f"matmul{a}{b}", lambda a=a, b=b: torch.ones(a) @ torch.ones(b))
attempt("add", lambda: torch.ones(2, 3) + torch.ones(3, 2))
attempt("mul", lambda: torch.ones(5, 2, 3) * torch.ones(4, 1, 3))
attempt("where", lambda: torch.where(torch.ones(2) > 0, torch.ones(3), 0.0))
attempt("sub3", lambda: torch.ones(1, 3) - torch.ones(2, 1) - torch.ones(4))
attempt("broadcast", lambda: torch.broadcast_tensors(torch.ones(2), torch.ones(3))[0])

logits = torch.randn(3, 4)
attempt("ce-float", lambda: F.cross_entropy(logits, torch.tensor([1.0, 2.0, 3.0])))
attempt("ce-int-probs", lambda: F.cross_entropy(logits, torch.zeros(3, 4, dtype=torch.int64)))
attempt("ce-batch", lambda: F.cross_entropy(logits, torch.randn(2, 4)))
attempt("ce-multi", lambda: F.cross_entropy(logits, torch.randn(3, 5)))
attempt("nll-int32", lambda: F.nll_loss(logits, torch.tensor([1, 2, 3], dtype=torch.int32)))
attempt("nll-uint8", lambda: F.nll_loss(logits, torch.tensor([1, 2, 3], dtype=torch.uint8)))
attempt("nll-1d", lambda: F.nll_loss(torch.randn(4), torch.randn(2)))

emb = nn.Embedding(5, 2)
attempt("embed-range", lambda: emb(torch.tensor([1, 5])))
attempt("embed-neg", lambda: emb(torch.tensor([-6])))
attempt("embed-float", lambda: emb(torch.tensor([1.0, 2.0])))
attempt("embed-int32", lambda: emb(torch.tensor([1, 4], dtype=torch.int32)))
attempt("mean-long", lambda: torch.tensor([1, 2]).mean())
attempt("mean-bool", lambda: torch.tensor([True]).mean())
attempt("masked-fill", lambda: torch.ones(2).masked_fill(torch.tensor([1, 0]), 0.0))
attempt("masked-fill-f", lambda: torch.ones(2).masked_fill(torch.ones(2), 0.0))
attempt("gather", lambda: torch.ones(2, 3).gather(1, torch.tensor([[0.0]])))
attempt("index-select", lambda: torch.ones(3).index_select(0, torch.tensor([0.0])))
attempt("take", lambda: torch.ones(3).take(torch.tensor([0.0])))

renorm = nn.Embedding(6, 3, max_norm=1.0)
with torch.no_grad():
    renorm.weight.copy_(torch.arange(18.0).reshape(6, 3) / 10 - 0.4)
idx = torch.tensor([[1, 2, 2], [5, 1, 0]])
out = renorm(idx)
print(renorm, list(out.shape))
print([round(n, 5) for n in renorm.weight.norm(dim=1).tolist()])
out.sum().backward()
grad = renorm.weight.grad
assert grad is not None
print(grad.tolist())
w = torch.tensor([[0.5, -1.0], [0.1, 0.1], [2.0, 2.0]], dtype=torch.float64, requires_grad=True)
print(F.embedding(torch.tensor([0, 2]), w, max_norm=0.5, norm_type=1.0).tolist())
print([round(v, 10) for v in w.detach().abs().sum(1).tolist()])
