"""saved_tensors_hooks: what products, exp and sin save, packed and unpacked in PyTorch's order
(mul saves other before self)."""

import pluggrad as torch

log: list[str] = []


def pack(t):
    log.append(f"pack {tuple(t.shape)}")
    return t


def unpack(t):
    log.append(f"unpack {tuple(t.shape)}")
    return t


a = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
b = torch.tensor([[1.5], [0.5], [2.0]], dtype=torch.float64, requires_grad=True)
with torch.autograd.graph.saved_tensors_hooks(pack, unpack):
    y = (a * b).exp()
    z = y.sin() * a
    loss = (z * z).sum()
loss.backward()
print("\n".join(log))
print([round(v, 6) for v in a.grad.tolist()], [round(v, 6) for v in b.grad.flatten().tolist()])

# inputs first, in the order the formulas use them, then the results: hypot saves self, other
# and result; pow and atan2 their inputs then (pow) the result
log.clear()


def pack_value(t):
    log.append(f"pack {tuple(t.shape)} {round(float(t.sum()), 4)}")
    return t


with torch.autograd.graph.saved_tensors_hooks(pack_value, unpack):
    h = torch.hypot(a, b) + torch.pow(a, b) + torch.atan2(b, a) + a / b
h.sum().backward()
print("\n".join(log))
