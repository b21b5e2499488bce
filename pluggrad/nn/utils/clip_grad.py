"""Gradient clipping: ``clip_grad_norm_`` and ``clip_grad_value_``, as PyTorch computes them.

The total norm stays a tensor and the scale is applied with tensor operations (no value is read
into Python unless ``error_if_nonfinite=True``), so a clipped step compiles whole.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable

from ... import ops as _ops
from ..._core.grad_mode import no_grad
from ..._core.tensor import Tensor
from ...ops import linalg as _linalg
from ...ops.creation import tensor

__all__ = [
    "clip_grad_norm", "clip_grad_norm_", "clip_grads_with_norm_", "clip_grad_value_",
    "get_total_norm",
]  # fmt: skip


def _as_list(tensors: Tensor | Iterable[Tensor]) -> list[Tensor]:
    return [tensors] if isinstance(tensors, Tensor) else list(tensors)


def get_total_norm(
    tensors: Tensor | Iterable[Tensor],
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """The `norm_type`-norm of all `tensors` together, as if concatenated into one vector (a
    0-d tensor; ``tensor(0.)`` for none)."""
    tensors = _as_list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return tensor(0.0)
    with no_grad():
        norms = [_linalg.vector_norm(t, ord=norm_type) for t in tensors]
        dtype = norms[0].dtype
        total = _linalg.vector_norm(_ops.stack([n.to(dtype) for n in norms]), ord=norm_type)
    if error_if_nonfinite and bool(_ops.logical_or(_ops.isnan(total), _ops.isinf(total))):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the "
            "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    return total


def clip_grad_norm_(
    parameters: Tensor | Iterable[Tensor],
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """Scale the gradients of `parameters` in place so that their total norm is at most
    `max_norm`.

    Parameters
    ----------
    parameters : Tensor or iterable of Tensor
        Tensors whose ``.grad`` is clipped (those without one are skipped).
    max_norm : float
        The largest total norm allowed.
    norm_type : float
        The order of the norm (``inf`` for the largest absolute value).
    error_if_nonfinite : bool
        Raise if the total norm is NaN or infinite (reads its value).
    foreach : bool, optional
        Accepted for PyTorch's signature; pluggrad has one implementation.

    Returns
    -------
    Tensor
        The total norm of the gradients before clipping.
    """
    parameters = _as_list(parameters)
    grads = [p.grad for p in parameters if p.grad is not None]
    total = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total, foreach)
    return total


def clip_grads_with_norm_(
    parameters: Tensor | Iterable[Tensor],
    max_norm: float,
    total_norm: Tensor,
    foreach: bool | None = None,
) -> None:
    """Scale the gradients of `parameters` in place by ``min(max_norm / (total_norm + 1e-6),
    1)``: :func:`clip_grad_norm_` with the total norm computed beforehand (by
    :func:`get_total_norm`, e.g. over several groups of parameters).

    Parameters
    ----------
    parameters : Tensor or iterable of Tensor
        Tensors whose ``.grad`` is scaled (those without one are skipped).
    max_norm : float
        The largest total norm allowed.
    total_norm : Tensor
        The gradients' total norm.
    foreach : bool, optional
        Accepted for PyTorch's signature; pluggrad has one implementation.
    """
    grads = [p.grad for p in _as_list(parameters) if p.grad is not None]
    if not grads:
        return
    with no_grad():
        # the scale stays a tensor (no read into Python), so a clipped step compiles whole
        scale = _ops.clamp(float(max_norm) / (total_norm + 1e-6), max=1.0)
        for g in grads:
            g.mul_(scale.to(g.dtype))


def clip_grad_norm(
    parameters: Tensor | Iterable[Tensor],
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """:func:`clip_grad_norm_` under its old name, deprecated in PyTorch (which warns with a
    ``FutureWarning``, as pluggrad does)."""
    warnings.warn(
        "`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
        "`torch.nn.utils.clip_grad_norm_`.",
        FutureWarning,
        stacklevel=2,
    )
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(
    parameters: Tensor | Iterable[Tensor], clip_value: float, foreach: bool | None = None
) -> None:
    """Clamp the gradients of `parameters` in place to ``[-clip_value, clip_value]``."""
    clip_value = float(clip_value)
    with no_grad():
        for p in _as_list(parameters):
            if p.grad is not None:
                p.grad.clamp_(min=-clip_value, max=clip_value)
