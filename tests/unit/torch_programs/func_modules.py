# torch.func with modules: stack_module_state with buffers, replace_all_batch_norm_modules_,
# functional_call with tied weights and strict=True, and a parametrized layer's state_dict.
import torch
import torch.nn as nn
import torch.nn.utils.parametrize as P
from torch.func import functional_call, replace_all_batch_norm_modules_, stack_module_state, vmap

torch.manual_seed(0)
ms = [nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4)) for _ in range(2)]
params, bufs = stack_module_state(ms)
print(sorted(bufs), bufs["1.num_batches_tracked"])
base = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4)).eval()
out = vmap(lambda p, b, x: functional_call(base, (p, b), (x,)), in_dims=(0, 0, None))(
    params, bufs, torch.randn(5, 3)
)
print(out.shape)
net = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
replace_all_batch_norm_modules_(net)
print(net[1].running_mean, net[1].track_running_stats)


class Tied(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(2, 2, bias=False)
        self.b = self.a

    def forward(self, x):
        return self.b(self.a(x))


t = Tied()
print(sorted(dict(t.named_parameters())), sorted(t.state_dict()))
y = functional_call(t, {"a.weight": torch.eye(2) * 2}, (torch.ones(1, 2),))
print(y)
y = functional_call(t, {"a.weight": torch.eye(2) * 2}, (torch.ones(1, 2),), tie_weights=False)
print(y)
try:
    functional_call(
        t, {"a.weight": torch.eye(2), "zzz": torch.ones(1)}, (torch.ones(1, 2),), strict=True
    )
except RuntimeError as e:
    print(e)


class Sym(nn.Module):
    def forward(self, X):
        return X.triu() + X.triu(1).T


l = nn.Linear(3, 3)
P.register_parametrization(l, "weight", Sym())
sd = l.state_dict()
print(sorted(sd))
l2 = nn.Linear(3, 3)
P.register_parametrization(l2, "weight", Sym())
l2.load_state_dict(sd)
print(
    torch.equal(l2.weight, l.weight), P.type_before_parametrizations(l2).__name__, type(l2).__name__
)
print(
    functional_call(
        l, {"parametrizations.weight.original": torch.zeros(3, 3)}, (torch.ones(1, 3),)
    ).equal(l.bias.unsqueeze(0))
)
