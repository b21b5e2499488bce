"""Data type functions of the array API standard: astype lives in manipulation; here are
``can_cast``, ``finfo``, ``iinfo``, ``isdtype`` and ``result_type``."""

from __future__ import annotations

__all__: list[str] = []

NONDIFFERENTIABLE_FUNCTIONS: frozenset[str] = frozenset(__all__)

TENSOR_METHODS: dict = {}
