# The parametrizations tutorial: Symmetric and MatrixExponential / CayleyMap parametrizations,
# caching, right_inverse, removing a parametrization, and the built-in orthogonal.
import torch
import torch.nn as nn
import torch.nn.utils.parametrize as parametrize
from torch.nn.utils.parametrizations import orthogonal

torch.manual_seed(0)


class Symmetric(nn.Module):
    def forward(self, X):
        return X.triu() + X.triu(1).transpose(-1, -2)

    def right_inverse(self, A):
        return A.triu()


class Skew(nn.Module):
    def forward(self, X):
        A = X.triu(1)
        return A - A.transpose(-1, -2)


class CayleyMap(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.register_buffer("Id", torch.eye(n))

    def forward(self, X):
        return torch.linalg.solve(self.Id - X, self.Id + X)


layer = nn.Linear(3, 3)
parametrize.register_parametrization(layer, "weight", Symmetric())
A = layer.weight
print(torch.allclose(A, A.T))
print(layer)
print(layer.parametrizations.weight.original.shape, parametrize.is_parametrized(layer, "weight"))

layer = nn.Linear(3, 3)
parametrize.register_parametrization(layer, "weight", Skew())
parametrize.register_parametrization(layer, "weight", CayleyMap(3))
X = layer.weight
print(torch.dist(X.T @ X, torch.eye(3)) < 1e-5)
print(len(layer.parametrizations.weight))

layer = nn.Linear(3, 3)
parametrize.register_parametrization(layer, "weight", Symmetric())
with parametrize.cached():
    foo = layer.weight + layer.weight.T
    bar = layer.weight.sum()
print(torch.allclose(foo, 2 * layer.weight), round(bar.item(), 4))
X = torch.rand(3, 3)
X = X + X.T
layer.weight = X
print(
    torch.allclose(layer.weight, X),
    torch.allclose(layer.parametrizations.weight.original, X.triu()),
)
parametrize.remove_parametrizations(layer, "weight")
print(layer, type(layer.weight).__name__, torch.allclose(layer.weight, X))

layer = nn.Linear(3, 3)
parametrize.register_parametrization(layer, "weight", Symmetric())
parametrize.remove_parametrizations(layer, "weight", leave_parametrized=False)
print(layer.weight.shape, torch.allclose(layer.weight, layer.weight.triu()))

torch.manual_seed(1)
lin = orthogonal(nn.Linear(4, 4))
Q = lin.weight
print(torch.dist(Q.T @ Q, torch.eye(4)) < 1e-5, type(lin).__name__)
opt = torch.optim.SGD(lin.parameters(), lr=0.1)
x = torch.randn(5, 4)
for _ in range(3):
    opt.zero_grad()
    loss = lin(x).pow(2).sum()
    loss.backward()
    opt.step()
Q = lin.weight
print(torch.dist(Q.T @ Q, torch.eye(4)) < 1e-5, sorted(n for n, _ in lin.named_parameters()))
