"""``Adamax``: Adam with the infinity norm, as PyTorch's single-tensor path computes it."""

from __future__ import annotations

from .. import ops as _ops
from ._helpers import (
    LazyStateOptimizer,
    addcdiv_,
    check_betas,
    check_implemented,
    check_lr,
    check_non_negative,
    lerp_,
    like,
    step_count,
)

__all__ = ["Adamax"]


class Adamax(LazyStateOptimizer):
    """Adamax: Adam's second moment replaced by an exponentially weighted infinity norm.

    For each parameter with a gradient ``g`` (``-g`` when `maximize`), at step ``t``::

        g = g + weight_decay * p
        m = lerp(m, g, 1 - beta1)
        u = max(beta2 u, |g| + eps)
        p = p - lr / (1 - beta1^t) * m / u

    Parameters
    ----------
    params : iterable
        Tensors, or dicts defining parameter groups.
    lr : float, default 2e-3
    betas : (float, float), default (0.9, 0.999)
    eps : float, default 1e-8
    weight_decay : float, default 0
    foreach, maximize, capturable : bool
        As in PyTorch (`foreach` and `capturable` give the same values here).
    differentiable : bool
        Not implemented: ``True`` raises ``NotImplementedError``.

    Notes
    -----
    ``state[p]`` holds ``step``, ``exp_avg`` and ``exp_inf``.  The step reads no tensor value
    into Python.  Complex parameters are not supported yet.
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
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        check_lr(lr)
        check_non_negative(lr=lr, eps=eps)
        check_betas(betas)
        check_non_negative(weight_decay=weight_decay)
        check_implemented("Adamax", differentiable=differentiable)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    _zeros = ("exp_avg", "exp_inf")

    def _update(self, p, group) -> None:
        state = self._state(p, group)
        beta1, beta2 = group["betas"]
        grad = -p.grad if group["maximize"] else p.grad
        exp_avg, exp_inf = state["exp_avg"], state["exp_inf"]
        state["step"].add_(1)
        if group["weight_decay"] != 0:
            grad = grad + p * group["weight_decay"]
        lerp_(exp_avg, grad, 1 - beta1)
        exp_inf.copy_(_ops.maximum(exp_inf.mul_(beta2), _ops.abs(grad).add_(group["eps"])))
        clr = group["lr"] / (1 - beta1 ** step_count(state["step"]))
        addcdiv_(p, exp_avg, exp_inf, like(-clr, p))
