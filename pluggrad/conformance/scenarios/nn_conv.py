"""torch.nn.functional's convolutions and pooling: values and gradients as PyTorch computes them
(stride, padding as an int, a tuple, 'same' and 'valid', dilation, groups, bias, unbatched
inputs; max pooling's ties, padding, ceil_mode, dilation and indices; average pooling's
divisors), and PyTorch's error messages."""

import pluggrad as torch
from pluggrad.conformance.scenarios._common import check, failure, rounded
from pluggrad.nn import functional as F


def grid(*shape, scale=0.25):
    n = 1
    for s in shape:
        n *= s
    values = [(i * 0.37 % 1.3 - 0.6) * scale * 4 for i in range(n)]  # made in Python: no kernels
    return torch.tensor(values, dtype=torch.float64).reshape(shape)


x2 = grid(2, 4, 5, 6)
w2 = grid(6, 4, 3, 2, scale=0.3)
wg = grid(6, 2, 3, 3, scale=0.2)
b = torch.tensor([0.1, -0.2, 0.3, 0.0, 0.5, -0.4], dtype=torch.float64)
x1 = grid(2, 4, 9)
w1 = grid(3, 4, 3, scale=0.3)

# conv2d
check("conv2d", F.conv2d, x2, w2)
check("conv2d bias", F.conv2d, x2, w2, b)
check("conv2d stride padding", lambda x, w: F.conv2d(x, w, stride=2, padding=1), x2, w2)
check("conv2d tuples", lambda x, w, b: F.conv2d(x, w, b, (2, 1), (1, 2), (1, 2)), x2, w2, b)
check("conv2d same", lambda x, w: F.conv2d(x, w, padding="same"), x2, w2)
check("conv2d same dilated", lambda x, w: F.conv2d(x, w, padding="same", dilation=2), x2, w2)
check("conv2d valid", lambda x, w: F.conv2d(x, w, padding="valid", stride=(1, 3)), x2, w2)
check("conv2d groups", lambda x, w, b: F.conv2d(x, w, b, padding=1, groups=2), x2, wg, b)
check("conv2d depthwise", lambda x, w: F.conv2d(x, w, groups=4), x2, grid(4, 1, 2, 2))
check("conv2d unbatched", lambda x, w: F.conv2d(x, w, padding=1), x2[0], w2)
print("conv2d grad_fn", type(F.conv2d(x2, w2.requires_grad_()).grad_fn).__name__)
w2 = w2.detach()
# conv1d
check("conv1d", F.conv1d, x1, w1)
check("conv1d bias stride", lambda x, w, b: F.conv1d(x, w, b, stride=2, padding=2), x1, w1, b[:3])
check("conv1d dilation", lambda x, w: F.conv1d(x, w, dilation=3, padding=(1,)), x1, w1)
check("conv1d same", lambda x, w: F.conv1d(x, w, padding="same", dilation=2), x1, w1)
check("conv1d groups", lambda x, w: F.conv1d(x, w, groups=2), x1, grid(4, 2, 2))
check("conv1d unbatched", F.conv1d, x1[1], w1)
# transposed convolutions
check("conv_transpose2d", lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1,
      output_padding=1, groups=2), x2, grid(4, 3, 3, 2), b)  # fmt: skip
check(
    "conv_transpose1d",
    lambda x, w: F.conv_transpose1d(x, w, stride=3, dilation=2),
    x1,
    grid(4, 3, 3),
)
# gradients of gradients
x, w = x2.clone().requires_grad_(), wg.clone().requires_grad_()
gx, gw = torch.autograd.grad((F.conv2d(x, w, stride=2, groups=2) ** 2).sum(), (x, w),
                             create_graph=True)  # fmt: skip
print("conv2d second order", rounded(torch.autograd.grad(gx.sum() + (gw**2).sum(), (x, w))[1]
      .sum(dim=(2, 3)).tolist()))  # fmt: skip

# max pooling, with ties
rows = [[1.0, 2.0, 2.0, 0.0, 1.0], [2.0, 1.0, 0.0, 2.0, 2.0], [0.0, 2.0, 1.0, 1.0, 0.0],
        [1.0, 1.0, 2.0, 0.0, 1.0]]  # fmt: skip
