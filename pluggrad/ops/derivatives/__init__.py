"""THE derivative table: for each primitive, its backward node's name and, for each
differentiable input, a formula for that input's gradient.

Format (modelled on PyTorch's ``derivatives.yaml``)::

    "name": Entry(node, input_name=formula, ...)

* ``node`` is the PyTorch name of the backward node, or a dict from the call signature to names
  (one letter per input: ``t`` for a tensor, ``s`` for a Python scalar; ``2 - x`` is ``"st"``),
  or a function ``node(args, params)`` for names that depend on shapes or keywords.
* a formula is ``lambda ns, g, <names...>: ...`` where ``g`` is the gradient of the output and
  the names after it say what the node saves: input names, ``result`` (the output),
  ``<input>_shape``, ``<input>_dtype``, or a keyword parameter of the primitive.
* formulas use only ``ns`` (an array API namespace) and array operators.  The engine passes the
  backend's raw namespace and arrays for a plain backward, and pluggrad's differentiable
  namespace and Tensors under ``create_graph=True``, which is how every order of derivative
  works.  Broadcasting and dtype promotion of elementwise inputs are undone by the engine, so
  formulas may return gradients of the output's shape and dtype.

Primitives whose outputs are never differentiable are listed in :data:`NONDIFFERENTIABLE`.

The table is split by topic, one module each (the names in :data:`TOPICS`), every module a
flat ``TABLE`` under banner comments; this package merges them and refuses a primitive with two
entries.
"""

from __future__ import annotations

import importlib

from ._helpers import Entry, cast_grad, sum_to

__all__ = ["DERIVATIVES", "INTERNAL", "NONDIFFERENTIABLE", "TOPICS", "Entry", "cast_grad", "sum_to"]

TOPICS: tuple[str, ...] = (
    "composite", "creation", "elementwise", "fft", "indexing", "inplace", "linalg", "manipulation",
    "random", "reductions", "searching", "sets", "sorting", "special",
)  # fmt: skip
"""The topics of the differentiable operations, THE list: each has its module of operations in
:mod:`pluggrad.ops` (which adds ``dtype_functions``, whose functions make no primitive), its
derivative table here and its records in the conformance op database."""

INTERNAL: tuple[str, ...] = ("activations", "convolution", "losses")
"""Tables of primitives that are no topic of the standard, behind ``nn.functional``: no function
of ``pluggrad``'s namespace (``activations``: ``gelu``, ``silu``; ``convolution``, whose
formulas reach it as ``ns.convolution``;
``losses``: ``binary_cross_entropy``, ``binary_cross_entropy_with_logits``, ``nll_loss``, and
``binary_cross_entropy_backward``, which formulas reach as ``ns.binary_cross_entropy_backward``);
their op-database records exercise them as ``nn.functional`` calls them."""

_SECTIONS = tuple(importlib.import_module(f"{__name__}.{topic}") for topic in (*TOPICS, *INTERNAL))


def _merge(sections) -> dict[str, Entry]:
    table: dict[str, Entry] = {}
    for section in sections:
        twice = set(table) & set(section.TABLE)
        if twice:
            raise ValueError(f"primitives with two derivative entries: {sorted(twice)}")
        table.update(section.TABLE)
    return table


DERIVATIVES: dict[str, Entry] = _merge(_SECTIONS)
NONDIFFERENTIABLE: frozenset[str] = frozenset().union(*(s.NONDIFFERENTIABLE for s in _SECTIONS))
