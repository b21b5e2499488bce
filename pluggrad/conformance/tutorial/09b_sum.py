import torch

x = torch.Tensor([1, 2, 3])
x.requires_grad=True         
z = (x**2).sum()                # 直接求和

z.backward() 
print(x.grad, z.grad)
