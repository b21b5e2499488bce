"""In-place operations: version counters, grad_fn updates, errors."""

import pluggrad as torch


def first_sentence(e):
    return f"{type(e).__name__}: {str(e).splitlines()[0].split('. ')[0].split(': [')[0]}"


x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x * 1
print(y._version)
y.add_(1)
y.mul_(2)
y.sub_(torch.tensor([1.0, 1.0, 1.0]))
y.div_(2)
y.pow_(2)
print(y, y._version, y.grad_fn.name())
y += 1
y *= 2
y -= 1
y /= 2
print(y, y._version, y.grad_fn.name())
y.clamp_(max=1000.0).exp_()
print(y._version, y.grad_fn.name())
y.sum().backward()
print(x.grad)

# the leaf error
for op in ["add_(1)", "zero_()", "fill_(2.0)", "mul_(2)"]:
    leaf = torch.tensor([1.0], requires_grad=True)
    try:
        eval("leaf." + op)
    except Exception as e:
        print(op, first_sentence(e))
leaf = torch.tensor([1.0], requires_grad=True)
try:
    leaf += 1
except Exception as e:
    print("+=", first_sentence(e))

# a saved tensor modified in place
a = torch.tensor([1.0, 2.0], requires_grad=True)
b = a * 2
c = b * b
b.add_(1)
try:
    c.sum().backward()
except Exception as e:
    print(first_sentence(e))
a = torch.tensor([1.0, 2.0], requires_grad=True)
b = a.exp()
b.mul_(1)
try:
    b.sum().backward()
except Exception as e:
    print(first_sentence(e))
a = torch.tensor([1.0, 2.0], requires_grad=True)
b = a.exp_() if False else a.exp()
b.exp_()
b.clamp_(max=100.0)
try:
    b.sum().backward()
except Exception as e:
    print(first_sentence(e))

# modifying a tensor whose old value is not needed is fine
a = torch.tensor([1.0, 2.0], requires_grad=True)
m = torch.tensor([2.0, 3.0], requires_grad=True)
b = a + 1
b.mul_(3)
b.mul_(m)
b.pow_(2)
b.sum().backward()
print(a.grad, m.grad)

# the SGD step
w = torch.tensor([1.0, 2.0], requires_grad=True)
(w * w).sum().backward()
with torch.no_grad():
    w -= 0.1 * w.grad
print(w, w.is_leaf, w.requires_grad, w.grad_fn, w._version)
w.grad.zero_()
print(w.grad)
with torch.no_grad():
    w.mul_(2).add_(1)
print(w, w.is_leaf)

# fill_, zero_, copy_ record what they do
x = torch.tensor([1.0, 2.0], requires_grad=True)
t = x * 1
t.zero_()
print(t.grad_fn.name())
t = x * 1
t.fill_(3)
print(t.grad_fn.name(), t)
src = torch.tensor([5.0, 6.0], requires_grad=True)
t = x * 1
t.copy_(src)
print(t.grad_fn.name(), t)
t.sum().backward()
print(x.grad, src.grad)

# retain_grad follows the tensor to its new grad_fn; tensor hooks stay with the old value
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x * 2
y.retain_grad()
y.register_hook(lambda g: print("hook on the old value", g))
y.mul_(3)
y.sum().backward()
print(y.grad, x.grad, y.retains_grad)
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x * 2
y.retain_grad()
y[0] = 5.0
(y * y).sum().backward()
print(y.grad, x.grad)
