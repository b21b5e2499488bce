"""PyTorch's in-place view operations: ``t_()``, ``transpose_()``, ``swapaxes_()``,
``swapdims_()``, ``squeeze_()``, ``unsqueeze_()`` and ``as_strided_()`` change a tensor's shape
and strides over the same elements.

Each takes the view out of place (``t()``, ``squeeze()``...), then the tensor takes that view's
geometry (:func:`pluggrad._core.views.take_geometry`), its ``grad_fn`` (renamed as PyTorch names
the in-place variant: ``TBackward1``, ``SqueezeBackward3``...) and a new version, so a value
saved for backward before the change is refused afterwards, as in PyTorch.  A leaf that requires
grad, or a view of one, cannot be changed so in grad mode (PyTorch's error).
"""

from __future__ import annotations

from collections.abc import Callable

from .._core.graph import rename_node
from .._core.tensor import Tensor
from .._core.views import take_geometry
from .inplace import check_inplace_allowed

__all__: list[str] = []

# in-place method -> the out-of-place view it takes
INPLACE_VIEWS = {
    "t_": "t",
    "transpose_": "transpose",
    "swapaxes_": "swapaxes",
    "swapdims_": "swapdims",
    "squeeze_": "squeeze",
    "unsqueeze_": "unsqueeze",
    "as_strided_": "as_strided",
}
# PyTorch's node of the in-place variant, by the out-of-place one's
_INPLACE_NODE = {
    "TBackward0": "TBackward1",
    "TransposeBackward0": "TransposeBackward1",
    "SqueezeBackward0": "SqueezeBackward3",  # squeeze_()
    "SqueezeBackward1": "SqueezeBackward4",  # squeeze_(dim)
    "SqueezeBackward2": "SqueezeBackward5",  # squeeze_(dims)
    "UnsqueezeBackward0": "UnsqueezeBackward1",
    "AsStridedBackward0": "AsStridedBackward1",
}


def _inplace_view_method(view: Callable, name: str) -> Callable:
    def method(self: Tensor, *args, **kwargs) -> Tensor:
        check_inplace_allowed(self)
        result = view(self, *args, **kwargs)
        take_geometry(self, result)
        node = result._grad_fn
        if node is not None:
            inplace_name = _INPLACE_NODE.get(type(node).__name__)
            if inplace_name is not None:
                rename_node(node, inplace_name)
            self._grad_fn, self._output_nr = node, result._output_nr
        self._vc[0] += 1
        return self

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"In-place :meth:`{INPLACE_VIEWS[name]}`: this tensor takes the view's shape."
    return method


def inplace_view_methods(methods: dict) -> dict:
    """The in-place view methods, from a table holding the out-of-place ones."""
    return {
        name: _inplace_view_method(methods[view], name)
        for name, view in INPLACE_VIEWS.items()
        if view in methods
    }


NONDIFFERENTIABLE_FUNCTIONS: frozenset[str] = frozenset()
TENSOR_METHODS: dict = {}
