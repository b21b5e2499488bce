"""set_grad_enabled as call, context manager and decorator, mixed with no_grad."""

import pluggrad as torch

x = torch.tensor([1.0], requires_grad=True)
torch.set_grad_enabled(False)
print((x * 2).requires_grad, torch.is_grad_enabled())
torch.set_grad_enabled(True)
print((x * 2).requires_grad)
with torch.set_grad_enabled(False):
    print((x * 2).requires_grad)
    with torch.set_grad_enabled(True):
        print((x * 2).requires_grad)
    print(torch.is_grad_enabled())
print(torch.is_grad_enabled())


@torch.set_grad_enabled(False)
def f():
    return (x * 2).requires_grad


print(f(), torch.is_grad_enabled())
with torch.no_grad():
    print(torch.set_grad_enabled(True).__class__.__name__, torch.is_grad_enabled())
print(torch.is_grad_enabled())


@torch.no_grad()
def gen():
    yield torch.is_grad_enabled()
    yield (x * 1).requires_grad


print(list(gen()), torch.is_grad_enabled())