xt = torch.tensor([[rows]], dtype=torch.float64)
check("max_pool2d ties", lambda x: F.max_pool2d(x, 2), xt)
check("max_pool2d overlapping", lambda x: F.max_pool2d(x, 2, stride=1), xt)
check("max_pool2d padding", lambda x: F.max_pool2d(x, 3, stride=2, padding=1), -xt)
check("max_pool2d ceil", lambda x: F.max_pool2d(x, (3, 2), 2, ceil_mode=True), xt)
check("max_pool2d dilation", lambda x: F.max_pool2d(x, 2, 1, 1, dilation=2), xt)
check("max_pool2d indices", lambda x: F.max_pool2d(x, 2, padding=1, return_indices=True), xt)
check("max_pool2d batch", lambda x: F.max_pool2d(x, 3, 2, 1, ceil_mode=True), x2)
check("max_pool2d unbatched", lambda x: F.max_pool2d(x, 2, return_indices=True), x2[1])
check("max_pool1d", lambda x: F.max_pool1d(x, 3, 2, 1, ceil_mode=True, return_indices=True), x1)
# average pooling
check("avg_pool2d", lambda x: F.avg_pool2d(x, 2), x2)
check("avg_pool2d padding", lambda x: F.avg_pool2d(x, 3, 2, 1), x2)
check("avg_pool2d no pad count", lambda x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=False), x2)
check("avg_pool2d ceil", lambda x: F.avg_pool2d(x, (3, 2), 2, (1, 0), ceil_mode=True), x2)
check("avg_pool2d ceil no pad count", lambda x: F.avg_pool2d(x, 3, 2, 1, True, False), x2)
check("avg_pool2d divisor", lambda x: F.avg_pool2d(x, 2, 3, ceil_mode=True, divisor_override=3), x2)
check("avg_pool2d unbatched", lambda x: F.avg_pool2d(x, 2, 1), x2[0])
check("avg_pool1d", lambda x: F.avg_pool1d(x, 4, 3, 2, ceil_mode=True), x1)
check("adaptive_avg_pool2d", lambda x: F.adaptive_avg_pool2d(x, (3, 4)), x2)
check("adaptive_avg_pool2d None", lambda x: F.adaptive_avg_pool2d(x, (2, None)), x2)
check("adaptive_avg_pool1d", lambda x: F.adaptive_avg_pool1d(x, 4), x1)

# PyTorch's errors
failure("rank", lambda: F.conv2d(x1, w2))
failure("channels", lambda: F.conv2d(x2, grid(6, 3, 3, 3)))
failure("groups channels", lambda: F.conv2d(x2, grid(6, 4, 3, 3), groups=2))
failure("groups divisible", lambda: F.conv2d(x2, grid(5, 2, 3, 3), groups=2))
failure("groups zero", lambda: F.conv2d(x2, w2, groups=0))
failure("bias", lambda: F.conv2d(x2, w2, b[:5]))
failure("kernel too large", lambda: F.conv2d(x2, grid(6, 4, 7, 2)))
failure("kernel too large dilated", lambda: F.conv1d(x1, w1, dilation=5))
failure("stride", lambda: F.conv2d(x2, w2, stride=0))
failure("padding", lambda: F.conv2d(x2, w2, padding=-1))
failure("dilation", lambda: F.conv2d(x2, w2, dilation=0))
failure("same strided", lambda: F.conv2d(x2, w2, padding="same", stride=2))
failure("padding string", lambda: F.conv2d(x2, w2, padding="full"))
failure("stride length", lambda: F.conv2d(x2, w2, stride=(1, 2, 3)))
failure("weight rank", lambda: F.conv2d(x2, w1))
failure("dtypes", lambda: F.conv2d(x2.float(), w2))
failure("dtypes other way", lambda: F.conv2d(x2, w2.float()))
failure("bias dtype", lambda: F.conv2d(x2.float(), w2.float(), b))
failure("output_padding", lambda: F.conv_transpose2d(x2, grid(4, 3, 3, 3), output_padding=1))
failure("transposed channels", lambda: F.conv_transpose2d(x2, grid(3, 3, 3, 3)))
failure("max_pool2d pad", lambda: F.max_pool2d(x2, 3, padding=2))
failure("max_pool2d small", lambda: F.max_pool2d(x2, 7))
failure("max_pool2d rank", lambda: F.max_pool2d(x1[0], 2))
failure("max_pool2d stride", lambda: F.max_pool2d(x2, 2, 0))
failure("max_pool2d dilation", lambda: F.max_pool2d(x2, 2, 1, 0, 0))
failure("max_pool2d kernel tuple", lambda: F.max_pool2d(x2, (2, 2, 2)))
failure("max_pool2d stride tuple", lambda: F.max_pool2d(x2, 2, (1, 1, 1)))
failure("max_pool1d rank", lambda: F.max_pool1d(x2, 2))
failure("max_pool1d small", lambda: F.max_pool1d(x1, 10))
failure("avg_pool2d pad", lambda: F.avg_pool2d(x2, 3, padding=2))
failure("avg_pool2d negative pad", lambda: F.avg_pool2d(x2, 3, padding=-1))
failure("avg_pool2d small", lambda: F.avg_pool2d(x2, 7))
failure("avg_pool2d divisor", lambda: F.avg_pool2d(x2, 2, divisor_override=0))
failure("avg_pool2d rank", lambda: F.avg_pool2d(grid(1, 2, 3, 4, 5), 2))
failure("avg_pool1d rank", lambda: F.avg_pool1d(x2, 2))
failure("adaptive rank", lambda: F.adaptive_avg_pool2d(x1[0, 0], 2))
failure("adaptive size", lambda: F.adaptive_avg_pool2d(x2, (2, 3, 4)))
