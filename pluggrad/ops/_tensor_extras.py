"""Tensor attributes and methods of PyTorch that the operation tables do not make: ``mH``, the
legacy ``new``, ``pin_memory``/``is_pinned``, ``share_memory_``/``is_shared``, the layout and
the ``is_sparse``-style flags, ``resize_``/``resize_as_``, the Python-callable ``apply_`` and
``map_``, and ``index_reduce``/``index_reduce_``; attached to the Tensor when imported.
"""

from __future__ import annotations

import weakref

from .._core.grad_mode import no_grad
from .._core.tensor import Size, Tensor
from ._args import as_tensor_arg
from ._composite_scans import nonzero_static
from ._leaf import tensor as _tensor
from ._products import matrix_transpose
from ._torch_utilities import empty_strided, index_reduce, strided
from .creation import empty, legacy_tensor_data
from .elementwise import conj
from .inplace import in_place
from .manipulation import broadcast_to, concat, reshape

__all__: list[str] = []

# the tensors share_memory_() was called on (pluggrad's arrays are in process memory already)
# (by id: a WeakSet would compare tensors with ==, which is elementwise)
_SHARED: weakref.WeakValueDictionary = weakref.WeakValueDictionary()


def _mH(self: Tensor) -> Tensor:
    if self.ndim < 2:
        raise RuntimeError(
            "tensor.mH is only supported on matrices or batches of matrices. Got "
            f"{self.ndim}-D tensor."
        )
    return conj(matrix_transpose(self)) if self.dtype.is_complex else matrix_transpose(self)


def _new(self: Tensor, *args) -> Tensor:
    """``x.new(...)``, PyTorch's legacy constructor in `x`'s dtype and device: ``new()`` an
    empty tensor, ``new(2, 3)`` or ``new(Size)`` an uninitialized one of that size,
    ``new(data)`` one holding `data`, ``new(t)`` the tensor `t` of that dtype itself."""
    if len(args) == 1 and isinstance(args[0], Tensor):
        other = args[0]
        if other.dtype is not self.dtype:
            raise TypeError(f"expected {self.dtype} (got {other.dtype})")
        return other.detach()
    if (
        len(args) == 1
        and isinstance(args[0], (int, float, complex))
        and not isinstance(args[0], (bool, int))
    ):
        raise TypeError(f"new(): data must be a sequence (got {type(args[0]).__name__})")
    data = legacy_tensor_data(self._backend, args, dtype=self.dtype)
    return _tensor(data, dtype=self.dtype, device=self.device)


def _pin_memory(self: Tensor, device=None) -> Tensor:
    """Page-locked memory for a faster copy to an accelerator: PyTorch's error without one,
    which pluggrad's backends do not use."""
    raise RuntimeError("Cannot access accelerator device when none is available.")


def _share_memory_(self: Tensor) -> Tensor:
    """Mark the tensor shared between processes (``is_shared()`` is then True); the arrays
    stay where the backend keeps them."""
    _SHARED[id(self)] = self
    return self


def _resize_(self: Tensor, *sizes) -> Tensor:
    """The tensor given the shape `sizes` in place: its elements in row-major order kept as
    far as they go, the new ones uninitialized (zeros here), as ``resize_``.

    Raises
    ------
    RuntimeError
        If the tensor requires grad (PyTorch's message).
    """
    if self.requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    shape = (
        tuple(sizes[0]) if len(sizes) == 1 and isinstance(sizes[0], (tuple, list, Size)) else sizes
    )
    count = 1
    for n in shape:
        count *= int(n)
    with no_grad():
        flat = reshape(self.detach(), (-1,))
        if flat.shape[0] >= count:
            kept = flat[:count]
        else:
            rest = empty((count - flat.shape[0],), dtype=self.dtype, device=self.device)
            kept = concat((flat, rest))
        self.data = reshape(kept.clone(), tuple(int(n) for n in shape))
    return self


def _resize_as_(self: Tensor, the_template: Tensor) -> Tensor:
    """``resize_(the_template.shape)``."""
    return _resize_(self, tuple(the_template.shape))


def _check_python_callable(self: Tensor, name: str) -> None:
    if self.requires_grad:
        raise RuntimeError(
            f"Can't call {name}() on Variable that requires grad. Use var.detach().{name}() "
            "instead."
        )


