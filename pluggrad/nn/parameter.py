"""``Parameter`` and ``Buffer``: the tensors a :class:`~pluggrad.nn.Module` registers when they
are assigned to its attributes; ``UninitializedParameter`` and ``UninitializedBuffer``: a lazy
module's parameters and buffers before their shape is known.

Both are subclasses of :class:`~pluggrad.Tensor` that share the elements (and the version
counter) of the tensor they are made from, as in PyTorch; operations on them return plain
tensors.
"""

from __future__ import annotations

from typing import Any

from .._core.tensor import REQUIRES_GRAD_FACTORY_DTYPE_ERROR, Size, Tensor, _init, _new
from .._core.views import make_alias
from ..ops.creation import empty

__all__ = ["Parameter", "Buffer", "UninitializedParameter", "UninitializedBuffer"]


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


_UNINITIALIZED_USE = (
    "Attempted to use an uninitialized parameter in <method '{}' of 'torch._C.TensorBase' "
    "objects>. This error happens when you are using a `LazyModule` or explicitly manipulating "
    "`torch.nn.parameter.UninitializedParameter` objects. When using LazyModules Call `forward` "
    "with a dummy batch to initialize the parameters before calling torch functions"
)


class UninitializedParameter(Parameter):
    """A parameter whose shape is not known yet (a lazy module's, until its first forward):
    it holds no elements, its shape and size raise PyTorch's errors, and :meth:`materialize`
    gives it a shape and turns it into a :class:`Parameter`, in place.

    Parameters
    ----------
    requires_grad : bool
        Whether the parameter will require grad (default True).
    device, dtype
        Where and in which dtype :meth:`materialize` makes the elements by default.
    """

    __slots__ = ()
    cls_to_become = Parameter

    def __new__(cls, requires_grad: bool = True, device: Any = None,
                dtype: Any = None) -> UninitializedParameter:  # fmt: skip
        # the empty placeholder keeps the device and dtype the elements will have
        return super().__new__(cls, empty(0, device=device, dtype=dtype), requires_grad)  # type: ignore[return-value]

    def __init__(self, requires_grad: bool = True, device: Any = None, dtype: Any = None) -> None:
        pass

    def __repr__(self) -> str:
        return "<UninitializedParameter>"

    @property
    def shape(self) -> Size:
        raise RuntimeError(
            "Can't access the shape of an uninitialized parameter or buffer. This error usually "
            "happens in `load_state_dict` when trying to load an uninitialized parameter into an "
            "initialized one. Call `forward` to initialize the parameters before accessing their "
            "attributes."
        )

    def numel(self) -> int:
        raise ValueError(_UNINITIALIZED_USE.format("numel"))

    def dim(self) -> int:
        raise ValueError(_UNINITIALIZED_USE.format("dim"))

    def materialize(self, shape, device: Any = None, dtype: Any = None) -> None:
        """Give the parameter elements of `shape` (uninitialised, as ``torch.empty``), on
        `device` in `dtype` (by default those it was made with); it becomes a
        :class:`Parameter`."""
        data = empty(
            tuple(shape) if isinstance(shape, (tuple, list)) else (shape,),
            device=self.device if device is None else device,
            dtype=self.dtype if dtype is None else dtype,
        )
        _init(self, data._data, data._backend, self._requires_grad)
        self.__class__ = self.cls_to_become  # type: ignore[assignment]


class UninitializedBuffer(Tensor):
    """A buffer whose shape is not known yet (a lazy module's, until its first forward): it
    holds no elements, its shape and size raise PyTorch's errors, and :meth:`materialize`
    gives it a shape and makes it a plain tensor, in place.

    Parameters
    ----------
    requires_grad : bool
        Whether the buffer will require grad (default False).
    device, dtype
        Where and in which dtype :meth:`materialize` makes the elements by default.
    persistent : bool
        Whether the buffer will be part of the module's ``state_dict``.
    """

    __slots__ = ()
    cls_to_become = Tensor

    def __new__(cls, requires_grad: bool = False, device: Any = None, dtype: Any = None,
                persistent: bool = True) -> UninitializedBuffer:  # fmt: skip
        placeholder = empty(0, device=device, dtype=dtype)  # keeps the device and the dtype
        t: Any = _new(cls)
        _init(t, placeholder._data, placeholder._backend, requires_grad)
        return t  # type: ignore[no-any-return]

    def __init__(self, requires_grad: bool = False, device: Any = None, dtype: Any = None,
                 persistent: bool = True) -> None:  # fmt: skip
        pass  # made by __new__ (Tensor's own __init__ is the legacy constructor)

    def __repr__(self) -> str:
        return "<UninitializedBuffer>"

    # the same errors and materialisation as an uninitialised parameter's
    shape = UninitializedParameter.shape
    numel = UninitializedParameter.numel
    dim = UninitializedParameter.dim
    materialize = UninitializedParameter.materialize
