"""``autocast``: PyTorch's mixed-precision regions; see :mod:`pluggrad.amp`.

A region records its device type, whether it is enabled and its dtype in
:mod:`pluggrad._core.autocast_state`; the operations read it through their policies
(:mod:`pluggrad.ops._autocast`).
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

from .. import _dtypes
from .._core import autocast_state
from .._device import device as _device
from ..backends import get_backend, has_gpu

__all__ = ["autocast", "is_autocast_available", "is_autocast_enabled", "get_autocast_dtype"]

# PyTorch's default autocast dtype per device type
_DEFAULT_DTYPES = {"cpu": _dtypes.bfloat16, "cuda": _dtypes.float16}
_CPU_DTYPES = (_dtypes.bfloat16, _dtypes.float16)


def is_autocast_available(device_type: str) -> bool:
    """Whether `device_type` has an autocast (``"cpu"`` and ``"cuda"``, as in PyTorch)."""
    return device_type in _DEFAULT_DTYPES


def is_autocast_enabled(device_type: str | None = None) -> bool:
    """Whether an enabled autocast region for `device_type` (default ``"cuda"``, as PyTorch's
    call without an argument) is in force."""
    return autocast_state.region_state("cuda" if device_type is None else device_type)[0]


def get_autocast_dtype(device_type: str) -> _dtypes.DType:
    """The dtype autocast uses on `device_type`: the innermost region's, else the device's
    default (``bfloat16`` on the CPU, ``float16`` on CUDA)."""
    dtype = autocast_state.region_state(device_type)[1]
    return dtype if dtype is not None else _DEFAULT_DTYPES.get(device_type, _dtypes.float16)


class autocast:
    """``with autocast(device_type, dtype=None, enabled=True):`` a mixed-precision region, also
    usable as a decorator.

    Inside it, the operations PyTorch runs in lower precision (matrix products, ``linear``,
    convolutions, attention) cast their floating-point arguments, float64 excepted, to `dtype`;
    the ones it runs in float32 (losses, ``prod``, linear algebra's solvers and
    decompositions, FFTs) cast them to float32; the rest run in their arguments' dtypes.  The
    casts are recorded in the graph, so float32 parameters get float32 gradients.

    Parameters
    ----------
    device_type : str
        ``"cpu"`` or ``"cuda"``: the region applies to the tensors of that device type.
    dtype : DType, optional
        ``pluggrad.bfloat16`` or ``pluggrad.float16`` (default: the device type's,
        :func:`get_autocast_dtype`).
    enabled : bool
        False makes the region one where autocast is off (also inside an enabled one).
    cache_enabled : bool, optional
        Accepted for PyTorch's signature: pluggrad casts each use again instead of caching the
        casts of leaf tensors, which gives the same values.

    Notes
    -----
    As PyTorch, a region warns and disables itself when its dtype is not one the device type
    supports, or when CUDA is asked for without a GPU; pluggrad also does so when the backend's
    library lacks the dtype (NumPy has no ``bfloat16``, the CPU's default: use
    ``dtype=pluggrad.float16`` there).  A `dtype` that is not a dtype raises ``TypeError`` when
    the region is entered.
    """

    def __init__(self, device_type: str, dtype: Any = None, enabled: bool = True,
                 cache_enabled: bool | None = None) -> None:  # fmt: skip
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        self.device = _device(device_type).type  # PyTorch's error for an unknown type
        self.fast_dtype = get_autocast_dtype(self.device) if dtype is None else dtype
        self._cache_enabled = True if cache_enabled is None else cache_enabled
        self._enabled = enabled and self._supported()
        self._token: list = []

    def _supported(self) -> bool:
        """Whether the region can cast (else it warns, as PyTorch's, and is disabled)."""
        if self.device == "cuda" and not has_gpu():
            message = "CUDA is not available or torch_xla is imported. Disabling autocast."
        elif self.device == "cpu" and self.fast_dtype not in _CPU_DTYPES:
            message = (
                "In CPU autocast, but the target dtype is not supported. Disabling autocast.\n"
                "CPU Autocast only supports dtypes of torch.bfloat16, torch.float16 currently."
            )
        elif isinstance(self.fast_dtype, _dtypes.DType) and (
            self.fast_dtype not in get_backend().to_native
        ):
            backend = get_backend().name
            message = (
                f"In {self.device.upper()} autocast, but the {backend} backend has no "
                f"{self.fast_dtype.name}. Disabling autocast."
                + (
                    "\nIts float16 works: autocast(..., dtype=torch.float16)."
                    if _dtypes.float16 in get_backend().to_native
                    else ""
                )  # fmt: skip
            )
        else:
            return True
        warnings.warn(message, UserWarning, stacklevel=3)
        return False

    def __enter__(self) -> autocast:
        if not isinstance(self.fast_dtype, _dtypes.DType):
            raise TypeError(
                "set_autocast_dtype(): argument 'dtype' (position 2) must be torch.dtype, not "
                f"{type(self.fast_dtype).__name__}"
            )
        dtype = self.fast_dtype if self._enabled else get_autocast_dtype(self.device)
        self._token.append(autocast_state.enter(self.device, self._enabled, dtype))
        return self

    def __exit__(self, *exc_info) -> None:
        autocast_state.leave(self._token.pop())

    def __call__(self, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def run(*args, **kwargs):
            with self:
                return fn(*args, **kwargs)

        return run
