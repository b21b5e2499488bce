"""PyTorch's errors for in-place changes of views that autograd cannot follow."""

import pluggrad as torch


def attempt(label, fn):
    try:
        fn()
        print(label, "ok")
    except Exception as e:
        print(label, f"{type(e).__name__}: {str(e).split('. ')[0]}")


leaf = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
attempt("view of a leaf", lambda: leaf[0].mul_(2))
attempt("setitem on a leaf", lambda: leaf.__setitem__(0, 1.0))
attempt("transpose of a leaf", lambda: leaf.t().zero_())
with torch.no_grad():
    leaf[0].mul_(2)
    leaf.t()[1] = 0.5
print(leaf.tolist(), leaf.grad_fn, leaf.is_leaf)

base = leaf * 1
with torch.no_grad():
    made_without_grad = base[0]
attempt("no_grad view", lambda: made_without_grad.add_(1))
with torch.no_grad():
    made_without_grad.add_(1)
print(base.tolist())
plain = torch.zeros(2, 2)
with torch.no_grad():
    plain_view = plain[0]
attempt("no_grad view of a tensor without grad", lambda: plain_view.add_(1))
attempt("no_grad view, value with grad", lambda: plain_view.mul_(leaf[0]))

for name, pieces in [
    ("unbind", lambda: base.unbind(0)),
    ("split", lambda: base.split(1)),
    ("chunk", lambda: base.chunk(2, dim=1)),
    ("split sizes", lambda: base.split([1, 1], dim=1)),
]:
    attempt(name, lambda pieces=pieces: pieces()[1].mul_(2))
with torch.no_grad():
    parts = base.unbind(0)
attempt("unbind in no_grad", lambda: parts[0].zero_())
with torch.no_grad():
    parts[0].zero_()
print(base.tolist())
free = torch.zeros(2, 2)
free.unbind(0)[1].fill_(3)
print(free.tolist())

expanded = torch.zeros(3).expand(2, 3)
attempt("expanded", lambda: expanded.add_(1))
attempt("expanded setitem", lambda: expanded.__setitem__((0, 0), 1.0))
attempt("expanded, one row", lambda: torch.zeros(1, 3).expand(1, 3).add_(1))
attempt("detach_ of a view", lambda: (leaf * 1)[0].detach_())
attempt("view of incompatible strides", lambda: leaf.t().view(4))
attempt("as_strided outside", lambda: torch.as_strided(leaf[0], (3,), (1,)))
