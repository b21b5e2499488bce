"""PyTorch's in-place view operations (``t_``, ``transpose_``, ``swapaxes_``, ``squeeze_``,
``unsqueeze_``, ``as_strided_``): the tensor itself takes the view's shape and strides over the
same elements, with PyTorch's nodes, versions and errors."""

import pluggrad as torch


def attempt(label, call):
    try:
        call()
    except RuntimeError as error:
        print(label, "RuntimeError", str(error).split("; expected")[0])
    else:
        print(label, "ok")


x = torch.arange(6.0, dtype=torch.float64).reshape(2, 3).requires_grad_()
a = x * 2
b = a.t_()
print("same object", b is a, tuple(a.shape), a.stride(), a.is_contiguous(), a._version)
print("node", type(a.grad_fn).__name__, [type(n).__name__ for n, _ in a.grad_fn.next_functions])
(a * torch.arange(6.0, dtype=torch.float64).reshape(3, 2)).sum().backward()
print("grad", x.grad.tolist())

for label, change in [
    ("t_ of a row", lambda t: t[0].t_()),
    ("transpose_", lambda t: t.transpose_(0, 2)),
    ("swapaxes_", lambda t: t.swapaxes_(0, 2)),
    ("swapdims_", lambda t: t.swapdims_(1, 2)),
    ("squeeze_", lambda t: t.squeeze_()),
    ("squeeze_ dim", lambda t: t.squeeze_(1)),
    ("squeeze_ dims", lambda t: t.squeeze_((1,))),
    ("unsqueeze_", lambda t: t.unsqueeze_(-1)),
    ("as_strided_", lambda t: t.as_strided_((3, 2), (1, 3))),
]:
    leaf = torch.arange(6.0, dtype=torch.float64).reshape(2, 1, 3).requires_grad_()
    t = leaf * 1
    r = change(t)
    r.pow(2).sum().backward()
    print(label, tuple(r.shape), r.stride(), type(r.grad_fn).__name__, leaf.grad.flatten().tolist())

# the elements stay shared: views taken before keep theirs, writes after land in the storage
m = torch.zeros(2, 3)
column = m[:, 1]
m.t_()
m[0, 1] = 5.0
m[1, 0] = 7.0
print("after t_", m.tolist(), column.tolist(), m.stride())
s = torch.arange(4.0)
row = s.view(2, 2)[1]
s.as_strided_((2, 2), (1, 2))
s.add_(10)
print("as_strided_", s.tolist(), row.tolist())

# errors and versions as PyTorch has them
leaf = torch.ones(2, 3, requires_grad=True)
attempt("leaf t_", lambda: leaf.t_())
attempt("view of leaf unsqueeze_", lambda: leaf[0].unsqueeze_(0))
with torch.no_grad():
    leaf.t_()
print("under no_grad", tuple(leaf.shape), leaf.is_leaf, leaf.grad_fn)
y = torch.ones(3, requires_grad=True) * 1
z = y * y
y.unsqueeze_(0)
attempt("saved then changed", lambda: z.sum().backward())
