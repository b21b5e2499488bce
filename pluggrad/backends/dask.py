"""The Dask backend: arrays are chunked, lazy ``dask.array.Array`` objects.

Operations, ``backward()`` and ``.grad`` build task graphs and compute nothing; reading values
(``.item()``, ``.tolist()``, ``.numpy()``, ``bool()``, printing) computes them on whatever
scheduler is active: Dask's threads by default, a ``dask.distributed.Client`` when one is made
(a cluster of any size).  :func:`pluggrad.compute` and ``Tensor.persist()`` run several
results in one pass; an optimizer's step persists its results when it returns
(:meth:`DaskBackend.finish_step`), so a training loop's graphs do not grow step after step.
See ``docs/dask.md``.

Dask arrays are immutable here (``mutable = False``): in-place tensor updates replace the
tensor's array, as on JAX.  Operations whose result's shape depends on values (boolean masks,
``nonzero``, ``unique_*``) compute the sizes of their result's chunks where they run
(``compute_chunk_sizes``), as PyTorch's ``nonzero`` synchronises with a GPU: the values of
their inputs are computed then, the result stays lazy.  The kernels the standard lacks
(scatter-add with repeated indices, ``eig``, ...) run NumPy's inside one task of the graph
(``dask.delayed``), so they stay lazy too; their result is one chunk.
"""

from __future__ import annotations

import math
import types
from collections.abc import Callable
from typing import Any

import numpy as np

try:
    import array_api_compat.dask.array as _compat
    import dask
    import dask.array as da
    from dask.base import tokenize
    from dask.core import flatten, istask
except ImportError as exc:  # pragma: no cover - exercised only without dask installed
    raise ImportError("the 'dask' backend needs Dask: pip install 'pluggrad[dask]'") from exc

from ._base import Backend, along_axis_key
from ._dask_extensions import fft_namespace, linalg_namespace

__all__ = ["DaskBackend", "backend", "dask_array"]


def _from_numpy(values: Any, chunks: Any = "auto") -> Any:
    """A dask array of NumPy `values` in `chunks`, named by its values as ``da.from_array``
    names it but apart from the names Dask gives its own arrays: Dask 2026.8 indexes along an
    axis with a dask array of ints by blockwise alignment with an array of chunk offsets made by
    ``from_array`` too (``[0]`` for one chunk), so an index array of the same values took its
    name and its declared shape (``x[[0]]`` of a 4-element ``x`` was declared of shape 4)."""
    return da.from_array(values, chunks=chunks, name=f"pluggrad-{tokenize(values, chunks)}")


def _known_sizes(array: Any) -> Any:
    """`array` with the sizes of its chunks known: computed where they depend on values (a
    boolean mask's selection, ``nonzero``)."""
    if isinstance(array, da.Array) and any(math.isnan(n) for n in array.shape):
        array.compute_chunk_sizes()  # in place, on this new array only
    return array


def _in_memory(array: da.Array) -> bool:
    """Whether `array`'s graph is its own chunks held in memory (persisted: NumPy arrays, or a
    cluster's futures) and nothing else, so that persisting it again would do nothing."""
    if len(array.dask.layers) != 1:  # (a quick answer before the graph is materialized)
        return False
    graph = dict(array.dask)
    keys = set(flatten(array.__dask_keys__()))
    return graph.keys() == keys and not any(istask(v) for v in graph.values())


def _value_dependent(fn: Callable) -> Callable:
    """`fn` (an array API function) with chunk sizes known in every array it returns."""

    def wrapped(*args, **kwargs):
        out = fn(*args, **kwargs)
        if isinstance(out, tuple):
            known = [_known_sizes(o) for o in out]
            return type(out)(*known) if hasattr(out, "_fields") else tuple(known)
        return _known_sizes(out)

    wrapped.__name__ = wrapped.__qualname__ = fn.__name__
    wrapped.__doc__ = fn.__doc__
    return wrapped


def _take_along_axis(x: Any, indices: Any, /, *, axis: int = -1) -> Any:
    """The standard's ``take_along_axis``, which Dask lacks: NumPy's in one task."""
    axis = axis % x.ndim
    shape = np.broadcast_shapes(x.shape[:axis] + (indices.shape[axis],) + x.shape[axis + 1 :],
                                indices.shape)  # fmt: skip
    return _numpy_task(np.take_along_axis, shape, x.dtype, x, indices, axis)


