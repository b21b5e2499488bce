"""Tensor.__setitem__: CopySlices, gradients to the old value and to the written value."""

import pluggrad as torch


def first_sentence(e):
    return f"{type(e).__name__}: {str(e).splitlines()[0].split('. ')[0].split(': [')[0]}"


x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x.clone()
y[0] = 5
print(y, y.grad_fn.name(), y._version)
print([(n.name() if n is not None else None, i) for n, i in y.grad_fn.next_functions])
y.sum().backward()
print(x.grad)

# a value that requires grad
x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
v = torch.tensor([10.0, 20.0], requires_grad=True)
y = x * 1
y[1] = v * 2
print(y)
(y * y).sum().backward()
print(x.grad)
print(v.grad)

# keys: slices, ellipsis, None, int arrays, bool masks; value broadcasting
base = torch.arange(12.0).reshape(3, 4)
for key in [
    (slice(0, 2), 1),
    (Ellipsis, 0),
    (None, 1),
    (torch.tensor([0, 2]),),
    (torch.tensor([0, 2]), torch.tensor([1, 3])),
    (base > 6,),
    (slice(None), slice(1, 3)),
    (1, slice(None, None, 2)),
]:
    x = base.clone().requires_grad_()
    y = x * 1
    value = torch.tensor(-1.0, requires_grad=True)
    y[key if len(key) > 1 else key[0]] = value
    y.sum().backward()
    print(y)
    print(x.grad, value.grad)

# broadcasting a row into a block
x = torch.zeros(3, 4, requires_grad=True)
y = x + 0
row = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
y[1:] = row
(y * torch.arange(12.0).reshape(3, 4)).sum().backward()
print(y)
print(x.grad)
print(row.grad)

# plain tensors, integer dtypes
t = torch.zeros(2, 3, dtype=torch.int64)
t[0, 1] = 7
t[1] = torch.tensor([1, 2, 3])
print(t, t._version)

# errors
leaf = torch.tensor([1.0, 2.0], requires_grad=True)
try:
    leaf[0] = 1.0
except Exception as e:
    print(first_sentence(e))
with torch.no_grad():
    leaf[0] = 9.0
print(leaf, leaf.is_leaf)

a = torch.tensor([1.0, 2.0], requires_grad=True)
b = a * 1
c = b.exp()
b2 = b * b
b[0] = 0
try:
    b2.sum().backward()
except Exception as e:
    print(first_sentence(e))
c.sum().backward(retain_graph=True)
print(a.grad)
out = c * 1
c[1] = 3.0
try:
    c.sum().backward()
except Exception as e:
    print(first_sentence(e))

# second order through setitem
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x * x
y[1] = x[0] ** 3
(g,) = torch.autograd.grad(y.sum(), x, create_graph=True)
print(g)
(gg,) = torch.autograd.grad(g.sum(), x)
print(gg)
