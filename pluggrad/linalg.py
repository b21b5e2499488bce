"""``pluggrad.linalg``: the array API ``linalg`` extension, differentiable."""

from __future__ import annotations

from .ops.linalg import matmul, matrix_transpose  # noqa: F401

__all__ = ["matmul", "matrix_transpose"]
