"""``repr`` of tensors in PyTorch's format: ``tensor([4.], grad_fn=<DivBackward0>)``.

A port of the rules in PyTorch's ``torch/_tensor_str.py`` (precision 4, summarisation above
1000 elements, line width 80, integer-valued floats printed as ``10.``, scientific notation when
the magnitudes span more than 1e3 or leave [1e-4, 1e8]), applied to the data as a NumPy array.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import numpy as np

from . import _dtypes


@dataclasses.dataclass
class PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


print_options = PrintOptions()


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None) -> None:  # fmt: skip
    """Set how tensors print (PyTorch's ``set_printoptions``)."""
    if profile is not None:
        defaults = {"default": (4, 1000, 3), "short": (2, 1000, 2), "full": (4, math.inf, 3)}
        for name, value in zip(("precision", "threshold", "edgeitems"), defaults[profile]):
            setattr(print_options, name, value)
        print_options.linewidth = 80
    for name, value in (("precision", precision), ("threshold", threshold),
                        ("edgeitems", edgeitems), ("linewidth", linewidth)):  # fmt: skip
        if value is not None:
            setattr(print_options, name, value)
    print_options.sci_mode = sci_mode


class _Formatter:
    """Chooses one width and notation for all elements, as PyTorch's ``_Formatter``."""

    def __init__(self, values: np.ndarray):
        self.floating = values.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        flat = values.reshape(-1)
        if not self.floating:
            for value in flat.tolist():
                self.max_width = max(self.max_width, len(_plain(value)))
            return
        finite = flat[np.isfinite(flat) & (flat != 0)].astype(np.float64)
        if finite.size == 0:
            return
        magnitudes = np.abs(finite)
        lo, hi = magnitudes.min(), magnitudes.max()
        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        self.sci_mode = (
            hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
            if print_options.sci_mode is None
            else print_options.sci_mode
        )
        p = print_options.precision
        for value in finite.tolist():
            if self.sci_mode:
                text = f"{value:.{p}e}"
            elif self.int_mode:
                text = f"{value:.0f}."
            else:
                text = f"{value:.{p}f}"
            self.max_width = max(self.max_width, len(text))

    def width(self) -> int:
        return self.max_width

    def format(self, value) -> str:
        if self.floating:
            p = print_options.precision
            if self.sci_mode:
                text = f"{value:{self.max_width}.{p}e}"
            elif self.int_mode:
                text = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    text += "."
            else:
                text = f"{value:.{p}f}"
        else:
            text = _plain(value)
        return (self.max_width - len(text)) * " " + text


def _plain(value) -> str:
    return str(value)


def _summarized(values: np.ndarray) -> np.ndarray:
    """The elements that will be shown when the tensor is summarised (for the formatter)."""
    e = print_options.edgeitems
    if values.ndim == 0:
        return values
    if values.shape[0] > 2 * e:
        values = np.concatenate([values[:e], values[-e:]])
    if values.ndim == 1:
        return values
    return np.stack([_summarized(v) for v in values])


def _vector_str(values, indent, summarize, fmt, fmt_imag) -> str:
    element_length = fmt.width() + 2 + (fmt_imag.width() + 1 if fmt_imag else 0)
    per_line = max(1, math.floor((print_options.linewidth - indent) / element_length))

    def one(v) -> str:
        if fmt_imag is None:
            return fmt.format(v)
        real, imag = fmt.format(v.real), (fmt_imag.format(v.imag) + "j").lstrip()
        return real + imag if imag[0] in "+-" else real + "+" + imag

    e = print_options.edgeitems
    if summarize and values.shape[0] > 2 * e:
        data = [one(v) for v in values[:e].tolist()] + [" ..."]
        data += [one(v) for v in values[-e:].tolist()]
    else:
        data = [one(v) for v in values.tolist()]
    lines = [", ".join(data[i : i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def _tensor_str_with_formatter(values, indent, summarize, fmt, fmt_imag=None) -> str:
    if values.ndim == 0:
        v = values.item()
        if fmt_imag is None:
            return fmt.format(v)
        real, imag = fmt.format(v.real), (fmt_imag.format(v.imag) + "j").lstrip()
        return real + imag if imag[0] in "+-" else real + "+" + imag
    if values.ndim == 1:
        return _vector_str(values, indent, summarize, fmt, fmt_imag)
    e = print_options.edgeitems
    rows: Sequence[int | None] = range(values.shape[0])
    if summarize and values.shape[0] > 2 * e:
        rows = [*range(e), None, *range(values.shape[0] - e, values.shape[0])]
    slices = [
        "..." if i is None
        else _tensor_str_with_formatter(values[i], indent + 1, summarize, fmt, fmt_imag)
        for i in rows
    ]  # fmt: skip
    return "[" + ("," + "\n" * (values.ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def _tensor_str(values: np.ndarray, indent: int, summarize: bool | None = None) -> str:
    if values.size == 0:
        return "[]"
    if summarize is None:
        summarize = values.size > print_options.threshold
    shown = _summarized(values) if summarize else values
    if values.dtype.kind == "c":
        return _tensor_str_with_formatter(
            values, indent, summarize, _Formatter(shown.real), _Formatter(shown.imag)
        )
    if values.dtype.kind == "b":
        values = values.astype(object)  # prints True/False like PyTorch
        shown = values
    return _tensor_str_with_formatter(values, indent, summarize, _Formatter(np.asarray(shown)))


def _add_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    parts = [text]
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > print_options.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def _shown_values(t) -> tuple[np.ndarray, bool]:
    """The values printing needs, and whether the tensor is summarised: all of them, or for a
    summarised tensor the edge items of each long axis and one more (standing for the "...")
    only, so that a lazy backend (Dask) computes no more than what is shown."""
    values, summarised = _shown_native_values(t)
    if t.dtype.kind == "f" and t.dtype.itemsize == 2:
        # float16, and bfloat16 (ml_dtypes' type, which NumPy's formatting does not know as a
        # float) are formatted from float32, which holds them exactly, as PyTorch does
        values = values.astype(np.float32)
    return values, summarised


def _shown_native_values(t) -> tuple[np.ndarray, bool]:
    data = t._data
    if math.prod(data.shape) <= print_options.threshold:
        return t._backend.to_numpy(data), False
    e = print_options.edgeitems
    for axis, n in enumerate(data.shape):
        if n > 2 * e + 1:
            before = (slice(None),) * axis  # slices: a lazy backend reads only those chunks
            head, tail = before + (slice(0, e + 1), ...), before + (slice(n - e, n), ...)
            edges = [data[head], data[tail]]
            data = t._backend.xp.concat(edges, axis=axis)
    return t._backend.to_numpy(data), True


def tensor_repr(t) -> str:
    """PyTorch's ``repr`` of a tensor (``dtype=`` is shown for non-default dtypes)."""
    prefix = "tensor("
    indent = len(prefix)
    values, summarize = _shown_values(t)
    dtype = t.dtype
    default = dtype in (
        _dtypes.get_default_dtype(), _dtypes.default_complex_dtype(), _dtypes.int64, _dtypes.bool
    )  # fmt: skip
    suffixes = []
    if values.size == 0:
        if values.ndim != 1:
            suffixes.append("size=" + str(tuple(values.shape)))
        if dtype is not _dtypes.get_default_dtype():
            suffixes.append(f"dtype={dtype!r}")
        body = "[]"
    else:
        if not default:
            suffixes.append(f"dtype={dtype!r}")
        body = _tensor_str(values, indent, summarize)
    if t._grad_fn is not None:
        suffixes.append(f"grad_fn=<{type(t._grad_fn).__name__}>")
    elif t._requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent)
