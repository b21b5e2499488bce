"""Derivatives of shape manipulation, dtype conversion and copies."""

from __future__ import annotations

from ._helpers import Entry, cast_grad, inverse_permutation, sum_to, zeros_where

# ``concat`` and ``stack`` take any number of arrays: their primitives have this many inputs,
# ``x0``, ``x1``, ... (calls with more arrays are split into several primitive calls)
MAX_ARRAY_INPUTS = 64


def _along(axis: int, index) -> tuple:
    """The key that picks `index` (an int or a slice) on `axis`: ``g[:, ..., index, ...]``."""
    return (slice(None),) * axis + (index, Ellipsis)


def _concat_grad(i: int):
    def formula(ns, g, axis, sizes):
        start = sum(sizes[:i])
        return g[_along(axis, slice(start, start + sizes[i]))]

    return formula


def _stack_grad(i: int):
    return lambda ns, g, axis: g[_along(axis, i)]


def _tile_grad(ns, g, x_shape, repetitions):
    """Sum the tiles of `g` back onto one copy of `x` (``Tensor.repeat``'s backward)."""
    k = max(len(x_shape), len(repetitions))
    shape = (1,) * (k - len(x_shape)) + tuple(x_shape)
    reps = (1,) * (k - len(repetitions)) + tuple(repetitions)
    interleaved = tuple(n for pair in zip(reps, shape) for n in pair)
    g = ns.reshape(g, interleaved)
    if k:
        g = ns.sum(g, axis=tuple(range(0, 2 * k, 2)))
    return ns.reshape(g, tuple(x_shape))


def _roll_grad(ns, g, shift, axis):
    back = tuple(-s for s in shift) if isinstance(shift, tuple) else -shift
    return ns.roll(g, shift=back, axis=axis)


def _split_grad(ns, g, axis):
    return ns.concat(list(g), axis=axis)


def _unstack_grad(ns, g, axis):
    return ns.stack(list(g), axis=axis)


def _squeeze_node(args, params) -> str:
    axis = params["axis"]
    if axis is None:
        return "SqueezeBackward0"
    return "SqueezeBackward1" if isinstance(axis, int) else "SqueezeBackward2"


def _split_node(args, params) -> str:
    return "SplitWithSizesBackward0" if params["with_sizes"] else "SplitBackward0"


TABLE = {
    # ---- shape -----------------------------------------------------------------------------------
    # reshape is a view (ViewBackward0) unless it had to copy x first (_unsafe_view)
    "reshape": Entry(
        lambda args, params: (
            "UnsafeViewBackward0" if params.get("copy") == "cloned" else "ViewBackward0"
        ),
        x=lambda ns, g, x_shape: ns.reshape(g, x_shape),
    ),
    "expand_dims": Entry("UnsqueezeBackward0", x=lambda ns, g, x_shape: ns.reshape(g, x_shape)),
    "squeeze": Entry(_squeeze_node, x=lambda ns, g, x_shape: ns.reshape(g, x_shape)),
    "broadcast_to": Entry("ExpandBackward0", x=lambda ns, g, x_shape: sum_to(ns, g, x_shape)),
    # ---- axis order --------------------------------------------------------------------------
    "permute_dims": Entry(
        "PermuteBackward0",
        x=lambda ns, g, axes: ns.permute_dims(g, inverse_permutation(axes)),
    ),
    # transpose(dim0, dim1) and t() are permutations that undo themselves
    "transpose": Entry("TransposeBackward0", x=lambda ns, g, axes: ns.permute_dims(g, axes)),
    "t": Entry("TBackward0", x=lambda ns, g, axes: ns.permute_dims(g, axes)),
    "flip": Entry("FlipBackward0", x=lambda ns, g, axis: ns.flip(g, axis=axis)),
    "roll": Entry("RollBackward0", x=_roll_grad),
    # ---- joining, splitting, tiling -----------------------------------------------------------
    "concat": Entry("CatBackward0", **{f"x{i}": _concat_grad(i) for i in range(MAX_ARRAY_INPUTS)}),
    "stack": Entry("StackBackward0", **{f"x{i}": _stack_grad(i) for i in range(MAX_ARRAY_INPUTS)}),
    # several outputs, as many as the call makes (see pluggrad.ops.manipulation)
    "split": Entry(_split_node, x=_split_grad),
    "unstack": Entry("UnbindBackward0", x=_unstack_grad),
    "tile": Entry("RepeatBackward0", x=_tile_grad),
    # ---- dtype conversion and copies ----------------------------------------------------------
    "astype": Entry("ToCopyBackward0", x=lambda ns, g, x_dtype: cast_grad(ns, g, x_dtype)),
    "clone": Entry("CloneBackward0", x=lambda ns, g: g),
    # a move between devices: the gradient goes back where x was
    "move": Entry("ToCopyBackward0", x=lambda ns, g, x_device: ns.move(g, x_device)),
    # the copy AccumulateGrad makes of a first gradient under create_graph=True (as PyTorch)
    "copy": Entry("CopyBackwards", x=lambda ns, g: g),
    # ---- filling -----------------------------------------------------------------------------
    "masked_fill": Entry(
        {"tts": "MaskedFillBackward0", "ttt": "MaskedFillBackward1"},
        x=lambda ns, g, mask: zeros_where(ns, mask, g),
        value=lambda ns, g, mask: ns.sum(ns.where(mask, g, ns.zeros_like(g))),
    ),
}

NONDIFFERENTIABLE: frozenset[str] = frozenset()
