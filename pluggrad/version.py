"""``pluggrad.version`` (``torch.version``): the version, and the accelerator toolkits the build
was made with, which a program reads to choose its device."""

from __future__ import annotations

__all__ = ["__version__", "cuda", "debug", "hip"]

__version__ = "0.1.0"
# pluggrad is not built against CUDA or ROCm (JAX's GPU builds are: ask pluggrad.cuda)
cuda: str | None = None
hip: str | None = None
debug = False
