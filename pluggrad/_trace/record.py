"""Recording one call of a function of Tensors as a flat list of the backend's kernel calls.

While :func:`recording` is active, the backend's array namespace (``xp``), its kernels, the
derivative formulas' namespace and its array methods are replaced, on the backend object, by
recording versions, and the backend behaves as an immutable one (``mutable = False``, no
in-place kernels, writes replace arrays: the functional semantics the JAX path traces).  The
arrays of the stand-in tensors are :class:`Traced` objects: the real value of this call plus a
buffer number.  Every call that reads a :class:`Traced` runs on the real values (so the trace
computes what the eager call computes) and is appended to the recorder's steps as ``(function,
arguments with buffers in place of arrays) -> output buffers``; a call that reads none is a
constant, computed now and kept.  Random draws are always steps (they advance the generator
on every run, as eager draws do).

Reading a value into Python (``.item()``, ``bool``, printing, ``.numpy()``) or computing a
shape from values (``nonzero``, ``unique_*``, a boolean mask as an index) raises
:class:`ConcreteValueError`, which the compiler reports with the JAX path's message.
"""

from __future__ import annotations

import contextlib
import functools
import operator
import types
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from ..backends import Backend
from ..backends._random import RandomSource
from ..ops.random import default_generator

__all__ = [
    "ConcreteValueError",
    "Recorder",
    "Ref",
    "Step",
    "Traced",
    "active_recorder",
    "recording",
]


class ConcreteValueError(RuntimeError):
    """A traced array's value was needed in Python (its message says what asked)."""


class Ref:
    """A buffer of the program, in the recorded arguments of a step."""

    __slots__ = ("n",)

    def __init__(self, n: int):
        self.n = n

    def __repr__(self) -> str:
        return f"b{self.n}"


class Step:
    """One recorded call: ``outs = fn(*args, **kwargs)`` (``outs`` a list of buffers, one per
    array of the result; `multi`: the result is a tuple, `kind` its type), or an impure one."""

    __slots__ = ("fn", "args", "kwargs", "outs", "multi", "kind", "impure", "reads")

    def __init__(self, fn, args, kwargs, outs, multi, kind, impure, reads):
        self.fn = fn
        self.args = args
        self.kwargs = kwargs
        self.outs: list[int | None] = outs  # None: an element of the result that is no array
        self.multi = multi
        self.kind = kind
        self.impure = impure
        self.reads: list[int] = reads  # the buffers read, in order (with repeats)


# functions whose result's shape depends on the values (a replay could not follow them)
_DATA_DEPENDENT = frozenset(
    {"nonzero", "argwhere", "flatnonzero", "unique", "unique_all", "unique_counts",
     "unique_inverse", "unique_values", "compress", "extract", "masked_select"}
)  # fmt: skip
# functions of their first argument's shape and dtype only (part of the cache key): constants
_SHAPE_ONLY = frozenset({"zeros_like", "ones_like", "empty_like", "full_like"})
# methods of an array that write into it
_WRITES = frozenset({"fill", "sort", "put", "itemset", "resize", "setfield", "partition"})
# methods and conversions that read the values into Python
_READS = frozenset({"item", "tolist", "tobytes", "__array__", "__dlpack__", "__array_interface__"})


