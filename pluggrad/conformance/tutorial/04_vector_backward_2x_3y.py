import torch

x = torch.Tensor([1, 2, 3])
x.requires_grad=True         # 这个属性必须在 z = 2*x + 3*y 表达式构建图的时候设置

y = torch.Tensor([4, 5, 6])

z = 2*x + 3*y

z.backward(x)     # 对x求导,得到的结果,自然是 2,但是x的grad是 2 * x 

print(x.grad, y.grad, z.grad)    # 没有对y求导,所以对y没有要求
