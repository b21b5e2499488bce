"""Backend registry and selection.

Backends are found through the entry-point group ``pluggrad.backends``: each entry names an
object implementing :class:`Backend` (``"pluggrad.backends.numpy:backend"``).  pluggrad's own
three are registered there like any third-party package, and also listed below so that a source
checkout that was never pip-installed still finds them.

The active backend is chosen, from strongest to weakest, by a ``with use_backend(name):`` block
(scoped to the current thread or task, through :mod:`contextvars`), by :func:`set_backend`
(process-wide), or by the environment variable ``PLUGGRAD_BACKEND``; the default is NumPy.
"""

from __future__ import annotations

import contextlib
import contextvars
import importlib
import os
from collections.abc import Iterator
from importlib import metadata

from ._base import Backend
from ._torch_flags import CudaFlags, CudnnFlags, MpsFlags

__all__ = [
    "Backend",
    "available_backends",
    "get_backend",
    "has_gpu",
    "load_backend",
    "set_backend",
    "use_backend",
    "backend_choice_reason",
]

ENTRY_POINT_GROUP = "pluggrad.backends"
ENV_VAR = "PLUGGRAD_BACKEND"

_BUILTIN = {
    "numpy": "pluggrad.backends.numpy:backend",
    "jax": "pluggrad.backends.jax:backend",
    "array_api_strict": "pluggrad.backends.array_api_strict:backend",
    "dask": "pluggrad.backends.dask:backend",
}
_BUILTIN_EXTRAS = {"numpy": "", "jax": "jax", "array_api_strict": "strict", "dask": "dask"}


class _ProcessWideChoice:
    """The backend chosen for the whole process (None until first asked) and why it was."""

    __slots__ = ("backend", "reason")

    def __init__(self) -> None:
        self.backend: Backend | None = None
        self.reason = ""

    def set(self, backend: Backend, reason: str) -> Backend:
        """Record `backend` as the choice, for `reason`; return it."""
        self.backend, self.reason = backend, reason
        return backend


_loaded: dict[str, Backend] = {}
_process_wide = _ProcessWideChoice()
_scoped: contextvars.ContextVar[Backend | None] = contextvars.ContextVar(
    "pluggrad_backend", default=None
)


def _registry() -> dict[str, str]:
    """Map backend names to ``"module:attribute"`` targets, entry points winning."""
    targets = dict(_BUILTIN)
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        targets[ep.name] = ep.value
    return targets


def available_backends() -> list[str]:
    """Names of all registered backends (installed or not), sorted."""
    return sorted(_registry())


def load_backend(name: str) -> Backend:
    """Import and return the backend registered as `name`.

    Raises
    ------
    ValueError
        If no backend of that name is registered; the message lists the registered ones.
    ImportError
        If the backend's array library is not installed; the message names the pip extra.
    """
    if name in _loaded:
        return _loaded[name]
    targets = _registry()
    if name not in targets:
        raise ValueError(
            f"unknown pluggrad backend {name!r}; available backends: {', '.join(sorted(targets))}"
        )
    module_name, _, attribute = targets[name].partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        extra = _BUILTIN_EXTRAS.get(name)
        hint = (
            f"pip install 'pluggrad[{extra}]'"
            if extra
            else f"install the package providing {module_name}"
        )
        raise ImportError(
            f"pluggrad backend {name!r} cannot be loaded because its array library is not "
            f"installed ({exc}); {hint}"
        ) from exc
    backend = getattr(module, attribute or "backend")
    if not isinstance(backend, Backend):
        raise TypeError(f"entry point {targets[name]!r} is not a pluggrad Backend")
    _loaded[name] = backend
    return backend


def _resolve(backend: str | Backend) -> Backend:
    return backend if isinstance(backend, Backend) else load_backend(backend)


def get_backend() -> Backend:
    """Return the active backend (see the module docstring for how it is chosen)."""
    scoped = _scoped.get()
    if scoped is not None:
        return scoped
    if _process_wide.backend is not None:
        return _process_wide.backend
    name = os.environ.get(ENV_VAR)
    if name:
        return _process_wide.set(load_backend(name), f"environment variable {ENV_VAR}={name}")
    return _process_wide.set(load_backend("numpy"), "default")


def backend_choice_reason() -> str:
    """Say why the active backend is the active one (for ``python -m pluggrad info``)."""
    if _scoped.get() is not None:
        return "use_backend() block"
    get_backend()
    return _process_wide.reason


def set_backend(backend: str | Backend) -> Backend:
    """Make `backend` (a registered name or a :class:`Backend`) the process-wide default.

    New tensors are created on it; existing tensors keep the backend they were made on.
    """
    return _process_wide.set(_resolve(backend), "set_backend()")


@contextlib.contextmanager
def use_backend(backend: str | Backend) -> Iterator[Backend]:
    """Use `backend` for tensors created inside the ``with`` block (this thread/task only)."""
    resolved = _resolve(backend)
    token = _scoped.set(resolved)
    try:
        yield resolved
    finally:
        _scoped.reset(token)


def has_gpu() -> bool:
    """Whether the active backend has a GPU (a ``cuda`` device: JAX with a GPU build)."""
    return any(d.type == "cuda" for d in get_backend().devices())


# PyTorch's switches for its GPU libraries, ``torch.backends.cudnn.benchmark = True`` and the
# like (pluggrad.backends._torch_flags)
cudnn = CudnnFlags(has_gpu)
cuda = CudaFlags(has_gpu)
mps = MpsFlags()
