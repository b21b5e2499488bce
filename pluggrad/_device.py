""":class:`device`: where a tensor's elements live, named as PyTorch names devices.

A device is a type (``"cpu"``, ``"cuda"``, ...) and an optional index.  Which devices exist is
the backend's business: NumPy has the CPU only, JAX has whatever ``jax.devices()`` lists (a GPU
is ``cuda``, as in PyTorch, also on ROCm).  Each backend maps its own device objects to these
names and back (``Backend.torch_device`` / ``Backend.native_device``).
"""

from __future__ import annotations

import contextvars
from typing import Any

__all__ = ["device", "as_device", "DEVICE_TYPES"]

# PyTorch's device types (its error lists them in this order), and JAX's TPUs
DEVICE_TYPES = (
    "cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga",
    "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone", "tpu",
)  # fmt: skip

# the devices entered with ``with pluggrad.device(...)``, innermost last
_ENTERED: contextvars.ContextVar[tuple] = contextvars.ContextVar("pluggrad_device", default=())


class device:
    """A device: ``device("cpu")``, ``device("cuda:1")``, ``device("cuda", 1)``, ``device(1)``
    (``cuda:1``).

    Equal devices compare equal and hash alike; a device is not equal to its string
    (``device("cpu") == "cpu"`` is False, as in PyTorch).  Used as a context manager it makes
    itself the default device of the creation functions inside the block.
    """

    __slots__ = ("type", "index")
    type: str
    index: int | None

    def __init__(self, type: str | int | device, index: int | None = None):  # noqa: A002
        spec = type
        if isinstance(spec, device):
            self.type, self.index = spec.type, spec.index
            return
        if isinstance(spec, int) and not isinstance(spec, bool):
            index = spec
            spec = "cuda"
        if not isinstance(spec, str):
            raise TypeError(
                f"device() received an invalid combination of arguments - got ({spec!r})"
            )
        kind, _, number = spec.partition(":")
        if kind not in DEVICE_TYPES:
            raise RuntimeError(
                f"Expected one of {', '.join(DEVICE_TYPES[:-1])} device type at start of device "
                f"string: {spec}"
            )
        if number:
            if index is not None:
                raise RuntimeError(
                    f"type (string) must not include an index because index was passed "
                    f"explicitly: {spec}"
                )
            if not number.isdigit():
                raise RuntimeError(f"Invalid device string: '{spec}'")
            index = int(number)
        if index is not None and index < 0:
            raise RuntimeError(f"Device index must not be negative, got {index}")
        self.type, self.index = kind, index

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type, self.index))

    def __enter__(self) -> device:
        _ENTERED.set((*_ENTERED.get(), self))
        return self

    def __exit__(self, *exc: Any) -> None:
        _ENTERED.set(_ENTERED.get()[:-1])


def as_device(obj: Any) -> device | None:
    """`obj` (a device, ``"cuda:0"``, an index, or None) as a :class:`device` (None stays)."""
    if obj is None or isinstance(obj, device):
        return obj
    return device(obj)


def entered_device() -> device | None:
    """The device of the innermost ``with pluggrad.device(...)`` block, if any."""
    entered = _ENTERED.get()
    return entered[-1] if entered else None