class Recorder:
    """The steps of one trace and the values of its buffers."""

    def __init__(self, backend: Backend):
        self.backend = backend
        self.steps: list[Step] = []
        self.values: list[Any] = []  # buffer -> its value in the traced call
        self.constant: dict[int, Any] = {}  # buffers computed from no input
        self.busy = 0  # > 0 inside a recorded call: what it calls is not recorded
        # (NumPy's kernels return scalars, np.float64, for 0-d results)
        self.array_types: tuple = (backend.array_type, np.generic)

    def buffer(self, value: Any, constant: bool) -> Traced:
        n = len(self.values)
        self.values.append(value)
        if constant:
            self.constant[n] = value
        return Traced(value, n, self)

    def call(self, fn: Callable, args: tuple, kwargs: dict, impure: bool = False) -> Any:
        """Run ``fn(*args, **kwargs)`` on the real values; record it if it read a buffer."""
        if self.busy:
            return fn(*args, **kwargs)
        reads: list[int] = []
        real_args = _unwrap(args, reads)
        real_kwargs = {k: _unwrap(v, reads) for k, v in kwargs.items()} if kwargs else kwargs
        self.busy += 1
        try:
            result = fn(*real_args, **real_kwargs)
        finally:
            self.busy -= 1
        constant = self.constant
        if not impure and all(n in constant for n in reads):  # computed from no input
            return self._wrap_constant(result)
        if real_kwargs and "out" in real_kwargs:
            raise ConcreteValueError(f"{_name(fn)} with out= writes into a traced array")
        multi = isinstance(result, (tuple, list))
        items = list(result) if multi else [result]
        outs: list[int | None] = []
        wrapped = []
        for item in items:
            if isinstance(item, self.array_types):
                t = self.buffer(item, False)
                outs.append(t.n)
                wrapped.append(t)
            elif reads and isinstance(item, (bool, int, float, complex)) and not impure:
                raise ConcreteValueError(f"{_name(fn)} returned a Python number")
            else:
                outs.append(None)
                wrapped.append(item)
        if not any(o is not None for o in outs) and not impure:
            return result  # no array: a static result (a dtype, a shape)
        step_args = _template(args)
        step_kwargs = {k: _template(v) for k, v in kwargs.items()} if kwargs else {}
        kind = type(result) if multi else None
        self.steps.append(Step(fn, step_args, step_kwargs, outs, multi, kind, impure, reads))
        if not multi:
            return wrapped[0]
        if hasattr(result, "_fields"):  # a named tuple
            return kind(*wrapped)  # type: ignore[misc]
        return kind(wrapped)  # type: ignore[misc]

    def _wrap_constant(self, result: Any) -> Any:
        if isinstance(result, self.array_types):
            return self.buffer(result, True)
        if isinstance(result, tuple) and any(isinstance(r, self.array_types) for r in result):
            items = [self.buffer(r, True) if isinstance(r, self.array_types) else r for r in result]
            return type(result)(*items) if hasattr(result, "_fields") else type(result)(items)
        return result

    def recorded(self, fn: Callable, name: str = "") -> Callable:
        """`fn`, recording its calls (refusing those whose result's shape needs values)."""
        if name in _DATA_DEPENDENT:

            @functools.wraps(fn)
            def refuse(*args, **kwargs):
                if self.busy or not _has_traced(args, kwargs):
                    return fn(*args, **kwargs)
                raise ConcreteValueError(f"{name}: the shape of its result depends on values")

            return refuse

        if name in _SHAPE_ONLY:  # a function of the shape and dtype only: a constant

            @functools.wraps(fn)
            def like(array, *args, **kwargs):
                if type(array) is not Traced or _has_traced(args, kwargs):
                    return self.call(fn, (array, *args), kwargs)
                return self._wrap_constant(fn(array.value, *args, **kwargs))

            return like
        if name == "getitem":  # backend.getitem(array, key)

            @functools.wraps(fn)
            def index(array, key):
                if _has_mask(key):
                    raise ConcreteValueError("a boolean mask as an index (its result's shape)")
                return self.call(fn, (array, key), {})

            return index

        @functools.wraps(fn)
        def run(*args, **kwargs):
            return self.call(fn, args, kwargs)

        return run


def _name(fn: Callable) -> str:
    return getattr(fn, "__name__", repr(fn))


def _unwrap(obj: Any, reads: list[int]) -> Any:
    kind = type(obj)
    if kind is Traced:
        reads.append(obj.n)
        return obj.value
    if kind is tuple or kind is list:
        items = [_unwrap(item, reads) for item in obj]
        return kind(items)
    if kind is dict:
        return {k: _unwrap(v, reads) for k, v in obj.items()}
    if kind is slice and any(type(p) is Traced for p in (obj.start, obj.stop, obj.step)):
        raise ConcreteValueError("a slice bound is a traced value")
    return obj


def _template(obj: Any) -> Any:
    kind = type(obj)
    if kind is Traced:
        return Ref(obj.n)
    if kind is tuple or kind is list:
        return kind(_template(item) for item in obj)
    if kind is dict:
        return {k: _template(v) for k, v in obj.items()}
    return obj


def _has_traced(args: tuple, kwargs: dict) -> bool:
    reads: list[int] = []
    _unwrap(args, reads)
    _unwrap(kwargs, reads)
    return bool(reads)


def _has_mask(key: Any) -> bool:
    """Whether an indexing key holds a traced boolean array (a mask: a data-dependent shape)."""
    parts = key if type(key) is tuple else (key,)
    return any(type(p) is Traced and "bool" in str(p.value.dtype) for p in parts)


def _getitem(array: Any, key: Any) -> Any:
    return array[key]


def _setitem_copy(array: Any, key: Any, value: Any, copy: Callable) -> Any:
    out = copy(array)
    out[key] = value
    return out


