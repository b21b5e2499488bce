"""The ``fft`` extension of the array API standard (exposed as :mod:`pluggrad.fft`).

Three primitives, as in PyTorch: a complex-to-complex transform (``FftC2CBackward0``), a
real-to-complex one (``FftR2CBackward0``, one-sided for ``rfft``) and a complex-to-real one
(``FftC2RBackward0``); every function is one of them, preceded by resizing its input (``n``,
``s``: cropping or zero-padding) and followed or preceded by ``conj`` where PyTorch does so.
Kernels are the backend's ``xp.fft`` functions.  Unlike the standard, which asks for complex
input to ``fft``/``ifft``/``fftn``/``ifftn``/``irfft``/``hfft``..., real input is accepted and
promoted, as in PyTorch.

This module is also what derivative formulas reach as ``ns.fft`` under ``create_graph=True``
(``xp.fft`` on raw arrays), so its transforms keep the standard's signatures.
"""

from __future__ import annotations

import operator

from .. import _dtypes
from .._core.primitive import apply
from .._core.tensor import Tensor
from ._args import as_tensor_arg, merge_axis, normalize_axis
from ._autocast import full_precision
from ._convert import astype, default_float
from ._define import primitive
from ._leaf import leaf, resolve_backend
from .creation import zeros
from .elementwise import conj
from .manipulation import concat, roll

# Not exported into the main namespace: these functions live in pluggrad.fft.
__all__: list[str] = []

PUBLIC = [
    "fft", "ifft", "fftn", "ifftn", "rfft", "irfft", "rfftn", "irfftn", "hfft", "ihfft",
    "fftfreq", "rfftfreq", "fftshift", "ifftshift", "hfftn", "ihfftn", "fft2", "ifft2", "rfft2",
    "irfft2", "hfft2", "ihfft2",
]  # fmt: skip
# functions that take no tensor: bound to a backend in its differentiable namespace
BACKEND_CREATORS = ("fftfreq", "rfftfreq")

_NORMS = ("backward", "ortho", "forward")


def _c2c_kernel(backend, x, axes, norm, forward):
    transform = backend.xp.fft.fftn if forward else backend.xp.fft.ifftn
    return transform(x, axes=axes, norm=norm)


def _r2c_kernel(backend, x, axes, norm, onesided):
    if onesided:
        return backend.xp.fft.rfftn(x, axes=axes, norm=norm)
    xp = backend.xp
    complex_dtype = xp.complex64 if x.dtype == xp.float32 else xp.complex128
    return xp.fft.fftn(xp.astype(x, complex_dtype), axes=axes, norm=norm)


def _c2r_kernel(backend, x, axes, norm, last_dim_size):
    s = [x.shape[a] for a in axes[:-1]] + [last_dim_size]
    return backend.xp.fft.irfftn(x, s=s, axes=axes, norm=norm)


_C2C = primitive("fft_c2c", ("x",), forward=_c2c_kernel)
_R2C = primitive("fft_r2c", ("x",), forward=_r2c_kernel)
_C2R = primitive("fft_c2r", ("x",), forward=_c2r_kernel)

# ---- arguments ----------------------------------------------------------------------------------


def _norm(norm) -> str:
    if norm is None:
        return "backward"
    if norm not in _NORMS:
        raise ValueError(f"Invalid normalization mode: {norm}")
    return norm


def _swap(norm: str) -> str:
    """The normalization of the inverse transform that undoes no scaling twice (numpy's
    ``_swap_direction``): ``hfft``/``ihfft`` are ``irfft``/``rfft`` read the other way."""
    return {"backward": "forward", "forward": "backward", "ortho": "ortho"}[norm]


def _as_complex(x: Tensor) -> Tensor:
    x = default_float(x)
    if x.dtype.kind == "c":
        return x
    return astype(x, _dtypes.complex64 if x.dtype is _dtypes.float32 else _dtypes.complex128)


def _as_real(x: Tensor, name: str) -> Tensor:
    x = default_float(x)
    if x.dtype.kind == "c":
        raise RuntimeError(f"{name} expects a real input tensor, but got {x.dtype.name.title()}")
    return x


def _axis_of(axis, dim, ndim: int) -> int:
    """The axis of a one-dimensional transform (`axis` or `dim`, the last by default); a 0-d
    tensor has none."""
    return normalize_axis(merge_axis(axis, dim, default=-1), ndim, wrap_scalar=False)


