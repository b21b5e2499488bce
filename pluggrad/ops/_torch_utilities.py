"""Smaller functions of PyTorch's namespace: ``promote_types``, ``scalar_tensor``, the
functional ``fill``, ``range`` (deprecated, with PyTorch's warning), ``empty_strided``,
``typename``, ``is_storage``, the warn-always flag, ``index_reduce``, ``view_as_real`` and
``view_as_complex``, the layout object ``strided``, and ``torch.exp_``-style top-level forms
of the Tensor's in-place methods.
"""

from __future__ import annotations

import math
import numbers
import warnings

from .. import _dtypes
from .._core.grad_mode import no_grad
from .._core.tensor import Tensor
from ._args import as_tensor_arg, normalize_axis
from ._composite_pointwise import complex as _complex
from ._composite_scatter import scatter_reduce
from ._convert import astype
from ._views import UntypedStorage
from .creation import arange, empty, full
from .dtype_functions import result_type
from .elementwise import imag, real
from .manipulation import broadcast_to, reshape, stack

__all__ = [
    "promote_types", "scalar_tensor", "fill", "zero_", "range", "empty_strided", "typename",
    "is_storage", "set_warn_always", "is_warn_always_enabled", "index_reduce", "view_as_real",
    "view_as_complex", "memory_format", "contiguous_format", "preserve_format",
    "channels_last", "channels_last_3d", "layout", "strided", *(
        "abs_", "acos_", "acosh_", "addmv_", "arccos_", "arccosh_", "arcsin_", "arcsinh_",
        "arctan_", "arctanh_", "as_strided_", "asin_", "asinh_", "atan_", "atanh_", "ceil_",
        "clamp_", "clamp_max_", "clamp_min_", "clip_", "conj_physical_", "cos_", "cosh_",
        "deg2rad_", "detach_", "erf_", "erfc_", "exp2_", "exp_", "expm1_", "fill_", "fix_",
        "floor_", "frac_", "gcd_", "i0_", "index_put_", "lcm_", "ldexp_", "log10_", "log1p_",
        "log2_", "log_", "logit_", "nan_to_num_", "neg_", "negative_", "rad2deg_",
        "reciprocal_", "resize_as_", "round_", "rsqrt_", "sigmoid_", "sin_", "sinc_", "sinh_",
        "sqrt_", "square_", "tan_", "tanh_", "trunc_", "xlogy_",
    ),
]  # fmt: skip

# the in-place Tensor methods PyTorch also has as ``torch.<name>(input, ...)``
_INPLACE_FUNCTIONS = __all__[__all__.index("strided") + 1 :]


class layout:
    """A tensor's memory layout, as ``torch.layout``: pluggrad's tensors are all dense
    (``strided``), so that is the only one."""

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return f"{_dtypes.shown_as()}.{self.name}"

    def __reduce__(self):
        return self.name  # the module attribute of that name: the one instance


strided = layout("strided")


class memory_format(layout):
    """An element order in memory, as ``torch.memory_format``.  pluggrad's arrays are the
    backend's, row-major: every format is accepted where PyTorch takes one, and gives the same
    values (a layer's ``channels_last`` is a matter of speed, not of results)."""


contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")


class _Settings:
    warn_always = False
    warned: set[str] = set()  # the once-per-process warnings given so far


def set_warn_always(b: bool) -> None:
    """Ask for the warnings PyTorch gives once per process (its ``TORCH_WARN_ONCE``:
    ``index_reduce``'s beta warning here) to be given at every call."""
    _Settings.warn_always = bool(b)


def warn_once(message: str, stacklevel: int = 3) -> None:
    """A UserWarning the first time in the process, or every time after
    ``set_warn_always(True)``, as PyTorch's ``TORCH_WARN_ONCE``."""
    if _Settings.warn_always or message not in _Settings.warned:
        _Settings.warned.add(message)
        warnings.warn(message, UserWarning, stacklevel=stacklevel)


def is_warn_always_enabled() -> bool:
    """The value of :func:`set_warn_always` (False until set)."""
    return _Settings.warn_always


