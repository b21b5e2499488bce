# torch.func tutorial "Jacobians, Hessians, hvp, vhp, and more": jacrev, jacfwd, hessian,
# vjp, jvp, and hvp composed from them, checked against each other.
import torch
import torch.nn.functional as F
from torch.func import hessian, jacfwd, jacrev, jvp, vjp, vmap

torch.manual_seed(0)
D = 4
weight = torch.randn(D, D)
bias = torch.randn(D)
x = torch.randn(D)


def predict(weight, bias, x):
    return F.linear(x, weight, bias).tanh()


jacobian = jacrev(predict, argnums=2)(weight, bias, x)
print(tuple(jacobian.shape), jacobian.round(decimals=3))


def compute_jac(xp):
    jacobian_rows = [
        torch.autograd.grad(predict(weight, bias, xp), xp, vec)[0] for vec in torch.eye(D).unbind()
    ]
    return torch.stack(jacobian_rows)


xp = x.clone().requires_grad_()
print(torch.allclose(jacobian, compute_jac(xp), atol=1e-6))
jf = jacfwd(predict, argnums=2)(weight, bias, x)
print(torch.allclose(jacobian, jf, atol=1e-6))
ft_jac_weight, ft_jac_bias = jacrev(predict, argnums=(0, 1))(weight, bias, x)
print(
    tuple(ft_jac_weight.shape), tuple(ft_jac_bias.shape), ft_jac_bias.diagonal().round(decimals=3)
)

batch_size = 3
xb = torch.randn(batch_size, D)
compute_batch_jacobian = vmap(jacrev(predict, argnums=2), in_dims=(None, None, 0))
batch_jacobian0 = compute_batch_jacobian(weight, bias, xb)
print(tuple(batch_jacobian0.shape))


def predict_with_output_summed(weight, bias, x):
    return predict(weight, bias, x).sum(0)


batch_jacobian1 = jacrev(predict_with_output_summed, argnums=2)(weight, bias, xb).movedim(1, 0)
print(torch.allclose(batch_jacobian0, batch_jacobian1, atol=1e-6))

hess0 = hessian(predict, argnums=2)(weight, bias, x)
hess1 = jacfwd(jacfwd(predict, argnums=2), argnums=2)(weight, bias, x)
hess2 = jacrev(jacrev(predict, argnums=2), argnums=2)(weight, bias, x)
print(
    tuple(hess0.shape),
    torch.allclose(hess0, hess1, atol=1e-6),
    torch.allclose(hess1, hess2, atol=1e-6),
)


def f(x):
    return x.sin().sum()


def hvp(f, primals, tangents):
    return jvp(lambda p: torch.func.grad(f)(p), primals, tangents)[1]


def vhp(f, primals, tangents):
    return vjp(torch.func.grad(f), *primals)[1](*tangents)


x2 = torch.randn(5)
tangent = torch.randn(5)
r1 = hvp(f, (x2,), (tangent,))
(r2,) = vhp(f, (x2,), (tangent,))
print(
    r1.round(decimals=4), torch.allclose(r1, r2), torch.allclose(r1, -x2.sin() * tangent, atol=1e-6)
)
out, vjp_fn = vjp(torch.sin, x2)
print(torch.allclose(vjp_fn(torch.ones(5))[0], x2.cos()), torch.allclose(out, x2.sin()))
p, t = jvp(torch.exp, (x2,), (torch.ones(5),))
print(torch.allclose(p, t), p.shape)