_eye_of: Callable = getattr(_compat, "eye")  # noqa: B009 - not in its type stubs
_linspace_of: Callable = getattr(_compat, "linspace")  # noqa: B009 - as above
_searchsorted_of: Callable = getattr(_compat, "searchsorted")  # noqa: B009 - as above
_reshape_of: Callable = getattr(_compat, "reshape")  # noqa: B009 - as above


def _eye(
    n_rows: int, n_cols: int | None = None, /, *, k: int = 0, dtype: Any = None, **kwargs: Any
) -> Any:
    """The standard's ``eye``, cut from a square one: ``dask.array.eye(3, M=4)`` declares
    chunks of the rows' size along the columns too, and its graph lacks the block that makes
    ("Missing dependency" when computed)."""
    n_cols = n_rows if n_cols is None else n_cols
    if n_cols == n_rows:
        return _eye_of(n_rows, n_cols, k=k, dtype=dtype, **kwargs)
    size = max(n_rows, n_cols)
    return _eye_of(size, size, k=k, dtype=dtype, **kwargs)[:n_rows, :n_cols]


def _linspace(start: Any, stop: Any, /, num: int, **kwargs: Any) -> Any:
    """The standard's ``linspace``, complex endpoints too (Dask's takes real ones only)."""
    if isinstance(start, complex) or isinstance(stop, complex):
        real = _linspace_of(complex(start).real, complex(stop).real, num, **kwargs)
        imag = _linspace_of(complex(start).imag, complex(stop).imag, num, **kwargs)
        return real + 1j * imag
    return _linspace_of(start, stop, num, **kwargs)


def _searchsorted(x1: Any, x2: Any, /, *, side: str = "left", sorter: Any = None) -> Any:
    """The standard's ``searchsorted``: Dask's fails on a 0-d `x2` and takes no `sorter`."""
    if sorter is not None:
        x1 = da.take(x1, sorter)
    if x2.ndim == 0:
        return _searchsorted_of(x1, da.reshape(x2, (1,)), side=side)[0]
    return _searchsorted_of(x1, x2, side=side)


