"""In-place operations (``x.add_(y)``, ``x += y``, ``x.zero_()``, ``x.copy_(y)``...), as in
PyTorch.

An in-place operation computes its result out of place, through the ordinary differentiable
primitive, and then makes the tensor *become* that result:

* its version counter goes up, so a backward that needs the old value raises PyTorch's
  "modified by an inplace operation" error instead of using the new one;
* its ``grad_fn`` becomes the result's (the tensor stays a leaf when nothing was recorded, as
  in ``with no_grad(): w -= lr * w.grad``);
* its data is written into the tensor's own array when the backend's arrays are mutable and
  the array owns its memory, so tensors sharing it see the change, as in PyTorch; on JAX the
  tensor's array is replaced instead;
* on a tensor that shares its elements (a view, the base of a view, a ``detach()``), the new
  elements go to the storage they share and every alias re-reads them
  (:mod:`pluggrad._core.views`), and a recorded change of a view rewrites its base's history
  (``CopySlices``) and the views' (``AsStridedBackward0``), as in PyTorch;
* when the operation's backward needs the tensor's old value (``y.mul_(w)`` needs ``y`` for
  ``w``'s gradient), that value is kept aside, as PyTorch keeps the "original self", and a
  backward that needs the tensor's *new* value (saved by ``exp_``) fails with PyTorch's error
  once the tensor is modified again.

``x[key] = value`` (:func:`setitem`) is an in-place operation too: PyTorch's ``CopySlices``
(``IndexPutBackward0`` for integer-array and mask keys) gives the old value the gradient with
zeros where it was overwritten, and ``value`` the gradient of the written elements.

In-place on a leaf that requires grad, with grad mode on, raises PyTorch's error; so does
in-place on an inference tensor outside inference mode.
"""

from __future__ import annotations

import contextlib
import inspect
import sys
from typing import Any

import numpy as np

from .. import _dtypes
from .._core.grad_mode import grad_enabled, inference_enabled
from .._core.graph import FREED_MESSAGE, Node, rebase_history, saved_tensors_hooks_in_force
from .._core.primitive import OpNode, apply, mixed_backend_error
from .._core.tensor import Tensor, _make
from .._core.views import (
    OVERLAP_ERROR,
    has_overlap,
    live_aliases,
    relative_positions,
    view_rebase_error,
    write_view,
)
from ..backends._base import _key_to_numpy
from ._alias_writes import KERNEL_OF, direct_update, regenerate_views
from ._args import as_tensor_arg, scalar_in_dtype_of
from ._convert import astype
from ._define import primitive
from .derivatives._helpers import cast_grad, sum_to, zeros_where
from .elementwise import real
from .indexing import _check_key, _complete, _native_key, getitem, strided_view

__all__: list[str] = []

LEAF_ERROR = "a leaf Variable that requires grad is being used in an in-place operation."
VIEW_OF_LEAF_ERROR = (
    "a view of a leaf Variable that requires grad is being used in an in-place operation."
)
INFERENCE_INPLACE_ERROR = (
    "Inplace update to inference tensor outside InferenceMode is not allowed.You can make a "
    "clone to get a normal tensor before doing inplace update.See "
    "https://github.com/pytorch/rfcs/pull/17 for more details."
)


def check_inplace_allowed(x: Tensor, message: str = LEAF_ERROR, others: tuple = ()) -> None:
    """Raise PyTorch's error for an in-place change of `x` (with the tensors in `others` as
    inputs) that autograd forbids: of a leaf that requires grad, of a view of one, of a view
    whose creation forbids it (made in no_grad mode, or by ``split``/``unbind``), or of an
    inference tensor outside inference mode."""
    if grad_enabled():
        meta = x._view
        base = None if meta is None else meta.base
        requires = x._requires_grad or any(
            isinstance(a, Tensor) and a._requires_grad for a in others
        )
        if base is not None and (requires or base._requires_grad):
            error = view_rebase_error(x)
            if error is not None:
                raise RuntimeError(error)
            if x._requires_grad and base._grad_fn is None:
                raise RuntimeError(VIEW_OF_LEAF_ERROR)
        if x._requires_grad and x._grad_fn is None:
            raise RuntimeError(message)
    if x._is_inference and not inference_enabled():
        raise RuntimeError(INFERENCE_INPLACE_ERROR)


