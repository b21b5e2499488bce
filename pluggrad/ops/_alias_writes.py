"""Writes into a tensor's own array: the in-place updates that need no recorded history.

An untracked in-place update (``x.add_(y)`` under ``no_grad``, an optimizer's step) can run as
one backend kernel writing into the tensor's array (NumPy's ``out=``) where that array holds the
tensor's elements: :func:`writes_in_place` says when, :func:`wrote_in_place` does what a commit
does afterwards (version counter, aliases, autograd views), :func:`direct_update` runs the
binary in-place methods that way.  :func:`regenerate_views` is also the last step of every
recorded write into shared storage (:mod:`pluggrad.ops.inplace`).
"""

from __future__ import annotations

from .._core.grad_mode import enable_grad
from .._core.graph import rebase_history
from .._core.tensor import Tensor
from .._core.views import live_aliases, refresh_aliases, relative_positions
from .elementwise import imag, real
from .indexing import strided_view

__all__ = ["KERNEL_OF", "direct_update", "regenerate_views", "writes_in_place", "wrote_in_place"]


def regenerate_views(root: Tensor, rebased: Tensor | None) -> None:
    """After the elements of the storage `root` changed, make the autograd views among its
    aliases read their elements from their base's value again (``AsStridedBackward0``), as
    PyTorch does: the views of `rebased` (the tensor whose history the change rewrote), and
    every view that had a history."""
    with enable_grad():
        for a in live_aliases(root):
            meta = a._view
            base = meta.base
            if base is None or a is rebased or not base._requires_grad:
                continue
            if base is not rebased and a._grad_fn is None:
                continue
            g = meta.geometry()
            fresh = strided_view(base, relative_positions(a, base), g.shape, g.strides, g.offset)
            if g.part is not None:
                fresh = real(fresh) if g.part == "real" else imag(fresh)
            if fresh._grad_fn is not None:
                rebase_history(a, fresh._grad_fn, 0)


# the elementwise in-place methods a backend may run as one kernel writing into the tensor
KERNEL_OF = {
    "add_": "add", "__iadd__": "add", "sub_": "subtract", "__isub__": "subtract",
    "mul_": "multiply", "__imul__": "multiply", "div_": "divide", "__itruediv__": "divide",
    "true_divide_": "divide", "maximum_": "maximum", "minimum_": "minimum",
}  # fmt: skip


def writes_in_place(x: Tensor) -> bool:
    """Whether a kernel may write `x`'s new elements into ``x._data`` itself (then call
    :func:`wrote_in_place`): `x` owns its array, or is an alias of its whole storage holding the
    storage's very array (a Parameter made of a tensor), which every other alias then sees."""
    meta = x._view
    return meta is None or (x._data is meta.root._data and meta.is_whole())


def wrote_in_place(x: Tensor) -> None:
    """What follows an untracked write into ``x._data`` by a kernel (see
    :func:`writes_in_place`), as :func:`commit` does it: the shared version counter moves, and
    the aliases that do not share the array and the autograd views of the storage read their
    elements again."""
    x._vc[0] += 1
    meta = x._view
    if meta is not None:
        refresh_aliases(meta.root, written_in_place=True)
        regenerate_views(meta.root, None)


def direct_update(x: Tensor, kernel, args: tuple, kwargs: dict) -> bool:
    """Run an untracked binary in-place update as one kernel writing into `x`'s array (NumPy's
    ``np.add(x, y, out=x)``), when that gives what the out-of-place computation would: `x`'s
    array holds its elements (:func:`writes_in_place`), the operand is a tensor of `x`'s dtype
    and backend whose shape broadcasts to `x`'s, or a Python number of `x`'s kind.  Returns
    whether it ran."""
    if len(args) != 1 or x.dtype.kind != "f" or not writes_in_place(x):
        return False
    (other,) = args
    if kwargs:  # add_/sub_'s alpha scales the operand first, as PyTorch computes it
        alpha = kwargs.get("alpha", 1)
        if len(kwargs) != 1 or "alpha" not in kwargs or type(alpha) not in (int, float):
            return False
    else:
        alpha = 1
    if isinstance(other, Tensor):
        if other.dtype is not x.dtype or other._backend is not x._backend or other.ndim > x.ndim:
            return False
        if any(o != 1 and o != s for o, s in zip(other.shape[::-1], x.shape[::-1])):
            return False
        operand = other._data if alpha == 1 else other._data * alpha
    elif type(other) in (int, float):  # a weak scalar: computed in x's dtype
        operand = other * alpha
    else:
        return False
    kernel(x._data, operand, out=x._data)
    wrote_in_place(x)
    return True