class Traced:
    """An array of a trace: the real value of the traced call and its buffer number `n`.

    Attributes that are not arrays (``shape``, ``dtype``, ``device``) are the value's; methods
    and operators are recorded calls on the value.  ``__array_ufunc__ = None`` makes NumPy hand
    ``ndarray <op> Traced`` to the reflected operator here."""

    __slots__ = ("value", "n", "recorder")
    __array_ufunc__ = None
    __array_priority__ = 1000.0
    __hash__ = object.__hash__

    def __init__(self, value: Any, n: int, recorder: Recorder):
        self.value = value
        self.n = n
        self.recorder = recorder

    def __len__(self) -> int:
        return len(self.value)

    def __getattr__(self, name: str) -> Any:
        if name in _READS:
            raise ConcreteValueError(f".{name}() of a traced array")
        attribute = getattr(self.value, name)
        recorder = self.recorder
        if callable(attribute):
            if name in _WRITES:
                raise ConcreteValueError(f".{name}() writes into a traced array")

            def method(*args, **kwargs):
                return recorder.call(_method, (self, name, *args), kwargs)

            return method
        if isinstance(attribute, recorder.array_types):  # .T, .mT, .real
            return recorder.call(getattr, (self, name), {})
        return attribute

    def __getitem__(self, key):
        if _has_mask(key):
            raise ConcreteValueError("a boolean mask as an index (its result's shape)")
        return self.recorder.call(_getitem, (self, key), {})

    def __setitem__(self, key, value):
        # written into a copy that this object then stands for (the trace is functional)
        copy = self.recorder.backend.copy
        new = self.recorder.call(_setitem_copy, (self, key, value, copy), {})
        self.value, self.n = new.value, new.n

    def __bool__(self):
        raise ConcreteValueError("bool() of a traced array")

    def __float__(self):
        raise ConcreteValueError("float() of a traced array")

    def __int__(self):
        raise ConcreteValueError("int() of a traced array")

    def __index__(self):
        raise ConcreteValueError("a traced array as an index")

    def __complex__(self):
        raise ConcreteValueError("complex() of a traced array")

    def __repr__(self) -> str:
        raise ConcreteValueError("printing a traced array")


def _method(array: Any, name: str, *args: Any, **kwargs: Any) -> Any:
    return getattr(array, name)(*args, **kwargs)


def _operator(fn: Callable, reflected: bool) -> Callable:
    if reflected:

        def run(self, other):
            return self.recorder.call(fn, (other, self), {})
    else:

        def run(self, other):
            return self.recorder.call(fn, (self, other), {})

    return run


def _unary(fn: Callable) -> Callable:
    def run(self):
        return self.recorder.call(fn, (self,), {})

    return run


for _op in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and", "or",
            "xor", "lshift", "rshift"):  # fmt: skip
    _fn = getattr(operator, _op if _op not in ("and", "or") else _op + "_")
    setattr(Traced, f"__{_op}__", _operator(_fn, False))
    setattr(Traced, f"__r{_op}__", _operator(_fn, True))
for _op in ("lt", "le", "gt", "ge", "eq", "ne"):
    setattr(Traced, f"__{_op}__", _operator(getattr(operator, _op), False))
for _op in ("shape", "dtype", "ndim", "size", "device"):  # the value's, not recorded
    setattr(Traced, _op, property(operator.attrgetter("value." + _op)))
for _op in ("neg", "pos", "abs", "invert"):
    setattr(Traced, f"__{_op}__", _unary(getattr(operator, _op)))


class _Namespace:
    """A namespace (a module, a SimpleNamespace) whose functions record their calls."""

    def __init__(self, inner: Any, recorder: Recorder):
        self._inner = inner
        self._recorder = recorder

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._inner, name)
        if isinstance(value, (types.ModuleType, types.SimpleNamespace)):  # linalg, fft, special
            value = _Namespace(value, self._recorder)
        elif callable(value) and not isinstance(value, type):
            value = self._recorder.recorded(value, name)
        self.__dict__[name] = value  # looked up once per trace
        return value


class _Kernels(dict):
    """The backend's kernel cache, recording (the cache itself is left as it is: a kernel
    looked up here for the first time is looked up in the real namespace)."""

    def __init__(self, inner: dict, recorder: Recorder):
        super().__init__()
        self.inner = inner
        self.recorder = recorder

    def __missing__(self, name: str):
        kernel = self.inner.get(name)
        if kernel is None:
            backend = self.recorder.backend
            kernel = getattr(backend, "kernel_" + name, None) or getattr(type(backend).xp, name)
        kernel = self[name] = self.recorder.recorded(kernel, name)
        return kernel


