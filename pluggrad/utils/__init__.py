"""Utilities with PyTorch's names: :mod:`pluggrad.utils.checkpoint` and
:mod:`pluggrad.utils.data`."""

from __future__ import annotations

from . import checkpoint, data

__all__ = ["checkpoint", "data"]