def _reshape(x: Any, /, shape: tuple, **kwargs: Any) -> Any:
    """The standard's ``reshape`` of any shape: Dask's only merges or splits dimensions
    ((6, 2, 4) to (6, 8) or (6, 4, 2, 1), not (6, 4, 2)); otherwise the dimensions that change
    are merged into one, then split."""
    try:
        return _reshape_of(x, shape, **kwargs)
    except NotImplementedError:
        shape = tuple(shape)
        if -1 in shape:
            rest = math.prod(n for n in shape if n != -1)
            shape = tuple(x.size // rest if n == -1 else n for n in shape)
        kept = 0  # the leading dimensions that stay as they are
        while kept < min(x.ndim, len(shape)) and x.shape[kept] == shape[kept]:
            kept += 1
        merged = _reshape_of(x, x.shape[:kept] + (math.prod(x.shape[kept:]),), **kwargs)
        return _reshape_of(merged, shape, **kwargs)


def _nans_apart(fn: Callable) -> Callable:
    """``unique_values`` / ``unique_counts`` with each NaN a value of its own (the standard's
    and PyTorch's rule; Dask's merge them): the unique non-NaN values, then the NaNs."""

    def wrapped(x: Any, /) -> Any:
        if x.dtype.kind not in "fc":
            return fn(x)
        flat = da.reshape(x, (-1,))
        nan = _known_sizes(flat[da.isnan(flat)])
        found = fn(_known_sizes(flat[~da.isnan(flat)]))
        if not isinstance(found, tuple):
            return da.concatenate([found, nan])
        counts = da.concatenate([found[1], da.ones(nan.shape, dtype=found[1].dtype)])
        return type(found)(da.concatenate([found[0], nan]), counts)  # type: ignore[call-arg]

    wrapped.__name__ = wrapped.__qualname__ = fn.__name__
    return wrapped


def _namespace() -> types.ModuleType:
    """``array_api_compat.dask.array`` with the value-dependent functions knowing their chunk
    sizes (the module itself is left as it is)."""
    ns = types.ModuleType("pluggrad.backends.dask.xp", _compat.__doc__)
    ns.__dict__.update({k: v for k, v in vars(_compat).items() if not k.startswith("__")})
    for name in ("nonzero", "unique_all", "unique_counts", "unique_inverse", "unique_values"):
        setattr(ns, name, _value_dependent(getattr(_compat, name)))
    for name in ("unique_counts", "unique_values"):
        setattr(ns, name, _nans_apart(getattr(ns, name)))
    ns.take_along_axis = _take_along_axis  # type: ignore[attr-defined]
    ns.eye = _eye  # type: ignore[attr-defined]
    ns.linspace = _linspace  # type: ignore[attr-defined]
    ns.searchsorted = _searchsorted  # type: ignore[attr-defined]
    ns.reshape = _reshape  # type: ignore[attr-defined]
    ns.linalg = linalg_namespace()  # type: ignore[attr-defined]
    ns.fft = fft_namespace()  # type: ignore[attr-defined]
    return ns


xp = _namespace()


def _numpy_task(fn: Callable, shape: tuple, dtype: Any, *args: Any) -> Any:
    """``fn(*args)`` run by NumPy inside one task of the graph (dask arrays among `args`, in
    tuples too, arrive as NumPy arrays): a one-chunk lazy array of `shape` and `dtype`."""
    return da.from_delayed(dask.delayed(fn, pure=True)(*args), shape, dtype=dtype)


def _stand_in(key: Any) -> Any:
    """`key` with its dask index arrays replaced by NumPy zeros of their shape and dtype, to
    work out the shape of the indexing's result; None when a boolean array's values decide
    it."""
    if isinstance(key, tuple):
        parts = [_stand_in(k) for k in key]
        return None if any(p is None for p in parts) else tuple(parts)
    if isinstance(key, (da.Array, np.ndarray)):
        if key.dtype == bool:
            return None
        return np.zeros(key.shape, dtype=key.dtype)
    return key


def _computed_masks(key: Any) -> Any:
    """`key` with its dask boolean arrays computed (their values decide the result's shape)."""
    if isinstance(key, tuple):
        return tuple(_computed_masks(k) for k in key)
    if isinstance(key, da.Array) and key.dtype == bool:
        return np.asarray(key.compute())
    return key


def _dask_misreads(key: Any) -> bool:
    """Whether dask indexes with `key` wrongly: ``True``/``False`` (dask reads ``x[True]`` as
    ``x[1]``), a 0-d boolean mask ("too many indices"), or ``None`` beside an index array (an
    AssertionError inside dask)."""
    parts = key if isinstance(key, tuple) else (key,)
    arrays = any(isinstance(k, (da.Array, np.ndarray, list)) for k in parts)
    masks_0d = any(getattr(k, "dtype", None) == np.dtype(bool) and k.ndim == 0 for k in parts)
    return masks_0d or any(isinstance(k, (bool, np.bool_)) or (k is None and arrays) for k in parts)


def _in_bounds(block: np.ndarray, dim: int, size: int) -> np.ndarray:
    """`block` of an index array, or PyTorch's IndexError if one of its indices is outside
    ``[-size, size)`` (dask would read something else: a bad index must fail)."""
    if block.size:
        for bad in (block.max(), block.min()):
            if not -size <= bad < size:
                raise IndexError(
                    f"index {bad} is out of bounds for dimension {dim} with size {size}"
                )
    return block


def _dims_of(k: Any) -> int:
    """How many dimensions of the indexed array the key part `k` consumes."""
    if k is None or k is Ellipsis:
        return 0
    return k.ndim if getattr(k, "dtype", None) == np.dtype(bool) else 1


def _checked_key(shape: tuple, key: Any) -> Any:
    """`key` with each of its dask integer index arrays checked against its dimension's size
    when the graph runs (the check that reads values cannot run before)."""
    parts = key if isinstance(key, tuple) else (key,)
    used = sum(_dims_of(k) for k in parts)
    checked, dim = [], 0
    for k in parts:
        if k is Ellipsis:
            dim += len(shape) - used
        elif isinstance(k, da.Array) and k.dtype.kind in "iu" and dim < len(shape):
            k = da.map_blocks(_in_bounds, k, dim, shape[dim], dtype=k.dtype)
        dim += _dims_of(k)
        checked.append(k)
    return tuple(checked) if isinstance(key, tuple) else checked[0]


def _checked_block(block: np.ndarray, check: Callable[[np.ndarray], None]) -> np.ndarray:
    check(block)
    return block


def _numpy_getitem(array: np.ndarray, key: Any) -> np.ndarray:
    return np.asarray(array[key])


def _numpy_scatter_add(values: np.ndarray, key: Any, shape: tuple) -> np.ndarray:
    out = np.zeros(shape, dtype=values.dtype)
    np.add.at(out, key, values)
    return out


def _numpy_put_along_axis_add(values, indices, axis, shape) -> np.ndarray:
    out = np.zeros(shape, dtype=values.dtype)
    np.add.at(out, along_axis_key(np, indices, axis), values)
    return out


def _numpy_eig(array: np.ndarray, dtype: Any) -> tuple[np.ndarray, np.ndarray]:
    values, vectors = np.linalg.eig(array)  # complex only where an eigenvalue is
    return values.astype(dtype), vectors.astype(dtype)


def _is_basic(key: Any) -> bool:
    """Whether `key` is basic indexing (ints and slices): no repeated position, so that a
    lazy assignment (dask's ``x[key] = v``) adds into zeros as ``add.at`` would."""
    parts = key if isinstance(key, tuple) else (key,)
    return all(isinstance(k, (int, slice)) or k is Ellipsis for k in parts)


class DaskBackend(Backend):
    """Arrays are ``dask.array.Array``; kernels come from ``array_api_compat.dask.array``."""

    name = "dask"
    library = "dask"
    mutable = False
    lazy = True
    xp = xp
    array_type = da.Array

    def native_dtype(self, dtype):
        return None if dtype.name == "bfloat16" else np.dtype(dtype.name)  # as NumPy's

    # -- conversion -----------------------------------------------------------------------------
    def asarray(self, obj, dtype=None, chunks="auto"):
        """A dask array of `obj`: a dask array keeps its chunks, anything else is chunked by
        `chunks` (Dask's ``"auto"``: chunks of about ``array.chunk-size``, 128 MiB)."""
        native = None if dtype is None else self.to_native[dtype]
        if isinstance(obj, da.Array):
            return obj if native is None or obj.dtype == native else obj.astype(native)
        array = np.asarray(obj, dtype=native)
        return _from_numpy(array, chunks)

    def rechunk(self, array, chunks):
        """`array` in `chunks` (Dask's spellings: ``1000``, ``(1000, -1)``, ``"auto"``...): the
        creation functions' ``chunks=``."""
        return array if chunks is None else array.rechunk(chunks)

    def to_numpy(self, array):
        return np.asarray(array.compute() if isinstance(array, da.Array) else array)

    def to_numpy_all(self, arrays):
        return [np.asarray(v) for v in dask.compute(*arrays)]

    def normalize(self, result):
        if isinstance(result, da.Array):
            return _known_sizes(result)
        return _from_numpy(np.asarray(result))

    def has_values(self, array):
        """False: a dask array's values are not known until computed, so the checks that read
        values (an index out of bounds, a loss's class targets) are skipped, as compiled
        PyTorch code skips them; a bad index fails when the graph runs."""
        return not isinstance(array, da.Array)

    def copy(self, array):
        return array

    def dlpack_source(self, array):
        """The computed values (NumPy's array): DLPack shares memory, which a graph has not."""
        return self.to_numpy(array) if isinstance(array, da.Array) else array

    def dlpack_device(self, array):
        return (1, 0)  # DLPack's CPU: a dask array computes to NumPy's

    # -- computing ------------------------------------------------------------------------------
    def compute(self, arrays: list) -> list:
        """The values of `arrays`, computed in one pass of the active scheduler (shared work
        runs once), each as a dask array of one in-memory chunk per chunk of the original."""
        values = self.to_numpy_all(arrays)
        return [_from_numpy(v, a.chunks) for a, v in zip(arrays, values)]

    def persist(self, arrays: list) -> list:
        """`arrays` persisted (``dask.persist``): computed in one pass and kept in memory, on
        the cluster's workers with a distributed client; still dask arrays, same chunks."""
        return list(dask.persist(*arrays))

    def finish_step(self, arrays):
        """`arrays` (an optimizer step's results) persisted in one ``dask.persist``: with a
        distributed client it returns at once and the cluster computes them in the background,
        on the local schedulers it computes them; the next step's graph then starts from their
        chunks, so its size stays the same step after step.  Arrays held in memory already
        (a parameter the step left as it was) and those that are not dask arrays (a trace's,
        under ``pluggrad.compile``) are returned as they are."""
        out = list(arrays)
        todo = [i for i, a in enumerate(out) if isinstance(a, da.Array) and not _in_memory(a)]
        if todo:
            for i, array in zip(todo, dask.persist(*(out[i] for i in todo))):
                out[i] = array
        return out

    def checked_when_computed(self, array, check):
        if not isinstance(array, da.Array):
            return array
        return da.map_blocks(_checked_block, array, check, dtype=array.dtype)

    # -- kernels the standard lacks -------------------------------------------------------------
    def getitem(self, array, key):
        key = _checked_key(array.shape, key)
        try:
            if _dask_misreads(key):
                raise NotImplementedError
            return _known_sizes(array[key])
        except (NotImplementedError, ValueError, TypeError):
            # dask indexes with one advanced index at a time; NumPy's rules on one chunk
            stand_in = _stand_in(key)
            if stand_in is None:
                key = _computed_masks(key)
                stand_in = key
            shape = np.broadcast_to(np.zeros((), dtype=array.dtype), array.shape)[stand_in].shape
            return _numpy_task(_numpy_getitem, shape, array.dtype, array, key)

    def scatter_add(self, values, key, shape):
        if _is_basic(key):
            out = da.zeros(shape, dtype=values.dtype)
            try:
                out[key] = values  # a new graph for `out` (dask arrays assign lazily)
                return out
            except (NotImplementedError, ValueError, TypeError, IndexError):
                pass
        return _numpy_task(_numpy_scatter_add, tuple(shape), values.dtype, values, key, shape)

    def put_along_axis_add(self, values, indices, axis, shape):
        return _numpy_task(
            _numpy_put_along_axis_add, tuple(shape), values.dtype, values, indices, axis, shape
        )

    def put(self, array, positions, values):
        flat = da.reshape(array, (-1,)).copy()  # a new Array object: the assignment is its own
        flat[np.reshape(positions, (-1,))] = da.reshape(values, (-1,))
        return da.reshape(flat, array.shape)

    def special(self, name, *arrays):
        try:
            import scipy.special  # noqa: PLC0415 - optional: only the special functions need it
        except ImportError:
            return super().special(name, *arrays)  # says which extra to install
        fn = getattr(scipy.special, name)
        if name == "airy":  # (Ai, Ai', Bi, Bi'): pluggrad wants Ai
            fn = lambda *a: scipy.special.airy(*a)[0]
        dtype = arrays[-1].dtype
        args = [a if isinstance(a, da.Array) else _from_numpy(np.asarray(a)) for a in arrays]
        args = da.broadcast_arrays(*args)
        return da.map_blocks(lambda *blocks: np.asarray(fn(*blocks), dtype=dtype), *args,
                             dtype=dtype)  # fmt: skip

    def eig(self, array):
        complex_dtype = np.result_type(array.dtype, np.complex64)
        pair = dask.delayed(_numpy_eig, nout=2, pure=True)(array, complex_dtype)
        values = da.from_delayed(pair[0], array.shape[:-1], dtype=complex_dtype)
        vectors = da.from_delayed(pair[1], array.shape, dtype=complex_dtype)
        return values, vectors

    def device_of(self, array):
        return "cpu"


backend = DaskBackend()


def dask_array(tensor: Any) -> da.Array:
    """The dask array behind a tensor of the dask backend (no copy, no computation), for
    Dask's own tools: ``distributed.progress``, ``.visualize()``, ``len(array.dask)`` (the
    graph's tasks), ``client.compute``."""
    if tensor._backend is not backend:
        raise TypeError(f"dask_array() takes a tensor of the dask backend, not {tensor._backend}")
    return tensor._data
