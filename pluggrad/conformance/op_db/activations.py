"""Records of the activation primitives behind ``nn.functional`` (no topic of the standard:
:data:`pluggrad.ops.derivatives.INTERNAL`), called through ``nn.functional`` as a user does.
References: ``scipy.special.erf`` with NumPy, ``jax.scipy.special.erf`` with JAX (whose
``jax.vjp`` checks the primitives' formulas independently)."""

from __future__ import annotations

import math

from pluggrad.nn import functional as F

from ._base import OpRecord, Sample, rand
from .special import _sp


def _gelu_reference(xp, x, *, approximate="none"):
    if approximate == "tanh":
        return 0.5 * x * (1 + xp.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))
    return 0.5 * x * (1 + _sp(xp).erf(x / math.sqrt(2.0)))


def _samples(**kwargs) -> list[Sample]:
    return [
        Sample((rand(5, low=-3.0, high=3.0),), dict(kwargs)),
        Sample((rand(2, 3, low=-3.0, high=3.0),), dict(kwargs)),
    ]


RECORDS = [
    OpRecord(
        "gelu",
        lambda x, **kw: F.gelu(x, **kw),
        _gelu_reference,
        _samples() + _samples(approximate="tanh"),
        ("gelu",),
        functions=("nn.functional.gelu",),
    ),
    OpRecord(
        "silu",
        F.silu,
        lambda xp, x: x / (1 + xp.exp(-x)),
        _samples(),
        ("silu",),
        functions=("nn.functional.silu",),
    ),
]