def _axes_of(x: Tensor, s, axes, dim) -> tuple[tuple[int, ...], tuple[int, ...] | None]:
    """Normalized ``(axes, s)`` of an n-dimensional transform."""
    axes = merge_axis(axes, dim, names=("axes", "dim"))
    if isinstance(axes, int):
        axes = (axes,)
    if s is not None:
        s = (s,) if isinstance(s, int) else tuple(int(n) for n in s)
    if axes is None:
        axes = tuple(range(x.ndim)) if s is None else tuple(range(x.ndim - len(s), x.ndim))
    axes = tuple(normalize_axis(a, x.ndim, wrap_scalar=False) for a in axes)
    if len(set(axes)) != len(axes):
        raise RuntimeError("FFT dims must be unique")
    if s is not None and len(s) != len(axes):
        raise RuntimeError(
            f"When given, dim and shape arguments must have the same length (got {len(axes)} "
            f"and {len(s)})"
        )
    return axes, s


def _resize(x: Tensor, axis: int, n: int) -> Tensor:
    """`x` cropped or zero-padded to length `n` along `axis`."""
    size = x.shape[axis]
    if n < 1:
        raise RuntimeError(f"Invalid number of data points ({n}) specified")
    if n == size:
        return x
    if n < size:
        key = tuple(slice(0, n) if a == axis else slice(None) for a in range(x.ndim))
        return x[key]
    shape = tuple(n - size if a == axis else m for a, m in enumerate(x.shape))
    padding = zeros(shape, dtype=x.dtype, backend=x._backend)
    return concat([x, padding], axis=axis)


# ---- one-dimensional transforms -----------------------------------------------------------------


@full_precision
def fft(x, /, *, n: int | None = None, axis: int = -1, norm: str = "backward", dim=None) -> Tensor:
    """Discrete Fourier transform along `axis` (``dim``), of length `n` (crop or zero-pad).

    `norm`: ``"backward"`` (no scaling), ``"ortho"`` (``1/sqrt(n)``) or ``"forward"`` (``1/n``).
    """
    x = default_float(as_tensor_arg(x))
    axis = _axis_of(axis, dim, x.ndim)
    if n is not None:
        x = _resize(x, axis, n)
    params = {"axes": (axis,), "norm": _norm(norm)}
    if x.dtype.kind == "c":
        return apply(_C2C, (x,), {**params, "forward": True})
    return apply(_R2C, (x,), {**params, "onesided": False})


@full_precision
def ifft(x, /, *, n: int | None = None, axis: int = -1, norm: str = "backward", dim=None) -> Tensor:
    """Inverse discrete Fourier transform along `axis` (``norm="backward"`` scales by 1/n)."""
    x = default_float(as_tensor_arg(x))
    axis = _axis_of(axis, dim, x.ndim)
    if n is not None:
        x = _resize(x, axis, n)
    norm = _norm(norm)
    if x.dtype.kind == "c":
        return apply(_C2C, (x,), {"axes": (axis,), "norm": norm, "forward": False})
    # the inverse transform of a real signal is the conjugate of its forward one (PyTorch's way)
    return conj(apply(_R2C, (x,), {"axes": (axis,), "norm": _swap(norm), "onesided": False}))


@full_precision
def rfft(x, /, *, n: int | None = None, axis: int = -1, norm: str = "backward", dim=None) -> Tensor:
    """Transform of a real signal along `axis`: the ``n // 2 + 1`` non-negative frequencies."""
    x = _as_real(as_tensor_arg(x), "rfft")
    axis = _axis_of(axis, dim, x.ndim)
    if n is not None:
        x = _resize(x, axis, n)
    return apply(_R2C, (x,), {"axes": (axis,), "norm": _norm(norm), "onesided": True})


