"""``torch.autograd.graph``'s public names: graph nodes and saved-tensor hooks (implemented in
:mod:`pluggrad._core.graph`, with the engine that runs them)."""

from __future__ import annotations

from .._core.graph import AccumulateGrad, Node, saved_tensors_hooks

__all__ = ["Node", "AccumulateGrad", "saved_tensors_hooks"]
