"""``Variable``: PyTorch's deprecated wrapper, kept because old tutorials use it.

Since PyTorch 0.4 a Variable *is* a Tensor: ``Variable(t)`` returns a new leaf sharing ``t``'s
data (requiring grad if asked) and ``isinstance(t, Variable)`` is true for every tensor.
"""

from __future__ import annotations

from .._core.tensor import Tensor


class _VariableMeta(type):
    def __instancecheck__(cls, instance) -> bool:
        return isinstance(instance, Tensor)


class Variable(metaclass=_VariableMeta):
    """``Variable(data, requires_grad=False)``: a leaf tensor sharing `data`'s values."""

    def __new__(cls, data, requires_grad: bool = False, volatile: bool = False):
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        leaf = data.detach()
        leaf.requires_grad = requires_grad
        return leaf
