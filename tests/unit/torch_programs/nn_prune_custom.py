# More of torch.nn.utils.prune: custom_from_mask, identity, random_structured, l1 on a
# parametrised-free model's state_dict, pruning then saving and training.
import torch
from torch import nn
from torch.nn.utils import prune

torch.manual_seed(0)
lin = nn.Linear(4, 3)
prune.custom_from_mask(lin, "weight", mask=torch.tensor([[1, 0, 1, 0]] * 3, dtype=torch.float32))
print(lin.weight_mask, (lin.weight[:, 1] == 0).all())
print(sorted(lin.state_dict().keys()))
prune.identity(lin, "bias")
print(lin.bias_mask, prune.is_pruned(lin))
conv = nn.Conv2d(2, 4, 3)
prune.random_structured(conv, "weight", amount=0.5, dim=0)
print(conv.weight_mask.sum((1, 2, 3)))
prune.l1_unstructured(conv, "weight", amount=0.25)
print(int(conv.weight_mask.sum()), conv.weight_mask.numel())
opt = torch.optim.SGD(lin.parameters(), lr=0.5)
x = torch.randn(8, 4)
for _ in range(5):
    opt.zero_grad()
    lin(x).pow(2).mean().backward()
    opt.step()
print((lin.weight[:, 1] == 0).all(), lin.weight_orig[:, 1].abs().sum() > 0)
prune.remove(lin, "weight")
prune.remove(lin, "bias")
print(sorted(lin.state_dict().keys()), lin._forward_pre_hooks)
try:
    prune.remove(lin, "weight")
except ValueError as e:
    print(e)
try:
    prune.l1_unstructured(lin, "weight", amount=1.5)
except ValueError as e:
    print(e)
try:
    prune.l1_unstructured(lin, "weight", amount=20)
except ValueError as e:
    print(e)
