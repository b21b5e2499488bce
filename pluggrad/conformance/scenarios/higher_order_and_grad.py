"""backward(create_graph=True), autograd.grad with hooks, inputs=, allow_unused."""

import pluggrad as torch


def first_sentence(e):
    return f"{type(e).__name__}: {str(e).splitlines()[0].split('. ')[0].split(': [')[0]}"


x = torch.tensor([1.0, 2.0], requires_grad=True)
y = (x**3).sum()
y.backward(create_graph=True)
print(x.grad, x.grad.requires_grad, x.grad.grad_fn.name())
g = x.grad
x.grad = None
g.sum().backward()
print(x.grad)

a = torch.tensor([1.0, 2.0], requires_grad=True)
b = torch.tensor([3.0], requires_grad=True)
seen = []
a.register_hook(lambda t: seen.append(("a", t)))
c = a * 2
c.register_hook(lambda t: seen.append(("c", t)))
out = (c * b).sum()
print(torch.autograd.grad(out, a, retain_graph=True))
print(seen)
print(torch.autograd.grad(out, (c, b), retain_graph=True))
print(a.grad, b.grad)
out.backward(inputs=[b], retain_graph=True)
print(a.grad, b.grad)
unused = torch.tensor([1.0], requires_grad=True)
print(torch.autograd.grad(out, (a, unused), allow_unused=True, retain_graph=True))
print(torch.autograd.grad(out, (a, unused), materialize_grads=True, retain_graph=True))
try:
    torch.autograd.grad(out, unused)
except Exception as e:
    print(first_sentence(e))
out.backward()
try:
    out.backward()
except Exception as e:
    print(first_sentence(e))
try:
    torch.tensor([1.0, 2.0], requires_grad=True).mul(2).backward()
except Exception as e:
    print(first_sentence(e))
