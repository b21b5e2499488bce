"""``pluggrad.testing.assert_close``: PyTorch's comparison of tensors, numbers and containers
of them, with its default tolerances and its messages.

Tensors are compared in their backend's values (as NumPy arrays), after their attributes:
shape, dtype (``check_dtype``), device (``check_device``) and strides (``check_stride``).
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from . import _dtypes
from ._core.tensor import Size, Tensor

__all__ = ["assert_close"]

# PyTorch's default (rtol, atol) per dtype; every other dtype compares exactly
_TOLERANCES = {
    _dtypes.float32: (1.3e-6, 1e-5),
    _dtypes.float64: (1e-7, 1e-7),
    _dtypes.complex64: (1.3e-6, 1e-5),
    _dtypes.complex128: (1e-7, 1e-7),
}
# the dtype of each kind of Python number, for its tolerances
_NUMBER_DTYPES = {
    builtins.int: _dtypes.int64,
    builtins.float: _dtypes.float64,
    builtins.complex: _dtypes.complex128,
}


class _Mismatch(Exception):
    """A failed comparison: the exception type PyTorch raises and its message."""

    def __init__(self, kind: type[Exception], message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def assert_close(actual: Any, expected: Any, *, allow_subclasses: bool = True,
                 rtol: float | None = None, atol: float | None = None, equal_nan: bool = False,
                 check_device: bool = True, check_dtype: bool = True, check_layout: bool = True,
                 check_stride: bool = False,
                 msg: str | Callable[[str], str] | None = None) -> None:  # fmt: skip
    """Assert that `actual` and `expected` are close: ``|actual - expected| <= atol + rtol *
    |expected|`` elementwise, as ``torch.testing.assert_close``.

    Parameters
    ----------
    actual, expected : Tensor, number, sequence or mapping of them
        Sequences and mappings are compared item by item (the failing item is named); NumPy
        arrays compare with NumPy arrays.
    allow_subclasses : bool
        Let a subclass (a ``Parameter``) compare with its base class.
    rtol, atol : float, optional
        Both or neither; by default those of the less precise dtype of the two (float32:
        1.3e-6 and 1e-5; float64: 1e-7 and 1e-7; integers and booleans: exact).
    equal_nan : bool
        Count NaN equal to NaN.
    check_device, check_dtype, check_layout, check_stride : bool
        Also compare the tensors' devices, dtypes (if not, both are promoted to a common
        dtype first), layouts (always strided here) and strides.
    msg : str or callable, optional
        The failure's message, or a function of the default message that returns it.

    Raises
    ------
    AssertionError
        With PyTorch's message: the mismatching attribute, or the number of mismatched
        elements and the greatest absolute and relative differences with their indices.
    TypeError
        For inputs of kinds that do not compare (a tensor and a list).
    ValueError
        For only one of `rtol` and `atol`.
    """
    if (rtol is None) ^ (atol is None):
        given, missing = ("rtol", "atol") if atol is None else ("atol", "rtol")
        raise ValueError(
            f"Both 'rtol' and 'atol' must be either specified or omitted, but got no {missing}."
        )
    options = {
        "allow_subclasses": allow_subclasses, "rtol": rtol, "atol": atol,
        "equal_nan": equal_nan, "check_device": check_device, "check_dtype": check_dtype,
        "check_stride": check_stride,
    }  # fmt: skip
    try:
        _compare(actual, expected, (), options)
    except _Mismatch as failure:
        message = failure.message
        if callable(msg):
            message = msg(message)
        elif msg is not None:
            message = msg
        raise failure.kind(message) from None


def _compare(actual, expected, path: tuple, options: dict) -> None:
    try:
        if _is_leaf(actual) or _is_leaf(expected):
            _compare_leaves(actual, expected, options)
        elif isinstance(actual, Mapping) and isinstance(expected, Mapping):
            _compare_mappings(actual, expected, path, options)
        elif _is_sequence(actual) and _is_sequence(expected):
            if len(actual) != len(expected):
                raise _Mismatch(
                    AssertionError,
                    f"The length of the sequences mismatch: {len(actual)} != {len(expected)}",
                )
            for index, (a, e) in enumerate(zip(actual, expected)):
                _compare(a, e, (*path, index), options)
        else:
            _compare_leaves(actual, expected, options)
    except _Mismatch as failure:
        if path and "The failure occurred for item" not in failure.message:
            where = "".join(f"[{key!r}]" for key in path)
            failure.message += f"\n\nThe failure occurred for item {where}"
        raise


def _compare_mappings(actual: Mapping, expected: Mapping, path: tuple, options: dict) -> None:
    if set(actual) != set(expected):
        missing = sorted(set(expected) - set(actual), key=repr)
        extra = sorted(set(actual) - set(expected), key=repr)
        raise _Mismatch(
            AssertionError,
            "The keys of the mappings do not match:\n"
            + (f"Missing keys in the actual mapping: {missing}\n" if missing else "")
            + (f"Additional keys in the actual mapping: {extra}" if extra else ""),
        )
    for key in expected:
        _compare(actual[key], expected[key], (*path, key), options)


def _is_sequence(obj) -> bool:
    return isinstance(obj, Sequence) and not isinstance(obj, str)


def _is_leaf(obj) -> bool:
    return isinstance(obj, (Tensor, np.ndarray, builtins.bool, int, float, complex)) or obj is None


def _compare_leaves(actual, expected, options: dict) -> None:
    if actual is None or expected is None:
        if actual is not expected:
            raise _Mismatch(AssertionError, f"None mismatch: {actual} is not {expected}")
        return
    if isinstance(actual, builtins.bool) and isinstance(expected, builtins.bool):
        if actual is not expected:
            raise _Mismatch(AssertionError, f"Booleans mismatch: {actual} is not {expected}")
        return
    if isinstance(actual, (int, float, complex)) and isinstance(expected, (int, float, complex)):
        _compare_numbers(actual, expected, options)
        return
    tensors = isinstance(actual, Tensor) and isinstance(expected, Tensor)
    arrays = isinstance(actual, np.ndarray) and isinstance(expected, np.ndarray)
    if not options["allow_subclasses"] and type(actual) is not type(expected):
        tensors = arrays = False
    if not (tensors or arrays):
        raise _Mismatch(
            TypeError,
            "No comparison pair was able to handle inputs of type "
            f"{type(actual)} and {type(expected)}.",
        )
    if tensors:
        _compare_tensors(actual, expected, options)
    else:
        dtypes = (_dtypes.to_dtype(actual.dtype), _dtypes.to_dtype(expected.dtype))
        _compare_arrays(actual, expected, *dtypes, options)


def _tolerances(options: dict, *dtypes) -> tuple[float, float]:
    if options["rtol"] is not None:
        return options["rtol"], options["atol"]
    pairs = [_TOLERANCES.get(dtype, (0.0, 0.0)) for dtype in dtypes]
    return max(r for r, _ in pairs), max(a for _, a in pairs)


def _compare_numbers(actual, expected, options: dict) -> None:
    if type(actual) is not type(expected) and options["check_dtype"]:
        raise _Mismatch(
            AssertionError, f"The (d)types do not match: {type(actual)} != {type(expected)}."
        )
    rtol, atol = _tolerances(options, _NUMBER_DTYPES[type(actual)], _NUMBER_DTYPES[type(expected)])
    if _close(np.asarray(actual), np.asarray(expected), rtol, atol, options["equal_nan"]).all():
        return
    raise _Mismatch(AssertionError, _scalar_message(actual, expected, rtol, atol))


def _compare_tensors(actual: Tensor, expected: Tensor, options: dict) -> None:
    _check_attribute("shape", actual.shape, expected.shape)
    if options["check_device"]:
        _check_attribute("device", actual.device, expected.device)
    if options["check_dtype"]:
        _check_attribute("dtype", actual.dtype, expected.dtype)
    if options["check_stride"]:
        _check_attribute("stride()", actual.stride(), expected.stride())
    actual_values, expected_values = (
        t._backend.to_numpy(t.detach()._data) for t in (actual, expected)
    )
    _compare_arrays(actual_values, expected_values, actual.dtype, expected.dtype, options)


def _check_attribute(name: str, actual, expected) -> None:
    if actual != expected:
        raise _Mismatch(
            AssertionError,
            f"The values for attribute '{name}' do not match: {actual} != {expected}.",
        )


def _compare_arrays(actual: np.ndarray, expected: np.ndarray, actual_dtype, expected_dtype,
                    options: dict) -> None:  # fmt: skip
    if actual.shape != expected.shape:
        _check_attribute("shape", Size(actual.shape), Size(expected.shape))
    if options["check_dtype"] and actual.dtype != expected.dtype:
        _check_attribute("dtype", actual_dtype, expected_dtype)
    rtol, atol = _tolerances(options, actual_dtype, expected_dtype)
    common = np.result_type(actual, expected)
    actual, expected = actual.astype(common, copy=False), expected.astype(common, copy=False)
    matches = _close(actual, expected, rtol, atol, options["equal_nan"])
    if matches.all():
        return
    if actual.ndim == 0:
        message = _scalar_message(actual.item(), expected.item(), rtol, atol)
    else:
        message = _tensor_message(actual, expected, matches, rtol, atol)
    raise _Mismatch(AssertionError, message)


def _close(actual, expected, rtol, atol, equal_nan) -> np.ndarray:
    """PyTorch's ``isclose``: equal values (infinities included) or within the tolerances."""
    if actual.dtype.kind in "biu":
        return actual == expected
    with np.errstate(invalid="ignore", over="ignore"):
        error = np.abs(actual - expected)
        close = (actual == expected) | (
            np.isfinite(error) & (error <= atol + rtol * np.abs(expected))
        )
    if equal_nan:
        close |= np.isnan(actual) & np.isnan(expected)
    return close