def commit(x: Tensor, result: Tensor, fresh: bool = False) -> Tensor:
    """Make `x` hold `result` (computed out of place) as an in-place operation does; `fresh`:
    `result` is a new tensor made for this change, whose array `x` may take over."""
    if tuple(result.shape) != tuple(x.shape):
        raise RuntimeError(
            f"output with shape {list(x.shape)} doesn't match the broadcast shape "
            f"{list(result.shape)}"
        )
    if result.dtype is not x.dtype:
        if (
            result.dtype.kind in "fc"
            and x.dtype.kind in "biu"
            or (result.dtype.kind == "c" and x.dtype.kind == "f")
        ):
            raise RuntimeError(
                f"result type {result.dtype.torch_name} can't be cast to the desired output "
                f"type {x.dtype.torch_name}"
            )
        result = astype(result, x.dtype)
    if x._view is not None:
        if has_overlap(x._view.geometry()):
            raise RuntimeError(OVERLAP_ERROR)
        x._vc[0] += 1
        return _commit_to_alias(x, result)
    x._vc[0] += 1
    node = result._grad_fn
    fresh = fresh and node is None and not live_aliases(x)
    x._data = x._backend.write_into(x._data, result._data, fresh)
    if node is not None:
        if isinstance(node, OpNode) and node._kept_tensors:
            _share_result_counter(node, result, x)
        rebase_history(x, node, result._output_nr)
    return x


def _commit_to_alias(x: Tensor, result: Tensor) -> Tensor:
    """The in-place change of a tensor that shares its elements (a view, a tensor views were
    taken of, a ``detach()``): the new elements go to the storage and every alias re-reads
    them.  When the change is recorded and `x` is a view, its base's history becomes
    ``CopySlices`` of the old base and the new elements; the views of the changed tensor read
    their elements from it again (``AsStridedBackward0``), as in PyTorch."""
    meta = x._view
    assert meta is not None
    base = meta.base
    node = result._grad_fn
    value = result
    if node is not None and base is not None:
        local = relative_positions(x, base)
        g = meta.geometry()
        if g.part is not None:  # the other part of the elements stays as it was
            whole = strided_view(base, local, g.shape, g.strides, g.offset)
            other = whole - real(whole) if g.part == "real" else real(whole)
            value = other + result if g.part == "real" else other + result * 1j
    write_view(x, result._data)
    rebased = None
    if node is not None:
        if base is None:  # x is not a view: its own history changes
            if isinstance(node, OpNode) and node._kept_tensors:
                _share_result_counter(node, result, x)
            rebase_history(x, node, result._output_nr)
            rebased = x
        else:
            rebase_history(base, _copy_slices(base, local, value), 0)
            rebased = base
    regenerate_views(meta.root, rebased)
    return x


def _copy_slices(base: Tensor, local, value: Tensor) -> CopySlices:
    """The node of `base` after its elements at the flat positions `local` became `value`."""
    backend = base._backend
    shape = tuple(base.shape)
    key = tuple(backend.asarray(k) for k in np.unravel_index(local, shape)) if shape else ()
    mask = np.zeros(shape, dtype=bool)
    mask.reshape(-1)[local.reshape(-1)] = True
    node = CopySlices()
    node._init_node((base._gradient_edge(), value._gradient_edge()))
    node._backend = backend
    node._index = key
    node._mask = backend.asarray(mask)
    node._value_meta = (tuple(value.shape), value._data.dtype)
    return node


def _share_result_counter(node, result: Tensor, x: Tensor) -> None:
    """A node that saved its result (``exp_``) saved what `x` now holds: check that value
    against `x`'s version counter, so that modifying `x` again makes backward fail."""
    counter = result._vc
    node._kept_tensors = [
        (name, obj, x._vc, x._vc[0]) if c is counter else (name, obj, c, v)
        for name, obj, c, v in node._kept_tensors
    ]


