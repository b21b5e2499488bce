"""Python operators and PyTorch-style methods of :class:`~pluggrad.Tensor`.

The Tensor's class (:mod:`pluggrad._core.tensor`) holds the tensor's state and autograd
attributes only: it sits in the lower layer, under the operations.  Everything that needs the
layers above is attached here: the legacy constructor, operators, the named methods (``x.sum()``,
``x.sigmoid()``... from the ``TENSOR_METHODS`` table of each topic module of :mod:`pluggrad.ops`),
``backward`` and ``repr``.
"""

from __future__ import annotations

from . import _dtypes
from . import ops as _ops
from ._core.tensor import Tensor
from ._tensor_str import tensor_repr
from ._torch_keywords import adapt
from .autograd.gradients import tensor_backward
from .ops._inplace_views import inplace_view_methods
from .ops.creation import legacy_init
from .ops.inplace import inplace_methods


def _reflected(function):
    return lambda self, other: function(other, self)


def _scalar_first(function, reflected):
    """``2 * x`` (``__rmul__``) as PyTorch computes it: ``x.mul(2)``, the tensor first (so the
    node's first edge is the tensor's)."""

    def method(self, other):
        return (
            function(self, other)
            if isinstance(other, (int, float, complex))
            else reflected(self, other)
        )

    return method


def _rtruediv(self, other):
    """``2 / x`` as PyTorch computes it: ``x.reciprocal() * 2`` (``MulBackward0`` of
    ``ReciprocalBackward0``)."""
    if isinstance(other, (int, float, complex)) and not isinstance(other, bool):
        return _ops.multiply(_ops.reciprocal(self), other)
    return _ops.divide(other, self)


def _comparison(function):
    def method(self, other):
        if other is None:
            return NotImplemented
        return function(self, other)

    return method


def _invert(self):
    return _ops.logical_not(self) if self.dtype is _dtypes.bool else _ops.bitwise_invert(self)


OPERATORS = {
    "__add__": _ops.add,
    "__radd__": _scalar_first(_ops.add, _reflected(_ops.add)),
    "__sub__": _ops.subtract,
    "__rsub__": _reflected(_ops.subtract),
    "__mul__": _ops.multiply,
    "__rmul__": _scalar_first(_ops.multiply, _reflected(_ops.multiply)),
    "__truediv__": _ops.divide,
    "__rtruediv__": _rtruediv,
    "__pow__": _ops.pow,
    "__rpow__": _reflected(_ops.pow),
    "__matmul__": _ops.matmul,
    "__rmatmul__": _reflected(_ops.matmul),
    "__floordiv__": _ops.floor_divide,
    "__rfloordiv__": _reflected(_ops.floor_divide),
    "__mod__": _ops.remainder,
    "__rmod__": _reflected(_ops.remainder),
    "__lshift__": _ops.bitwise_left_shift,
    "__rlshift__": _reflected(_ops.bitwise_left_shift),
    "__rshift__": _ops.bitwise_right_shift,
    "__rrshift__": _reflected(_ops.bitwise_right_shift),
    "__neg__": _ops.negative,
    "__abs__": _ops.abs,
    "__pos__": lambda self: self,
    "__eq__": _comparison(_ops.equal),
    "__ne__": _comparison(_ops.not_equal),
    "__lt__": _comparison(_ops.less),
    "__le__": _comparison(_ops.less_equal),
    "__gt__": _comparison(_ops.greater),
    "__ge__": _comparison(_ops.greater_equal),
    "__and__": _ops.bitwise_and,
    "__rand__": _reflected(_ops.bitwise_and),
    "__or__": _ops.bitwise_or,
    "__ror__": _reflected(_ops.bitwise_or),
    "__xor__": _ops.bitwise_xor,
    "__rxor__": _reflected(_ops.bitwise_xor),
    "__invert__": _invert,
    "__getitem__": _ops.getitem,
}

# the methods that need the layers above the Tensor's own module
LIFECYCLE = {
    "__init__": legacy_init,
    "__repr__": tensor_repr,
    "backward": tensor_backward,
}

CONVERSIONS = {
    "float": lambda self: _ops.astype(self, _dtypes.float32, copy=False),
    "double": lambda self: _ops.astype(self, _dtypes.float64, copy=False),
    "half": lambda self: _ops.astype(self, _dtypes.float16, copy=False),
    "bfloat16": lambda self: _ops.astype(self, _dtypes.bfloat16, copy=False),
}


def _collect() -> dict:
    methods = {**LIFECYCLE, **OPERATORS, **CONVERSIONS}
    for topic in _ops.TOPICS:
        twice = set(methods) & set(topic.TENSOR_METHODS)
        if twice:
            raise ValueError(f"Tensor methods defined twice ({topic.__name__}): {sorted(twice)}")
        methods.update(topic.TENSOR_METHODS)
    methods.update(inplace_methods(methods))
    methods.update(inplace_view_methods(methods))
    # PyTorch's keyword names: ``a.add(other=b)``
    return {name: adapt(method, "Tensor", name, method=True) for name, method in methods.items()}


PROPERTIES = {
    "real": property(_ops.real, doc="The real part (the tensor itself for a real tensor)."),
    "imag": property(_ops.imag, doc="The imaginary part (PyTorch: only for complex tensors)."),
    "mT": property(_ops.matrix_transpose, doc="The tensor with its last two axes swapped."),
    "itemsize": property(lambda self: self.dtype.itemsize, doc="The size of one element in bytes."),
    "nbytes": property(
        lambda self: self.numel() * self.dtype.itemsize,
        doc="The bytes the tensor's elements take: ``numel() * itemsize`` (all of them, as "
        "PyTorch counts, also for an expanded view that stores fewer).",
    ),
}

for _name, _attribute in {**_collect(), **PROPERTIES}.items():
    setattr(Tensor, _name, _attribute)