def _scalar_message(actual, expected, rtol, atol) -> str:
    difference = abs(actual - expected)
    relative = float("inf") if expected == 0 else difference / abs(expected)
    return _mismatch_message(
        "Scalars", f"Expected {expected} but got {actual}.", rtol, atol, difference, relative
    )


def _tensor_message(actual, expected, matches, rtol, atol) -> str:
    total = matches.size
    mismatched = total - int(matches.sum())
    extra = f"Mismatched elements: {mismatched} / {total} ({mismatched / total:.1%})"
    flat_actual, flat_expected, flat_matches = actual.ravel(), expected.ravel(), matches.ravel()
    integers = flat_actual.dtype.kind in "biu"
    if integers:
        flat_actual, flat_expected = flat_actual.astype(np.int64), flat_expected.astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        difference = np.abs(flat_actual - flat_expected)
        difference[flat_matches] = 0
        # integers divide into the default float dtype, as PyTorch's true division
        scale = _dtypes.get_default_dtype().name if integers else difference.dtype
        relative = difference.astype(scale) / np.abs(flat_expected).astype(scale)
        relative[flat_matches] = 0
    # PyTorch's max: the first NaN if there is one, else the first greatest
    worst = _argmax(difference)
    worst_relative = _argmax(relative)
    return _mismatch_message(
        "Tensor-likes", extra, rtol, atol,
        difference[worst].item(), relative[worst_relative].item(),
        np.unravel_index(worst, matches.shape), np.unravel_index(worst_relative, matches.shape),
    )  # fmt: skip


def _argmax(values: np.ndarray) -> int:
    if values.dtype.kind == "f" and np.isnan(values).any():
        return int(np.flatnonzero(np.isnan(values))[0])
    return int(np.argmax(values))


def _mismatch_message(identifier, extra, rtol, atol, difference, relative,
                      difference_at=None, relative_at=None) -> str:  # fmt: skip
    equality = rtol == 0 and atol == 0

    def line(kind: str, value, at, tolerance) -> str:
        if at is None:
            text = f"{kind.title()} difference: {value}"
        else:
            text = f"Greatest {kind} difference: {value} at index {tuple(int(i) for i in at)}"
        return text + ("" if equality else f" (up to {tolerance} allowed)") + "\n"

    message = f"{identifier} are not {'equal' if equality else 'close'}!\n\n{extra}\n"
    message += line("absolute", difference, difference_at, atol)
    message += line("relative", relative, relative_at, rtol)
    return message.strip()
