"""Derivatives of the composite functions: none of their own (each is made of operations
that have theirs)."""

from __future__ import annotations

TABLE: dict = {}

NONDIFFERENTIABLE: frozenset[str] = frozenset()