def _original(x: Tensor) -> Tensor:
    """A stand-in for `x` in the out-of-place computation of an in-place operation: the same
    array and gradient edge, with its own version counter (see :func:`_keep_if_saved`)."""
    return _make(x._data, x._backend, x._requires_grad, x._grad_fn, x._output_nr)


# references to the stand-in when nothing kept it: in_place's name, _keep_if_saved's argument
# and getrefcount's (PyPy has no reference counts: always copy)
_STAND_IN_ONLY = 3
_getrefcount = getattr(sys, "getrefcount", lambda obj: _STAND_IN_ONLY + 1)


def _keep_if_saved(original: Tensor, result: Tensor) -> None:
    """If anything kept `original` (PyTorch's "original self"), give it its own copy of the
    data before the tensor it stands for is overwritten.

    The result's node may have saved it, and so may a node inside a composite operation
    (``xlogy`` saves its input in a multiplication before its last ``where``), or a view of it:
    any of these holds a reference to the stand-in, so its reference count tells."""
    if result._grad_fn is None:
        return
    if saved_tensors_hooks_in_force.get() or _getrefcount(original) > _STAND_IN_ONLY:
        original._data = original._backend.copy(original._data)


def in_place(x: Tensor, function, *args, **kwargs) -> Tensor:
    """`x` changed in place to ``function(x, *args, **kwargs)``, as every generated in-place
    method does it (``x.add_(y)``): PyTorch's checks first, then, when the change is recorded,
    the old value kept aside if the new node's backward needs it; returns `x`."""
    check_inplace_allowed(x, LEAF_ERROR, args)
    tracked = x._requires_grad or any(isinstance(a, Tensor) and a._requires_grad for a in args)
    if not (tracked and grad_enabled()):
        result = function(x, *args, **kwargs)
        # a new tensor (not one of the arguments handed back) may lend its array to `x`
        fresh = result is not x and all(result is not a for a in (*args, *kwargs.values()))
        return commit(x, result, fresh)
    original = _original(x)
    result = function(original, *args, **kwargs)
    _keep_if_saved(original, result)
    return commit(x, result)


def _inplace_method(function, name: str):
    kernel_name = KERNEL_OF.get(name)

    def method(self, *args, **kwargs):
        kernel = self._backend.in_place_kernels.get(kernel_name) if kernel_name else None
        if kernel is not None and not (
            grad_enabled()
            and (
                self._requires_grad or any(isinstance(a, Tensor) and a._requires_grad for a in args)
            )
        ):
            check_inplace_allowed(self, LEAF_ERROR, args)
            if direct_update(self, kernel, args, kwargs):
                return self
        return in_place(self, function, *args, **kwargs)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"In-place version of :meth:`{name[:-1]}`; returns the tensor."
    # the out-of-place function's parameters, so that PyTorch's keywords (``alpha=``) are
    # passed on as what they are there (keyword-only) rather than placed by position
    with contextlib.suppress(TypeError, ValueError):
        method.__signature__ = inspect.signature(function)  # type: ignore[attr-defined]
    return method


# ---- fill, zero, copy ----------------------------------------------------------------------------
_FILL = primitive(
    "fill",
    ("x",),
    forward=lambda backend, x, value: backend.xp.full(x.shape, value, dtype=x.dtype),
)
_COPY_FROM = primitive(
    "copy_from",
    ("x", "src"),
    elementwise=True,
    forward=lambda backend, x, src: backend.xp.broadcast_to(
        backend.xp.astype(src, x.dtype), x.shape
    ),
)


def _fill_(self, value) -> Tensor:
    """Fill the tensor with `value` in place (``FillBackward``: no gradient to the old value)."""
    check_inplace_allowed(self)
    if isinstance(value, Tensor):
        value = value.item()
    return commit(self, apply(_FILL, (self,), {"value": value}))


def _zero_(self) -> Tensor:
    """Set every element to zero in place."""
    check_inplace_allowed(self)
    return commit(self, apply(_FILL, (self,), {"value": 0}))


