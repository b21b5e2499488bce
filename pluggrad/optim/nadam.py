"""``NAdam``: Adam with Nesterov momentum, as PyTorch's single-tensor path computes it."""

from __future__ import annotations

from .. import ops as _ops
from ._helpers import (
    LazyStateOptimizer,
    addcdiv_,
    addcmul_,
    check_betas,
    check_implemented,
    check_lr,
    check_non_negative,
    lerp_,
    like,
    step_count,
)
from .optimizer import scalar_dtype

__all__ = ["NAdam"]


class NAdam(LazyStateOptimizer):
    """NAdam: Adam with Nesterov momentum and a momentum schedule.

    For each parameter with a gradient ``g`` (``-g`` when `maximize`), at step ``t``::

        g = g + weight_decay * p          (or p = p (1 - lr weight_decay) when decoupled)
        mu_t = beta1 (1 - 0.5 * 0.96^(t momentum_decay));  P = P mu_t   (the mu_product)
        m = lerp(m, g, 1 - beta1);  v = beta2 v + (1 - beta2) g^2
        d = sqrt(v / (1 - beta2^t)) + eps
        p = p - lr (1 - mu_t) / (1 - P) g / d - lr mu_{t+1} / (1 - P mu_{t+1}) m / d

    Parameters
    ----------
    params : iterable
        Tensors, or dicts defining parameter groups.
    lr : float, default 2e-3
    betas : (float, float), default (0.9, 0.999)
    eps : float, default 1e-8
    weight_decay : float, default 0
    momentum_decay : float, default 4e-3
    decoupled_weight_decay : bool, default False
        AdamW-style weight decay (NAdamW).
    foreach, maximize, capturable : bool
        As in PyTorch (`foreach` and `capturable` give the same values here).
    differentiable : bool
        Not implemented: ``True`` raises ``NotImplementedError``.

    Notes
    -----
    ``state[p]`` holds ``step``, ``mu_product`` (0-d float32 tensors, the product kept in
    float32 as PyTorch keeps it), ``exp_avg`` and ``exp_avg_sq``.  The step reads no tensor
    value into Python.  Complex parameters are not supported yet.
    """

    _setstate_defaults = {
        "maximize": False,
        "foreach": None,
        "capturable": False,
        "differentiable": False,
        "decoupled_weight_decay": False,
    }

    def __init__(
        self,
        params,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
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
        check_non_negative(weight_decay=weight_decay, momentum_decay=momentum_decay)
        check_implemented("NAdam", differentiable=differentiable)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum_decay": momentum_decay,
            "decoupled_weight_decay": decoupled_weight_decay,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _new_state(self, p, group) -> dict:
        return {
            "mu_product": p.new_ones((), dtype=scalar_dtype()),
            "exp_avg": _ops.zeros_like(p),
            "exp_avg_sq": _ops.zeros_like(p),
        }

    def _update(self, p, group) -> None:
        state = self._state(p, group)
        lr, weight_decay = group["lr"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        momentum_decay = group["momentum_decay"]
        grad = -p.grad if group["maximize"] else p.grad
        exp_avg, exp_avg_sq, mu_product = state["exp_avg"], state["exp_avg_sq"], state["mu_product"]
        state["step"].add_(1)
        t = step_count(state["step"])
        bias_correction2 = 1 - beta2**t
        if weight_decay != 0:
            if group["decoupled_weight_decay"]:
                p.mul_(1 - lr * weight_decay)
            else:
                grad = grad + p * weight_decay
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (t * momentum_decay)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((t + 1) * momentum_decay)))
        mu_product.mul_(_ops.astype(mu, mu_product.dtype, copy=False))  # in its float32
        lerp_(exp_avg, grad, 1 - beta1)
        addcmul_(exp_avg_sq.mul_(beta2), grad, grad, 1 - beta2)
        denom = (exp_avg_sq / like(bias_correction2, p)).sqrt_().add_(group["eps"])
        product = step_count(mu_product)
        addcdiv_(p, grad, denom, like(-lr * (1.0 - mu) / (1.0 - product), p))
        addcdiv_(p, exp_avg, denom, like((-lr * mu_next) / (1.0 - product * mu_next), p))
