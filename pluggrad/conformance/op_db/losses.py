"""Records of the loss primitives behind ``nn.functional`` (no topic of the standard:
:data:`pluggrad.ops.derivatives.INTERNAL`), called through ``nn.functional`` as a user does.
The input and the target both require grad (PyTorch differentiates both); `weight` and
`pos_weight` are constants, as PyTorch requires.  The reference is written with ``logaddexp``,
so on the jax backend ``jax.vjp`` of it checks the primitive's formulas independently."""

from __future__ import annotations

import pluggrad as pg
from pluggrad.nn import functional as F

from ._base import OpRecord, Sample, positive, rand


def _bce_logits(x, t, *, weight=None, pos_weight=None, reduction="mean"):
    constant = lambda a: None if a is None else pg.tensor(a, dtype=pg.float64)
    return F.binary_cross_entropy_with_logits(
        x, t, weight=constant(weight), pos_weight=constant(pos_weight), reduction=reduction
    )


def _bce_logits_reference(xp, x, t, *, weight=None, pos_weight=None, reduction="mean"):
    log_weight = 1.0 if pos_weight is None else (pos_weight - 1) * t + 1
    loss = (1 - t) * x + log_weight * xp.logaddexp(xp.zeros_like(x), -x)
    if weight is not None:
        loss = loss * weight
    if reduction == "mean":
        return xp.mean(loss)
    return xp.sum(loss) if reduction == "sum" else loss


def _target(*shape):
    return rand(*shape, low=0.0, high=1.0)


RECORDS = [
    OpRecord(
        "binary_cross_entropy_with_logits",
        _bce_logits,
        _bce_logits_reference,
        [
            Sample((rand(5), _target(5))),
            Sample((rand(2, 3, low=-4.0, high=4.0), _target(2, 3)), {"reduction": "sum"}),
            Sample((rand(3, 2), _target(3, 2)), {"reduction": "none", "weight": positive(2)}),
            Sample((rand(2, 4), _target(2, 4)), {"pos_weight": positive(4)}),
            Sample(
                (rand(3, 4), _target(3, 4)),
                {"weight": positive(3, 1), "pos_weight": positive(4), "reduction": "none"},
            ),
        ],
        ("binary_cross_entropy_with_logits",),
        functions=("nn.functional.binary_cross_entropy_with_logits",),
    ),
]