def _copy_(self, src, non_blocking: bool = False) -> Tensor:
    """Copy `src` (broadcast and cast to this tensor's shape and dtype) into the tensor."""
    check_inplace_allowed(self, LEAF_ERROR, (src,))
    src = as_tensor_arg(src, like=self)
    return commit(self, apply(_COPY_FROM, (self, src)))


# ---- x[key] = value ------------------------------------------------------------------------------
def _is_basic(key) -> bool:
    """True for keys of integers, slices, ``...`` and None only (a view in PyTorch)."""
    parts = key if isinstance(key, tuple) else (key,)
    return all(p is None or p is Ellipsis or isinstance(p, slice) or type(p) is int for p in parts)


class _SetItemBackward(Node):
    """Backward of ``x[key] = value``: PyTorch's ``CopySlices`` (``IndexPutBackward0``)."""

    __slots__ = ("_index", "_mask", "_value_meta")
    _index: Any  # the native key written to
    _mask: Any  # True where the write replaced the old value
    _value_meta: tuple  # (shape, native dtype) of the value written

    def apply(self, grad_outputs: list, create_graph: bool) -> tuple:
        if self._mask is None:
            raise RuntimeError(FREED_MESSAGE)
        g = grad_outputs[0]
        backend = self._backend
        (old_node, _), (value_node, _) = self.next_functions
        if create_graph:
            ns, mask = backend.tensor_ns, _make(self._mask, backend)
        else:
            ns, mask = backend.formula_ns, self._mask
        grad_old = None if old_node is None else zeros_where(ns, mask, g)
        grad_value = None if value_node is None else ns.getitem(g, self._index)
        if grad_value is not None:
            shape, native = self._value_meta
            if tuple(grad_value.shape) != shape:
                grad_value = sum_to(ns, grad_value, shape)
            dtype = backend.from_native[native] if create_graph else native
            grad_value = cast_grad(ns, grad_value, dtype)
        return (grad_old, grad_value)


class CopySlices(_SetItemBackward):
    """Backward of ``x[key] = value`` with a key of integers and slices."""

    __slots__ = ()


class IndexPutBackward0(_SetItemBackward):
    """Backward of ``x[key] = value`` with integer-array or boolean-mask indices."""

    __slots__ = ()

    def release(self) -> None:
        # PyTorch's IndexPutBackward0 saves its indices: it cannot run again once released
        # (CopySlices, of a key of integers and slices, saves nothing and can)
        self._index = self._mask = None


def _native_setitem(backend, key) -> bool:
    """Whether ``array[key] = value`` may be used: a mutable backend and a key that the array
    API standard's ``__setitem__`` accepts (integers, slices and ``...``)."""
    parts = key if isinstance(key, tuple) else (key,)
    return backend.mutable and _is_basic(key) and None not in parts


def _write_counts(backend, key, shape: tuple, selected_shape: tuple):
    """How many times ``x[key] = value`` writes each element of x (of `shape`), as floats."""
    xp = backend.xp
    return backend.scatter_add(xp.ones(selected_shape, dtype=xp.float32), key, shape)


def _written_mask(backend, key, shape: tuple, selected_shape: tuple):
    """The boolean mask of the elements that ``x[key] = value`` writes (x of `shape`)."""
    xp = backend.xp
    if _native_setitem(backend, key):
        mask = xp.zeros(shape, dtype=xp.bool)
        mask[key] = True
        return mask
    return _write_counts(backend, key, shape, selected_shape) > 0


