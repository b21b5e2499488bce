"""Graphs shaped as PyTorch's: scalars on either side of an operator, the nodes' _saved_*
attributes, and the public class path of tensors."""

import pluggrad as torch


def edges(node, depth=0):
    if node is None:
        return
    print(
        "  " * depth + node.name(),
        [None if n is None else n.name() for n, _ in node.next_functions],
    )
    for n, _ in node.next_functions:
        if n is not None and n.next_functions:
            edges(n, depth + 1)


b = torch.tensor([1.0, 2.0], requires_grad=True)
for label, make in [
    ("2 * b", lambda: 2 * b),
    ("b * 2", lambda: b * 2),
    ("2 + b", lambda: 2 + b),
    ("b + 2", lambda: b + 2),
    ("2 - b", lambda: 2 - b),
    ("b - 2", lambda: b - 2),
    ("2 / b", lambda: 2 / b),
    ("b / 2", lambda: b / 2),
    ("2 ** b", lambda: 2**b),
    ("b ** 2", lambda: b**2),
    ("b ** b", lambda: b**b),
    ("-b", lambda: -b),
    ("2.5 * b * b - 1 / b", lambda: 2.5 * b * b - 1 / b),
]:
    y = make()
    print(label, y.tolist())
    edges(y.grad_fn)
    y.sum().backward()
    print("  grad", b.grad.tolist())
    b.grad = None

# what the nodes saved, under PyTorch's names
y = b * b
print(y.grad_fn._saved_self is b, y.grad_fn._saved_other is b)
e = b.exp()
print(
    [round(v, 5) for v in e.grad_fn._saved_result.tolist()], e.grad_fn._saved_result.grad_fn.name()
)
p = b**3
print(p.grad_fn._saved_exponent, p.grad_fn._saved_self is b)
q = 3**b
print(q.grad_fn._saved_exponent is b, q.grad_fn._saved_result.tolist())
s = b.sum()
print(tuple(s.grad_fn._saved_self_sym_sizes))
e.sum().backward()
try:
    print(e.grad_fn._saved_result)
except RuntimeError as err:
    print(str(err).split(".")[0])
try:
    print(y.grad_fn._saved_nothing)
except AttributeError as err:
    print("AttributeError", "_saved_nothing" in str(err))

# the public class paths: pluggrad.Tensor and pluggrad.Size where PyTorch has torch.*
print(repr(type(b)).replace("pluggrad", "torch"), isinstance(b, torch.Tensor))
print(repr(type(b.shape)).replace("pluggrad", "torch"))
