"""grad_fn, next_functions, AccumulateGrad.variable, name(), metadata."""

import pluggrad as torch

x = torch.tensor([1.0, 2.0], requires_grad=True)
w = torch.tensor([3.0, 4.0], requires_grad=True)
c = torch.tensor([1.0, 1.0])
y = (x * w + c).sum()


def walk(fn, depth=0):
    if fn is None:
        print("  " * depth + "None")
        return
    extra = ""
    if hasattr(fn, "variable"):
        extra = " variable=" + repr(fn.variable)
    print("  " * depth + fn.name() + extra)
    for nxt, _ in fn.next_functions:
        walk(nxt, depth + 1)


walk(y.grad_fn)
acc_x = y.grad_fn.next_functions[0][0].next_functions[0][0].next_functions[0][0]
print(acc_x.variable is x, acc_x.next_functions)
y.grad_fn.metadata["tag"] = "root"
print(y.grad_fn.metadata)
print(x.grad_fn, x.is_leaf, y.is_leaf, (x * 2).detach().is_leaf)
print(type(y.grad_fn).__name__, isinstance(y.grad_fn, torch.autograd.graph.Node))
