"""Views: tensors that share their base's elements, with PyTorch's semantics on every backend.

A view (``x[1]``, ``x.t()``, ``x.view(2, 3)``, ``x.diagonal()``, ``x.real``...) and the tensor
it was taken from see each other's in-place changes.  NumPy could share memory, JAX cannot (its
arrays are immutable), so pluggrad does it the way PyTorch does for XLA, by functionalization:

* the elements live in a **storage root**, a hidden tensor with the array and no autograd state
  (PyTorch's Storage): when a view is first taken of a tensor, the tensor's array moves into one,
  and the tensor becomes its first alias (with the whole storage as its geometry);
* every alias records *where* its elements sit in the storage as PyTorch's geometry: sizes,
  strides and a storage offset over the storage's elements in row-major order, plus which part
  of a complex element (``real``/``imag``) it sees;
* a write into a view becomes a write into its root (the root's array with the view's positions
  replaced), and after any write to a root every live alias of it re-reads its elements
  (:func:`refresh_aliases`; on NumPy an alias that is a NumPy view of the root's array already
  sees the change and is skipped).

Views and their base share one version counter (``x._version``), so a value saved for backward
is invalidated by a write through any of them.  Tensors that share elements without being
autograd views (``detach()``) are aliases too: their ``_base`` is None, but writes through them
reach the root.  The autograd side of a write (``CopySlices`` on the base, ``AsStridedBackward0``
on the views) is the ops layer's (:mod:`pluggrad.ops.inplace`).

Only this geometry is PyTorch's; the arrays themselves are the backend's.  A tensor that is not
a view is contiguous (row-major), whatever the memory layout of its array.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from .grad_mode import grad_enabled, inference_enabled

# a Tensor (this module sits under pluggrad._core.tensor, which imports it and registers how to
# make one: a storage root is a bare tensor)
Tensor = Any
_new_tensor: Callable[[Any, Any], Any]


def provide_tensor_maker(make: Callable[[Any, Any], Any]) -> None:
    """Register ``make(array, backend)``, which wraps an array in a Tensor (the Tensor module's)."""
    global _new_tensor
    _new_tensor = make


OVERLAP_ERROR = (
    "unsupported operation: more than one element of the written-to tensor refers to a single "
    "memory location. Please clone() the tensor before performing the operation."
)
NO_GRAD_VIEW_ERROR = (
    "A view was created in no_grad mode and is being modified inplace with grad mode enabled. "
    "Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify your "
    "code by moving both the view and the inplace either both inside the no_grad block (if you "
    "don't want the inplace to be tracked) or both outside (if you want the inplace to be "
    "tracked)."
)
INFERENCE_VIEW_ERROR = (
    "A view was created in inference mode and is being modified inplace in normal mode."
)
MULTI_OUTPUT_VIEW_ERROR = (
    "Output {index} of {function} is a view and is being modified inplace. This view is the "
    "output of a function that returns multiple views. Such functions do not allow the output "
    "views to be modified inplace. You should replace the inplace operation by an out-of-place "
    "one."
)

# how a view was created (PyTorch's CreationMeta): decides whether it may be modified in place
DEFAULT = "default"
NO_GRAD_MODE = "no_grad_mode"
INFERENCE_MODE = "inference_mode"
MULTI_OUTPUT_NODE = "multi_output_node"


class Geometry(NamedTuple):
    """Where a tensor's elements sit in its storage root: PyTorch's sizes, strides (in
    elements) and storage offset over the root's elements in row-major order, and the part of
    a complex element it sees (``"real"``, ``"imag"`` or None for the whole element)."""

    shape: tuple[int, ...]
    strides: tuple[int, ...]
    offset: int = 0
    part: str | None = None


def contiguous_strides(shape: tuple[int, ...]) -> tuple[int, ...]:
    """Row-major strides of `shape` (PyTorch's, with stride 1 for dimensions of size 0/1 at the
    end)."""
    strides = []
    step = 1
    for n in reversed(shape):
        strides.append(step)
        step *= max(n, 1)
    return tuple(reversed(strides))


def geometry_of(t: Tensor) -> Geometry:
    """The geometry of `t`: its view's, or row-major over its own elements."""
    meta = t._view
    if meta is not None:
        return meta.geometry()
    shape = tuple(t._data.shape)
    return Geometry(shape, contiguous_strides(shape))


def has_overlap(g: Geometry) -> bool:
    """True when two elements of the geometry are the same storage element (an ``expand``)."""
    return any(s == 0 and n > 1 for n, s in zip(g.shape, g.strides))


def is_contiguous(g: Geometry) -> bool:
    """PyTorch's ``is_contiguous``: row-major strides, ignoring dimensions of size one."""
    expected = 1
    for n, s in zip(reversed(g.shape), reversed(g.strides)):
        if n == 0:
            return True
        if n != 1:
            if s != expected:
                return False
            expected *= n
    return True


def positions(g: Geometry) -> np.ndarray:
    """The flat (row-major) position in the storage root of each element of `g` (int64)."""
    index = np.full(g.shape, g.offset, dtype=np.int64)
    for d, (n, s) in enumerate(zip(g.shape, g.strides)):
        if n > 1 and s:
            index += (np.arange(n, dtype=np.int64) * s).reshape(
                (n,) + (1,) * (len(g.shape) - d - 1)
            )
    return index


class ViewMeta:
    """What an alias knows about the tensor whose elements it shares.

    ``root`` owns the elements (the storage); ``base`` is the tensor that ``_base`` reports and
    whose history an in-place change of the view rewrites (None for an alias that is not an
    autograd view, such as ``detach()``).  The geometry is worked out when first asked for, from
    the geometry of the tensor the view was taken from (``source``) and the ``step`` taken.
    """

    __slots__ = (
        "root", "base", "source", "step", "params", "index", "_geometry", "_positions",
        "creation", "function",
    )  # fmt: skip

    def __init__(self, root, base, source, step, params, index, creation, function):
        self.root = root
        self.base = base
        self.source = source  # a ViewMeta, or the Geometry of the root
        self.step = step  # step(geometry, params, index) -> Geometry
        self.params = params
        self.index = index  # which output of a multi-output operation
        self._geometry: Geometry | None = None
        self._positions: np.ndarray | None = None
        self.creation = creation
        self.function = function  # the name of the multi-output operation, for its error

    def geometry(self) -> Geometry:
        g = self._geometry
        if g is None:
            source = self.source
            parent = source.geometry() if type(source) is ViewMeta else source
            g = self._geometry = self.step(parent, self.params, self.index)
        return g

    def is_whole(self) -> bool:
        """Whether the alias sees its whole storage, in order (a tensor a view was taken of)."""
        g = self.geometry()
        return (
            g.offset == 0
            and g.part is None
            and g.shape == tuple(self.root._data.shape)
            and g.strides == contiguous_strides(g.shape)
        )

    def positions(self) -> np.ndarray:
        """The view's flat positions in its root, computed once."""
        p = self._positions
        if p is None:
            p = self._positions = positions(self.geometry())
        return p


def _identity(geometry: Geometry, params: Any, index: int) -> Geometry:
    return geometry


def _storage_of(t: Tensor) -> ViewMeta:
    """`t`'s alias record, moving its array into a new storage root if it has none yet."""
    meta = t._view
    if meta is None:
        root = _new_tensor(t._data, t._backend)
        shape = tuple(t._data.shape)
        g = Geometry(shape, contiguous_strides(shape))
        meta = t._view = ViewMeta(root, None, g, _identity, None, 0, DEFAULT, "")
        meta._geometry = g
        root._aliases = [weakref.ref(t)]
    return meta


def make_alias(
    t: Tensor,
    of: Tensor,
    step: Callable[[Geometry, Any, int], Geometry] = _identity,
    params: Any = None,
    *,
    index: int = 0,
    autograd: bool = True,
    creation: str | None = None,
    function: str = "",
) -> Tensor:
    """Make `t` an alias of `of`'s elements through `step` (a view when `autograd`).

    The view's creation mode is recorded (no_grad, inference mode, or a multi-output function
    such as ``split``), since it decides whether the view may later be changed in place.
    """
    parent = _storage_of(of)
    root = parent.root
    base = (parent.base if parent.base is not None else of) if autograd else None
    if creation is None:
        creation = DEFAULT if grad_enabled() else NO_GRAD_MODE
        if inference_enabled():
            creation = INFERENCE_MODE
    if parent.creation != DEFAULT and creation == DEFAULT:
        creation, function = parent.creation, parent.function
    t._view = ViewMeta(root, base, parent, step, params, index, creation, function)
    t._vc = of._vc
    aliases = root._aliases
    aliases.append(weakref.ref(t))
    if len(aliases) > 16 and len(aliases) & (len(aliases) - 1) == 0:  # prune at powers of two
        aliases[:] = [r for r in aliases if r() is not None]
    return t


def take_geometry(t: Tensor, view: Tensor) -> None:
    """Make `t` see its elements as `view` (a view just taken of `t`) does: PyTorch's in-place
    view operations (``t_()``, ``squeeze_()``...) change a tensor's sizes and strides over the
    same storage.  `t` stays a view of its own base (or of none), and the views taken of it
    before keep their geometry."""
    meta, old = view._view, t._view
    t._data = view._data
    t._view = ViewMeta(
        meta.root, old.base, meta.source, meta.step, meta.params, meta.index,
        old.creation, old.function,
    )  # fmt: skip


def live_aliases(root: Tensor) -> list:
    """The aliases of `root` still alive (and still aliases of it), pruning the others."""
    refs = root._aliases
    if not refs:
        return []
    alive = []
    kept = []
    for ref in refs:
        a = ref()
        if a is not None and a._view is not None and a._view.root is root:
            alive.append(a)
            kept.append(ref)
    refs[:] = kept
    return alive


def read_elements(root_array: Any, backend: Any, g: Geometry, flat_positions: np.ndarray) -> Any:
    """The elements at `flat_positions` of a root's array, shaped and taken apart as `g` says."""
    xp = backend.xp
    flat = xp.reshape(root_array, (-1,))
    values = xp.reshape(xp.take(flat, backend.asarray(flat_positions.reshape(-1)), axis=0), g.shape)
    if g.part == "real":
        return xp.real(values)
    if g.part == "imag":
        return xp.imag(values)
    return values


def read_view(root_array: Any, backend: Any, meta: ViewMeta) -> Any:
    """The elements of a view, read from its root's array."""
    if meta.is_whole():
        return root_array
    return read_elements(root_array, backend, meta.geometry(), meta.positions())


def refresh_aliases(root: Tensor, *, written_in_place: bool, skip: Tensor | None = None) -> None:
    """Make every live alias of `root` hold its elements of `root`'s (new) array.

    An alias whose array is a view of the root's own array (NumPy) already sees a write done in
    place and is left as it is.
    """
    backend = root._backend
    data = root._data
    for a in live_aliases(root):
        if a is skip or a._data is data:
            continue
        if written_in_place and backend.shares_memory_with(a._data, data):
            continue
        a._data = read_view(data, backend, a._view)


def store(t: Tensor, array: Any) -> None:
    """Replace the elements of `t` by `array` (same shape and dtype), in place when the backend
    can, and bring the tensors sharing them up to date (data only)."""
    if t._view is None:
        t._data = t._backend.write_into(t._data, array)
    else:
        write_view(t, array)


def write_view(view: Tensor, values: Any) -> None:
    """Write `values` (an array of the view's shape and dtype) into the elements of `view`'s
    root that `view` sees, and bring every alias of the root up to date (data only)."""
    meta = view._view
    g = meta.geometry()
    if has_overlap(g):
        raise RuntimeError(OVERLAP_ERROR)
    root = meta.root
    backend = root._backend
    old = root._data
    if meta.is_whole():
        root._data = new = backend.write_into(old, values)
        refresh_aliases(root, written_in_place=new is old)
        return
    if g.part is None and backend.write_through(old, view._data, values):
        refresh_aliases(root, written_in_place=True)
        return
    if g.part is not None:  # the other part of each complex element stays as it was
        xp = backend.xp
        current = read_elements(old, backend, g._replace(part=None), meta.positions())
        if g.part == "real":
            values = current - xp.real(current) + values
        else:
            values = xp.real(current) + values * 1j
    new = backend.put(old, meta.positions(), values)
    root._data = new
    refresh_aliases(root, written_in_place=new is old)


def local_positions(t: Tensor, wanted: np.ndarray) -> np.ndarray | None:
    """Where the storage positions `wanted` sit among `t`'s own elements (flat, row-major), or
    None if some of them are not elements of `t`."""
    meta = t._view
    if meta is None or meta.is_whole():
        inside = wanted.size == 0 or (wanted.min() >= 0 and wanted.max() < math.prod(t._data.shape))
        return wanted if inside else None
    mine = meta.positions().reshape(-1)
    inverse = np.full(math.prod(meta.root._data.shape), -1, dtype=np.int64)
    inverse[mine] = np.arange(mine.size, dtype=np.int64)
    if wanted.size and (wanted.min() < 0 or wanted.max() >= inverse.size):
        return None
    local = inverse[wanted]
    return None if local.size and local.min() < 0 else local


def relative_positions(view: Tensor, base: Tensor) -> np.ndarray:
    """The flat positions of `view`'s elements among those of `base` (its ``_base``)."""
    local = local_positions(base, view._view.positions())
    if local is None:  # a view's elements are its base's
        raise AssertionError("a view with elements outside its base")
    return local


def view_rebase_error(t: Tensor) -> str | None:
    """PyTorch's error for modifying the view `t` in place with grad mode on, if its creation
    forbids it (None when it may be modified)."""
    meta = t._view
    if meta is None or meta.base is None:
        return None
    if meta.creation == MULTI_OUTPUT_NODE:
        return MULTI_OUTPUT_VIEW_ERROR.format(index=meta.index, function=meta.function)
    if meta.creation == NO_GRAD_MODE:
        return NO_GRAD_VIEW_ERROR
    if meta.creation == INFERENCE_MODE and not inference_enabled():
        return INFERENCE_VIEW_ERROR
    return None
