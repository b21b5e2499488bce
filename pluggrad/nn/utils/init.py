"""``pluggrad.nn.utils.skip_init``: a module made without running its parameter
initialization's random draws (PyTorch's ``torch.nn.utils.init``)."""

from __future__ import annotations

import inspect
from typing import Any

from ...ops.random import get_rng_state, set_rng_state
from ..modules.module import Module

__all__ = ["skip_init"]


def skip_init(module_cls: type, *args: Any, **kwargs: Any) -> Any:
    """Make ``module_cls(*args, **kwargs)`` with its parameters and buffers left
    uninitialized: their values are unspecified (PyTorch leaves the memory as it is), and the
    default generator is left as it was, as if nothing had been drawn.

    pluggrad runs the constructor on a forked generator state: PyTorch constructs on the
    "meta" device and allocates the tensors afterwards, which pluggrad's backends have no
    counterpart of; what is observable (the module, its shapes and dtypes, the untouched
    generator) is the same.

    Parameters
    ----------
    module_cls : type
        A :class:`~pluggrad.nn.Module` subclass whose constructor takes ``device``.
    *args, **kwargs
        The constructor's arguments (``device`` included).

    Returns
    -------
    Module
        The module.

    Raises
    ------
    RuntimeError
        If `module_cls` is not a Module or its constructor takes no ``device``.

    Examples
    --------
    >>> import pluggrad as torch
    >>> m = torch.nn.utils.skip_init(torch.nn.Linear, 5, 1)
    >>> m.weight.shape
    pluggrad.Size([1, 5])
    """
    if not issubclass(module_cls, Module):
        raise RuntimeError(f"Expected a Module; got {module_cls}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    state = get_rng_state()
    try:
        return module_cls(*args, **kwargs)
    finally:
        set_rng_state(state)
