"""The ``fft`` extension of the array API standard (exposed as :mod:`pluggrad.fft`)."""

from __future__ import annotations

# Not exported into the main namespace: these functions live in pluggrad.fft.
__all__: list[str] = []

NONDIFFERENTIABLE_FUNCTIONS: frozenset[str] = frozenset()

TENSOR_METHODS: dict = {}
