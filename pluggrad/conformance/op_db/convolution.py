"""Records of the N-d convolution primitive behind ``nn.functional``'s convolutions (no topic
of the standard: :data:`pluggrad.ops.derivatives.INTERNAL`).  The reference is an im2col
written with ``take`` and ``matmul``, so on the jax backend ``jax.vjp`` of it checks the
primitive's own backward convolutions."""

from __future__ import annotations

import numpy as np

from pluggrad.backends._base import conv_window_index
from pluggrad.ops.convolution import convolution

from ._base import OpRecord, Sample, rand


def _reference(xp, x, w, *, stride, padding, lhs_dilation, rhs_dilation, groups):
    n, c, *spatial = x.shape
    o, cg, *kernel = w.shape
    index, out_shape = conv_window_index(
        spatial, kernel, stride, padding, lhs_dilation, rhs_dilation
    )
    n_out, n_k = index.shape
    flat = xp.concat([xp.reshape(x, (n, c, -1)), xp.zeros((n, c, 1), dtype=x.dtype)], axis=2)
    cols = xp.take(flat, xp.asarray(np.reshape(index, (-1,))), axis=2)
    cols = xp.permute_dims(xp.reshape(cols, (n, groups, cg, n_out, n_k)), (0, 1, 3, 2, 4))
    cols = xp.reshape(cols, (n, groups, n_out, cg * n_k))
    filters = xp.permute_dims(xp.reshape(w, (groups, o // groups, cg * n_k)), (0, 2, 1))
    out = xp.permute_dims(xp.matmul(cols, filters), (0, 1, 3, 2))
    return xp.reshape(out, (n, o, *out_shape))


def _params(stride, padding, lhs_dilation, rhs_dilation, groups=1) -> dict:
    return {"stride": stride, "padding": padding, "lhs_dilation": lhs_dilation,
            "rhs_dilation": rhs_dilation, "groups": groups}  # fmt: skip


RECORDS = [
    OpRecord(
        "convolution",
        lambda x, w, **params: convolution(x, w, **params),
        _reference,
        [
            Sample((rand(2, 2, 5), rand(3, 2, 2)), _params((1,), ((0, 0),), (1,), (1,))),
            Sample(
                (rand(1, 4, 4, 5), rand(4, 2, 2, 3)),
                _params((2, 1), ((1, 0), (2, -1)), (1, 2), (2, 1), groups=2),
            ),
            Sample(
                (rand(1, 1, 3, 2, 3), rand(2, 1, 2, 1, 2)),
                _params((1, 1, 2), ((1, 1), (0, 0), (0, 1)), (2, 1, 1), (1, 1, 1)),
            ),  # fmt: skip
        ],
        ("convolution",),
        functions=("nn.functional.conv1d", "nn.functional.conv2d"),
    ),
]
