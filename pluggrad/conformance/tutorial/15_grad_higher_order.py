import torch

x = torch.Tensor([1])
x.requires_grad=True         
z = x**6               # 求导函数

gd_1 = torch.autograd.grad(z, x, create_graph=True)

gd_2 = torch.autograd.grad(gd_1, x)
print(F"一阶导数:{gd_1},\n二阶导数: {gd_2}")