def promote_types(type1, type2) -> _dtypes.DType:
    """The dtype that `type1` and `type2` promote to, as ``torch.promote_types``.

    Raises
    ------
    TypeError
        If an argument is not a dtype.
    RuntimeError
        For uint16, uint32 or uint64 with another dtype (PyTorch does not promote them).
    """
    for position, (name, value) in enumerate((("type1", type1), ("type2", type2)), 1):
        if not isinstance(value, _dtypes.DType):
            raise TypeError(
                f"promote_types(): argument '{name}' (position {position}) must be "
                f"{_dtypes.shown_as()}.dtype, not {type(value).__name__}"
            )
    wide_unsigned = ("uint16", "uint32", "uint64")
    if type1 is not type2 and (type1.name in wide_unsigned or type2.name in wide_unsigned):
        raise RuntimeError(
            "Promotion for uint16, uint32, uint64 types is not supported, attempted to promote "
            f"{type1.torch_name} and {type2.torch_name}"
        )
    return result_type(type1, type2)


def scalar_tensor(s, *, dtype=None, layout=None, device=None, pin_memory: bool = False,
                  requires_grad: bool = False) -> Tensor:  # fmt: skip
    """A 0-dim tensor holding the number `s`, of the default float dtype unless `dtype` is
    given (also for an integer or bool `s`), as ``torch.scalar_tensor``."""
    if not isinstance(s, numbers.Number):
        raise TypeError(
            f"scalar_tensor(): argument 's' (position 1) must be Number, not {type(s).__name__}"
        )
    dtype = _dtypes.get_default_dtype() if dtype is None else dtype
    return full((), s, dtype=dtype, device=device).requires_grad_(requires_grad)


def fill(input, value) -> Tensor:  # noqa: A002 - PyTorch's names
    """A new tensor of `input`'s shape and dtype filled with `value` (a number or a 0-dim
    tensor, whose gradient is the sum of the result's): ``torch.fill``, the out-of-place
    ``fill_`` (`input` gets a zero gradient)."""
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError(
                "fill_ only supports 0-dimension value tensor but got tensor with "
                f"{value.ndim} dimensions."
            )
        return input.clone().fill_(0) + astype(value, input.dtype)
    return input.clone().fill_(value)


def zero_(input) -> Tensor:  # noqa: A002
    """``input.zero_()``: every element of `input` set to zero, in place."""
    return input.zero_()


_RANGE_WARNING = (
    "torch.range is deprecated and will be removed in a future release because its behavior "
    "is inconsistent with Python's range builtin. Instead, use torch.arange, which produces "
    "values in [start, end)."
)


def range(start, end, step=1, *, dtype=None, layout=None, device=None,  # noqa: A001
          pin_memory: bool = False, requires_grad: bool = False) -> Tensor:  # fmt: skip
    """``start, start + step, ...`` up to `end` included (deprecated, with PyTorch's warning:
    use ``arange``): the default float dtype unless `dtype` is given, each value computed in
    double as ``start + step * i`` then cast, as PyTorch's kernel.

    Raises
    ------
    RuntimeError
        If `step` is zero or its sign points away from `end`.
    """
    warnings.warn(_RANGE_WARNING, UserWarning, stacklevel=2)
    dtype = _dtypes.get_default_dtype() if dtype is None else _dtypes.to_dtype(dtype)
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (step > 0 and end < start) or (step < 0 and end > start):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    count = int(math.floor((end - start) / step)) + 1
    with no_grad():
        steps = arange(count, dtype=_dtypes.float64, device=device)
        out = astype(steps * float(step) + float(start), dtype)
    return out.requires_grad_(requires_grad)


def empty_strided(size, stride, *, dtype=None, layout=None, device=None,
                  requires_grad: bool = False, pin_memory: bool = False) -> Tensor:  # fmt: skip
    """An uninitialized tensor of `size` whose ``stride()`` is `stride` (its elements in a
    storage just large enough for them), as ``torch.empty_strided``; a leaf."""
    size, stride = tuple(size), tuple(stride)
    if len(size) != len(stride):
        raise RuntimeError(
            f"dimensionality of sizes ({len(size)}) must match dimensionality of strides "
            f"({len(stride)})"
        )
    extent = 0 if 0 in size else 1 + sum((n - 1) * s for n, s in zip(size, stride))
    with no_grad():
        out = empty((extent,), dtype=dtype, device=device).as_strided(size, stride).detach()
    return out.requires_grad_(requires_grad)


