"""PyTorch's process-wide settings that programs write at their top: thread counts,
deterministic algorithms, float32 matrix-product precision.

pluggrad's kernels are its backend's: NumPy's threads are its BLAS library's (set through
``threadpoolctl`` when it is installed), XLA's are fixed when JAX starts.  Each setting keeps
its value, checks it as PyTorch does, and says in its docstring what it changes.
"""

from __future__ import annotations

import os
import warnings

from .backends._torch_flags import MATMUL_PRECISIONS, matmul_precision

__all__ = [
    "set_num_threads", "get_num_threads", "set_num_interop_threads", "get_num_interop_threads",
    "use_deterministic_algorithms", "are_deterministic_algorithms_enabled",
    "is_deterministic_algorithms_warn_only_enabled", "set_float32_matmul_precision",
    "get_float32_matmul_precision",
]  # fmt: skip


class _Settings:
    intra_op_threads = os.cpu_count() or 1
    interop_threads = os.cpu_count() or 1
    deterministic = False
    warn_only = False


def _check_positive(num, message: str) -> None:
    if not isinstance(num, int) or num <= 0:
        raise RuntimeError(message)


def set_num_threads(num: int) -> None:
    """Use `num` threads in kernels: the BLAS library under NumPy is limited to `num` threads
    (through ``threadpoolctl``, when installed), as PyTorch's intra-op pool is.

    Raises
    ------
    RuntimeError
        If `num` is not a positive integer.
    """
    _check_positive(num, "set_num_threads expects a positive integer")
    try:
        import threadpoolctl  # type: ignore[import-not-found]  # noqa: PLC0415 - optional
    except ImportError:
        pass
    else:
        threadpoolctl.threadpool_limits(limits=num)
    _Settings.intra_op_threads = num


def get_num_threads() -> int:
    """The number of kernel threads: the last :func:`set_num_threads`, else the CPU count."""
    return _Settings.intra_op_threads


def set_num_interop_threads(num: int) -> None:
    """The number of threads for running operations side by side (PyTorch's inter-op pool).
    Backends run one operation at a time from Python, so the value is only kept.

    Raises
    ------
    RuntimeError
        If `num` is not a positive integer.
    """
    _check_positive(num, "Expected positive number of threads")
    _Settings.interop_threads = num


def get_num_interop_threads() -> int:
    """The value of :func:`set_num_interop_threads`, else the CPU count."""
    return _Settings.interop_threads


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Ask for deterministic kernels.  NumPy's and array-api-strict's kernels are deterministic;
    so are XLA's on the CPU (on a GPU, XLA's scatter-add, the backward of indexing, may add in
    varying order: set ``XLA_FLAGS=--xla_gpu_deterministic_ops=true`` before JAX starts)."""
    if not isinstance(mode, bool):
        raise TypeError(
            f"use_deterministic_algorithms expects a bool, but got {type(mode).__name__}"
        )
    _Settings.deterministic = mode
    _Settings.warn_only = warn_only


def are_deterministic_algorithms_enabled() -> bool:
    """Whether :func:`use_deterministic_algorithms` was turned on."""
    return _Settings.deterministic


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    """Whether :func:`use_deterministic_algorithms` was turned on with ``warn_only=True``."""
    return _Settings.warn_only


def set_float32_matmul_precision(precision: str) -> None:
    """PyTorch's float32 matrix-product precision, ``"highest"`` (the default), ``"high"`` or
    ``"medium"``; ``torch.backends.cuda.matmul.allow_tf32`` reads and writes the same setting.
    NumPy multiplies float32 matrices in float32 at every setting.

    An unknown value warns and changes nothing, as in PyTorch.
    """
    if precision not in MATMUL_PRECISIONS:
        warnings.warn(
            f"{precision} is not one of 'highest', 'high', or 'medium'; the current "
            "setFloat32MatmulPrecision call has no effect.",
            UserWarning,
            stacklevel=2,
        )
        return
    matmul_precision.value = precision


def get_float32_matmul_precision() -> str:
    """The value of :func:`set_float32_matmul_precision` (``"highest"`` by default)."""
    return matmul_precision.value
