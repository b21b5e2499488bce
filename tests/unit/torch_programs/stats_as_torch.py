# Functions whose internals once took the array API's meaning of a name that means something
# else to PyTorch (sort(x, axis) gave (values, indices) under ``python -m pluggrad run``), and
# unique(dim=...); printed as a PyTorch script prints them.
import torch
import torch.nn as nn

x = torch.tensor([[1.0, 5.0, 2.0, 8.0], [3.0, float("nan"), 4.0, 0.5]])
y = torch.nan_to_num(x, nan=0.0)
print(torch.quantile(y[0], torch.tensor([0.25, 0.5, 0.75])), torch.quantile(y, 0.5, dim=1))
print(torch.nanquantile(x, 0.5, dim=1, keepdim=True), y.quantile(0.9, interpolation="nearest"))
print(torch.median(y, dim=1), torch.msort(torch.tensor([3, 1, 2])))
a = torch.tensor([[1, 2], [1, 2], [3, 4], [0, 9]])
print(torch.unique(a, dim=0), torch.unique(a, dim=1))
print(a.unique(dim=0, return_inverse=True, return_counts=True))
print(torch.unique(torch.tensor([[2.0, 1.0], [2.0, 1.0]]), dim=1, return_inverse=True))
print(torch.linalg.slogdet(torch.eye(2) * 2), type(torch.linalg.svd(torch.eye(2))).__name__)
print(nn.ParameterList([nn.Parameter(torch.ones(2, 3)), torch.zeros(1)]))
print(torch.where(torch.tensor([[0, 1], [1, 0]]) > 0), torch.tensor([1.0]).itemsize)
