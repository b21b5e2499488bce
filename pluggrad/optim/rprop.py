"""``Rprop``: resilient backpropagation, as PyTorch's single-tensor path computes it."""

from __future__ import annotations

from .. import ops as _ops
from .._core.tensor import Tensor
from ._helpers import (
    LazyStateOptimizer,
    check_implemented,
    check_lr,
    check_non_negative,
    like,
)

__all__ = ["Rprop"]


class Rprop(LazyStateOptimizer):
    """Rprop: per-element step sizes grown while the gradient keeps its sign and shrunk when
    it flips; only the gradient's sign is used.

    For each parameter with a gradient ``g`` (``-g`` when `maximize`)::

        s = sign(g * prev):  etaplus where > 0, etaminus where < 0, 1 where 0
        step_size = clamp(step_size * s, step_size_min, step_size_max)
        g = 0 where the sign flipped (s == etaminus)
        p = p - sign(g) * step_size;  prev = g

    Parameters
    ----------
    params : iterable
        Tensors, or dicts defining parameter groups.
    lr : float, default 1e-2
        The initial step size.
    etas : (float, float), default (0.5, 1.2)
        ``(etaminus, etaplus)``, with ``0 < etaminus < 1 < etaplus``.
    step_sizes : (float, float), default (1e-6, 50)
        The smallest and largest step sizes.
    capturable, foreach, maximize : bool
        As in PyTorch (`foreach` and `capturable` give the same values here).
    differentiable : bool
        Not implemented: ``True`` raises ``NotImplementedError``.

    Notes
    -----
    ``state[p]`` holds ``step``, ``prev`` and ``step_size``.  The step reads no tensor value
    into Python (the masks are applied with ``where``).  Complex parameters are not supported
    yet.
    """

    _setstate_defaults = {
        "foreach": None,
        "maximize": False,
        "differentiable": False,
        "capturable": False,
    }

    def __init__(
        self,
        params,
        lr: float = 1e-2,
        etas: tuple[float, float] = (0.5, 1.2),
        step_sizes: tuple[float, float] = (1e-6, 50),
        *,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_lr(lr)
        check_non_negative(lr=lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        check_implemented("Rprop", differentiable=differentiable)
        defaults = {
            "lr": lr,
            "etas": etas,
            "step_sizes": step_sizes,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    def _new_state(self, p, group) -> dict:
        lr = group["lr"]
        if isinstance(lr, Tensor):
            step_size = _ops.zeros_like(p).add_(like(lr, p))
        else:
            step_size = _ops.full_like(p, lr)
        return {"prev": _ops.zeros_like(p), "step_size": step_size}

    def _update(self, p, group) -> None:
        state = self._state(p, group)
        etaminus, etaplus = group["etas"]
        step_size_min, step_size_max = group["step_sizes"]
        grad = -p.grad if group["maximize"] else p.grad
        prev, step_size = state["prev"], state["step_size"]
        state["step"].add_(1)
        sign = (grad * prev).sign_()
        sign = _ops.where(sign > 0, etaplus, sign)
        sign = _ops.where(sign < 0, etaminus, sign)
        sign = _ops.where(sign == 0, 1.0, sign)
        step_size.mul_(sign).clamp_(step_size_min, step_size_max)
        grad = _ops.where(sign == etaminus, 0.0, grad)
        p.sub_(grad.sign() * step_size)  # addcmul_ with value -1
        prev.copy_(grad)
