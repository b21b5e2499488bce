"""torch.func: per-sample gradients of a CNN (the tutorial's functional_call + grad + vmap),
a model ensemble (stack_module_state), jacrev/jacfwd/hessian, jvp, vjp and nested transforms,
with their errors."""

import pluggrad as torch
from pluggrad.conformance.scenarios._common import failure, fixed, rounded
from pluggrad.func import (
    functional_call,
    grad,
    grad_and_value,
    hessian,
    jacfwd,
    jacrev,
    jvp,
    linearize,
    stack_module_state,
    vjp,
    vmap,
)

F = torch.nn.functional


class SimpleCNN(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 2, 3)
        self.fc = torch.nn.Linear(2 * 2 * 2, 3)

    def forward(self, x):
        x = F.relu(self.conv(x))
        return F.log_softmax(self.fc(torch.flatten(x, 1)), dim=1)


# ---- per-sample gradients, as in the tutorial ----
model = fixed(SimpleCNN())
data = torch.linspace(-1.0, 1.0, 4 * 16, dtype=torch.float64).reshape(4, 1, 4, 4).sin()
targets = torch.tensor([0, 2, 1, 2])
params = {k: v.detach() for k, v in model.named_parameters()}
buffers = {k: v.detach() for k, v in model.named_buffers()}


def compute_loss(params, buffers, sample, target):
    predictions = functional_call(model, (params, buffers), (sample.unsqueeze(0),))
    return F.nll_loss(predictions, target.unsqueeze(0))


per_sample = vmap(grad(compute_loss), in_dims=(None, None, 0, 0))(params, buffers, data, targets)
for name, g in per_sample.items():
    print(name, list(g.shape), g.requires_grad, rounded(g[1].reshape(-1)[:4].tolist()))
for i in range(4):
    model.zero_grad()
    F.nll_loss(model(data[i : i + 1]), targets[i : i + 1]).backward()
    same = all(
        (per_sample[k][i] - p.grad).abs().max().item() < 1e-10 for k, p in model.named_parameters()
    )
    print("sample", i, "matches backward:", same)
print(
    "model weight untouched:",
    model.conv.weight is not params["conv.weight"],
    model.fc.weight.requires_grad,
)

# ---- ensembling ----
models = [fixed(torch.nn.Linear(3, 2)) for _ in range(3)]
with torch.no_grad():
    for k, m in enumerate(models):
        m.weight.mul_(k + 1)
ens_params, ens_buffers = stack_module_state(models)
x = torch.tensor([[1.0, 0.5, -1.0], [0.0, 2.0, 1.0]], dtype=torch.float64)
out = vmap(lambda p, b, x: functional_call(models[0], (p, b), (x,)), in_dims=(0, 0, None))(
    ens_params, ens_buffers, x
)
print("ensemble", list(out.shape), rounded(out.tolist()))
print("stacked leaf", ens_params["weight"].is_leaf, ens_params["weight"].requires_grad)


# ---- Jacobians and Hessians ----
def f(x, y):
    return (x.sin() * y).cumsum(0), (x * y).sum()


a = torch.tensor([0.5, 1.0, 1.5], dtype=torch.float64)
b = torch.tensor([2.0, -1.0, 0.5], dtype=torch.float64)
for jac in (jacrev, jacfwd):
    (j0, j1), (k0, k1) = jac(f, argnums=(0, 1))(a, b)
    print(jac.__name__, rounded(j0.tolist()), rounded(j1.diagonal().tolist()), rounded(k0.tolist()))
print("hessian", rounded(hessian(lambda x: (x.exp() * x).sum())(a).diagonal().tolist()))
print("jacrev(jacrev)", rounded(jacrev(jacrev(lambda x: (x**3).prod()))(a).tolist()))
print("vmap(jacrev)", list(vmap(jacrev(torch.tanh))(torch.ones(5, 3, dtype=torch.float64)).shape))
print(
    "grad(grad)",
    rounded(grad(grad(lambda x: x.sin() * x))(torch.tensor(0.3, dtype=torch.float64)).item()),
)
value_grad = grad_and_value(lambda x: (x**2).sum())(a)
print("grad_and_value", rounded(value_grad[0].tolist()), rounded(value_grad[1].item()))

# ---- jvp, vjp, linearize ----
out, tangent = jvp(torch.sin, (a,), (torch.ones(3, dtype=torch.float64),))
print("jvp", rounded(tangent.tolist()))
out, fn = vjp(lambda x: {"s": x.sum(), "sq": x**2}, a)
print("vjp", rounded(fn({"s": torch.tensor(1.0, dtype=torch.float64), "sq": b})[0].tolist()))
out, fn = linearize(torch.exp, a)
print("linearize", rounded(fn(b).tolist()))

# ---- graph state ----
x = torch.tensor([1.0, 2.0], dtype=torch.float64)
g = grad(lambda t: (t**3).sum())(x)
print("plain input:", g.requires_grad, x.requires_grad)
x.requires_grad_()
g = grad(lambda t: (t**3).sum())(x)
g.sum().backward()
print("differentiable input:", g.requires_grad, rounded(x.grad.tolist()))

# ---- errors ----
failure("grad of a vector", lambda: grad(lambda t: t * 2)(a))
failure("vmap sizes", lambda: vmap(torch.add)(torch.ones(3), torch.ones(4)))
failure("vmap in_dims", lambda: vmap(torch.sin, in_dims=(0, 0))(a))
failure("vmap random", lambda: vmap(lambda t: t + torch.rand(1))(torch.ones(2, 1)))
failure(
    "functional_call strict",
    lambda: functional_call(models[0], {"weight": torch.ones(2, 3)}, (x,), strict=True),
)
failure("jvp primals", lambda: jvp(torch.sin, a, a))
