"""PyTorch's window functions (``hann_window``, ``hamming_window``, ``blackman_window``,
``bartlett_window``, ``kaiser_window``) and ``vander``, computed as PyTorch's CPU kernels
compute them: a ``arange`` in the window's dtype, scaled and passed through ``cos`` (or
``i0``) in that dtype, the last point dropped for a periodic window.
"""

from __future__ import annotations

import math

from .. import _dtypes
from .._core.grad_mode import no_grad
from .._core.tensor import Tensor
from . import creation, elementwise, manipulation, reductions, special
from ._convert import astype

__all__ = [
    "hann_window", "hamming_window", "blackman_window", "bartlett_window", "kaiser_window",
    "vander",
]  # fmt: skip

# how PyTorch's TensorOptions name a dtype that a window refuses
_C_NAMES = {
    "bool": "bool", "int8": "signed char", "uint8": "unsigned char", "int16": "short int",
    "int32": "int", "int64": "long int", "uint16": "unsigned short", "uint32": "unsigned int",
    "uint64": "unsigned long",
}  # fmt: skip


def _window(name: str, window_length: int, periodic: bool, dtype, device, requires_grad: bool,
            shape) -> Tensor:  # fmt: skip
    """The window `shape` makes from ``arange(n)`` (``n`` the length, plus one when
    `periodic`), with PyTorch's checks and its one-point and empty windows."""
    dtype = _dtypes.get_default_dtype() if dtype is None else _dtypes.to_dtype(dtype)
    if not (dtype.is_floating_point or dtype.is_complex):
        raise RuntimeError(
            f"{name} expects floating point dtypes, got: TensorOptions(dtype="
            f"{_C_NAMES.get(dtype.name, dtype.name)}, device=cpu, layout=Strided (default), "
            "requires_grad=false (default), pinned_memory=false, memory_format=(nullopt))"
        )
    if window_length < 0:
        raise RuntimeError(
            f"{name} requires non-negative window_length, got window_length={window_length}"
        )
    with no_grad():
        if window_length <= 1:
            out = creation.ones((window_length,), dtype=dtype, device=device)
        else:
            n = window_length + 1 if periodic else window_length
            out = shape(creation.arange(n, dtype=dtype, device=device), n)
            if periodic:
                out = out[: n - 1].clone()
    return out.requires_grad_(requires_grad)


def hamming_window(window_length: int, periodic: bool = True, alpha: float = 0.54,
                   beta: float = 0.46, *, dtype=None, layout=None, device=None,
                   pin_memory: bool = False, requires_grad: bool = False) -> Tensor:  # fmt: skip
    """``alpha - beta cos(2 pi k / (N - 1))``, ``N`` the length (plus one when `periodic`, the
    last point then dropped), as ``torch.hamming_window``."""

    def shape(k: Tensor, n: int) -> Tensor:
        return elementwise.cos(k * (math.pi * 2.0 / (n - 1))) * -beta + alpha

    return _window("hamming_window", window_length, periodic, dtype, device, requires_grad, shape)


def hann_window(window_length: int, periodic: bool = True, *, dtype=None, layout=None,
                device=None, pin_memory: bool = False,
                requires_grad: bool = False) -> Tensor:  # fmt: skip
    """``0.5 - 0.5 cos(2 pi k / (N - 1))``: :func:`hamming_window` with ``alpha = beta = 0.5``."""

    def shape(k: Tensor, n: int) -> Tensor:
        return elementwise.cos(k * (math.pi * 2.0 / (n - 1))) * -0.5 + 0.5

    return _window("hann_window", window_length, periodic, dtype, device, requires_grad, shape)


def blackman_window(window_length: int, periodic: bool = True, *, dtype=None, layout=None,
                    device=None, pin_memory: bool = False,
                    requires_grad: bool = False) -> Tensor:  # fmt: skip
    """``0.42 - 0.5 cos(2 pi k / (N - 1)) + 0.08 cos(4 pi k / (N - 1))``."""

    def shape(k: Tensor, n: int) -> Tensor:
        w = k * (math.pi / (n - 1))
        return elementwise.cos(w * 4) * 0.08 - elementwise.cos(w * 2) * 0.5 + 0.42

    return _window("blackman_window", window_length, periodic, dtype, device, requires_grad, shape)


def bartlett_window(window_length: int, periodic: bool = True, *, dtype=None, layout=None,
                    device=None, pin_memory: bool = False,
                    requires_grad: bool = False) -> Tensor:  # fmt: skip
    """The triangle ``2 k / (N - 1)`` rising to 1 in the middle, then ``2 - 2 k / (N - 1)``."""

    def shape(k: Tensor, n: int) -> Tensor:
        w = k * (2.0 / (n - 1))
        half = ((n - 1) >> 1) + 1
        return manipulation.concat((w[:half], w[half:] * -1 + 2))

    return _window("bartlett_window", window_length, periodic, dtype, device, requires_grad, shape)


def kaiser_window(window_length: int, periodic: bool = True, beta: float = 12.0, *,
                  dtype=None, layout=None, device=None, pin_memory: bool = False,
                  requires_grad: bool = False) -> Tensor:  # fmt: skip
    """``I0(beta sqrt(1 - ((k - a) / a)^2)) / I0(beta)``, ``a = (N - 1) / 2``."""

    def shape(k: Tensor, n: int) -> Tensor:
        a = (n - 1) / 2.0
        inside = elementwise.abs(1 - ((k - a) / a) ** 2.0)
        top = special.i0(elementwise.sqrt(inside) * beta)
        return top / special.i0(creation.full((), beta, dtype=k.dtype, device=k.device))

    return _window("kaiser_window", window_length, periodic, dtype, device, requires_grad, shape)


def vander(x, N: int | None = None, increasing: bool = False) -> Tensor:
    """The Vandermonde matrix of the 1-D `x`: columns ``x^(N-1), ..., x, 1`` (``1, x, ...`` when
    `increasing`), `N` defaulting to ``len(x)``; the powers are cumulative products, in int64
    for an integer or bool `x`, as ``torch.vander``.

    Raises
    ------
    RuntimeError
        If `x` is not 1-D or `N` is negative.
    """
    if x.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    dtype = x.dtype
    if not (dtype.is_floating_point or dtype.is_complex):
        dtype = _dtypes.int64
    m = x.shape[0]
    ones = creation.ones((m, min(n, 1)), dtype=dtype, device=x.device)
    if n > 1:
        powers = manipulation.broadcast_to(manipulation.expand_dims(astype(x, dtype), axis=1),
                                           (m, n - 1))  # fmt: skip
        out = manipulation.concat((ones, reductions.cumulative_prod(powers, axis=1)), axis=1)
    else:
        out = ones
    return out if increasing else manipulation.flip(out, axis=1)
