import torch

x = torch.Tensor([2])
x.requires_grad=True         
z = x**2                # 求导函数
z.backward()     # 对x求导,2 * x    ,导数为2x=4
print(x.grad, z.grad)
