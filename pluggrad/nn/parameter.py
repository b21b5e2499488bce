"""``Parameter`` and ``Buffer``: the tensors a :class:`~pluggrad.nn.Module` registers when they
are assigned to its attributes.

Both are subclasses of :class:`~pluggrad.Tensor` that share the elements (and the version
counter) of the tensor they are made from, as in PyTorch; operations on them return plain
tensors.
"""

from __future__ import annotations

from typing import Any

from .._core.tensor import REQUIRES_GRAD_FACTORY_DTYPE_ERROR, Tensor, _init, _new
from .._core.views import make_alias
from ..ops.creation import empty

__all__ = ["Parameter", "Buffer"]


def _sharing(cls: type, data: Tensor | None) -> Any:
    """A new leaf of type `cls` sharing `data`'s elements and version counter."""
    if data is None:
        data = empty(0)
    elif not isinstance(data, Tensor):
        raise TypeError(
            f"{cls.__name__}(): argument 'data' must be a Tensor, not {type(data).__name__}"
        )
    t: Any = _new(cls)
    _init(t, data._data, data._backend)
    make_alias(t, data, autograd=False)
    return t


class Parameter(Tensor):
    """A tensor that is a module's parameter: assigned to a :class:`~pluggrad.nn.Module`'s
    attribute, it appears in ``parameters()`` and the module's ``state_dict``.

    Parameters
    ----------
    data : Tensor, optional
        The elements (shared, not copied).  An empty tensor when omitted.
    requires_grad : bool
        Whether the parameter requires grad (default True).  A parameter is always a leaf,
        even when `data` has a ``grad_fn``.

    Examples
    --------
    >>> import pluggrad as torch
    >>> w = torch.nn.Parameter(torch.zeros(2))
    >>> w
    Parameter containing:
    tensor([0., 0.], requires_grad=True)
    """

    __slots__ = ()

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True) -> Parameter:
        t = _sharing(cls, data)
        if requires_grad:
            t._set_requires_grad(True, REQUIRES_GRAD_FACTORY_DTYPE_ERROR)
        return t  # type: ignore[no-any-return]

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        pass  # made by __new__ (Tensor's own __init__ is the legacy constructor)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class Buffer(Tensor):
    """A tensor to be registered as a module's buffer when assigned to its attribute
    (``self.running_mean = nn.Buffer(torch.zeros(3))``), like ``register_buffer``.

    Parameters
    ----------
    data : Tensor, optional
        The elements (shared, not copied).  An empty tensor when omitted.
    persistent : bool
        Whether the buffer is part of the module's ``state_dict`` (default True).
    """

    __slots__ = ("persistent",)

    def __new__(cls, data: Tensor | None = None, *, persistent: bool = True) -> Buffer:
        t = _sharing(cls, data)
        t.persistent = persistent
        return t  # type: ignore[no-any-return]

    def __init__(self, data: Tensor | None = None, *, persistent: bool = True) -> None:
        pass  # made by __new__ (Tensor's own __init__ is the legacy constructor)
