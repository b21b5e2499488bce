"""``pluggrad.nn.functional``'s convolutions and pooling: first and second derivatives by
finite differences (float64, every backend), PyTorch's choices at ties, NaN and padding in
max pooling, its error messages, and the NumPy backend's convolution kernel against the array
API default.  The ``nn_conv`` scenario compares values and gradients with PyTorch's."""

from __future__ import annotations

import numpy as np
import pytest

import pluggrad as pg
from pluggrad.backends import Backend, load_backend
from pluggrad.nn import functional as F

_rng = np.random.default_rng(11)


def _t(*shape):
    return pg.asarray(_rng.uniform(-2.0, 2.0, shape)).requires_grad_()


CASES = {
    "conv1d": (lambda x, w, b: F.conv1d(x, w, b), lambda: (_t(2, 3, 6), _t(4, 3, 2), _t(4))),
    "conv1d_stride_padding_dilation": (
        lambda x, w: F.conv1d(x, w, stride=2, padding=2, dilation=2),
        lambda: (_t(2, 2, 7), _t(3, 2, 3)),
    ),
    "conv1d_same_groups": (
        lambda x, w: F.conv1d(x, w, padding="same", groups=2),
        lambda: (_t(1, 4, 5), _t(4, 2, 2)),
    ),
    "conv1d_unbatched": (lambda x, w: F.conv1d(x, w), lambda: (_t(2, 5), _t(3, 2, 2))),
    "conv2d": (lambda x, w, b: F.conv2d(x, w, b), lambda: (_t(2, 2, 4, 3), _t(3, 2, 2, 2), _t(3))),
    "conv2d_stride_padding": (
        lambda x, w: F.conv2d(x, w, stride=(2, 1), padding=(1, 2)),
        lambda: (_t(1, 2, 5, 4), _t(2, 2, 3, 2)),
    ),
    "conv2d_dilation_groups": (
        lambda x, w, b: F.conv2d(x, w, b, padding=1, dilation=(2, 1), groups=2),
        lambda: (_t(2, 4, 4, 4), _t(4, 2, 2, 2), _t(4)),
    ),
    "conv2d_same_valid": (
        lambda x, w: F.conv2d(x, w, padding="same") + F.conv2d(x, w, padding="valid").sum(),
        lambda: (_t(1, 2, 4, 3), _t(2, 2, 2, 3)),
    ),
    "conv_transpose2d": (
        lambda x, w: F.conv_transpose2d(x, w, stride=2, padding=1, output_padding=1, groups=2),
        lambda: (_t(1, 4, 3, 3), _t(4, 1, 3, 2)),
    ),
    "max_pool2d": (
        lambda x: F.max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True),
        lambda: (_t(2, 2, 5, 6),),
    ),
    "max_pool2d_dilation": (
        lambda x: F.max_pool2d(x, 2, 1, 1, dilation=2),
        lambda: (_t(1, 2, 5, 5),),
    ),
    "avg_pool2d": (lambda x: F.avg_pool2d(x, 2), lambda: (_t(2, 2, 4, 5),)),
    "avg_pool2d_padding": (
        lambda x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
        lambda: (_t(1, 2, 6, 5),),
    ),
    "avg_pool2d_divisor": (
        lambda x: F.avg_pool2d(x, (2, 3), divisor_override=4),
        lambda: (_t(2, 5, 6),),
    ),
    "adaptive_avg_pool2d": (lambda x: F.adaptive_avg_pool2d(x, (3, 2)), lambda: (_t(1, 2, 5, 5),)),
    "adaptive_max_pool2d": (lambda x: F.adaptive_max_pool2d(x, (3, 2)), lambda: (_t(1, 2, 5, 4),)),
    "conv3d": (
        lambda x, w, b: F.conv3d(x, w, b, stride=(1, 2, 1), padding=1, groups=2),
        lambda: (_t(1, 2, 3, 4, 3), _t(2, 1, 2, 2, 2), _t(2)),
    ),
    "conv_transpose3d": (
        lambda x, w: F.conv_transpose3d(x, w, stride=2, padding=1, output_padding=(1, 0, 1)),
        lambda: (_t(1, 2, 2, 3, 2), _t(2, 1, 3, 2, 3)),
    ),
    "max_pool3d": (
        lambda x: F.max_pool3d(x, 2, stride=(1, 2, 1), padding=1, dilation=(1, 1, 2)),
        lambda: (_t(1, 2, 3, 4, 4),),
    ),
    "avg_pool3d": (
        lambda x: F.avg_pool3d(x, (2, 3, 2), 2, 1, ceil_mode=True, count_include_pad=False),
        lambda: (_t(2, 3, 4, 3),),
    ),
    "adaptive_pool3d": (
        lambda x: F.adaptive_avg_pool3d(x, (2, 3, 2)) * F.adaptive_max_pool3d(x, (2, 3, 2)),
        lambda: (_t(1, 2, 3, 4, 3),),
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_first_and_second_derivatives(backend, name):
    fn, make = CASES[name]
    inputs = make()
    assert pg.autograd.gradcheck(fn, inputs)
    assert pg.autograd.gradgradcheck(fn, inputs)


def _third_order(conv, x, w):
    y = conv(x, w)
    (gx,) = pg.autograd.grad((y**3).sum(), x, create_graph=True)
    (gw,) = pg.autograd.grad((gx**2).sum(), w, create_graph=True)
    (gx3,) = pg.autograd.grad((gw**2).sum(), x)
    return np.asarray(gx3.tolist())


def test_convolution_node_and_third_order(backend):
    """A third derivative through the convolution's own backward convolutions, against the
    same convolution written as windows (slices, stack) and ``einsum``."""
    x, w = _t(1, 2, 5), _t(3, 2, 2)
    assert type(F.conv1d(x, w).grad_fn).__name__ == "ConvolutionBackward0"

    def windows(x, w):
        taken = pg.stack([x[:, :, 2 * t : 2 * t + 3 : 2] for t in range(2)], dim=2)
        return pg.einsum("nctk,ock->not", taken, w)

    np.testing.assert_allclose(
        _third_order(lambda x, w: F.conv1d(x, w, stride=2, dilation=2), x, w),
        _third_order(windows, x, w),
        rtol=1e-10,
    )


def test_max_pool_ties_nan_and_padding(backend):
    x = pg.tensor([[[2.0, 2.0, 1.0, float("nan"), 0.0, float("nan")]]], requires_grad=True)
    out, indices = F.max_pool1d(x, 3, stride=3, return_indices=True)
    out.sum().backward()
    assert indices.tolist() == [[[0, 5]]]  # the first of equal maxima, the last NaN
    assert x.grad.tolist() == [[[1.0, 0.0, 0.0, 0.0, 0.0, 1.0]]]
    inf = float("-inf")
    y = pg.tensor([[[inf, inf, 3.0]]], requires_grad=True)
    out, indices = F.max_pool1d(y, 2, padding=1, return_indices=True)
    out.sum().backward()
    assert indices.tolist() == [[[0, 2]]]  # never the padding, even when -inf ties with it
    assert y.grad.tolist() == [[[1.0, 0.0, 1.0]]]


ERRORS = [
    (lambda: F.conv2d(pg.zeros(2, 3), pg.zeros(1, 1, 1, 1)),
     "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [2, 3]"),
    (lambda: F.conv2d(pg.zeros(1, 3, 5, 5), pg.zeros(2, 4, 3, 3)),
     "Given groups=1, weight of size [2, 4, 3, 3], expected input[1, 3, 5, 5] to have 4 "
     "channels, but got 3 channels instead"),
    (lambda: F.conv1d(pg.zeros(1, 2, 5), pg.zeros(3, 1, 2), groups=2),
     "Given groups=2, expected weight to be divisible by 2 at dimension 0, but got weight of "
     "size [[3, 1, 2]] instead"),
    (lambda: F.conv2d(pg.zeros(1, 1, 2, 2), pg.zeros(1, 1, 3, 3)),
     "Calculated padded input size per channel: (2 x 2). Kernel size: (3 x 3). Kernel size "
     "can't be greater than actual input size"),
    (lambda: F.conv1d(pg.zeros(1, 1, 5), pg.zeros(1, 1, 3), padding="same", stride=2),
     "padding='same' is not supported for strided convolutions"),
    (lambda: F.max_pool2d(pg.zeros(1, 1, 5, 5), 3, padding=2),
     "pad should be at most half of effective kernel size, but got pad=2, kernel_size=3 and "
     "dilation=1"),
    (lambda: F.avg_pool2d(pg.zeros(1, 1, 5, 5), 2, divisor_override=0), "divisor must be not zero"),
]  # fmt: skip


@pytest.mark.parametrize("index", range(len(ERRORS)))
def test_errors(backend, index):
    make, message = ERRORS[index]
    with pytest.raises(RuntimeError) as info:
        make()
    assert str(info.value) == message


@pytest.mark.parametrize("seed", range(12))
def test_numpy_kernel_matches_the_array_api_default(seed):
    """NumPy's strided-window kernel against the default (im2col with ``take``), on random
    shapes, strides, paddings (negative too), dilations and groups, 1-d to 3-d."""
    numpy_backend = load_backend("numpy")
    rng = np.random.default_rng(seed)
    d = int(rng.integers(1, 4))
    groups, n = int(rng.integers(1, 4)), int(rng.integers(1, 3))
    spatial = tuple(int(v) for v in rng.integers(2, 8, d))
    kernel = tuple(int(v) for v in rng.integers(1, 4, d))
    params = {
        "stride": tuple(int(v) for v in rng.integers(1, 4, d)),
        "padding": tuple((int(lo), int(hi)) for lo, hi in rng.integers(-1, 3, (d, 2))),
        "lhs_dilation": tuple(int(v) for v in rng.integers(1, 3, d)),
        "rhs_dilation": tuple(int(v) for v in rng.integers(1, 3, d)),
        "groups": groups,
    }
    x = rng.standard_normal((n, groups * int(rng.integers(1, 3)), *spatial))
    w = rng.standard_normal((groups * int(rng.integers(1, 3)), x.shape[1] // groups, *kernel))
    fast = numpy_backend.convolution(x, w, **params)
    default = Backend.convolution(numpy_backend, x, w, **params)
    assert fast.shape == default.shape
    np.testing.assert_allclose(fast, default, rtol=1e-12, atol=1e-12)
