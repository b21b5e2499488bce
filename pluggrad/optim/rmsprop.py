"""``RMSprop``, plain or centered, with momentum, as PyTorch's single-tensor path computes
it."""

from __future__ import annotations

from .. import ops as _ops
from ._helpers import (
    LazyStateOptimizer,
    addcdiv_,
    addcmul_,
    check_implemented,
    check_lr,
    check_non_negative,
    lerp_,
)

__all__ = ["RMSprop"]


class RMSprop(LazyStateOptimizer):
    """RMSprop: gradients divided by a running root mean square.

    For each parameter with a gradient ``g`` (``-g`` when `maximize`)::

        g = g + weight_decay * p
        v = alpha v + (1 - alpha) g^2
        avg = sqrt(v - ga^2) + eps, with ga = lerp(ga, g, 1 - alpha)   (centered)
        avg = sqrt(v) + eps                                            (otherwise)
        b = momentum b + g / avg;  p = p - lr b                       (momentum > 0)
        p = p - lr g / avg                                             (otherwise)

    Parameters
    ----------
    params : iterable
        Tensors, or dicts defining parameter groups.
    lr : float, default 1e-2
    alpha : float, default 0.99
    eps : float, default 1e-8
    weight_decay : float, default 0
    momentum : float, default 0
    centered : bool, default False
    capturable, foreach, maximize : bool
        As in PyTorch (`capturable` and `foreach` give the same values here).
    differentiable : bool
        Not implemented: ``True`` raises ``NotImplementedError``.

    Notes
    -----
    ``state[p]`` holds ``step``, ``square_avg``, and ``momentum_buffer`` (momentum > 0) and
    ``grad_avg`` (centered).  The step reads no tensor value into Python.  Complex parameters
    are not supported yet.
    """

    _setstate_defaults = {
        "momentum": 0,
        "centered": False,
        "foreach": None,
        "maximize": False,
        "differentiable": False,
        "capturable": False,
    }

    def __init__(
        self,
        params,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_lr(lr)
        check_non_negative(
            lr=lr, eps=eps, momentum=momentum, weight_decay=weight_decay, alpha=alpha
        )
        check_implemented("RMSprop", differentiable=differentiable)
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "alpha": alpha,
            "eps": eps,
            "centered": centered,
            "weight_decay": weight_decay,
            "capturable": capturable,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _new_state(self, p, group) -> dict:
        names = ["square_avg"]
        if group["momentum"] > 0:
            names.append("momentum_buffer")
        if group["centered"]:
            names.append("grad_avg")
        return {name: _ops.zeros_like(p) for name in names}

    def _update(self, p, group) -> None:
        state = self._state(p, group)
        alpha, lr = group["alpha"], group["lr"]
        grad = -p.grad if group["maximize"] else p.grad
        state["step"].add_(1)
        if group["weight_decay"] != 0:
            grad = grad + p * group["weight_decay"]
        square_avg = state["square_avg"]
        addcmul_(square_avg.mul_(alpha), grad, grad, 1 - alpha)
        if group["centered"]:
            grad_avg = lerp_(state["grad_avg"], grad, 1 - alpha)
            avg = (square_avg - grad_avg * grad_avg).sqrt_()
        else:
            avg = square_avg.sqrt()
        avg.add_(group["eps"])
        if group["momentum"] > 0:
            buf = state["momentum_buffer"]
            buf.mul_(group["momentum"]).add_(grad / avg)
            p.add_(buf * -lr)
        else:
            addcdiv_(p, grad, avg, -lr)
