"""Hook handles shared by tensors and graph nodes."""

from __future__ import annotations

import itertools

_handle_ids = itertools.count()


class RemovableHandle:
    """Returned by ``register_hook`` and friends; ``remove()`` unregisters the hook.

    Also a context manager: the hook is removed when the ``with`` block ends.
    """

    __slots__ = ("_hooks", "id")

    def __init__(self, hooks: dict):
        self._hooks = hooks
        self.id = next(_handle_ids)

    def remove(self) -> None:
        """Unregister the hook (a no-op if it was already removed)."""
        self._hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc_info) -> None:
        self.remove()


def add_hook(hooks: dict | None, fn) -> tuple[dict, RemovableHandle]:
    """Add `fn` to an ordered hook dict (created when None); return the dict and the handle."""
    if hooks is None:
        hooks = {}
    handle = RemovableHandle(hooks)
    hooks[handle.id] = fn
    return hooks, handle
