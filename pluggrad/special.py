"""``pluggrad.special``: PyTorch's ``torch.special``, differentiable where PyTorch's is.

Implemented in :mod:`pluggrad.ops.special` (kernels: ``jax.scipy.special`` on JAX, SciPy
elsewhere, the ``special`` extra); ``exp2``, ``expm1``, ``log1p``, ``round``, ``sinc``,
``xlogy``, ``logit``, ``logsumexp``, ``softmax``, ``log_softmax`` and ``expit`` (``sigmoid``)
are pluggrad's own functions under their ``torch.special`` names.
"""

from __future__ import annotations

from ._torch_keywords import adapt
from .ops import special as _special

__all__ = list(_special.SPECIAL)


# each function as PyTorch calls it (keywords, ``out=``), made at its first use
_ADAPTED: dict[str, object] = {}


def __getattr__(name: str):
    if name in _ADAPTED:
        return _ADAPTED[name]
    if name in _special.ALIASES or name in __all__:
        function = _special.ALIASES.get(name) or getattr(_special, name)
        _ADAPTED[name] = adapt(function, "special", name)
        return _ADAPTED[name]
    raise AttributeError(f"module 'pluggrad.special' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
