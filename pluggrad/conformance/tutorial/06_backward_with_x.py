import torch

x = torch.Tensor([2])
x.requires_grad=True         
y = x**2               # 求导函数

y.backward(x)     # 2 x x = 8

print(x.grad, y.grad)    
print(x.grad/x)    # 正宗结果
