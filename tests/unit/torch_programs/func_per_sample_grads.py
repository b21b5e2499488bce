# torch.func tutorial: per-sample gradients with functional_call + vmap + grad, checked
# against a loop of ordinary backward passes.
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.func import functional_call, grad, vmap

torch.manual_seed(0)


class SimpleCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, 1)
        self.fc1 = nn.Linear(4 * 3 * 3, 5)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.max_pool2d(x, 2)
        x = torch.flatten(x, 1)
        return F.log_softmax(self.fc1(x), dim=1)


model = SimpleCNN()
data = torch.randn(6, 1, 8, 8)
targets = torch.randint(5, (6,))


def loss_fn(predictions, targets):
    return F.nll_loss(predictions, targets)


def compute_grad(sample, target):
    sample = sample.unsqueeze(0)
    target = target.unsqueeze(0)
    loss = loss_fn(model(sample), target)
    return torch.autograd.grad(loss, list(model.parameters()))


loop_grads = [compute_grad(data[i], targets[i]) for i in range(6)]
loop_grads = [torch.stack(g) for g in zip(*loop_grads)]

params = {k: v.detach() for k, v in model.named_parameters()}
buffers = {k: v.detach() for k, v in model.named_buffers()}


def compute_loss(params, buffers, sample, target):
    batch = sample.unsqueeze(0)
    targets = target.unsqueeze(0)
    predictions = functional_call(model, (params, buffers), (batch,))
    return loss_fn(predictions, targets)


ft_compute_grad = grad(compute_loss)
ft_compute_sample_grad = vmap(ft_compute_grad, in_dims=(None, None, 0, 0))
ft_grads = ft_compute_sample_grad(params, buffers, data, targets)
for (name, g), lg in zip(ft_grads.items(), loop_grads):
    print(name, tuple(g.shape), g.dtype, torch.allclose(g, lg, atol=1e-6))
print(
    round(ft_grads["fc1.weight"].abs().sum().item(), 3),
    ft_grads["fc1.bias"][0].abs().round(decimals=3),
)
print(sorted(ft_grads.keys()), type(ft_grads).__name__)
