"""gradcheck and gradgradcheck: passing, failing, raise_exception, tolerances."""

import pluggrad as torch


def first_sentence(e):
    return f"{type(e).__name__}: {str(e).splitlines()[0].split('. ')[0].split(': [')[0]}"


x = torch.tensor([0.5, -1.5, 2.0], dtype=torch.float64, requires_grad=True)
y = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64, requires_grad=True)
print(torch.autograd.gradcheck(lambda a, b: (a * b).sin(), (x, y)))
print(torch.autograd.gradcheck(lambda a: a.exp(), x, eps=1e-6, atol=1e-5, rtol=1e-3))
print(torch.autograd.gradgradcheck(lambda a, b: (a * b).sin(), (x, y)))
print(torch.autograd.gradcheck(lambda a: (a * 2, a.sum()), (x,)))


class Wrong(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a):
        return a * 2

    @staticmethod
    def backward(ctx, g):
        return g * 3


print(torch.autograd.gradcheck(Wrong.apply, (x,), raise_exception=False))
try:
    torch.autograd.gradcheck(Wrong.apply, (x,))
except RuntimeError as e:
    print(type(e).__name__, str(e).splitlines()[0])
print(torch.autograd.gradcheck(Wrong.apply, (x,), atol=10.0, rtol=10.0))
try:
    torch.autograd.gradcheck(lambda a: a * 2, (torch.tensor([1.0], dtype=torch.float64),))
except Exception as e:
    print(first_sentence(e))
