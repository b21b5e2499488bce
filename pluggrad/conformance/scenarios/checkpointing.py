"""utils.checkpoint gives the gradients of the plain computation."""

import pluggrad as torch
from pluggrad.utils.checkpoint import checkpoint

w = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)


def block(x):
    return (x @ w).tanh() * x


x = torch.tensor([[0.5, -0.25]], requires_grad=True)
block(x).sum().backward()
plain = (x.grad.clone(), w.grad.clone())
x.grad = None
w.grad = None
for reentrant in (False, True):
    out = checkpoint(block, x, use_reentrant=reentrant)
    print(out.grad_fn.name() if reentrant else out.requires_grad)
    out.sum().backward()
    same_x = (x.grad - plain[0]).abs().max().item() < 1e-6
    same_w = (w.grad - plain[1]).abs().max().item() < 1e-6
    print(same_x, same_w)
    x.grad = None
    w.grad = None
