"""The :class:`Backend` contract that every array library adapter implements.

A backend owns ``xp``, an array API namespace, and the few things the standard does not provide:
conversion from and to NumPy, a scatter-add kernel (the backward of indexing), and a mapping
between pluggrad's :class:`~pluggrad._dtypes.DType` objects and the library's own dtypes.  The
engine, the ops and the derivative formulas never import an array library; they reach arrays
only through a backend: its kernels, ``formula_ns`` (raw arrays) and ``tensor_ns`` (the
differentiable operations, bound to this backend).  ``compile`` is the hook behind
:func:`pluggrad.compile`.
"""

from __future__ import annotations

import functools
import math
import types
from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

from .._device import device
from .._dtypes import ALL_DTYPES, STANDARD_DTYPES, DType
from ._random import RandomSource


class Backend:
    """Base class of backends.  Subclasses set the class attributes and override what differs.

    Attributes
    ----------
    name : str
        Registry name, e.g. ``"numpy"``.
    library : str
        Name of the importable array library (shown by ``python -m pluggrad info``).
    mutable : bool
        Whether arrays may be written in place.  JAX arrays are immutable, so in-place
        tensor updates replace the tensor's array instead.
    lazy : bool
        Whether arrays are task graphs whose values are computed only when read (Dask): the
        checks that read values (an index out of range) then fail when the graph runs, not
        when the operation is called.
    xp : module
        The array API namespace of the library.
    array_type : type
        The concrete array class results are normalised to.
    """

    name: str = ""
    library: str = ""
    mutable: bool = True
    lazy: bool = False
    xp: Any = None
    array_type: type = object
    #: ``run_formula(formula, g, args)``: how first-order derivative formulas are evaluated
    #: (JAX compiles them); None: ``formula.fn(formula_ns, g, *args)``, called directly.
    run_formula: Any = None
    # builds ``tensor_ns``; provided by the operations layer (see provide_tensor_namespace)
    _tensor_namespace_factory: ClassVar[Callable[[Backend], Any] | None] = None
    # the default compiler; provided by pluggrad._trace (see provide_compiler)
    _compiler_factory: ClassVar[Callable[..., Callable] | None] = None

    def __init__(self) -> None:
        self.to_native: dict[DType, Any] = _NativeDtypes(self.name)
        self.from_native: dict[Any, DType] = {}
        for dtype in ALL_DTYPES:
            native = self._native_dtype_or_none(dtype)
            if native is not None:
                self.to_native[dtype] = native
                self.from_native[native] = dtype
        # native dtypes whose arrays can carry gradients (floating and complex)
        self.differentiable_natives = frozenset(
            native for dtype, native in self.to_native.items() if dtype.is_differentiable
        )
        self.kernels = _KernelCache(self)
        self.formula_ns = self._make_formula_namespace()

    # -- dtypes ---------------------------------------------------------------------------------
    def native_dtype(self, dtype: DType) -> Any:
        """The library's dtype for `dtype`, or None if the library lacks it."""
        return getattr(self.xp, dtype.name, None)

    def _native_dtype_or_none(self, dtype: DType) -> Any:
        if dtype in STANDARD_DTYPES:
            return self.native_dtype(dtype)
        try:  # PyTorch's 16-bit floats: a library (or a third-party backend) may not know them
            return self.native_dtype(dtype)
        except (TypeError, ValueError, AttributeError):
            return None

    # -- conversion -----------------------------------------------------------------------------
    def asarray(self, obj: Any, dtype: DType | None = None) -> Any:
        """Make a native array from nested sequences, scalars, NumPy arrays or native arrays."""
        native = None if dtype is None else self.to_native[dtype]
        if isinstance(obj, np.generic):
            obj = np.asarray(obj)
        return self.xp.asarray(obj, dtype=native)

    def to_numpy(self, array: Any) -> np.ndarray:
        """Copy or view a native array as a NumPy array."""
        return np.asarray(array)

    def to_numpy_all(self, arrays: list) -> list[np.ndarray]:
        """:meth:`to_numpy` of several arrays; a lazy backend computes them in one pass."""
        return [self.to_numpy(a) for a in arrays]

    def normalize(self, result: Any) -> Any:
        """Turn what a kernel returned (for NumPy, possibly a scalar) into a native array."""
        return self.xp.asarray(result)

    def has_values(self, array: Any) -> bool:
        """Whether `array` holds values that can be read now: False for an abstract array of a
        trace (a JAX tracer under ``pluggrad.compile``), where checks that read values (an
        index out of bounds) are skipped, as compiled PyTorch code skips them."""
        return True

    def device_of(self, array: Any) -> Any:
        """The device an array lives on, as the library names it."""
        return getattr(array, "device", "cpu")

    # -- devices, named as PyTorch names them -----------------------------------------------------
    #: whether arrays can be on different devices (then operations check that theirs agree)
    multi_device: bool = False

    def devices(self) -> list[device]:
        """The devices this backend can put arrays on (the default: the CPU)."""
        return [device("cpu")]

    def torch_device(self, native: Any) -> device:
        """PyTorch's name for the library's device `native` (the default: the CPU)."""
        return device("cpu")

    def native_device(self, wanted: device) -> Any:
        """The library's device for `wanted`, or None for where arrays are made by default;
        RuntimeError if the backend has no such device."""
        if wanted.type == "cpu" and wanted.index in (None, 0):
            return None
        raise self.no_device_error(wanted)

    def no_device_error(self, wanted: device) -> RuntimeError:
        names = ", ".join(str(d) for d in self.devices())
        return RuntimeError(
            f"the {self.name} backend has no device '{wanted}' (its devices: {names}); "
            "pick a backend with that device (e.g. PLUGGRAD_BACKEND=jax with a GPU build of JAX)"
        )

    def move(self, array: Any, native: Any) -> Any:
        """`array` on the library's device `native` (the default: there is only one)."""
        return array

    # -- kernels the standard lacks -------------------------------------------------------------
    def getitem(self, array: Any, key: Any) -> Any:
        """``array[key]`` with NumPy's indexing rules (the standard allows only a subset)."""
        return array[key]

    def zeros_where(self, cond: Any, value: Any) -> Any:
        """``where(cond, 0, value)``: `value` with (positive) zeros where `cond` holds.

        The masked derivatives (relu, clamp, maximum, ...) and relu's forward use it; backends
        may override it with a faster exact kernel.
        """
        xp = self.xp
        return xp.where(cond, xp.zeros_like(value), value)

    def scatter_add(self, values: Any, key: Any, shape: tuple[int, ...]) -> Any:
        """Return zeros of `shape` (dtype of `values`) with `values` added at ``[key]``.

        Repeated integer indices accumulate, as in ``numpy.add.at``.  This is the backward of
        ``x[key]``.  This generic version goes through NumPy; backends override it with a native
        kernel.
        """
        values_np = self.to_numpy(values)
        out = np.zeros(shape, dtype=values_np.dtype)
        np.add.at(out, _key_to_numpy(self, key), values_np)
        return self.asarray(out)

    def put_along_axis_add(
        self, values: Any, indices: Any, axis: int, shape: tuple[int, ...]
    ) -> Any:
        """Return zeros of `shape` (dtype of `values`) with ``values[p]`` added at position `p`
        with ``p[axis]`` replaced by ``indices[p]`` (PyTorch's ``scatter_add`` into zeros).

        `values` and `indices` have the same shape, at most `shape` along every axis but `axis`;
        repeated indices accumulate.  This is the backward of ``take_along_axis`` (``gather``)
        and of ``take``.  This generic version goes through NumPy.
        """
        values_np = self.to_numpy(values)
        out = np.zeros(shape, dtype=values_np.dtype)
        np.add.at(out, along_axis_key(np, self.to_numpy(indices), axis), values_np)
        return self.asarray(out)

    def special(self, name: str, *arrays: Any) -> Any:
        """``scipy.special.<name>(*arrays)`` on this backend's arrays: the kernels of
        :mod:`pluggrad.special` (``erf``, ``gammaln``, ``i0``...).  This generic version goes
        through NumPy and SciPy (the ``special`` extra); backends with their own kernels (JAX's
        ``jax.scipy.special``) override it.  Of a function with several results (``airy``),
        the first."""
        try:
            import scipy.special  # noqa: PLC0415 - optional: only the special functions need it
        except ImportError as exc:
            raise ImportError(
                f"pluggrad's special functions on the {self.name} backend need SciPy: "
                "pip install 'pluggrad[special]'"
            ) from exc
        args = [self.to_numpy(a) if isinstance(a, self.array_type) else a for a in arrays]
        result = getattr(scipy.special, name)(*args)
        if isinstance(result, tuple):  # airy: (Ai, Ai', Bi, Bi'); pluggrad wants Ai
            result = result[0]
        return self.asarray(np.asarray(result, dtype=args[-1].dtype))

    def eig(self, array: Any) -> tuple[Any, Any]:
        """Eigenvalues and eigenvectors of general square matrices, both complex (LAPACK's
        ``geev``, as PyTorch's ``linalg.eig``: unit eigenvectors, largest component real).  The
        standard has no ``eig``; this generic version goes through NumPy, backends with their
        own kernel (``jnp.linalg.eig``) override it."""
        a = self.to_numpy(array)
        complex_dtype = np.result_type(a.dtype, np.complex64)
        values, vectors = np.linalg.eig(a)
        return self.asarray(values.astype(complex_dtype)), self.asarray(
            vectors.astype(complex_dtype)
        )

    def convolution(
        self,
        x: Any,
        w: Any,
        *,
        stride: tuple[int, ...],
        padding: tuple[tuple[int, int], ...],
        lhs_dilation: tuple[int, ...],
        rhs_dilation: tuple[int, ...],
        groups: int,
    ) -> Any:
        """The N-d cross-correlation of `x` ``(N, C, *spatial)`` with `w`
        ``(O, C // groups, *kernel)``: ``(N, O, *out)``, as ``jax.lax.conv_general_dilated``.

        Along each spatial axis the input is dilated by `lhs_dilation` (``lhs_dilation - 1``
        zeros between elements), padded by ``padding[i] = (lo, hi)`` zeros (negative: cropped),
        and the kernel, dilated by `rhs_dilation`, slides over it with `stride`.  The channels
        split into `groups` groups, each convolved with its own ``O // groups`` filters.  This
        default, in array API terms (any backend), gathers the windows with ``take`` (an
        im2col, the holes and padding read from an appended zero) and multiplies with
        ``matmul``; backends override it with a faster kernel.
        """
        xp = self.xp
        n, c, *spatial = x.shape
        o, cg, *kernel = w.shape
        index, out_shape = conv_window_index(
            spatial, kernel, stride, padding, lhs_dilation, rhs_dilation
        )
        n_out, n_k = index.shape
        size = math.prod(spatial)
        flat = xp.reshape(x, (n, c, size))
        flat = xp.concat([flat, xp.zeros((n, c, 1), dtype=x.dtype)], axis=2)
        cols = xp.take(flat, self.asarray(np.reshape(index, (-1,))), axis=2)
        cols = xp.permute_dims(xp.reshape(cols, (n, groups, cg, n_out, n_k)), (0, 1, 3, 2, 4))
        cols = xp.reshape(cols, (n, groups, n_out, cg * n_k))
        filters = xp.permute_dims(xp.reshape(w, (groups, o // groups, cg * n_k)), (0, 2, 1))
        out = xp.permute_dims(xp.matmul(cols, filters), (0, 1, 3, 2))  # (n, groups, o/g, out)
        return xp.reshape(out, (n, o, *out_shape))

    def write_into(self, target: Any, values: Any, fresh: bool = False) -> Any:
        """Store `values` as the new content of a tensor whose array is `target`; return the
        array the tensor holds afterwards.  The generic version replaces the array; backends
        whose arrays can be written write into `target` when it owns its memory, so that other
        tensors sharing it see the change (PyTorch's in-place semantics).  `fresh` says that
        `values` was just computed for this write (it belongs to no other tensor): a backend
        may then let it take `target`'s place when nothing else can see `target` either."""
        return values

    # elementwise kernels taking ``out=`` (an array of the result's shape and dtype, possibly an
    # operand), by the operation's name ("add", "subtract", "multiply", "divide", "maximum",
    # "minimum", "sqrt"): the in-place methods of untracked tensors and the optimizers' fused
    # updates (pluggrad.optim._fused) run them directly (none for immutable arrays)
    in_place_kernels: dict[str, Callable] = {}

    def flat_view(self, array: Any) -> Any | None:
        """A 1-d array over `array`'s elements in row-major order that the in-place kernels
        write through to `array`, or None where there is none (the generic answer): the
        optimizers' fused updates then run block by block over it."""
        return None

    def adopt_gradient(self, grad: Any) -> Any:
        """The array a leaf's first ``.grad`` holds for the engine's gradient `grad`: `grad`
        itself where nothing else can see it, else a copy (``.grad`` never aliases another
        tensor's elements), as PyTorch's AccumulateGrad steals an unshared gradient."""
        return self.copy(grad)

    def put(self, array: Any, positions: np.ndarray, values: Any) -> Any:
        """`array` with `values` written at the flat (row-major) `positions` (int64, shaped as
        `values`, no position twice): the write of a view into its root.  Returns the new array
        (`array` itself where it was written in place).  This generic version goes through
        NumPy; backends override it with a native kernel."""
        out = np.array(self.to_numpy(array), copy=True)
        np.put(out, positions, self.to_numpy(values))
        return self.asarray(out)

    def write_through(self, root: Any, view: Any, values: Any) -> bool:
        """Write `values` into the root's array through `view`, an array of the view's elements,
        if `view` shares the root's memory; return whether it did (the default: never)."""
        return False

    def shares_memory_with(self, view: Any, root: Any) -> bool:
        """Whether the array `view` reads the memory of the array `root`, so that it sees
        writes done into `root` in place (the default: never)."""
        return False

    def accumulate(self, total: Any, grad: Any) -> Any:
        """``total + grad`` for gradient accumulation; may reuse `total`'s memory."""
        return total + grad

    def add_gradients(self, buffer: list, index: int, grad: Any) -> Any:
        """``buffer[index] + grad``: two gradients flowing into the same input during backward.

        ``buffer[index]`` belongs to the engine's input buffer of a node; a backend may add into
        it in place when nothing else can see it (see the NumPy backend).
        """
        return buffer[index] + grad

    def dlpack_source(self, array: Any) -> Any:
        """The array a tensor exports through DLPack: `array` itself, or (a lazy backend) its
        computed values."""
        return array

    def dlpack_device(self, array: Any) -> tuple[int, int]:
        """``__dlpack_device__`` of the array :meth:`dlpack_source` gives (without computing
        it)."""
        return array.__dlpack_device__()

    def copy(self, array: Any) -> Any:
        """An independent copy of `array` (a no-op for immutable arrays)."""
        if not self.mutable:
            return array
        return self.xp.asarray(array, copy=True)

    # -- lazy arrays ----------------------------------------------------------------------------
    def compute(self, arrays: list) -> list:
        """The values of `arrays` held in memory, computed together so that work they share
        runs once (behind :func:`pluggrad.compute`).  The default: eager arrays are values
        already."""
        return list(arrays)

    def persist(self, arrays: list) -> list:
        """`arrays` computed together and kept in memory, still arrays of this backend (behind
        ``Tensor.persist()``).  The default: eager arrays are in memory already."""
        return list(arrays)

    def finish_step(self, arrays: list) -> list:
        """The arrays an optimizer's step has just made (the updated parameters, their
        gradients, the optimizer's state tensors and the closure's loss, all together), as the
        tensors hold them from now on: when ``optimizer.step()`` returns, the step has
        happened.  A lazy backend computes them together (the work they share runs once) and
        keeps them in memory, so that the next step's graph starts from their values instead
        of repeating every earlier step (Dask: ``dask.persist``).  It must return arrays of the
        same values and leave alone what it cannot compute now (a trace's arrays under
        ``pluggrad.compile``).  The optimizers call it on backends with ``lazy = True``; the
        default (nothing to do): `arrays` as they are."""
        return list(arrays)

    def checked_when_computed(self, array: Any, check: Callable[[np.ndarray], None]) -> Any:
        """`array`, whose values `check` (which raises the error) reads chunk by chunk when a
        lazy backend computes them: a check that cannot read the values when the operation is
        recorded fails when its result is computed.  The default (eager arrays, whose values
        the caller checks at once): `array` as it is."""
        return array

    def rechunk(self, array: Any, chunks: Any) -> Any:
        """`array` split into `chunks` (the creation functions' ``chunks=``, for backends of
        chunked arrays); None leaves it as it is.  The default has no chunks: TypeError."""
        if chunks is None:
            return array
        raise TypeError(f"the {self.name} backend's arrays have no chunks (chunks= is Dask's)")

    # -- namespaces and compilation -------------------------------------------------------------
    @classmethod
    def provide_tensor_namespace(cls, factory: Callable[[Backend], Any]) -> None:
        """Register how ``tensor_ns`` is built (``factory(backend) -> namespace``).

        The differentiable operations live above this layer (:mod:`pluggrad.ops`), which
        registers its factory once when it is imported, as a library registers kernels with a
        dispatcher.
        """
        cls._tensor_namespace_factory = staticmethod(factory)

    @functools.cached_property
    def tensor_ns(self) -> Any:
        """The differentiable namespace of this backend: pluggrad's operations on Tensors, its
        creation functions making tensors on this backend.

        Derivative formulas run against it under ``create_graph=True`` (and the engine's
        accumulation of a differentiable gradient), so that the backward pass is recorded and
        whatever a formula creates lives on the node's backend.  Made once per backend, the
        way array-api-compat binds one namespace per library.
        """
        factory = Backend._tensor_namespace_factory
        if factory is None:
            raise RuntimeError("pluggrad.ops is not loaded: no differentiable namespace")
        return factory(self)

    def random_source(self, seed: int) -> RandomSource:
        """A stream of random arrays of this backend from `seed` (behind ``pluggrad.Generator``).

        The default draws PyTorch's CPU stream (mt19937, shared by the NumPy-fed backends of one
        ``pluggrad.Generator``) and converts with :meth:`asarray`; a backend with its own
        generator returns its own :class:`~pluggrad.backends._random.RandomSource`.
        """
        return RandomSource(self, seed)

    def compile(self, fn: Callable, **options: Any) -> Callable:
        """`fn` (a function of Tensors, autograd included) compiled for this backend.

        The hook behind :func:`pluggrad.compile`, which calls it once per function and backend
        with the keyword options the user gave.  The returned callable must behave as `fn`
        does, side effects on its arguments included (see ``pluggrad.compile``), and may carry
        a ``traces`` count.  This default is pluggrad's own tracer (:mod:`pluggrad._trace`,
        registered by :meth:`provide_compiler`): one call is recorded as a flat program of
        this backend's kernel calls and replayed, planned with :meth:`reuse_kernel`,
        :meth:`memory_root`, :meth:`layout`, :meth:`writable` and :meth:`poison`.  Without a
        registered compiler it runs `fn` eagerly (the result is `fn` itself).
        """
        factory = Backend._compiler_factory
        if factory is None:
            return fn
        return factory(fn, self, **options)

    @classmethod
    def provide_compiler(cls, factory: Callable[..., Callable]) -> None:
        """Register the default compiler, ``factory(fn, backend, **options)`` (the tracer lives
        above this layer, as the differentiable namespace does)."""
        cls._compiler_factory = staticmethod(factory)

    # -- what the default compiler's planner asks -------------------------------------------------
    def reuse_kernel(self, fn: Callable) -> Callable | None:
        """For a recorded elementwise call ``fn(*arrays)``, a kernel computing the same values
        into ``out=`` (one of its operands, of the result's shape, dtype and layout), or None.
        None here: arrays are not written in place (immutable, or not known to be safe)."""
        return None

    def replay_kernel(self, fn: Callable) -> Callable:
        """For a recorded call of `fn` (with the arrays and arguments the trace saw), a function
        computing the same result with less work per call (NumPy: the function that
        array-api-compat's wrapper forwards to).  The default: `fn` itself."""
        return fn

    def memory_root(self, array: Any) -> Any:
        """The object owning `array`'s memory: arrays with the same root may share elements
        (the default: each array its own)."""
        return array

    def layout(self, array: Any) -> Any:
        """What a compiled program depends on beyond shape and dtype (part of its cache key;
        NumPy: strides and whether the array owns writable memory).  None: nothing."""
        return None

    def writable(self, array: Any) -> bool:
        """Whether a compiled program may write into `array` (the default: never)."""
        return False

    def poison(self, array: Any) -> None:
        """Fill a released buffer with NaN (the planner's debug mode); the default does
        nothing."""

    # -- helpers --------------------------------------------------------------------------------
    def _make_formula_namespace(self) -> types.SimpleNamespace:
        """The namespace backward formulas use when they run on raw arrays.

        It holds the library's array API functions plus the extra kernels, under the same names
        the differentiable :mod:`pluggrad.ops` namespace uses, so that one formula serves both.
        """
        names = {n: getattr(self.xp, n) for n in dir(self.xp) if not n.startswith("_")}
        names["scatter_add"] = self.scatter_add
        names["getitem"] = self.getitem
        names["put_along_axis_add"] = self.put_along_axis_add
        names["zeros_where"] = self.zeros_where
        names["move"] = self.move
        names["convolution"] = self.convolution
        # the standard's extensions, as ``ns.linalg.solve`` / ``ns.fft.ifft`` (pluggrad.ops has
        # them as its submodules linalg and fft); array_api_strict hides them from dir()
        for extension in ("linalg", "fft"):
            if getattr(self.xp, extension, None) is not None:
                names[extension] = getattr(self.xp, extension)
        names["special"] = types.SimpleNamespace(
            **{
                name: functools.partial(self.special, name)
                for name in ("digamma", "i0", "i1", "i0e", "i1e", "erf")
            },
            polygamma=lambda n, x: self.special("polygamma", n, x),
        )
        names["differentiable"] = False  # tensor_ns says True
        return types.SimpleNamespace(**names)

    def __repr__(self) -> str:
        return f"<pluggrad backend {self.name!r}>"


def _key_to_numpy(backend: Backend, key: Any) -> Any:
    """Convert the native index arrays inside an indexing key to NumPy arrays."""
    if isinstance(key, tuple):
        return tuple(_key_to_numpy(backend, k) for k in key)
    if key is None or key is Ellipsis or isinstance(key, (int, slice)):
        return key
    return backend.to_numpy(key)


def along_axis_key(xp: Any, indices: Any, axis: int) -> tuple:
    """The advanced-indexing key that ``take_along_axis(x, indices, axis)`` reads ``x`` with:
    `indices` on `axis`, broadcast ``arange`` vectors on the other axes."""
    ndim = indices.ndim
    key = []
    for d, n in enumerate(indices.shape):
        if d == axis:
            key.append(indices)
        else:
            key.append(xp.reshape(xp.arange(n), (1,) * d + (n,) + (1,) * (ndim - d - 1)))
    return tuple(key)


def conv_output_shape(
    spatial, kernel, stride, padding, lhs_dilation, rhs_dilation
) -> tuple[int, ...]:
    """The spatial shape of :meth:`Backend.convolution`'s result (0 where the kernel does not
    fit)."""
    shape = []
    for size, k, s, (lo, hi), ld, rd in zip(
        spatial, kernel, stride, padding, lhs_dilation, rhs_dilation
    ):
        padded = max((size - 1) * ld + 1, 0) + lo + hi
        shape.append(max((padded - (k - 1) * rd - 1) // s + 1, 0))
    return tuple(shape)


def conv_window_index(
    spatial, kernel, stride, padding, lhs_dilation, rhs_dilation
) -> tuple[np.ndarray, tuple[int, ...]]:
    """The windows of :meth:`Backend.convolution` as positions in the flattened input: an int64
    array ``(prod(out), prod(kernel))`` whose entry is ``prod(spatial)`` (one past the input:
    a zero) where the window reads padding or a hole of the input's dilation; and the output's
    spatial shape."""
    out_shape = conv_output_shape(spatial, kernel, stride, padding, lhs_dilation, rhs_dilation)
    d = len(spatial)
    flat = np.zeros((1,) * (2 * d), dtype=np.int64)
    valid = np.ones((1,) * (2 * d), dtype=bool)
    step = math.prod(spatial)
    for axis, (size, k, s, (lo, _), ld, rd) in enumerate(
        zip(spatial, kernel, stride, padding, lhs_dilation, rhs_dilation)
    ):
        step //= max(size, 1)
        # position in the dilated input of output t, kernel element j
        at = np.arange(out_shape[axis])[:, None] * s + np.arange(k)[None, :] * rd - lo
        ok = (at >= 0) & (at % ld == 0) & (at // ld < size)
        shape = [1] * (2 * d)
        shape[axis], shape[d + axis] = out_shape[axis], k
        flat = flat + np.reshape(np.where(ok, at // ld, 0) * step, shape)
        valid = valid & np.reshape(ok, shape)
    index = np.where(valid, flat, math.prod(spatial))
    return np.reshape(index, (math.prod(out_shape), math.prod(kernel))), out_shape


class _NativeDtypes(dict):
    """A backend's native dtypes by :class:`DType`; a dtype its library lacks (NumPy's
    bfloat16, the standard's 16-bit floats) is refused by name."""

    def __init__(self, backend_name: str):
        super().__init__()
        self.backend_name = backend_name

    def __missing__(self, dtype):
        raise TypeError(
            f"{dtype} is not supported by the {self.backend_name} backend (its array library "
            f"has no such type)"
        )


class _KernelCache(dict):
    """Forward kernels of a backend, looked up once by name and cached."""

    def __init__(self, backend: Backend):
        super().__init__()
        self.backend = backend

    def __missing__(self, name: str):
        kernel = getattr(self.backend, "kernel_" + name, None) or getattr(self.backend.xp, name)
        self[name] = kernel
        return kernel
