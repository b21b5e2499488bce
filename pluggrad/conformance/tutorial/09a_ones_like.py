import torch

x = torch.Tensor([1, 2, 3])
x.requires_grad=True         
z = x**2                # 求导函数
z.backward(torch.ones_like(x)) 
print(x.grad, z.grad)
