# torch.autograd.functional (jacobian, hessian, vjp, jvp, hvp, vhp) next to torch.func's
# equivalents, and a vmap-ed ensemble trained with grad over stacked parameters.
import torch
import torch.autograd.functional as AF
from torch import nn
from torch.func import functional_call, grad, stack_module_state, vmap

torch.manual_seed(0)


def exp_reducer(x):
    return x.exp().sum(dim=1)


inputs = torch.rand(2, 2)
print(AF.jacobian(exp_reducer, inputs).round(decimals=4))
print(AF.jacobian(exp_reducer, inputs, create_graph=True).requires_grad)


def exp_adder(x, y):
    return 2 * x.exp() + 3 * y


j = AF.jacobian(exp_adder, (torch.rand(2), torch.rand(2)))
print(type(j).__name__, len(j), j[1])


def pow_reducer(x):
    return x.pow(3).sum()


x = torch.rand(2, 2)
h = AF.hessian(pow_reducer, x)
print(h.shape, torch.allclose(h.reshape(4, 4).diagonal(), 6 * x.reshape(4)))
v = torch.ones(2, 2)
out, vjp_out = AF.vjp(pow_reducer, x, None)
print(torch.allclose(vjp_out, 3 * x.pow(2)), out.shape)
out, jvp_out = AF.jvp(exp_reducer, x, v)
print(torch.allclose(jvp_out, x.exp().sum(1)))
out, hvp_out = AF.hvp(pow_reducer, x, v)
_, vhp_out = AF.vhp(pow_reducer, x, v)
print(torch.allclose(hvp_out, 6 * x), torch.allclose(hvp_out, vhp_out))
print(AF.jacobian(exp_reducer, inputs, vectorize=True).shape)
print(AF.jacobian(lambda a: a.sum(), inputs, strategy="forward-mode", vectorize=True))

models = [nn.Linear(3, 1) for _ in range(4)]
params, buffers = stack_module_state(models)
params = {k: v.detach() for k, v in params.items()}
base = nn.Linear(3, 1)
X = torch.randn(16, 3)
Y = X @ torch.tensor([[1.0], [-2.0], [0.5]]) + 0.3


def loss_fn(p, b, x, y):
    return ((functional_call(base, (p, b), (x,)) - y) ** 2).mean()


step = vmap(grad(loss_fn), in_dims=(0, 0, None, None))
for _ in range(50):
    g = step(params, buffers, X, Y)
    params = {k: params[k] - 0.1 * g[k] for k in params}
losses = vmap(loss_fn, in_dims=(0, 0, None, None))(params, buffers, X, Y)
print(losses.shape, bool((losses < 0.05).all()))
print(params["weight"].mean(0).round(decimals=1), params["bias"].mean().round(decimals=1))