def _assigned(backend, data, key, value, selected_shape: tuple):
    """A new array: `data` with `value` (a native array of `data`'s dtype, broadcastable to
    `selected_shape`) written at ``[key]``, and the boolean mask of the written elements (None
    when it was not needed to compute the array)."""
    xp = backend.xp
    if _native_setitem(backend, key):  # the standard's own setitem
        new = backend.copy(data)
        new[key] = value
        return new, None
    counts = _write_counts(backend, key, data.shape, selected_shape)
    mask = counts > 0
    if value.ndim == 0:
        return xp.where(mask, value, data), mask
    value = xp.broadcast_to(value, selected_shape)
    if counts.size and int(xp.max(counts)) > 1:
        # repeated indices: the last value written wins, as in NumPy and in PyTorch on CPU (its
        # documentation leaves the order undefined); done through NumPy, a rare case
        new = np.array(backend.to_numpy(data), copy=True)
        new[_key_to_numpy(backend, key)] = backend.to_numpy(value)
        return backend.asarray(new), mask
    is_bool = backend.from_native[data.dtype] is _dtypes.bool
    if is_bool:
        value = xp.astype(value, xp.int8)
    placed = backend.scatter_add(value, key, data.shape)
    if is_bool:
        placed = placed != 0
    return xp.where(mask, placed, data), mask


def setitem(x: Tensor, key, value) -> None:
    """``x[key] = value``, in place, as PyTorch does it.

    `key` takes what ``x[key]`` takes (integers, slices, ``...``, None, integer arrays, boolean
    masks); `value` is a Python scalar or a tensor broadcastable to ``x[key]``, cast to
    ``x``'s dtype.  The version counter of `x` goes up; when `x` or `value` requires grad (and
    grad mode is on), ``x.grad_fn`` becomes ``CopySlices`` (``IndexPutBackward0`` for
    integer-array and mask keys): the old value of `x` gets the gradient with zeros at
    ``[key]``, and `value` the gradient at ``[key]``, summed over broadcast dimensions.
    """
    basic = _is_basic(key)
    if basic and x._view is not None and x._view.base is not None:
        # on a view, PyTorch's x[key] = value is x[key].copy_(value): only the elements
        # written need be distinct (x may be an expand)
        _copy_(getitem(x, key), scalar_in_dtype_of(value, x))
        return
    check_inplace_allowed(x, VIEW_OF_LEAF_ERROR if basic else LEAF_ERROR, (value,))
    value = scalar_in_dtype_of(value, x)
    backend = x._backend
    native_key = _check_key(x, _complete(_native_key(key, x), x))
    if isinstance(value, Tensor):
        if value._backend is not backend:
            raise mixed_backend_error(backend, value._backend)
    else:
        value = as_tensor_arg(value, like=x)
    data = x._data
    selected_shape = tuple(backend.getitem(data, native_key).shape)
    shape = tuple(value.shape)
    extra = len(shape) - len(selected_shape)
    if extra > 0 and all(n == 1 for n in shape[:extra]):
        shape = shape[extra:]  # PyTorch drops leading ones
    _check_expand(shape, selected_shape, value.dtype)
    value_data = value._data
    if value_data.dtype != data.dtype:
        value_data = backend.xp.astype(value_data, data.dtype)
    if shape != tuple(value.shape):
        value_data = backend.xp.reshape(value_data, shape)
    new, mask = _assigned(backend, data, native_key, value_data, selected_shape)
    record = grad_enabled() and (x._requires_grad or value._requires_grad)
    record = record and backend.from_native[data.dtype].is_differentiable
    result = _make(new, backend)
    if record:
        node = (CopySlices if basic else IndexPutBackward0)()
        node._init_node((x._gradient_edge(), value._gradient_edge()))
        node._backend = backend
        node._index = native_key
        node._mask = (
            mask
            if mask is not None
            else _written_mask(backend, native_key, data.shape, selected_shape)
        )
        node._value_meta = (tuple(value.shape), value._data.dtype)
        result._grad_fn, result._requires_grad = node, True
    commit(x, result)


