"""Moving tensors between devices: ``x.to(device)``, ``x.cpu()``, ``x.cuda()`` and the array
API's ``x.to_device(device)``, differentiable (``ToCopyBackward0``: the gradient goes back to
the source device), and ``x.to(...)``'s other forms (a dtype, another tensor)."""

from __future__ import annotations

from .. import _dtypes
from .._core.primitive import apply
from .._core.tensor import Tensor
from .._device import as_device, device
from ._convert import astype, clone
from ._define import primitive

__all__: list[str] = []

_CPU = device("cpu")

# native: the library's device to move to; x_device: the one x was on (for the gradient)
_MOVE = primitive(
    "move", ("x",), forward=lambda backend, x, native, x_device: backend.move(x, native)
)


def _native(x: Tensor, where):
    """The library's device for `where`: a :class:`~pluggrad.device`, its name or index, or
    already one of the library's own devices (the array API's ``x.to_device(x.device)``)."""
    if where is None or isinstance(where, (device, str, int)):
        wanted = as_device(where)
        return None if wanted is None else x._backend.native_device(wanted)
    return where


def move(x: Tensor, native) -> Tensor:
    """`x` on the library's device `native` (differentiable: ``ToCopyBackward0``)."""
    current = x._backend.device_of(x._data)
    if native is None or native == current:
        return x
    if isinstance(current, (set, frozenset)):  # laid out over several devices (a JAX
        current = x._data.sharding  # sharding): the gradient goes back to that layout
    return apply(_MOVE, (x,), {"native": native, "x_device": current})


def to_device(x: Tensor, device, /, *, stream=None) -> Tensor:
    """`x` on `device` (a :class:`~pluggrad.device`, its name, or a device of the backend's
    library), itself if it is there already; differentiable."""
    native = _native(x, device)
    if native is None:  # the backend's default placement: the CPU for NumPy
        native = x._backend.native_device(_CPU) if x.device.type != "cpu" else None
    return move(x, native)


def _to(self, *args, dtype=None, device=None, non_blocking: bool = False, copy: bool = False,
        memory_format=None) -> Tensor:  # fmt: skip
    """``x.to(dtype)``, ``x.to(device)``, ``x.to(device, dtype)``, ``x.to(other)`` (other's
    device and dtype): the tensor itself when nothing changes (a copy with ``copy=True``).
    On the ``jax`` backend a ``jax.sharding.Sharding`` may stand for the device: ``x.to(
    NamedSharding(mesh, P("data")))`` lays `x` out over the mesh (``pluggrad.distributed``)."""
    for a in args:
        if isinstance(a, Tensor):
            device, dtype = a.device, a.dtype
        elif isinstance(a, _dtypes.DType) or isinstance(a, str) and a in _dtypes.BY_NAME:
            dtype = a
        else:
            device = a
    out = self if device is None else to_device(self, device)
    if dtype is not None:
        out = astype(out, dtype, copy=False)
    return clone(out) if copy and out is self else out


def _cpu(self, memory_format=None) -> Tensor:
    """The tensor on the CPU (itself if it is there)."""
    return to_device(self, "cpu")


def _cuda(self, device=None, non_blocking: bool = False, memory_format=None) -> Tensor:
    """The tensor on a GPU (``cuda``, or ``cuda:<device>``); RuntimeError on a backend without
    one."""
    if device is None:
        device = "cuda"
    elif isinstance(device, int):
        device = f"cuda:{device}"
    return to_device(self, device)


def _get_device(self) -> int:
    """The index of the tensor's GPU, -1 on the CPU (PyTorch's ``get_device``)."""
    where = self.device
    return -1 if where.type == "cpu" else (where.index or 0)


def _sharding(self):
    """How the elements are laid out over devices: on the ``jax`` backend the array's
    ``jax.sharding.Sharding`` (a ``NamedSharding`` after :func:`pluggrad.distributed.shard`),
    None on backends without shardings (and inside a compiled function, where layouts are
    XLA's to choose)."""
    data = self._data
    return getattr(data, "sharding", None) if self._backend.has_values(data) else None


TENSOR_METHODS: dict = {
    "to": _to,
    "to_device": to_device,
    "cpu": _cpu,
    "cuda": _cuda,
    "get_device": _get_device,
    "sharding": property(_sharding),
    "is_cuda": property(lambda self: self.device.type == "cuda", doc="Whether on a GPU."),
    "is_cpu": property(lambda self: self.device.type == "cpu", doc="Whether on the CPU."),
}
