"""Utilities with PyTorch's names: :mod:`pluggrad.utils.checkpoint`."""

from __future__ import annotations

from . import checkpoint

__all__ = ["checkpoint"]