def _check_expand(shape: tuple, target: tuple, dtype) -> None:
    """Raise PyTorch's error of ``expand`` unless `shape` broadcasts to `target`."""
    if len(shape) > len(target):
        raise RuntimeError(
            f"expand(torch.{dtype.torch_name}Tensor{{{list(shape)}}}, size={list(target)}): the "
            f"number of sizes provided ({len(target)}) must be greater or equal to the number of "
            f"dimensions in the tensor ({len(shape)})"
        )
    lead = len(target) - len(shape)
    for i in reversed(range(len(shape))):
        if shape[i] != 1 and shape[i] != target[lead + i]:
            raise RuntimeError(
                f"The expanded size of the tensor ({target[lead + i]}) must match the existing "
                f"size ({shape[i]}) at non-singleton dimension {lead + i}.  Target sizes: "
                f"{list(target)}.  Tensor sizes: {list(shape)}"
            )


# ---- the method table --------------------------------------------------------------------------
# In-place versions of these Tensor methods are generated: ``x.add_(y)`` is ``x.add(y)`` done in
# place.  Functions missing from the namespace are skipped.
_INPLACE_OF = (
    "add", "sub", "mul", "div", "pow", "neg", "exp", "log", "sqrt", "sin", "cos", "tan", "tanh",
    "sinh", "cosh", "asin", "acos", "atan", "abs", "sign", "floor", "ceil", "round", "trunc",
    "reciprocal", "square", "sigmoid", "relu", "clamp", "clip", "clamp_min", "clamp_max",
    "log1p", "expm1", "log2", "log10", "exp2", "rsqrt", "remainder", "fmod", "atan2", "hypot",
    "copysign", "logaddexp", "maximum", "minimum", "masked_fill", "true_divide", "floor_divide",
    "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "logical_and", "logical_or",
    "logical_xor", "logical_not", "where", "lerp", "addcmul", "addcdiv",
    # PyTorch's other in-place methods: an out-of-place method of the same name, done in place
    "absolute", "acosh", "arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctan2",
    "arctanh", "asinh", "atanh", "bitwise_left_shift", "bitwise_right_shift", "cumprod",
    "cumsum", "deg2rad", "rad2deg", "divide", "multiply", "subtract", "negative", "eq", "ne",
    "lt", "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal", "not_equal", "fix",
    "float_power", "frac", "gcd", "lcm", "heaviside", "index_add", "index_fill", "index_copy",
    "scatter_add", "logit", "nan_to_num", "sgn", "sinc", "tril", "triu", "xlogy", "addmm",
    "addmv", "addr", "baddbmm", "addbmm", "ldexp", "hypot", "nextafter", "fmod", "remainder",
    "logaddexp2", "exp2", "copysign", "erf", "erfc", "erfinv", "lgamma", "digamma", "i0",
    "mvlgamma", "igamma", "igammac", "index_put", "put", "masked_scatter", "renorm",
    "conj_physical", "scatter", "polygamma", "scatter_reduce",
)  # fmt: skip

# Python's augmented assignments, and the operator each one performs
_AUGMENTED = {
    "__iadd__": "__add__", "__isub__": "__sub__", "__imul__": "__mul__",
    "__itruediv__": "__truediv__", "__ipow__": "__pow__", "__imatmul__": "__matmul__",
    "__ifloordiv__": "__floordiv__", "__imod__": "__mod__", "__iand__": "__and__",
    "__ior__": "__or__", "__ixor__": "__xor__", "__ilshift__": "__lshift__",
    "__irshift__": "__rshift__",
}  # fmt: skip


def inplace_methods(methods: dict) -> dict:
    """The generated in-place methods for a table of (out-of-place) Tensor methods: ``add_``
    for ``add``... and the augmented assignments (``fill_``, ``zero_``, ``copy_`` and
    ``__setitem__`` are in :data:`TENSOR_METHODS`)."""
    table = {
        name + "_": _inplace_method(methods[name], name + "_")
        for name in _INPLACE_OF
        if name in methods
    }
    table.update(
        {
            inplace: _inplace_method(methods[op], inplace)
            for inplace, op in _AUGMENTED.items()
            if op in methods
        }
    )
    return table


NONDIFFERENTIABLE_FUNCTIONS: frozenset[str] = frozenset()

# the in-place methods written out here; the others are generated by inplace_methods
TENSOR_METHODS: dict = {"fill_": _fill_, "zero_": _zero_, "copy_": _copy_, "__setitem__": setitem}
