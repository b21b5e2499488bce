"""Tensor.scatter_reduce, scatter_reduce_ and torch.scatter_reduce: values and gradients as
PyTorch computes them for every reduction with and without ``self`` (ties in amax/amin share
the gradient, as PyTorch's scatter_reduce_backward shares it; zeros in prod), an index smaller
than src, integer means rounding down, in place, and PyTorch's error messages."""

import pluggrad as torch
from pluggrad.conformance.scenarios._common import failure, rounded


def check(label, x, dim, index, src, reduce, **kwargs):
    x = x.detach().clone().requires_grad_()
    src = src.detach().clone().requires_grad_()
    out = x.scatter_reduce(dim, index, src, reduce, **kwargs)
    weights = torch.linspace(0.5, 1.5, out.numel(), dtype=torch.float64).reshape(out.shape)
    (out * weights).sum().backward()
    print(label, reduce, kwargs, rounded(out.tolist()), rounded(x.grad.tolist()),
          rounded(src.grad.tolist()))  # fmt: skip


x = torch.tensor([1.0, 2.0, 3.0, 4.0, -1.0], dtype=torch.float64)
src = torch.tensor([5.0, 1.0, 2.0, 4.0, 0.5, 3.0], dtype=torch.float64)
index = torch.tensor([0, 0, 2, 2, 3, 0])
for reduce in ("sum", "prod", "mean", "amax", "amin"):
    for include_self in (True, False):
        check("1d", x, 0, index, src, reduce, include_self=include_self)

# ties: with self, among src, and self equal to the result though left out
ties_x = torch.tensor([3.0, 2.0, 7.0, 1.0], dtype=torch.float64)
ties_src = torch.tensor([3.0, 3.0, 2.0, 5.0, 5.0, 1.0], dtype=torch.float64)
ties_index = torch.tensor([0, 0, 1, 2, 2, 3])
for reduce in ("amax", "amin"):
    for include_self in (True, False):
        check("ties", ties_x, 0, ties_index, ties_src, reduce, include_self=include_self)
# a left-out self equal to the result: PyTorch counts it among the ties
check("left-out tie", torch.tensor([5.0, 0.0], dtype=torch.float64), 0, torch.tensor([0, 0, 1]),
      torch.tensor([5.0, 1.0, 5.0], dtype=torch.float64), "amax", include_self=False)  # fmt: skip

# zeros in prod: one zero, two zeros in a group, a zero self
zeros_x = torch.tensor([2.0, 0.0, 3.0], dtype=torch.float64)
zeros_src = torch.tensor([0.0, 4.0, 2.0, 5.0, 0.0, 0.0], dtype=torch.float64)
zeros_index = torch.tensor([0, 0, 1, 1, 2, 2])
for include_self in (True, False):
    check("zeros", zeros_x, 0, zeros_index, zeros_src, "prod", include_self=include_self)

# 2-D, along each axis, with an index smaller than self (src has the index's shape: PyTorch's
# backward fails for a larger src)
grid = torch.arange(12, dtype=torch.float64).reshape(3, 4) / 4 - 1
grid_src = torch.arange(15, dtype=torch.float64).reshape(3, 5) / 3 - 2
for reduce in ("sum", "prod", "mean", "amax", "amin"):
    check("2d dim 1", grid, 1, torch.tensor([[3, 0, 3], [1, 1, 1]]), grid_src[:2, :3], reduce,
          include_self=False)  # fmt: skip
    check("2d dim 0", grid, 0, torch.tensor([[2, 0], [2, 2]]), grid_src[:2, :2], reduce)
    check("2d dim -1", grid, -1, torch.tensor([[0, 0, 0, 0, 0]]), grid_src[:1], reduce)
    larger = grid.scatter_reduce(1, torch.tensor([[3, 0, 3], [1, 1, 1]]), grid_src, reduce)
    print("larger src", reduce, rounded(larger.tolist()))

# integers: mean rounds down; amax/amin of integers
ints = torch.tensor([5, -7, 3])
for reduce in ("sum", "prod", "mean", "amax", "amin"):
    for include_self in (True, False):
        out = ints.scatter_reduce(0, torch.tensor([0, 1, 1]), torch.tensor([2, 4, -2]), reduce,
                                  include_self=include_self)  # fmt: skip
        print("ints", reduce, include_self, str(out.dtype).split(".")[-1], out.tolist())

# the function, in place, an int32 index
print("function", torch.scatter_reduce(x, 0, index, src, "amax").tolist())
y = x.clone()
returned = y.scatter_reduce_(0, index, src, "sum", include_self=False)
print("in place", y.tolist(), returned is y)
print("int32 index", x.scatter_reduce(0, index.to(torch.int32), src, "mean").tolist())

failure("bad reduce", lambda: x.scatter_reduce(0, index, src, "add"))
failure("float index", lambda: x.scatter_reduce(0, index.double(), src, "sum"))
failure("dtype", lambda: x.scatter_reduce(0, index, src.float(), "sum"))
failure("ndim", lambda: grid.scatter_reduce(0, torch.tensor([0, 1]), grid_src, "sum"))
too_long = torch.zeros(4, 2, dtype=torch.int64)
failure("larger", lambda: grid.scatter_reduce(0, too_long, grid_src, "sum"))
failure("bounds", lambda: x.scatter_reduce(0, torch.tensor([0, 5]), src, "sum"))
failure("negative", lambda: x.scatter_reduce(0, torch.tensor([-1]), src, "sum"))