# backend methods that compute arrays: recorded as one call each
_RECORDED_METHODS = (
    "asarray", "normalize", "getitem", "zeros_where", "scatter_add", "put_along_axis_add",
    "special", "eig", "convolution", "move", "put",
)  # fmt: skip


@contextlib.contextmanager
def recording(recorder: Recorder) -> Iterator[None]:
    """Make `recorder`'s backend record while the block runs (see the module's docstring)."""
    backend = recorder.backend
    if active_recorder(backend) is not None:
        raise RuntimeError("pluggrad.compile: the backend is already recording a trace")
    backend.tensor_ns  # noqa: B018 - made now (once), from the real namespaces
    generic = Backend  # the functional versions of the methods that write in place
    patch: dict[str, Any] = {
        "_recorder": recorder,
        "xp": _Namespace(backend.xp, recorder),
        "kernels": _Kernels(backend.kernels, recorder),
        "formula_ns": _Namespace(backend.formula_ns, recorder),
        "mutable": False,
        "in_place_kernels": {},
        "write_into": lambda target, values, fresh=False: values,
        "write_through": lambda root, view, values: False,
        "shares_memory_with": lambda view, root: False,
        "accumulate": types.MethodType(generic.accumulate, backend),
        "add_gradients": types.MethodType(generic.add_gradients, backend),
        "adopt_gradient": functools.partial(_adopt, backend, recorder.recorded(backend.copy)),
        "copy": recorder.recorded(backend.copy, "copy"),
        "has_values": lambda array: type(array) is not Traced,
        "to_numpy": _refusing(backend.to_numpy, "reading a traced array (.item(), .numpy())"),
    }
    for name in _RECORDED_METHODS:
        method = getattr(backend, name)
        if name == "put":  # the generic put copies: it never writes into its argument
            method = types.MethodType(generic.put, backend)
        patch[name] = recorder.recorded(method, name)
    patch["normalize"] = _normalizing(patch["normalize"], backend.array_type)
    draws = {
        name: getattr(RandomSource, name)
        for name in vars(RandomSource)
        if not name.startswith("_") and callable(getattr(RandomSource, name))
    }
    own = vars(backend)  # the instance's attributes (kernels, formula_ns): put back after
    saved = {name: own[name] for name in patch if name in own}
    try:
        own.update(patch)
        for name, draw in draws.items():
            setattr(RandomSource, name, _impure(draw, recorder))
        yield
    finally:
        for name in patch:
            own.pop(name, None)
        own.update(saved)
        for name, draw in draws.items():
            setattr(RandomSource, name, draw)


def active_recorder(backend: Backend) -> Recorder | None:
    """The recorder of the trace `backend` is recording, if any."""
    return vars(backend).get("_recorder")


def _normalizing(normalize: Callable, array_type: type) -> Callable:
    """``normalize``, recorded only where it does something (not on a traced array already of
    the backend's array type: a kernel's result in the operations' normal path)."""

    def run(result):
        if type(result) is Traced and type(result.value) is array_type:
            return result
        return normalize(result)

    return run


def _adopt(backend: Backend, copy: Callable, grad: Any) -> Any:
    """A leaf's first ``.grad``: the gradient itself, or a copy where the backend's arrays have
    a layout and this one is a view (as eagerly: the next call then finds it as it will stay)."""
    if type(grad) is Traced and backend.layout(grad.value) is not None:
        if not backend.writable(grad.value):
            return copy(grad)
    return grad


def _refusing(fn: Callable, what: str) -> Callable:
    def run(array, *args, **kwargs):
        if type(array) is Traced:
            raise ConcreteValueError(what)
        return fn(array, *args, **kwargs)

    return run


def _impure(draw: Callable, recorder: Recorder) -> Callable:
    """A draw of a random source: a step of every run, whatever it reads.  A draw from the
    default generator draws, when replayed, from its source of that time (``manual_seed``
    replaces it)."""

    def run(source, *args, **kwargs):
        if source is default_generator._sources.get(source.backend):
            return recorder.call(_DefaultDraw(draw, source.backend), args, kwargs, impure=True)
        return recorder.call(draw, (source, *args), kwargs, impure=True)

    return run


class _DefaultDraw:
    """`draw` from the default generator's current source of `backend`."""

    __slots__ = ("draw", "backend", "__name__")

    def __init__(self, draw: Callable, backend: Backend):
        self.draw = draw
        self.backend = backend
        self.__name__ = draw.__name__

    def __call__(self, *args, **kwargs):
        return self.draw(default_generator.source(self.backend), *args, **kwargs)
