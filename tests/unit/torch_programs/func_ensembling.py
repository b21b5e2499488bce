# torch.func tutorial: model ensembling with stack_module_state + functional_call + vmap.
import copy

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.func import functional_call, stack_module_state, vmap

torch.manual_seed(0)


class SimpleMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(8, 16)
        self.fc2 = nn.Linear(16, 4)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


num_models = 3
data = torch.randn(5, 4, 8)
minibatch = data[0]
models = [SimpleMLP() for _ in range(num_models)]
predictions_diff = [m(data[i]) for i, m in enumerate(models)]
predictions_same = [m(minibatch) for m in models]

params, buffers = stack_module_state(models)
print({k: tuple(v.shape) for k, v in params.items()}, buffers)
print(params["fc1.weight"].requires_grad, params["fc1.weight"].is_leaf)

base_model = copy.deepcopy(models[0])
print(
    base_model.fc1.weight.device,
    base_model.fc1.weight.shape,
    base_model.fc1.weight is models[0].fc1.weight,
)


def fmodel(params, buffers, x):
    return functional_call(base_model, (params, buffers), (x,))


out_diff = vmap(fmodel)(params, buffers, data[:num_models])
print(tuple(out_diff.shape), torch.allclose(out_diff, torch.stack(predictions_diff), atol=1e-6))
out_same = vmap(fmodel, in_dims=(0, 0, None))(params, buffers, minibatch)
print(tuple(out_same.shape), torch.allclose(out_same, torch.stack(predictions_same), atol=1e-6))
print(out_same.argmax(-1))
loss = out_same.pow(2).mean()
loss.backward()
print(params["fc2.bias"].grad.shape, params["fc2.bias"].grad.abs().sum().round(decimals=3))
