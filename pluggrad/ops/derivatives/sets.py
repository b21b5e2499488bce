"""Derivatives of set functions: none (PyTorch's ``unique`` has no derivative either)."""

from __future__ import annotations

TABLE: dict = {}

NONDIFFERENTIABLE: frozenset[str] = frozenset(
    {"unique_all", "unique_counts", "unique_inverse", "unique_values"}
)
