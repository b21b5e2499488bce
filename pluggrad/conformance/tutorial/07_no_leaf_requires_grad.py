import torch

# SPEC example 7: backward through a graph in which no tensor requires grad
x = torch.Tensor([1, 2, 3])
y = torch.Tensor([4, 5, 6])
z = (2*x + 3*y).sum()
try:
    z.backward()
except RuntimeError as e:
    print("RuntimeError:", e)
