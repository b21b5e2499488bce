"""torch.autograd.functional: jacobian, hessian, vjp, jvp, hvp, vhp."""

import pluggrad as torch
from pluggrad.autograd.functional import hessian, hvp, jacobian, jvp, vhp, vjp


def first_sentence(e):
    return f"{type(e).__name__}: {str(e).splitlines()[0].split('. ')[0].split(': [')[0]}"


def f(x):
    return x**2 * 3


def g(x, y):
    return x * y, (x + y).sum()


def s(x, y):
    return (x**2 * y).sum()


x = torch.tensor([1.0, 2.0])
y = torch.tensor([3.0, 4.0])
print(jacobian(f, x))
print(jacobian(f, (x,)))
print(jacobian(g, (x, y)))
print(jacobian(g, (x, y), vectorize=True))
print(jacobian(f, x, create_graph=True).requires_grad)
print(hessian(lambda t: (t**3).sum(), x))
print(hessian(s, (x, y)))
print(vjp(f, x, torch.ones(2)))
print(vjp(lambda t: t.sum(), x))
print(vjp(g, (x, y), (torch.ones(2), torch.tensor(2.0))))
print(jvp(f, x, torch.ones(2)))
print(jvp(g, (x, y), (torch.ones(2), torch.zeros(2))))
print(hvp(lambda t: (t**3).sum(), x, torch.ones(2)))
print(vhp(s, (x, y), (torch.ones(2), torch.ones(2))))
print(hvp(s, (x, y), (torch.ones(2), torch.zeros(2))))
print(jacobian(lambda t: t * 0 + 1, x))
print(jacobian(lambda t: torch.ones(2), x))
try:
    jacobian(lambda t: torch.ones(2), x, strict=True)
except Exception as e:
    print(first_sentence(e))
try:
    vjp(f, x)
except Exception as e:
    print(first_sentence(e))
try:
    jacobian(f, [x])
except Exception as e:
    print(first_sentence(e))
