"""The op database: one record per differentiable operation, driving every derivative test.

A record names the namespace functions and primitives it exercises, how to call the operation on
pluggrad tensors, a reference written against an array namespace ``xp`` (run with NumPy for
forward values and, on the jax backend, with ``jax.numpy`` under ``jax.vjp`` as an independent
derivative oracle), and sample inputs (NumPy float arrays become float64 tensors that require
grad; other values are passed as they are).  Modelled on PyTorch's OpInfo and JAX's
LAX_GRAD_OPS.  Records live in one module per topic (:data:`pluggrad.ops.derivatives.TOPICS`),
like the ops and the derivative table.
"""

from __future__ import annotations

import importlib

from pluggrad.ops.derivatives import INTERNAL, TOPICS

from ._base import OpRecord, Sample

__all__ = ["OP_DB", "OpRecord", "Sample", "samples", "sample_id"]

# one module of records per topic of the operations, and per table of internal primitives
_TOPICS = tuple(importlib.import_module(f"{__name__}.{topic}") for topic in (*TOPICS, *INTERNAL))

OP_DB: list[OpRecord] = [record for topic in _TOPICS for record in topic.RECORDS]


def samples():
    """``(record, sample)`` pairs, for ``pytest.mark.parametrize``."""
    return [(r, s) for r in OP_DB for s in r.samples]


def sample_id(pair) -> str:
    return f"{pair[0].name}[{pair[1].name}]"
