"""Arguments of the public functions: axes (checked and normalized with PyTorch's errors), the
standard's spellings beside PyTorch's (``axis``/``dim``, positional ``dim, keepdim``), and
array-likes as tensors."""

from __future__ import annotations

import operator
from typing import Any, NamedTuple

from .._core.tensor import Tensor
from .._dtypes import shown_as
from ..backends import get_backend
from ._leaf import tensor

SCALAR_TYPES = (bool, int, float, complex)


def is_array_like(obj) -> bool:
    """True for an array of some library (it has ``shape`` and ``dtype``), Tensors included."""
    return hasattr(obj, "shape") and hasattr(obj, "dtype")


def result_type(name: str, *fields: str) -> Any:
    """A named tuple type for the results PyTorch returns as ``torch.return_types.<name>``:
    the fields are tensors, and it prints as PyTorch's (``pluggrad.return_types.median(``,
    then a line per field)."""
    cls = NamedTuple(name, [(field, Tensor) for field in fields])  # type: ignore[misc]
    cls.__repr__ = _return_type_repr  # type: ignore[method-assign]
    return cls


def _return_type_repr(self) -> str:
    fields = ",\n".join(f"{field}={value!r}" for field, value in zip(self._fields, self))
    return f"{shown_as()}.return_types.{type(self).__name__}(\n{fields})"


def tensor_method(function):
    """`function` as a Tensor method: the tensor is its first argument (``x.erf()``)."""

    def method(self, *args, **kwargs):
        return function(self, *args, **kwargs)

    method.__name__ = method.__qualname__ = function.__name__
    method.__doc__ = function.__doc__
    return method


def as_tensor_arg(x, like: Tensor | None = None) -> Tensor:
    """`x` as a Tensor: tensors pass through, anything else becomes a tensor on the backend of
    `like` (or the active backend)."""
    if isinstance(x, Tensor):
        return x
    backend = like._backend if like is not None else get_backend()
    return tensor(x, backend=backend)


def scalar_in_dtype_of(value, like: Tensor):
    """A Python number written into `like` (``x[0] = 0.99999``) as a tensor of `like`'s
    dtype, made from the number itself (not rounded through the default float dtype first); a
    complex number into a real tensor, or anything else, as it is."""
    if isinstance(value, SCALAR_TYPES) and not (
        isinstance(value, complex) and not like.dtype.is_complex
    ):
        return tensor(value, dtype=like.dtype, backend=like._backend)
    return value


# ---- axes ----------------------------------------------------------------------------------------
def merge_axis(axis, dim, default: int | None = None, names: tuple[str, str] = ("axis", "dim")):
    """The axis given as the standard's `axis` or as PyTorch's `dim` (or another pair of
    spellings, `names`), not both.

    `default` is the parameters' default: an argument equal to it counts as not given, so
    ``fft(x, dim=0)`` (``axis=-1`` by default) means axis 0.  A list becomes a tuple.

    Raises
    ------
    TypeError
        If both spellings are given.
    """
    axis_given, dim_given = _given(axis, default), _given(dim, default)
    if axis_given and dim_given:
        raise TypeError(f"pass either {names[0]} or {names[1]}, not both")
    merged = dim if dim_given or axis is None else axis
    if isinstance(merged, list):
        merged = tuple(merged)
    return merged


def _given(value, default) -> bool:
    """Whether an axis argument was given: not None and not its (integer) default."""
    return value is not None and not (isinstance(value, int) and value == default)


def normalize_axis(axis, ndim: int, *, wrap_scalar: bool = True) -> int:
    """`axis` (negative counting from the end) in ``range(ndim)``.

    A 0-d tensor accepts the axes 0 and -1, as in PyTorch, unless `wrap_scalar` is False (then
    it has no axis).

    Raises
    ------
    IndexError
        PyTorch's "Dimension out of range (expected to be in range of [-2, 1], but got 2)".
    """
    axis = operator.index(axis)
    n = max(ndim, 1) if wrap_scalar else ndim
    if not -n <= axis < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {axis})"
        )
    return axis % n


def normalize_axes(axes, ndim: int) -> tuple[int, ...]:
    """A tuple of distinct axes in ``range(ndim)`` from an axis or a sequence of them."""
    if not isinstance(axes, (tuple, list)):
        axes = (axes,)
    out = tuple(normalize_axis(a, ndim) for a in axes)
    for a in out:
        if out.count(a) > 1:
            raise RuntimeError(f"dim {a} appears multiple times in the list of dims")
    return out


def reduction_axes(axis, ndim: int) -> tuple[int, ...]:
    """The axes in ``range(ndim)`` that a reduction over `axis` (an axis, a tuple of them, or
    None for all) combines; a 0-d tensor's axis 0 or -1 is its whole."""
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, tuple) else (axis,)
    return tuple(normalize_axis(a, ndim) for a in axes)


def size_args(args) -> tuple[int, ...]:
    """``f(2, 3)`` or ``f((2, 3))`` or ``f([2, 3])`` as a tuple."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    return tuple(operator.index(a) for a in args)


# ---- PyTorch's positional arguments ------------------------------------------------------------
def torch_positional(function: str, args: tuple, names: tuple, given: dict) -> dict:
    """Map PyTorch's positional arguments after the tensor (``dim, keepdim``...) to the
    keyword names in `names`, into `given` (the keyword values passed)."""
    if len(args) > len(names):
        raise TypeError(f"{function}() takes at most {len(names) + 1} positional arguments")
    for name, value in zip(names, args):
        if given.get(name) not in (None, False):
            raise TypeError(f"{function}() got multiple values for argument '{name}'")
        given[name] = value
    return given
