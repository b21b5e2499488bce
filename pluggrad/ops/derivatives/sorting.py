"""Derivatives of sorting functions."""

from __future__ import annotations

from ._helpers import Entry  # noqa: F401

TABLE: dict = {}

NONDIFFERENTIABLE: frozenset[str] = frozenset()
