"""Grad mode: whether operations record a graph.

The flag lives in a :class:`contextvars.ContextVar`, so each thread (and each asyncio task) has
its own, and a new thread starts with grad enabled, as in PyTorch.  ``no_grad``,
``enable_grad`` and ``set_grad_enabled`` work as calls, context managers and decorators, with
PyTorch's rules: ``@no_grad`` and ``@enable_grad`` may be used with or without parentheses;
``set_grad_enabled(mode)`` takes effect as soon as it is called.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
from collections.abc import Callable

__all__ = [
    "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
    "inference_mode", "is_inference_mode_enabled",
]  # fmt: skip

# Whether operations record the graph: grad mode on and inference mode off.
_grad_enabled: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "pluggrad_grad_enabled", default=True
)
# The engine and the ops read the flag through this bound method: one attribute lookup less.
grad_enabled = _grad_enabled.get
# Grad mode as the user set it (what is_grad_enabled() answers); differs from the flag above
# only inside inference mode, where enable_grad() turns grad mode on but nothing is recorded.
_grad_mode: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "pluggrad_grad_mode", default=True
)
_inference: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "pluggrad_inference_mode", default=False
)
# Tensors read this when they are made: made in inference mode, they are inference tensors.
inference_enabled = _inference.get


class InferenceModeUse:
    """Whether inference mode was ever entered: only then can a graph hold inference tensors.

    Set once, never cleared; the engine reads ``entered`` for every node it runs (one slot read)
    and checks saved tensors only when it is set.
    """

    __slots__ = ("entered",)

    def __init__(self) -> None:
        self.entered = False


inference_mode_use = InferenceModeUse()

# PyTorch's error when an inference tensor would be saved for backward (by a recorded operation
# or a custom Function's save_for_backward)
INFERENCE_SAVED_MESSAGE = (
    "Inference tensors cannot be saved for backward. To work around you can make a clone to "
    "get a normal tensor and use it in autograd."
)


def is_grad_enabled() -> bool:
    """Return True if grad mode is enabled (operations record the graph for autograd)."""
    return _grad_mode.get()


def is_inference_mode_enabled() -> bool:
    """Return True if inference mode is enabled (see :class:`inference_mode`)."""
    return _inference.get()


def _set_enabled(mode: bool) -> None:
    mode = bool(mode)
    _grad_mode.set(mode)
    _grad_enabled.set(mode and not _inference.get())


class _GradModeContext:
    """Base of the grad-mode context managers; also usable as a function decorator."""

    def __enter__(self) -> None:  # None, as PyTorch's (``with no_grad() as x``: x is None)
        self._prev = _grad_mode.get()
        _set_enabled(self._mode())

    def __exit__(self, exc_type, exc_value, traceback) -> None:
        _set_enabled(self._prev)

    def _mode(self) -> bool:  # overridden
        raise TypeError("abstract grad-mode context")

    def clone(self):
        """A fresh context manager with the same mode (each decorated call uses its own)."""
        return self.__class__()

    def __call__(self, func):
        if inspect.isclass(func):
            raise RuntimeError(
                f"{type(self).__name__} can only be used as a decorator on functions, not classes"
            )
        if inspect.isgeneratorfunction(func):
            return self._wrap_generator(func)

        @functools.wraps(func)
        def decorated(*args, **kwargs):
            with self.clone():
                return func(*args, **kwargs)

        return decorated

    def _wrap_generator(self, func):
        @functools.wraps(func)
        def generator(*args, **kwargs):
            gen = func(*args, **kwargs)
            try:
                with self.clone():
                    response = gen.send(None)
                while True:
                    try:
                        request = yield response
                    except GeneratorExit:
                        with self.clone():
                            gen.close()
                        raise
                    except BaseException as exc:  # forwarded into the generator
                        with self.clone():
                            response = gen.throw(exc)
                    else:
                        with self.clone():
                            response = gen.send(request)
            except StopIteration as stop:
                return stop.value

        return generator


class _NoParamDecorator(_GradModeContext):
    """Allows ``@no_grad`` as well as ``@no_grad()``."""

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class no_grad(_NoParamDecorator):
    """Context manager and decorator that disables graph recording.

    Results of operations made inside do not require grad, even if their inputs do.

    Examples
    --------
    >>> x = pluggrad.tensor([1.0], requires_grad=True)
    >>> with pluggrad.no_grad():
    ...     y = x * 2
    >>> y.requires_grad
    False
    """

    def _mode(self) -> bool:
        return False


class enable_grad(_NoParamDecorator):
    """Context manager and decorator that enables graph recording (e.g. inside ``no_grad``)."""

    def _mode(self) -> bool:
        return True


class set_grad_enabled(_GradModeContext):
    """Enable or disable graph recording.

    Takes effect when called, so it works as a plain call
    (``set_grad_enabled(False)`` ... ``set_grad_enabled(True)``), as a context manager that
    restores the previous mode on exit, and as a decorator.

    Parameters
    ----------
    mode : bool
        True to record graphs, False not to.
    """

    def __init__(self, mode: bool) -> None:
        self.prev = _grad_mode.get()
        self.mode = bool(mode)
        _set_enabled(self.mode)

    def __enter__(self) -> None:
        # The mode was already set by __init__, which remembered what to restore.
        return None

    def __exit__(self, exc_type, exc_value, traceback) -> None:
        _set_enabled(self.prev)

    def __call__(self, func):
        _set_enabled(self.prev)  # used as a decorator: the call itself must not change the mode
        return super().__call__(func)

    def _mode(self) -> bool:
        return self.mode

    def clone(self):
        return _SetGradEnabledScope(self.mode)

    def __repr__(self) -> str:
        return f"set_grad_enabled(mode={self.mode})"


class _SetGradEnabledScope(_GradModeContext):
    """What a function decorated with ``set_grad_enabled(mode)`` runs under."""

    def __init__(self, mode: bool) -> None:
        self.mode = mode

    def _mode(self) -> bool:
        return self.mode


class inference_mode(_GradModeContext):
    """Context manager and decorator for inference: no graph, no version counting.

    Inside, grad mode is off (``is_grad_enabled()`` is False), nothing is recorded even under
    ``enable_grad()``, and every tensor made is an *inference tensor*
    (``t.is_inference()``).  Outside inference mode an inference tensor may be read by any
    operation, but it cannot be modified in place, be made to require grad, or be saved for
    backward by an operation that records the graph (backward then raises PyTorch's "Inference
    tensors cannot be saved for backward" error).  ``inference_mode(False)`` (or
    ``mode=False``) turns inference mode off, and grad mode on, inside it.

    Parameters
    ----------
    mode : bool
        True (the default) to enable inference mode, False to disable it.

    Examples
    --------
    >>> x = pluggrad.tensor([1.0], requires_grad=True)
    >>> with pluggrad.inference_mode():
    ...     y = x * 2
    >>> y.requires_grad, y.is_inference()
    (False, True)
    """

    def __new__(cls, mode=True):
        if callable(mode) and not isinstance(mode, bool):  # @inference_mode, no parentheses
            return cls()(mode)
        return super().__new__(cls)

    def __init__(self, mode: bool | Callable = True) -> None:  # a function: see __new__
        self.mode = bool(mode)

    def __enter__(self) -> None:
        self._before = (_grad_mode.get(), _inference.get())
        if self.mode:
            inference_mode_use.entered = True
        _inference.set(self.mode)
        _set_enabled(not self.mode)

    def __exit__(self, exc_type, exc_value, traceback) -> None:
        grad, inference = self._before
        _inference.set(inference)
        _set_enabled(grad)

    def _mode(self) -> bool:
        return not self.mode

    def clone(self):
        return self.__class__(self.mode)
