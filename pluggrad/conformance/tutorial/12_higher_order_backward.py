import torch

x = torch.Tensor([1])
x.requires_grad=True         
z = x**6               # 求导函数
z.backward(create_graph=True)     # retain_graph保留的是本身的运算图,create_graph是保留微分图
print(x.grad)    # 导数3
# ====================
def get_xy_grad(grad):
    print(F"x.grad的高阶导数:{ grad }")   # 可以保存到全局变量使用。

x.register_hook(get_xy_grad)
# ====================
x.grad.backward(create_graph=True)
