"""The N-d convolution primitive behind :mod:`pluggrad.nn.functional`'s convolutions and
average pooling.

One primitive, ``convolution``, with ``jax.lax.conv_general_dilated``'s generality (stride,
``(lo, hi)`` padding per axis, input and kernel dilation, groups), so that its own gradients
are convolutions of the same kind (:mod:`pluggrad.ops.derivatives.convolution`) and derivatives
of every order work.  The kernel is the backend's :meth:`~pluggrad.backends.Backend.convolution`
(an array API im2col by default, NumPy's strided windows and ``einsum``, JAX's
``conv_general_dilated``).  It is not a function of the array API standard nor of ``torch``'s
namespace: the derivative formulas reach it as ``ns.convolution``, the user through
``nn.functional``.
"""

from __future__ import annotations

from collections.abc import Sequence

from .._core.primitive import apply
from .._core.tensor import Tensor
from ._args import as_tensor_arg
from ._define import primitive

__all__ = ["convolution"]

_CONVOLUTION = primitive(
    "convolution",
    ("x", "w"),
    forward=lambda backend, x, w, **params: backend.convolution(x, w, **params),
)


def convolution(
    x,
    w,
    /,
    *,
    stride: Sequence[int],
    padding: Sequence[tuple[int, int]],
    lhs_dilation: Sequence[int],
    rhs_dilation: Sequence[int],
    groups: int = 1,
) -> Tensor:
    """The cross-correlation of `x` ``(N, C, *spatial)`` with the filters `w`
    ``(O, C // groups, *kernel)``: ``(N, O, *out)`` (see ``Backend.convolution``).

    Arguments are checked by the callers (``nn.functional``); `padding` holds one ``(lo, hi)``
    pair per spatial axis, negative to crop.
    """
    x, w = as_tensor_arg(x), as_tensor_arg(w)
    params = {
        "stride": tuple(int(s) for s in stride),
        "padding": tuple((int(lo), int(hi)) for lo, hi in padding),
        "lhs_dilation": tuple(int(d) for d in lhs_dilation),
        "rhs_dilation": tuple(int(d) for d in rhs_dilation),
        "groups": int(groups),
    }
    return apply(_CONVOLUTION, (x, w), params)
