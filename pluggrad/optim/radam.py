"""``RAdam``: Adam with a rectified adaptive learning rate, as PyTorch's single-tensor path
computes it."""

from __future__ import annotations

from .. import ops as _ops
from ._helpers import (
    LazyStateOptimizer,
    addcmul_,
    check_betas,
    check_implemented,
    check_lr,
    check_non_negative,
    lerp_,
    like,
    step_count,
)

__all__ = ["RAdam"]


class RAdam(LazyStateOptimizer):
    """RAdam: Adam whose adaptive learning rate is switched on, rectified, once the variance
    of its estimate is tractable.

    For each parameter with a gradient ``g`` (``-g`` when `maximize`), at step ``t``::

        g = g + weight_decay * p          (or p = p (1 - lr weight_decay) when decoupled)
        m = lerp(m, g, 1 - beta1);  v = beta2 v + (1 - beta2) g^2
        rho_inf = 2 / (1 - beta2) - 1;  rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t)
        r = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
        p = p - lr m / (1 - beta1^t) * sqrt(1 - beta2^t) / (sqrt(v) + eps) * r   (rho_t > 5)
        p = p - lr m / (1 - beta1^t)                                              (otherwise)

    Parameters
    ----------
    params : iterable
        Tensors, or dicts defining parameter groups.
    lr : float, default 1e-3
    betas : (float, float), default (0.9, 0.999)
    eps : float, default 1e-8
    weight_decay : float, default 0
    decoupled_weight_decay : bool, default False
        AdamW-style weight decay.
    foreach, maximize, capturable : bool
        As in PyTorch (`foreach` and `capturable` give the same values here).
    differentiable : bool
        Not implemented: ``True`` raises ``NotImplementedError``.

    Notes
    -----
    ``state[p]`` holds ``step``, ``exp_avg`` and ``exp_avg_sq``.  The switch ``rho_t > 5`` is
    made with ``where`` on tensors (both updates are computed, in PyTorch's order of
    operations), so the step reads no tensor value into Python.  Complex parameters are not
    supported yet.
    """

    _setstate_defaults = {
        "foreach": None,
        "maximize": False,
        "differentiable": False,
        "decoupled_weight_decay": False,
        "capturable": False,
    }

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_lr(lr)
        check_non_negative(lr=lr, eps=eps)
        check_betas(betas)
        check_non_negative(weight_decay=weight_decay)
        check_implemented("RAdam", differentiable=differentiable)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "decoupled_weight_decay": decoupled_weight_decay,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    _zeros = ("exp_avg", "exp_avg_sq")

    def _update(self, p, group) -> None:
        state = self._state(p, group)
        lr, weight_decay = group["lr"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        grad = -p.grad if group["maximize"] else p.grad
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        state["step"].add_(1)
        if weight_decay != 0:
            if group["decoupled_weight_decay"]:
                p.mul_(1 - lr * weight_decay)
            else:
                grad = grad + p * weight_decay
        lerp_(exp_avg, grad, 1 - beta1)
        addcmul_(exp_avg_sq.mul_(beta2), grad, grad, 1 - beta2)
        t = step_count(state["step"])
        bias_correction1 = 1 - beta1**t
        bias_correction2 = 1 - beta2**t
        update = (exp_avg / like(bias_correction1, p)).mul_(lr)
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * t * (beta2**t) / bias_correction2
        rectified = rho_t > 5.0
        # the rectification (nan where it is not used: its square root is taken of 1 there)
        ratio = (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
        rect = _ops.where(rectified, ratio, _ops.ones_like(ratio)) ** 0.5
        # PyTorch's ``float / tensor`` is ``tensor.reciprocal() * float``
        adaptive_lr = exp_avg_sq.sqrt().add_(group["eps"]).reciprocal_()
        adaptive_lr.mul_(like(bias_correction2**0.5, p))
        rectified_update = (update * adaptive_lr).mul_(like(rect, p))
        p.sub_(_ops.where(rectified, rectified_update, update))
