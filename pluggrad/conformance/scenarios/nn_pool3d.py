"""3-d pooling: F.max_pool3d (ties, padding, ceil_mode, dilation, indices), F.avg_pool3d
(count_include_pad, divisor_override, ceil_mode), F.adaptive_avg_pool3d and
F.adaptive_max_pool3d (overlapping windows, None sizes), their modules and reprs, unbatched
inputs, and PyTorch's error messages: values, indices and gradients as PyTorch computes them."""

import pluggrad as torch
from pluggrad import nn
from pluggrad.conformance.scenarios._common import check, failure
from pluggrad.nn import functional as F

# values in a few levels, so that windows hold ties
volume = (torch.arange(2 * 3 * 4 * 5 * 4, dtype=torch.float64) * 7 % 11 / 4).reshape(2, 3, 4, 5, 4)

check("max_pool3d", lambda x: F.max_pool3d(x, 2), volume)
check(
    "max_pool3d stride padding", lambda x: F.max_pool3d(x, (2, 3, 2), (1, 2, 2), (1, 1, 0)), volume
)
check("max_pool3d ceil", lambda x: F.max_pool3d(x, 2, 2, ceil_mode=True), volume)
check("max_pool3d dilation", lambda x: F.max_pool3d(x, 2, 1, dilation=(1, 2, 2)), volume)
check("max_pool3d indices", lambda x: F.max_pool3d(x, 2, 1, 1, return_indices=True), volume[:1])
check("max_pool3d_with_indices", lambda x: F.max_pool3d_with_indices(x, (1, 2, 2)), volume[0])
check("avg_pool3d", lambda x: F.avg_pool3d(x, 2), volume)
check("avg_pool3d padding", lambda x: F.avg_pool3d(x, 3, 2, 1), volume)
check("avg_pool3d exclude pad", lambda x: F.avg_pool3d(x, 3, 2, 1, count_include_pad=False), volume)
check("avg_pool3d ceil", lambda x: F.avg_pool3d(x, 2, (2, 3, 3), ceil_mode=True), volume)
check("avg_pool3d divisor", lambda x: F.avg_pool3d(x, 2, 1, divisor_override=3), volume[0])
check("adaptive_avg_pool3d", lambda x: F.adaptive_avg_pool3d(x, (3, 2, 3)), volume)
check("adaptive_avg_pool3d none", lambda x: F.adaptive_avg_pool3d(x, (None, 3, 6)), volume[0])
check("adaptive_max_pool3d", lambda x: F.adaptive_max_pool3d(x, 3, True), volume)
check("adaptive_max_pool3d none", lambda x: F.adaptive_max_pool3d(x, (2, None, 3)), volume[0])

modules = [
    nn.MaxPool3d(2),
    nn.MaxPool3d((2, 1, 2), stride=1, padding=(1, 0, 1), return_indices=True, ceil_mode=True),
    nn.AvgPool3d(2),
    nn.AvgPool3d(3, stride=2, padding=1, count_include_pad=False, divisor_override=5),
    nn.AdaptiveAvgPool3d(2),
    nn.AdaptiveAvgPool3d((None, 2, 3)),
    nn.AdaptiveMaxPool3d((2, 3, 1)),
    nn.AdaptiveMaxPool3d(2, return_indices=True),
]
for module in modules:
    print(repr(module))
    check("  module", module, volume)

failure("kernel", lambda: F.max_pool3d(volume, (2, 2)))
failure("stride", lambda: F.max_pool3d(volume, 2, stride=(1, 2)))
failure("padding", lambda: F.max_pool3d(volume, 2, padding=(1, 2)))
failure("dilation", lambda: F.max_pool3d(volume, 2, dilation=(1, 2)))
failure("zero kernel", lambda: F.max_pool3d(volume, 0))
failure("zero dilation", lambda: F.max_pool3d(volume, 2, dilation=0))
failure("large pad", lambda: F.max_pool3d(volume, 2, padding=2))
failure("too small", lambda: F.max_pool3d(volume, 5))
failure("rank", lambda: F.max_pool3d(volume[0, 0], 2))
failure("avg kernel", lambda: F.avg_pool3d(volume, (2, 2)))
failure("avg stride", lambda: F.avg_pool3d(volume, 2, stride=(1, 2)))
failure("avg padding", lambda: F.avg_pool3d(volume, 2, padding=(1, 2)))
failure("avg larger kernel", lambda: F.avg_pool3d(volume, (5, 2, 2), padding=(1, 0, 0)))
failure("avg large pad", lambda: F.avg_pool3d(volume, 2, padding=2))
failure("avg rank", lambda: F.avg_pool3d(volume[0, 0], 2))
failure("avg divisor", lambda: F.avg_pool3d(volume, 2, divisor_override=0))
failure("adaptive avg rank", lambda: F.adaptive_avg_pool3d(volume[0, 0], 2))
failure("adaptive avg size", lambda: F.adaptive_avg_pool3d(volume, (2, 2)))
failure("adaptive max rank", lambda: F.adaptive_max_pool3d(volume[0, 0], 2))
failure("adaptive max size", lambda: F.adaptive_max_pool3d(volume, (2, 2)))
