"""Views share their base's elements: a change through either shows in both (every kind of
view PyTorch has), with one version counter, and PyTorch's strides and offsets."""

import pluggrad as torch


def show(*tensors):
    print(" | ".join(str(t.tolist()) for t in tensors))


def geometry(t):
    return (tuple(t.shape), t.stride(), t.storage_offset(), t.is_contiguous())


# ---- basic indexing: integers, slices, steps, None, ... ------------------------------------------
x = torch.zeros(3, 4)
row, col, corner, strided, lifted = x[1], x[:, 2], x[1:, 2:], x[::2, ::3], x[None, 0]
row.add_(1)
col.fill_(2)
corner.mul_(10)
strided.sub_(5)
lifted[0, 3] = 7
show(x)
show(row, col, corner, strided, lifted)
print(x._version, row._version, row._base is x, corner._is_view(), x._base, x._is_view())
for t in (x, row, col, corner, strided, lifted, x[..., 1], x[1, 2]):
    print(geometry(t))

# the base changes: every view sees it
x.zero_()
x[0] = torch.tensor([1.0, 2.0, 3.0, 4.0])
x += 1
show(row, col, corner, strided, lifted)

# ---- transpose, permute, t, T, mT, movedim -------------------------------------------------------
m = torch.arange(6.0).reshape(2, 3)
t = m.t()
t[0, 1] = -1
t.mul_(2)
show(m, t)
print(geometry(t), geometry(m.T), geometry(m.mT), geometry(m.transpose(0, 1)))
c = torch.arange(24.0).reshape(2, 3, 4)
p = c.permute(2, 0, 1)
p[1].zero_()
q = c.movedim(0, 2)
q[..., 1] = 9
print(c.sum().item(), geometry(p), geometry(q), geometry(c.swapaxes(0, 2)))

# ---- view, reshape, flatten, squeeze, unsqueeze, unflatten ---------------------------------------
a = torch.arange(12.0)
v = a.view(3, 4)
v[1, 1] = 100
r = v.reshape(2, 6)
r[1].fill_(-1)
f = v.flatten()
f[0] = 50
show(a)
print(geometry(v), geometry(r), geometry(f), r._base is a, f._base is a)
u = a.unsqueeze(0).unsqueeze(2)
u[0, 3, 0] = 3
s = u.squeeze()
s[4] = 4
print(geometry(u), geometry(s), a[3].item(), a[4].item())
copy = v.t().reshape(12)  # no strides express it: a copy
copy.zero_()
print(copy._is_view(), a.sum().item(), geometry(copy))
try:
    v.t().view(12)
except RuntimeError as e:
    print("view:", str(e).split(" (")[0])
print(geometry(v.t().contiguous()), v.contiguous() is v, v.t().contiguous()._is_view())

# ---- diagonal, narrow, select, unbind, split, chunk, expand --------------------------------------
d = torch.zeros(3, 4)
d.diagonal().fill_(1)
d.diagonal(1).fill_(2)
d.diagonal(-1).add_(3)
torch.diagonal(d, 0, 1, 0)[1:] += 10
show(d)
print(geometry(d.diagonal(1)), geometry(d.diagonal(-2)))
n = torch.zeros(2, 5)
n.narrow(1, 1, 3).fill_(1)
n.select(1, 4).fill_(2)
first, second = n.unbind(0)
second.add_(5)
pieces = n.split(2, dim=1)
pieces[2].mul_(-1)
halves = n.chunk(2, dim=1)
halves[0][0, 0] = 8
show(n)
print([geometry(t) for t in pieces], geometry(first))
src = torch.tensor([1.0, 2.0, 3.0])
big = src.expand(2, 3)
src[1] = 20
show(big)
print(geometry(big), geometry(src.expand(4, 1, 3)), geometry(src[None].expand(2, -1)))

# ---- a view of a view, of a view ... -------------------------------------------------------------
g = torch.zeros(4, 4)
vv = g[1:].t()[2:].diagonal()
vv.fill_(1)
vvv = g.view(2, 8)[:, 1::3]
vvv += 2
show(g)
print(geometry(vv), geometry(vvv), vv._base is g, vvv._base is g)

# ---- real and imag -------------------------------------------------------------------------------
z = torch.zeros(3, dtype=torch.complex128)
z.real.fill_(1.5)
z.imag[1:] = torch.tensor([2.0, -2.0], dtype=torch.float64)
zr = z.real
z.mul_(2)
print(z.tolist(), zr.tolist())

# ---- detach and .data share the elements (detach shares the version counter too) -----------------
w = torch.ones(3)
dw = w.detach()
dw.add_(1)
w.data.mul_(3)
w.data[0] = 0
show(w, dw)
print(w._version, dw._version, dw._base, dw._is_view())

# ---- storage -------------------------------------------------------------------------------------
b = torch.arange(6.0).view(2, 3)
print(
    b.data_ptr() == b[0].data_ptr(),
    b[1].data_ptr() - b.data_ptr(),
    b[:, 1].data_ptr() - b.data_ptr(),
)
print(
    b.untyped_storage().nbytes(),
    b[1].untyped_storage().data_ptr() == b.untyped_storage().data_ptr(),
)
print(b.clone().data_ptr() == b.data_ptr(), b.detach().data_ptr() == b.data_ptr())
