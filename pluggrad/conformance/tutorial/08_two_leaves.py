import torch

x = torch.Tensor([1, 2, 3])
y = torch.Tensor([4, 5, 6])

x.requires_grad=True  
y.requires_grad=True  

z = 3*x + 2*y                # 求导函数

z.backward(x)      # 对x求导

print(x.grad,  y.grad)  # [3., 6., 9.] :导数是3  与 [2., 4., 6.]:导数是2

print(x.grad/x,  y.grad/x)  # [3., 6., 9.] :导数是3  与 [2., 4., 6.]:导数是2
