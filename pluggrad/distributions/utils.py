"""Helpers shared by the distributions, with ``torch.distributions.utils``'s names:
broadcasting parameters, probabilities and logits, lazily computed attributes."""

from __future__ import annotations

import functools
import numbers
from typing import Any

from .. import _dtypes, ops
from .._core import grad_mode
from .._core.tensor import Size, Tensor
from ..nn import functional as F

__all__ = [
    "broadcast_all", "clamp_probs", "lazy_property", "logits_to_probs", "probs_to_logits",
]  # fmt: skip


def broadcast_all(*values) -> tuple[Tensor, ...]:
    """`values` broadcast together; a number becomes a tensor of the first tensor's dtype and
    device (the default dtype when all are numbers).

    Raises
    ------
    ValueError
        If a value is neither a number nor a tensor.
    """
    if not all(isinstance(v, (Tensor, numbers.Number)) for v in values):
        raise ValueError(
            "Input arguments must all be instances of Number, "
            "torch.Tensor or objects implementing __torch_function__."
        )
    first = next((v for v in values if isinstance(v, Tensor)), None)
    if first is None:
        options: dict[str, Any] = {"dtype": _dtypes.get_default_dtype()}
    else:
        options = {"dtype": first.dtype, "device": first.device}
    tensors = [v if isinstance(v, Tensor) else ops.tensor(v, **options) for v in values]
    return tuple(ops.broadcast_tensors(*tensors))


def noise(kind: str, shape, dtype, device) -> Tensor:
    """The parameter-free draws an ``rsample`` transforms, from the default generator, as
    PyTorch's distributions draw them: ``"normal"`` (standard normal: PyTorch's ``normal_`` of
    an empty tensor draws the stream of ``randn``), ``"uniform"`` on [0, 1), ``"laplace"``
    uniform on (eps - 1, 1) (so that ``log1p(-|u|)`` stays finite), ``"exponential"`` of rate 1.
    One function, called through this module, so that tests can fix the noise."""
    shape = tuple(shape)
    if kind == "normal":
        return ops.randn(shape, dtype=dtype, device=device)
    if kind == "uniform":
        return ops.rand(shape, dtype=dtype, device=device)
    empty = ops.empty(shape, dtype=dtype, device=device)
    if kind == "laplace":
        return empty.uniform_(ops.finfo(dtype).eps - 1, 1)
    if kind == "exponential":
        return empty.exponential_()
    raise ValueError(f"unknown noise {kind!r}")


def sum_rightmost(value: Tensor, dim: int) -> Tensor:
    """`value` summed over its `dim` rightmost dimensions."""
    if dim == 0:
        return value
    return value.reshape(tuple(value.shape[: value.dim() - dim]) + (-1,)).sum(-1)


def logits_to_probs(logits: Tensor, is_binary: bool = False) -> Tensor:
    """Probabilities of `logits`: the sigmoid of log-odds (`is_binary`), else the softmax
    over the last dimension."""
    if is_binary:
        return ops.sigmoid(logits)
    return F.softmax(logits, dim=-1)


def clamp_probs(probs: Tensor) -> Tensor:
    """`probs` clamped into ``[eps, 1 - eps]``, ``eps`` the machine epsilon of their dtype."""
    eps = ops.finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs: Tensor, is_binary: bool = False) -> Tensor:
    """Logits of `probs`: log-odds (`is_binary`), else the log of each probability."""
    clamped = clamp_probs(probs)
    if is_binary:
        return ops.log(clamped) - ops.log1p(-clamped)
    return ops.log(clamped)


class lazy_property:
    """A method computed on first access (with grad mode on) and then stored on the instance,
    so that a distribution made from `probs` computes its `logits` only when asked."""

    def __init__(self, wrapped) -> None:
        self.wrapped = wrapped
        functools.update_wrapper(self, wrapped)  # type: ignore[arg-type]

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        with grad_mode.enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value


def extended_shape(batch_shape, event_shape, sample_shape=()) -> Size:
    """``sample_shape + batch_shape + event_shape`` as a Size."""
    return Size(tuple(sample_shape) + tuple(batch_shape) + tuple(event_shape))
