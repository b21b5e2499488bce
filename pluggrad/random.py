"""``pluggrad.random`` (``torch.random``): the default generator's seed and state, and
:func:`fork_rng` to draw without disturbing it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from .ops.random import (
    Generator,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)

__all__ = [
    "Generator", "default_generator", "fork_rng", "get_rng_state", "initial_seed", "manual_seed",
    "seed", "set_rng_state",
]  # fmt: skip


@contextlib.contextmanager
def fork_rng(
    devices=None,
    enabled: bool = True,
    _caller: str = "fork_rng",
    _devices_kw: str = "devices",
    device_type: str | None = None,
) -> Iterator[None]:
    """Draw random numbers in the block without changing what is drawn after it: the default
    generator's state is saved on entry and restored on exit (even if the block raises).

    Parameters
    ----------
    devices, device_type
        PyTorch forks the generators of these accelerator devices too; pluggrad's default
        generator feeds every backend and device, so its one state covers them.
    enabled : bool
        False: the block runs with the generator shared (no fork).
    """
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)