def _apply_(self: Tensor, callable) -> Tensor:  # noqa: A002 - PyTorch's name
    """Each element replaced by ``callable(element)`` (Python numbers), in place; slow, and
    outside autograd, as PyTorch's CPU-only ``apply_``."""
    _check_python_callable(self, "apply_")
    values = [callable(v) for v in reshape(self.detach(), (-1,)).tolist()]
    with no_grad():
        self.copy_(reshape(_tensor(values, dtype=self.dtype, device=self.device), self.shape))
    return self


def _map_(self: Tensor, tensor: Tensor, callable) -> Tensor:  # noqa: A002
    """Each element replaced by ``callable(element, other)``, `other` the element of `tensor`
    (broadcast to this tensor's shape) at the same place, in place, as ``map_``."""
    _check_python_callable(self, "map_")
    other = broadcast_to(as_tensor_arg(tensor, like=self), tuple(self.shape))
    pairs = zip(reshape(self.detach(), (-1,)).tolist(), reshape(other.detach(), (-1,)).tolist())
    values = [callable(a, b) for a, b in pairs]
    with no_grad():
        self.copy_(reshape(_tensor(values, dtype=self.dtype, device=self.device), self.shape))
    return self


def _map2_(self: Tensor, x: Tensor, y: Tensor, callable) -> Tensor:  # noqa: A002
    """Each element replaced by ``callable(element, a, b)``, `a` and `b` the elements of `x`
    and `y` (broadcast to this tensor's shape) at the same place, in place, as ``map2_``."""
    _check_python_callable(self, "map2_")
    shape = tuple(self.shape)
    columns = [reshape(broadcast_to(as_tensor_arg(t, like=self), shape).detach(), (-1,)).tolist()
               for t in (self, x, y)]  # fmt: skip
    values = [callable(*row) for row in zip(*columns)]
    with no_grad():
        self.copy_(reshape(_tensor(values, dtype=self.dtype, device=self.device), shape))
    return self


def _new_empty_strided(self: Tensor, size, stride, *, dtype=None, device=None,
                       requires_grad: bool = False, layout=None,
                       pin_memory: bool = False) -> Tensor:  # fmt: skip
    """:func:`pluggrad.empty_strided` with this tensor's dtype and device by default."""
    return empty_strided(size, stride, dtype=self.dtype if dtype is None else dtype,
                         device=self.device if device is None else device,
                         requires_grad=requires_grad)  # fmt: skip


def _index_reduce(self: Tensor, dim: int, index, source, reduce: str, *,
                  include_self: bool = True) -> Tensor:  # fmt: skip
    """:func:`pluggrad.index_reduce`."""
    return index_reduce(self, dim, index, source, reduce, include_self=include_self)


def _index_reduce_(self: Tensor, dim: int, index, source, reduce: str, *,
                   include_self: bool = True) -> Tensor:  # fmt: skip
    """:func:`pluggrad.index_reduce` in place."""
    return in_place(self, index_reduce, dim, index, source, reduce, include_self=include_self)


def _false(doc: str) -> property:
    return property(lambda self: False, doc=doc)


_ATTRIBUTES = {
    "mH": property(_mH, doc="The conjugate transpose of the last two axes (``mT`` if real)."),
    "layout": property(lambda self: strided, doc="The memory layout: always ``strided``."),
    "is_sparse": _false("False: pluggrad's tensors are dense."),
    "is_quantized": _false("False: pluggrad has no quantized tensors."),
    "is_meta": _false("False: every tensor holds its values."),
    "is_mps": _false("False: no tensor is on Apple's MPS device."),
    "is_xpu": _false("False: no tensor is on an XPU."),
    **{
        flag: _false("False: pluggrad's tensors are dense arrays of its backend.")
        for flag in (
            "is_nested",
            "is_sparse_csr",
            "is_mkldnn",
            "is_xla",
            "is_ipu",
            "is_mtia",
            "is_maia",
            "is_vulkan",
        )
    },  # fmt: skip
    "new": _new,
    "pin_memory": _pin_memory,
    "is_pinned": lambda self, device=None: False,
    "share_memory_": _share_memory_,
    "is_shared": lambda self: _SHARED.get(id(self)) is self,
    "resize_": _resize_,
    "resize_as_": _resize_as_,
    "apply_": _apply_,
    "map_": _map_,
    "map2_": _map2_,
    "new_empty_strided": _new_empty_strided,
    "nonzero_static": nonzero_static,
    "index_reduce": _index_reduce,
    "index_reduce_": _index_reduce_,
}

for _name, _attribute in _ATTRIBUTES.items():
    setattr(Tensor, _name, _attribute)
