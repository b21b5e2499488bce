"""Derivatives of shape manipulation, dtype conversion and copies."""

from __future__ import annotations

from ._helpers import Entry, inverse_permutation, sum_to

TABLE = {
    "reshape": Entry("ViewBackward0", x=lambda ns, g, x_shape: ns.reshape(g, x_shape)),
    "expand_dims": Entry("UnsqueezeBackward0", x=lambda ns, g, x_shape: ns.reshape(g, x_shape)),
    "broadcast_to": Entry("ExpandBackward0", x=lambda ns, g, x_shape: sum_to(ns, g, x_shape)),
    "permute_dims": Entry(
        "PermuteBackward0",
        x=lambda ns, g, axes: ns.permute_dims(g, inverse_permutation(axes)),
    ),
    "astype": Entry("ToCopyBackward0", x=lambda ns, g, x_dtype: ns.astype(g, x_dtype)),
    "clone": Entry("CloneBackward0", x=lambda ns, g: g),
    # the copy AccumulateGrad makes of a first gradient under create_graph=True (as PyTorch)
    "copy": Entry("CopyBackwards", x=lambda ns, g: g),
}

NONDIFFERENTIABLE = frozenset()
