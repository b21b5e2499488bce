"""saved_tensors_hooks: pack and unpack calls."""

import pluggrad as torch

packed: list = []


def pack(t):
    packed.append(tuple(t.shape))
    return ("box", t)


def unpack(box):
    print("unpack", box[0])
    return box[1]


x = torch.tensor([1.0, 2.0], requires_grad=True)
with torch.autograd.graph.saved_tensors_hooks(pack, unpack):
    y = x * x
print(packed)
y.sum().backward()
print(x.grad)
