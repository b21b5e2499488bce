"""Records of the loss primitives behind ``nn.functional`` (no topic of the standard:
:data:`pluggrad.ops.derivatives.INTERNAL`), called through ``nn.functional`` as a user does
(``binary_cross_entropy_backward``, the first derivative recorded under ``create_graph=True``,
directly: its records check PyTorch's double-backward formulas).
The input and the target both require grad (PyTorch differentiates both); `weight` and
`pos_weight` are constants, as PyTorch requires.  The reference is written with ``logaddexp``,
so on the jax backend ``jax.vjp`` of it checks the primitive's formulas independently."""

from __future__ import annotations

import numpy as np

import pluggrad as pg
from pluggrad.nn import functional as F

from ._base import OpRecord, Sample, positive, rand


def _bce_logits(x, t, *, weight=None, pos_weight=None, reduction="mean"):
    constant = lambda a: None if a is None else pg.as_tensor(a, dtype=pg.float64).detach()
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


def _mse(x, t, *, reduction="mean"):
    return F.mse_loss(x, t, reduction=reduction)


def _mse_reference(xp, x, t, *, reduction="mean"):
    loss = (x - t) ** 2
    if reduction == "mean":
        return xp.mean(loss)
    return xp.sum(loss) if reduction == "sum" else loss


def _mse_backward(g, x, t, *, reduction="none"):
    return pg.ops.losses.mse_loss_backward(g, x, t, reduction)


def _mse_backward_reference(xp, g, x, t, *, reduction="none"):
    return (2.0 / x.size if reduction == "mean" else 2.0) * (x - t) * g


def _bce(x, t, *, weight=None, reduction="mean"):
    weight = None if weight is None else pg.as_tensor(weight, dtype=pg.float64).detach()
    return F.binary_cross_entropy(x, t, weight=weight, reduction=reduction)


def _bce_reference(xp, x, t, *, weight=None, reduction="mean"):
    loss = -(t * xp.log(x) + (1 - t) * xp.log1p(-x))
    if weight is not None:
        loss = loss * weight
    if reduction == "mean":
        return xp.mean(loss)
    return xp.sum(loss) if reduction == "sum" else loss


def _bce_backward(g, x, t, *, weight=None, reduction="none"):
    weight = None if weight is None else pg.as_tensor(weight, dtype=pg.float64).detach()
    return pg.ops.losses.binary_cross_entropy_backward(g, x, t, weight, reduction)


def _bce_backward_reference(xp, g, x, t, *, weight=None, reduction="none"):
    grad = g * (x - t) / ((1 - x) * x)
    if weight is not None:
        grad = grad * weight
    return grad / x.size if reduction == "mean" else grad


def _nll(x, t, *, weight=None, ignore_index=-100, reduction="mean"):
    weight = None if weight is None else pg.as_tensor(weight, dtype=pg.float64).detach()
    return F.nll_loss(x, pg.tensor(t), weight, ignore_index=ignore_index, reduction=reduction)


def _nll_reference(xp, x, t, *, weight=None, ignore_index=-100, reduction="mean"):
    if x.ndim > 2:  # the class axis last, then rows
        x = xp.reshape(xp.moveaxis(x, 1, -1), (-1, x.shape[1]))
    t = xp.reshape(xp.asarray(t), (-1,))
    kept = t != ignore_index
    safe = xp.where(kept, t, 0)
    w = xp.astype(kept, x.dtype) * (1.0 if weight is None else xp.take(xp.asarray(weight), safe))
    loss = -xp.take_along_axis(x, safe[:, None], axis=1)[:, 0] * w
    if reduction == "mean":
        return xp.sum(loss) / xp.sum(w)
    return xp.sum(loss) if reduction == "sum" else loss


def _labels(*shape, classes):
    return np.random.default_rng(sum(shape) + classes).integers(0, classes, shape)


def _target(*shape):
    return rand(*shape, low=0.0, high=1.0)


def _probability(*shape):
    """Inputs of a binary cross-entropy: away from 0 and 1, where its logarithms are steep."""
    return rand(*shape, low=0.1, high=0.9)


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
    OpRecord(
        "mse_loss",
        _mse,
        _mse_reference,
        [
            Sample((rand(5), rand(5))),
            Sample((rand(2, 3), rand(2, 3)), {"reduction": "sum"}),
            Sample((rand(3, 2), rand(3, 2)), {"reduction": "none"}),
            Sample((rand(2, 3), rand(3))),  # broadcast, as PyTorch does (with its warning)
        ],
        ("mse_loss",),
        functions=("nn.functional.mse_loss",),
    ),
    OpRecord(
        "mse_loss_backward",
        _mse_backward,
        _mse_backward_reference,
        [
            Sample((rand(4), rand(4), rand(4))),
            Sample((rand(), rand(3, 2), rand(3, 2)), {"reduction": "mean"}),
            Sample((rand(), rand(5), rand(5)), {"reduction": "sum"}),
        ],
        ("mse_loss_backward",),
    ),
    OpRecord(
        "binary_cross_entropy",
        _bce,
        _bce_reference,
        [
            Sample((_probability(5), _target(5))),
            Sample((_probability(2, 3), _target(2, 3)), {"reduction": "sum"}),
            Sample(
                (_probability(3, 2), _target(3, 2)), {"reduction": "none", "weight": positive(2)}
            ),
            Sample((_probability(2, 4), _target(2, 4)), {"weight": positive(2, 1)}),
        ],
        ("binary_cross_entropy",),
        functions=("nn.functional.binary_cross_entropy",),
    ),
    OpRecord(
        "binary_cross_entropy_backward",
        _bce_backward,
        _bce_backward_reference,
        [
            Sample((rand(4), _probability(4), _target(4))),
            Sample((rand(2, 3), _probability(2, 3), _target(2, 3)), {"weight": positive(3)}),
            Sample((rand(), _probability(3, 2), _target(3, 2)), {"reduction": "mean"}),
            Sample(
                (rand(), _probability(5), _target(5)), {"reduction": "sum", "weight": positive(5)}
            ),
        ],
        ("binary_cross_entropy_backward",),
    ),
    OpRecord(
        "nll_loss",
        _nll,
        _nll_reference,
        [
            Sample((rand(4, 3), _labels(4, classes=3))),
            Sample((rand(5, 4), np.array([0, 3, -100, 1, 3])), {"reduction": "sum"}),
            Sample((rand(3, 4), _labels(3, classes=4)), {"weight": positive(4)}),
            Sample(
                (rand(4, 3), np.array([2, 7, 0, 2])),
                {"weight": positive(3), "ignore_index": 7, "reduction": "none"},
            ),
            Sample((rand(2, 3, 2), _labels(2, 2, classes=3))),
        ],
        ("nll_loss",),
        functions=("nn.functional.nll_loss",),
    ),
]