def typename(obj) -> str:
    """The type of `obj` as a string: a tensor's ``type()`` (``torch.FloatTensor``), else the
    qualified name of `obj` (a class or function) or of its class, as ``torch.typename``."""
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, "__module__", "") or ""
    if hasattr(obj, "__qualname__"):
        qualname = obj.__qualname__
    elif hasattr(obj, "__name__"):
        qualname = obj.__name__
    else:
        module = obj.__class__.__module__ or ""
        qualname = obj.__class__.__qualname__
    return qualname if module in ("", "builtins") else f"{module}.{qualname}"


def is_storage(obj) -> bool:
    """True if `obj` is a tensor's storage (``x.untyped_storage()``)."""
    return isinstance(obj, UntypedStorage)


_INDEX_REDUCTIONS = ("prod", "mean", "amax", "amin")


def index_reduce(input, dim: int, index, source, reduce: str, *,  # noqa: A002
                 include_self: bool = True) -> Tensor:  # fmt: skip
    """`input` with the slices of `source` along `dim` reduced (``"prod"``, ``"mean"``,
    ``"amax"``, ``"amin"``) into the slices ``index[i]``, as ``torch.index_reduce``: a
    ``scatter_reduce`` with `index` spread over `source`'s other axes (so the same values and
    gradients).

    Raises
    ------
    RuntimeError
        For another `reduce`, or an `index` that is not 1-D or not as long as `source` along
        `dim`.
    """
    warn_once("index_reduce() is in beta and the API may change at any time.")
    if reduce not in _INDEX_REDUCTIONS:
        raise RuntimeError(
            "index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got "
            f"{reduce}."
        )
    x = as_tensor_arg(input)
    source = as_tensor_arg(source, like=x)
    index = as_tensor_arg(index, like=x)
    if index.ndim > 1:
        raise RuntimeError("index_reduce_(): Index is supposed to be a vector")
    dim = normalize_axis(dim, x.ndim) if x.ndim else 0
    along = source.shape[dim] if source.ndim else 1
    if index.numel() != along:
        raise RuntimeError(
            "index_reduce_(): Index should have dimension 1 or the same number of elements as "
            f"the dimension of source, but got {index.numel()} and {along}."
        )
    spread = [1] * source.ndim
    if source.ndim:
        spread[dim] = index.numel()
    full_index = broadcast_to(reshape(index, tuple(spread)), tuple(source.shape))
    return scatter_reduce(x, dim, full_index, source, reduce, include_self=include_self)


def view_as_real(input) -> Tensor:  # noqa: A002
    """The complex `input` as real numbers: a last axis of 2 holding each element's real and
    imaginary parts (their gradients the result's, as ``ViewAsRealBackward0``).

    pluggrad's version is a copy: writes into it do not reach `input`.
    """
    if not input.dtype.is_complex:
        raise RuntimeError("view_as_real is only supported for complex tensors")
    return stack((real(input), imag(input)), axis=-1)


def view_as_complex(input) -> Tensor:  # noqa: A002
    """The float `input` of last axis 2 as complex numbers ``input[..., 0] + 1j input[...,
    1]``, as ``torch.view_as_complex`` (a copy here: writes do not reach `input`).

    Raises
    ------
    RuntimeError
        For a dtype other than float32 and float64, a 0-dim input, a last axis other than 2
        or one whose stride is not 1 (PyTorch's messages).
    """
    if input.dtype.name not in ("float32", "float64"):
        raise RuntimeError(
            "view_as_complex is only supported for half, float and double tensors, but got a "
            f"tensor of scalar type: {input.dtype.torch_name}"
        )
    if input.ndim == 0:
        raise RuntimeError("Input tensor must have one or more dimensions")
    if input.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    if input.stride()[-1] != 1:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    return _complex(input[..., 0], input[..., 1])


def _inplace_function(name: str):
    def function(input, *args, **kwargs) -> Tensor:  # noqa: A002 - PyTorch's names
        return getattr(input, name)(*args, **kwargs)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"``input.{name}(...)``: the Tensor method, in place, as ``torch.{name}``."
    return function


for _name in _INPLACE_FUNCTIONS:
    globals()[_name] = _inplace_function(_name)
