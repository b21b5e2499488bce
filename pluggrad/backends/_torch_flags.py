"""``torch.backends.cudnn``, ``.mps`` and ``.cuda``: PyTorch's switches for its own GPU
libraries, as settings that PyTorch programs write at their top.

pluggrad has no cuDNN or Metal of its own: the JAX backend's XLA picks its GPU kernels.  The
switches keep their values, ``is_available()`` answers for the active backend, and the one that
has a meaning everywhere, TF32 in float32 matrix products, is the same setting as
``pluggrad.set_float32_matmul_precision`` (``"highest"`` unless a program lowers it, as in
PyTorch).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

__all__ = ["CudnnFlags", "CudaFlags", "MpsFlags", "MATMUL_PRECISIONS", "matmul_precision"]

#: PyTorch's float32 matrix-product precisions, from the most exact
MATMUL_PRECISIONS = ("highest", "high", "medium")


class _MatmulPrecision:
    """The process-wide float32 matrix-product precision (PyTorch's ``float32_matmul_precision``).
    NumPy computes float32 products in float32 whatever it says."""

    def __init__(self) -> None:
        self.value = "highest"


matmul_precision = _MatmulPrecision()


class _GpuFlags:
    """Switches of a GPU library.

    Parameters
    ----------
    has_gpu : callable
        Whether the active backend has a GPU now.
    """

    def __init__(self, has_gpu: Callable[[], bool]) -> None:
        self._has_gpu = has_gpu


class CudnnFlags(_GpuFlags):
    """``torch.backends.cudnn``: `enabled`, `benchmark`, `deterministic`, `allow_tf32` and
    `benchmark_limit` keep what a program sets; `is_available` says whether the active backend
    has a GPU (whose XLA uses cuDNN)."""

    def __init__(self, has_gpu: Callable[[], bool]) -> None:
        super().__init__(has_gpu)
        self.enabled = True
        self.benchmark = False
        self.benchmark_limit: int | None = None
        self.deterministic = False
        self.allow_tf32 = True

    def is_available(self) -> bool:
        """True when the active backend has a GPU."""
        return self._has_gpu()

    def version(self) -> int | None:
        """PyTorch's cuDNN version: None, as in a PyTorch built without cuDNN."""
        return None

    @contextlib.contextmanager
    def flags(self, enabled=False, benchmark=False, benchmark_limit=10, deterministic=False,
              allow_tf32=True) -> Iterator[None]:  # fmt: skip
        """Set the switches for a block (PyTorch's ``torch.backends.cudnn.flags``)."""
        names = ("enabled", "benchmark", "benchmark_limit", "deterministic", "allow_tf32")
        before = {name: getattr(self, name) for name in names}
        values = (enabled, benchmark, benchmark_limit, deterministic, allow_tf32)
        try:
            for name, value in zip(names, values):
                setattr(self, name, value)
            yield
        finally:
            for name, value in before.items():
                setattr(self, name, value)


class _CudaMatmul:
    """``torch.backends.cuda.matmul``: ``allow_tf32`` is the float32 matmul precision below
    ``"highest"`` (setting it True sets ``"high"``), as in PyTorch."""

    allow_fp16_reduced_precision_reduction = True
    allow_bf16_reduced_precision_reduction = True

    @property
    def allow_tf32(self) -> bool:
        return matmul_precision.value != "highest"

    @allow_tf32.setter
    def allow_tf32(self, value: bool) -> None:
        matmul_precision.value = "high" if value else "highest"


class CudaFlags(_GpuFlags):
    """``torch.backends.cuda``: ``matmul.allow_tf32`` and ``is_built()``."""

    def __init__(self, has_gpu: Callable[[], bool]) -> None:
        super().__init__(has_gpu)
        self.matmul = _CudaMatmul()

    def is_built(self) -> bool:
        """True when the active backend has a GPU (PyTorch: built with CUDA)."""
        return self._has_gpu()


class MpsFlags:
    """``torch.backends.mps``: no backend of pluggrad runs on Apple's Metal (JAX's Metal plug-in
    is not among them), so both answers are False."""

    def is_available(self) -> bool:
        """False: no Metal device."""
        return False

    def is_built(self) -> bool:
        """False: no Metal support."""
        return False
