"""Derivatives of the N-d convolution (``jax.lax.conv_general_dilated``'s generality: stride,
padding, input and kernel dilation, groups), PyTorch's ``ConvolutionBackward0``.

Both gradients are convolutions again, made by the same primitive (``ns.convolution``): the
input's is the transposed convolution of the output's gradient with the flipped filters (the
stride becomes an input dilation), the weight's the convolution of the input with the output's
gradient as the kernel (channels and batch swapped; groups become groups of the batch).  So a
backward under ``create_graph=True`` records convolutions, and every order of derivative runs on
every backend.  The paddings are JAX's ``_conv_general_vjp_lhs_padding`` and
``_conv_general_vjp_rhs_padding``.
"""

from __future__ import annotations

from ._helpers import Entry, conj


def _dilated(size: int, dilation: int) -> int:
    """The length of `size` elements with ``dilation - 1`` holes between them."""
    return 0 if size == 0 else (size - 1) * dilation + 1


def _x_grad(ns, g, w, x_shape, stride, padding, lhs_dilation, rhs_dilation, groups):
    """The transposed convolution of `g` with the flipped filters, in and out channels swapped
    within each group."""
    d = len(x_shape) - 2
    o, cg, *kernel = w.shape
    filters = ns.reshape(conj(ns, w), (groups, o // groups, cg, *kernel))
    filters = ns.permute_dims(filters, (0, 2, 1, *range(3, 3 + d)))
    filters = ns.reshape(filters, (groups * cg, o // groups, *kernel))
    filters = ns.flip(filters, axis=tuple(range(2, 2 + d)))
    pads = []
    for size, k, s, out, (lo, _), ld, rd in zip(
        x_shape[2:], kernel, stride, g.shape[2:], padding, lhs_dilation, rhs_dilation
    ):
        before = _dilated(k, rd) - lo - 1
        pads.append((before, _dilated(size, ld) + _dilated(k, rd) - 1 - _dilated(out, s) - before))
    return ns.convolution(
        g,
        filters,
        stride=tuple(lhs_dilation),
        padding=tuple(pads),
        lhs_dilation=tuple(stride),
        rhs_dilation=tuple(rhs_dilation),
        groups=groups,
    )


def _w_grad(ns, g, x, w_shape, stride, padding, lhs_dilation, rhs_dilation, groups):
    """The convolution of `x` (channels as the batch, each group's batch as its channels) with
    `g` as the kernel (its channels as the filters), strided by the kernel's dilation."""
    n, c, *spatial = x.shape
    d = len(spatial)
    cg = c // groups
    lhs = ns.reshape(conj(ns, x), (n, groups, cg, *spatial))
    lhs = ns.permute_dims(lhs, (2, 1, 0, *range(3, 3 + d)))
    lhs = ns.reshape(lhs, (cg, groups * n, *spatial))
    rhs = ns.permute_dims(g, (1, 0, *range(2, 2 + d)))
    pads = tuple(
        (lo, _dilated(out, s) - _dilated(size, ld) + _dilated(k, rd) - lo - 1)
        for size, k, s, out, (lo, _), ld, rd in zip(
            spatial, w_shape[2:], stride, g.shape[2:], padding, lhs_dilation, rhs_dilation
        )
    )
    out = ns.convolution(
        lhs,
        rhs,
        stride=tuple(rhs_dilation),
        padding=pads,
        lhs_dilation=tuple(lhs_dilation),
        rhs_dilation=tuple(stride),
        groups=groups,
    )
    return ns.permute_dims(out, (1, 0, *range(2, 2 + d)))


TABLE = {
    "convolution": Entry("ConvolutionBackward0", x=_x_grad, w=_w_grad),
}

NONDIFFERENTIABLE: frozenset[str] = frozenset()
