"""Freed arrays stay in the process's heap: glibc's ``mallopt``, set once when a backend whose
arrays live in host memory (NumPy's) loads.

A training step frees its gradients and temporaries and allocates the same sizes again in the
next step.  glibc serves arrays above its mmap threshold with fresh pages and returns the free
top of its heap to the system above a trim threshold; both thresholds start low (128 KiB) and
only grow as large blocks are freed, so depending on the order of a step's allocations the
memory of every step can go back to the system and be faulted in again (measured on W7, the
MLP training step: in one process of four, 1536 page faults and 4 ms more per step).
PyTorch's allocator keeps such memory; pluggrad sets glibc's thresholds to the largest values
glibc's own adaptation reaches (32 MiB for mmap, 64 MiB for trimming), so the heap keeps at
most 64 MiB of freed memory at its top.

Nothing is changed where the user chose (``MALLOC_MMAP_THRESHOLD_`` or
``MALLOC_TRIM_THRESHOLD_`` in the environment, or ``PLUGGRAD_KEEP_FREED_MEMORY=0``), nor
outside glibc.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Mapping

__all__ = ["keep_freed_memory", "wanted"]

# glibc's mallopt parameters and the values set
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
MMAP_THRESHOLD = 32 * 2**20
TRIM_THRESHOLD = 64 * 2**20
_USER_SETTINGS = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")
OPT_OUT = "PLUGGRAD_KEEP_FREED_MEMORY"


def wanted(environ: Mapping[str, str], platform: str) -> bool:
    """Whether to set the thresholds: on Linux, unless the environment opts out or sets them."""
    if environ.get(OPT_OUT, "1") == "0" or any(name in environ for name in _USER_SETTINGS):
        return False
    return platform.startswith("linux")


def keep_freed_memory() -> bool:
    """Set glibc's mmap and trim thresholds as the module says; True if they were set."""
    if not wanted(os.environ, sys.platform):
        return False
    try:
        libc = ctypes.CDLL(None)  # the C library the process runs on
    except OSError:
        return False
    if not hasattr(libc, "gnu_get_libc_version"):  # not glibc (musl...): its own policy
        return False
    mallopt = libc.mallopt
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
