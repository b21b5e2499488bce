"""Derivatives of searching functions: none (their results are indices and counts)."""

from __future__ import annotations

TABLE: dict = {}

NONDIFFERENTIABLE: frozenset[str] = frozenset(
    {"argmax", "argmin", "count_nonzero", "nonzero", "argwhere", "searchsorted"}
)
