"""Module backward hooks as PyTorch runs them: register_full_backward_hook and
register_full_backward_pre_hook see grad_input (one entry per positional argument) and
grad_output, may replace them, run in order, are removable, and work when no input requires
grad; forward hooks and backward hooks together."""

import pluggrad as torch
from pluggrad import nn


def show(label, grads):
    print(
        label, [None if g is None else [round(v, 5) for v in g.reshape(-1).tolist()] for g in grads]
    )


class Scale(nn.Module):
    def forward(self, x, factor, y=None):
        out = x * factor
        return out if y is None else (out, out + y)


x = torch.tensor([1.0, -2.0, 3.0], dtype=torch.float64, requires_grad=True)
y = torch.tensor([0.5, 0.5, 0.5], dtype=torch.float64, requires_grad=True)

layer = Scale()
h1 = layer.register_full_backward_hook(
    lambda m, gi, go: (show("hook gi", gi), show("hook go", go)) and None
)
h2 = layer.register_full_backward_pre_hook(lambda m, go: show("pre go", go))
layer(x, 2.0).sum().backward()
print("x.grad", x.grad.tolist())
h1.remove()
h2.remove()

x.grad = None
layer.register_full_backward_hook(lambda m, gi, go: (gi[0] * 10, None))
layer.register_full_backward_pre_hook(lambda m, go: (go[0] + 1,))
(layer(x, 3.0) * torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)).sum().backward()
print("replaced x.grad", x.grad.tolist())

two = Scale()
seen: list = []
two.register_full_backward_hook(lambda m, gi, go: seen.append((len(gi), len(go))))
a, b = two(x, 2.0, y)
(a.sum() + 2 * b.sum()).backward()
print("two outputs", seen, y.grad.tolist())

frozen = nn.Linear(3, 2).double()
with torch.no_grad():
    frozen.weight.copy_(torch.tensor([[1.0, 0.0, -1.0], [0.5, 0.5, 0.5]], dtype=torch.float64))
calls: list = []
frozen.register_full_backward_hook(
    lambda m, gi, go: calls.append(
        [None if g is None else g.tolist() for g in gi] + [go[0].tolist()]
    )
)
inputs = torch.tensor([[1.0, 2.0, 3.0]], dtype=torch.float64)  # requires no grad
frozen(inputs).sum().backward()
print("no input grad", calls)

net = nn.Sequential(nn.Linear(3, 3), nn.Tanh(), nn.Linear(3, 1)).double()
with torch.no_grad():
    for p in net.parameters():
        p.copy_(torch.linspace(-0.5, 0.5, p.numel(), dtype=torch.float64).reshape(p.shape))
order: list = []
for i, module in enumerate(net):
    module.register_full_backward_hook(lambda m, gi, go, i=i: order.append(i))
    module.register_forward_hook(lambda m, args, out, i=i: order.append(f"f{i}"))
z = x.detach().requires_grad_()
net(z).sum().backward()
print("order", order, [round(v, 5) for v in z.grad.tolist()])
try:
    bad = Scale()
    bad.register_full_backward_hook(lambda m, gi, go: (None, None, None))
    bad(x, 2.0).sum().backward()
except RuntimeError as exc:
    print("bad", str(exc))
