"""Autograd through in-place changes of views: the base's history becomes CopySlices, its views
read it again (AsStridedBackward0), and the gradients are PyTorch's, first and second order."""

import pluggrad as torch


def names(t):
    return t.grad_fn.name() if t.grad_fn is not None else None


x = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=torch.float64, requires_grad=True)
w = torch.tensor([2.0, -3.0], dtype=torch.float64, requires_grad=True)

# an in-place operation on a column, with a tensor that requires grad
b = x.clone()
col = b[:, 1]
other = b[0]
col.mul_(w)
print(names(b), names(col), names(other), col._version, b._version)
(b * b).sum().backward()
print(x.grad.tolist(), w.grad.tolist())

# x[key] = value, on a view, with both sides requiring grad
x.grad = w.grad = None
b = x * 1
v = b.t()
v[1] = w * 10
v[2, 0] += w[1]
print(names(b), names(v), b.tolist())
b.pow(2).sum().backward()
print(x.grad.tolist(), w.grad.tolist())

# the base changes in place: a view of it reads the new value
x.grad = None
b = x + 1
d = b.diagonal()
b.mul_(2)
print(names(d), d._version)
(d * torch.tensor([1.0, 2.0], dtype=torch.float64)).sum().backward()
print([round(g, 6) for g in x.grad.flatten().tolist()])

# a view of a tensor that does not require grad gets a value that does
x.grad = w.grad = None
z = torch.zeros(2, 3, dtype=torch.float64)
z[1].copy_(x[0] * w[0])
z.narrow(1, 0, 2).add_(w)
print(z.requires_grad, names(z), z.tolist())
z.sum().backward()
print(x.grad.tolist(), w.grad.tolist())

# unsqueeze/view/transpose chains, second order
x.grad = None
b = x.clone()
chain = b.view(3, 2).t().unsqueeze(0)
chain.sin_()
loss = (b**3).sum()
(g,) = torch.autograd.grad(loss, x, create_graph=True)
print(names(b), [round(v, 6) for v in g.flatten().tolist()])
g.sum().backward()
print([round(v, 6) for v in x.grad.flatten().tolist()])

# real and imag views of a complex tensor
c = torch.tensor([1.0 + 2.0j, 3.0 - 1.0j], dtype=torch.complex128, requires_grad=True)
r = torch.tensor([5.0, 6.0], dtype=torch.float64, requires_grad=True)
cc = c * 1
cc.imag.mul_(r)
print(names(cc), cc.tolist())
cc.abs().sum().backward()
print(
    [(round(v.real, 6), round(v.imag, 6)) for v in c.grad.tolist()],
    [round(v, 6) for v in r.grad.tolist()],
)

# in no_grad mode: the values change, nothing is recorded
x.grad = None
b = x.clone()
view = b[0]
with torch.no_grad():
    view.mul_(100)
print(names(b), names(view), b.tolist())
b.sum().backward()
print(x.grad.tolist())

# as_strided: overlapping windows, and a write through them
x.grad = None
win = torch.as_strided(x, (2, 2), (1, 1), 1)
print(names(win), win.tolist(), win.stride(), win.storage_offset())
win.sum().backward()
print(x.grad.tolist())

# the version counter is shared: a saved view is stale once its base changes
y = x * 2
v = y[0]
out = v * v
y.add_(1)
try:
    out.sum().backward()
except RuntimeError as e:
    print(str(e).split(";")[0])
