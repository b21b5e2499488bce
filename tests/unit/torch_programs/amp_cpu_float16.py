# Mixed precision on the CPU: a forward under torch.autocast("cpu", dtype=torch.float16) with a
# GradScaler, model.half() inference, and how float16 tensors print.
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 4))
opt = torch.optim.SGD(model.parameters(), lr=0.1)
scaler = torch.amp.GradScaler("cpu", init_scale=2.0**8)
x = torch.randn(5, 8)
y = torch.randint(0, 4, (5,))
for _step in range(3):
    opt.zero_grad()
    with torch.autocast("cpu", dtype=torch.float16):
        out = model(x)
        print(out.dtype, torch.is_autocast_enabled("cpu"), torch.get_autocast_dtype("cpu"))
        loss = nn.functional.cross_entropy(out, y)
    print(loss.dtype, round(loss.item(), 2))
    scaler.scale(loss).backward()
    print(model[0].weight.grad.dtype, round(scaler.get_scale(), 1))
    scaler.unscale_(opt)
    scaler.step(opt)
    scaler.update()
print(scaler.state_dict())
print(torch.is_autocast_enabled("cpu"), model[0].weight.dtype)

half = model.half()
print(half[0].weight.dtype, half[0].bias.dtype)
with torch.no_grad():
    h = half(x.half())
print(h.dtype, h.shape)
print(h.float().argmax(1))

t = torch.tensor([1.0, 2.5, 65504.0, 1e-4, -0.33333], dtype=torch.float16)
print(t)
print(t * 2)
print(torch.tensor([0.1, 0.2, 0.3]).half())
print(torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=torch.float16, requires_grad=True))
print(torch.finfo(torch.float16), torch.tensor(3.0, dtype=torch.half).item())
print(torch.tensor([1, 2], dtype=torch.float16).dtype, torch.ones(2, dtype=torch.float16))
print(torch.tensor([70000.0]).half(), torch.tensor([1e-8]).half())
a = torch.randn(3, 3)
with torch.autocast("cpu", dtype=torch.float16):
    print((a @ a).dtype, (a + a).dtype, torch.mm(a, a).float().dtype, (a @ a).sum().dtype)