@full_precision
def irfft(
    x, /, *, n: int | None = None, axis: int = -1, norm: str = "backward", dim=None
) -> Tensor:
    """Inverse of :func:`rfft`: a real signal of length `n` (default ``2 * (m - 1)``) from
    its ``m`` non-negative frequencies."""
    x = _as_complex(as_tensor_arg(x))
    axis = _axis_of(axis, dim, x.ndim)
    n = 2 * (x.shape[axis] - 1) if n is None else int(n)
    if n < 1:
        raise RuntimeError(f"Invalid number of data points ({n}) specified")
    x = _resize(x, axis, n // 2 + 1)
    return apply(_C2R, (x,), {"axes": (axis,), "norm": _norm(norm), "last_dim_size": n})


@full_precision
def hfft(x, /, *, n: int | None = None, axis: int = -1, norm: str = "backward", dim=None) -> Tensor:
    """Transform of a Hermitian-symmetric signal given by its first half: a real spectrum of
    length `n` (default ``2 * (m - 1)``)."""
    x = _as_complex(as_tensor_arg(x))
    axis = _axis_of(axis, dim, x.ndim)
    n = 2 * (x.shape[axis] - 1) if n is None else int(n)
    if n < 1:
        raise RuntimeError(f"Invalid number of data points ({n}) specified")
    x = conj(_resize(x, axis, n // 2 + 1))
    return apply(_C2R, (x,), {"axes": (axis,), "norm": _swap(_norm(norm)), "last_dim_size": n})


@full_precision
def ihfft(
    x, /, *, n: int | None = None, axis: int = -1, norm: str = "backward", dim=None
) -> Tensor:
    """Inverse of :func:`hfft`: the first half of the Hermitian spectrum of a real signal."""
    x = _as_real(as_tensor_arg(x), "ihfft")
    axis = _axis_of(axis, dim, x.ndim)
    if n is not None:
        x = _resize(x, axis, n)
    params = {"axes": (axis,), "norm": _swap(_norm(norm)), "onesided": True}
    return conj(apply(_R2C, (x,), params))


# ---- n-dimensional transforms -------------------------------------------------------------------


def _resized(x: Tensor, axes, s) -> Tensor:
    if s is not None:
        for axis, n in zip(axes, s):
            x = _resize(x, axis, n)
    return x


@full_precision
def fftn(x, /, *, s=None, axes=None, norm: str = "backward", dim=None) -> Tensor:
    """N-dimensional transform over `axes` (``dim``; all by default), of sizes `s`."""
    x = as_tensor_arg(x)
    axes, s = _axes_of(x, s, axes, dim)
    x = _as_complex(_resized(x, axes, s))
    return apply(_C2C, (x,), {"axes": axes, "norm": _norm(norm), "forward": True})


@full_precision
def ifftn(x, /, *, s=None, axes=None, norm: str = "backward", dim=None) -> Tensor:
    """N-dimensional inverse transform over `axes` (``dim``; all by default), of sizes `s`."""
    x = as_tensor_arg(x)
    axes, s = _axes_of(x, s, axes, dim)
    x = _as_complex(_resized(x, axes, s))
    return apply(_C2C, (x,), {"axes": axes, "norm": _norm(norm), "forward": False})


@full_precision
def rfftn(x, /, *, s=None, axes=None, norm: str = "backward", dim=None) -> Tensor:
    """N-dimensional transform of a real signal; the last of `axes` keeps ``n // 2 + 1``
    non-negative frequencies."""
    x = _as_real(as_tensor_arg(x), "rfftn")
    axes, s = _axes_of(x, s, axes, dim)
    x = _resized(x, axes, s)
    return apply(_R2C, (x,), {"axes": axes, "norm": _norm(norm), "onesided": True})


@full_precision
def irfftn(x, /, *, s=None, axes=None, norm: str = "backward", dim=None) -> Tensor:
    """Inverse of :func:`rfftn`: a real signal of sizes `s` (the last by default
    ``2 * (m - 1)``)."""
    x = _as_complex(as_tensor_arg(x))
    axes, s = _axes_of(x, s, axes, dim)
    last = 2 * (x.shape[axes[-1]] - 1) if s is None else s[-1]
    if last < 1:
        raise RuntimeError(f"Invalid number of data points ({last}) specified")
    sizes = list(s) if s is not None else [x.shape[a] for a in axes]
    sizes[-1] = last // 2 + 1
    x = _resized(x, axes, sizes)
    return apply(_C2R, (x,), {"axes": axes, "norm": _norm(norm), "last_dim_size": last})


@full_precision
def hfftn(x, /, *, s=None, axes=None, norm: str = "backward", dim=None) -> Tensor:
    """N-dimensional :func:`hfft`: the real spectrum of a Hermitian signal given by its first
    half along the last of `axes`."""
    x = _as_complex(as_tensor_arg(x))
    axes, _ = _axes_of(x, s, axes, dim)
    return irfftn(conj(x), s=s, axes=axes, norm=_SWAPPED_NAMES[norm])


@full_precision
def ihfftn(x, /, *, s=None, axes=None, norm: str = "backward", dim=None) -> Tensor:
    """Inverse of :func:`hfftn`: the first half of the Hermitian spectrum of a real signal."""
    x = _as_real(as_tensor_arg(x), "ihfftn")
    axes, _ = _axes_of(x, s, axes, dim)
    return conj(rfftn(x, s=s, axes=axes, norm=_SWAPPED_NAMES[norm]))


# the norm that makes a transform of the conjugate the inverse transform
_SWAPPED_NAMES = {"backward": "forward", "forward": "backward", "ortho": "ortho"}


def _two_dimensional(transform, name: str):
    """``<name>2``: the n-dimensional `transform` over the last two axes by default."""

    def over_two_axes(x, /, s=None, dim=(-2, -1), norm: str = "backward") -> Tensor:
        return transform(x, s=s, axes=tuple(dim), norm=norm)

    over_two_axes.__name__ = over_two_axes.__qualname__ = name
    over_two_axes.__doc__ = f"``{transform.__name__}`` over two axes (the last two by default)."
    return over_two_axes


fft2 = _two_dimensional(fftn, "fft2")
ifft2 = _two_dimensional(ifftn, "ifft2")
rfft2 = _two_dimensional(rfftn, "rfft2")
irfft2 = _two_dimensional(irfftn, "irfft2")
hfft2 = _two_dimensional(hfftn, "hfft2")
ihfft2 = _two_dimensional(ihfftn, "ihfft2")


# ---- frequencies and shifts ---------------------------------------------------------------------


def _frequencies(name: str, n, d, dtype, requires_grad: bool, backend) -> Tensor:
    backend = resolve_backend(backend)
    dtype = _dtypes.to_dtype(dtype) if dtype is not None else _dtypes.get_default_dtype()
    if dtype.kind != "f":
        raise ValueError(f"{name}: dtype must be a real floating-point dtype, got {dtype}")
    kernel = getattr(backend.xp.fft, name)
    data = kernel(operator.index(n), d=float(d), dtype=backend.to_native[dtype])
    return leaf(backend.normalize(data), backend, requires_grad)


def fftfreq(n: int, /, *, d: float = 1.0, dtype=None, device=None, requires_grad: bool = False,
            backend=None) -> Tensor:  # fmt: skip
    """Sample frequencies of :func:`fft` for a signal of length `n` and spacing `d`
    (default dtype: the default float dtype)."""
    return _frequencies("fftfreq", n, d, dtype, requires_grad, backend)


def rfftfreq(n: int, /, *, d: float = 1.0, dtype=None, device=None, requires_grad: bool = False,
             backend=None) -> Tensor:  # fmt: skip
    """Sample frequencies of :func:`rfft` (the ``n // 2 + 1`` non-negative ones)."""
    return _frequencies("rfftfreq", n, d, dtype, requires_grad, backend)


def _shift(x, axes, dim, inverse: bool) -> Tensor:
    x = as_tensor_arg(x)
    axes = merge_axis(axes, dim, names=("axes", "dim"))
    if axes is None:
        axes = tuple(range(x.ndim))
    elif isinstance(axes, int):
        axes = (axes,)
    axes = tuple(normalize_axis(a, x.ndim, wrap_scalar=False) for a in axes)
    if not axes:
        return x
    shifts = tuple(-(x.shape[a] // 2) if inverse else x.shape[a] // 2 for a in axes)
    return roll(x, shifts, axis=axes)


def fftshift(x, /, *, axes=None, dim=None) -> Tensor:
    """Move the zero frequency to the centre of `axes` (``dim``; all by default)."""
    return _shift(x, axes, dim, inverse=False)


def ifftshift(x, /, *, axes=None, dim=None) -> Tensor:
    """Undo :func:`fftshift`."""
    return _shift(x, axes, dim, inverse=True)


NONDIFFERENTIABLE_FUNCTIONS: frozenset[str] = frozenset()

TENSOR_METHODS: dict = {}
