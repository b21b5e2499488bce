"""Set functions of the array API standard (unique_*)."""

from __future__ import annotations

__all__: list[str] = []

# functions of __all__ whose results never carry gradients
NONDIFFERENTIABLE_FUNCTIONS: frozenset[str] = frozenset()

# PyTorch-style Tensor methods this module provides: {method name: function}
TENSOR_METHODS: dict = {}
