"""Implementations of the workloads, one module per framework family.

Each module has ``build(workload, inputs, variant) -> Built``: it converts the NumPy inputs to
the framework's arrays, compiles what the framework compiles, and returns a ``step`` that runs
one forward and backward pass to finished gradients.

- :mod:`.numpy_hand`: hand-written NumPy forward and backward (also the reference gradients);
- :mod:`.torchlike`: code for PyTorch's API, run by torch and by pluggrad, which implements it;
- :mod:`.functional`: code for NumPy's API with a ``grad`` transform, run by JAX and HIPS autograd.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np


def _identity_to_numpy(grads: Any) -> list[np.ndarray]:
    return [np.asarray(g) for g in grads]


@dataclass(frozen=True)
class Built:
    """A workload ready to run on one framework.

    Attributes
    ----------
    step : callable
        ``step()`` runs one forward and backward pass and returns the gradients (of ``wrt``, in
        order) as the framework's arrays, computed to completion (asynchronous dispatch waited
        for).
    to_numpy : callable
        Converts what ``step`` returned to a list of NumPy arrays.
    notes : tuple of str
        Remarks for the report (e.g. an op missing from the framework and written by hand).
    first_call_s : float or None
        For a compiling framework, the seconds its first call took in the set-up (tracing and
        compiling; jax-jit: lowering and compiling ahead of time), else None.
    """

    step: Callable[[], Any]
    to_numpy: Callable[[Any], list[np.ndarray]] = _identity_to_numpy
    notes: tuple[str, ...] = ()
    first_call_s: float | None = None


def timed(call: Callable[[], Any]) -> tuple[Any, float]:
    """``call()``'s result and the seconds it took."""
    start = time.perf_counter()
    result = call()
    return result, time.perf_counter() - start
