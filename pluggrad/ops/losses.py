"""Loss primitives behind :mod:`pluggrad.nn.functional` whose backward PyTorch writes as one
formula (no topic of the standard: :data:`pluggrad.ops.derivatives.INTERNAL`).

``binary_cross_entropy_with_logits`` is one operation in PyTorch, ``BinaryCrossEntropyWithLogits
Backward0``, whose input gradient is ``(sigmoid(x) - t) * grad`` (with its weight terms): made of
the elementwise operations, its backward would differentiate each of them (the masks of a stable
``softplus``, the broadcast of the mean), several times the work and, on Dask, several times the
tasks.  Its formulas (:mod:`pluggrad.ops.derivatives.losses`) are written with the namespace's
operations, so derivatives of every order work.
"""

from __future__ import annotations

from .._core.primitive import apply
from .._core.tensor import Tensor
from ._define import primitive

__all__ = ["binary_cross_entropy_with_logits", "log_sigmoid_of"]


def log_sigmoid_of(xp, x):
    """``log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|))`` (PyTorch's CPU kernel): no overflow
    and no branch, on raw arrays of namespace `xp` or on Tensors."""
    return xp.minimum(x, 0.0) - xp.log1p(xp.exp(-xp.abs(x)))


def _bce_with_logits_forward(backend, input, target, weight, pos_weight, *, reduction):  # noqa: A002
    xp = backend.xp
    log_sigmoid = log_sigmoid_of(xp, input)
    if pos_weight is not None:
        log_sigmoid = log_sigmoid * ((pos_weight - 1) * target + 1)
    loss = (1 - target) * input - log_sigmoid
    if weight is not None:
        loss = loss * weight
    if reduction == "mean":
        return xp.mean(loss)
    return xp.sum(loss) if reduction == "sum" else loss


_BCE_WITH_LOGITS = primitive(
    "binary_cross_entropy_with_logits",
    ("input", "target", "weight", "pos_weight"),
    forward=_bce_with_logits_forward,
)


def binary_cross_entropy_with_logits(
    input: Tensor,  # noqa: A002 - PyTorch's names
    target: Tensor,
    weight: Tensor | None,
    pos_weight: Tensor | None,
    reduction: str,
) -> Tensor:
    """PyTorch's ``binary_cross_entropy_with_logits`` as one operation, for `input` and
    `target` of one real floating dtype and shape, `weight` and `pos_weight` (None, or tensors
    of that dtype that broadcast to the input's shape and need no gradient), `reduction`
    ``"none"``, ``"mean"`` or ``"sum"``: ``(1 - t) x - (1 + (pos_weight - 1) t) log(sigmoid(x))``
    times `weight`, reduced.  ``nn.functional`` checks the arguments."""
    return apply(_BCE_WITH_LOGITS, (input, target, weight, pos_weight), {"reduction": reduction})
