"""More of PyTorch's tensor API as PyTorch programs use it: the legacy types, new_* and type
conversions, fused multiply-adds, einsum, index_add/scatter_add, diagonals, and their
gradients."""

import pluggrad as torch
from pluggrad.conformance.scenarios._common import rounded


def show(label, t):
    t = t.detach() if isinstance(t, torch.Tensor) else t
    print(label, rounded(t.tolist()) if isinstance(t, torch.Tensor) else t)


x = torch.FloatTensor([[1, 2], [3, 4]])
show("FloatTensor", x)
print(x.type(), isinstance(x, torch.FloatTensor), isinstance(x, torch.LongTensor))
print(
    x.type(torch.int64).type(),
    x.type("torch.DoubleTensor").type(),
    torch.LongTensor([1.9, -2.5]).tolist(),
)
print(
    tuple(torch.DoubleTensor(2, 3).shape),
    x.ndimension(),
    x.nelement(),
    x.long().type(),
    x.int().type(),
)
print(x.bool().tolist(), x.byte().type(), x.type_as(torch.zeros(1, dtype=torch.float64)).type())
print(
    x.new_zeros(2).tolist(),
    x.new_ones((1, 2)).type(),
    x.new_full((2,), 7).tolist(),
    x.new_tensor([1, 2]).type(),
)
print(
    tuple(x.view_as(torch.zeros(4)).shape),
    tuple(x.reshape_as(torch.zeros(1, 4)).shape),
    x.where(x > 2, 0.0).tolist(),
)
print(
    torch.numel(x),
    torch.is_floating_point(x),
    torch.is_complex(x),
    torch.is_nonzero(torch.tensor([3])),
)
print(
    torch.allclose(x, x + 1e-9),
    x.allclose(x + 1),
    x.equal(x.clone()),
    torch.isclose(x, x + 0.5, atol=0.6).tolist(),
)

a = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=torch.float64, requires_grad=True)
b = torch.tensor([[0.5, -1.0], [2.0, 0.0], [1.0, 1.5]], dtype=torch.float64, requires_grad=True)
c = torch.ones(2, 2, dtype=torch.float64)
out = torch.addmm(c, a, b, beta=0.5, alpha=2.0)
out = out + torch.einsum("ij,jk->ik", a, b) + torch.einsum("ij->j", a).sum()
out = out + torch.addcmul(c, out, out, value=0.1) + torch.lerp(c, out, 0.25)
show("fused", out)
out.sum().backward()
show("a.grad", a.grad)
show("b.grad", b.grad)

a.grad = None
y = torch.index_add(torch.zeros(3, 2, dtype=torch.float64), 0, torch.tensor([0, 2, 0]), a.t())
z = torch.scatter_add(
    torch.zeros(2, 3, dtype=torch.float64), 1, torch.tensor([[2, 0, 2], [1, 1, 0]]), a
)
show("index_add", y)
show("scatter_add", z)
(y.sum() + (z * z).sum()).backward()
show("a.grad", a.grad)

v = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64, requires_grad=True)
show("diag", torch.diag(v, 1))
show("diag of matrix", torch.diag(torch.diag(v), 0))
show("diag_embed", torch.diag_embed(torch.stack([v, v * 2]), offset=-1)[1])
show("kron", torch.kron(torch.eye(2, dtype=torch.float64), v[:2].unsqueeze(0)))
show("block_diag", torch.block_diag(v[:1], v[1:].unsqueeze(0)))
show("cartesian_prod", torch.cartesian_prod(torch.tensor([1, 2]), torch.tensor([3, 4, 5])))
show("rot90", torch.rot90(torch.arange(6).reshape(2, 3), 1, [0, 1]))
show("xlogy", torch.xlogy(torch.tensor([0.0, 2.0]), torch.tensor([0.0, 3.0])))
show("sinc", torch.sinc(torch.tensor([0.0, 0.5, 1.0], dtype=torch.float64)))
show("nan_to_num", torch.nan_to_num(torch.tensor([float("nan"), 1.0, float("inf")]), posinf=9.0))
show("nansum", torch.nansum(torch.tensor([1.0, float("nan"), 2.0])))
print("aminmax", [t.tolist() for t in torch.aminmax(torch.tensor([[3.0, 1.0], [0.0, 5.0]]), dim=1)])
loss = (
    torch.einsum("i,i->", v, v)
    + torch.dist(v, torch.zeros(3, dtype=torch.float64))
    + torch.sinc(v).sum()
)
(g,) = torch.autograd.grad(loss, v, create_graph=True)
show("grad", g)
(gg,) = torch.autograd.grad(g.sum(), v)
show("grad of grad", gg)
