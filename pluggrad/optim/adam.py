"""``Adam`` (and, with ``decoupled_weight_decay=True``, AdamW), as PyTorch's single-tensor path
computes it."""

from __future__ import annotations

from .. import ops as _ops
from ._fused import adam_update
from ._helpers import (
    LazyStateOptimizer,
    addcdiv_,
    addcmul_,
    check_implemented,
    check_lr,
    check_non_negative,
    lerp_,
    like,
    step_number,
)

__all__ = ["Adam"]


class Adam(LazyStateOptimizer):
    """Adam: adaptive moment estimation.

    For each parameter with a gradient ``g`` (``-g`` when `maximize`), at step ``t``::

        g = g + weight_decay * p          (or p = p (1 - lr weight_decay) when decoupled)
        m = lerp(m, g, 1 - beta1)
        v = beta2 v + (1 - beta2) g^2     (amsgrad: v_max = max(v_max, v), used below)
        p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)

    Parameters
    ----------
    params : iterable
        Tensors, or dicts defining parameter groups.
    lr : float, default 1e-3
    betas : (float, float), default (0.9, 0.999)
    eps : float, default 1e-8
    weight_decay : float, default 0
    amsgrad : bool, default False
    foreach, maximize, capturable : bool
        As in PyTorch (`foreach` and `capturable` give the same values here: the step never
        leaves the tensors).
    fused : bool, optional
        Accepted as PyTorch takes it (not with `foreach` or `differentiable`): the same values
        as the default path.
    differentiable : bool, default False
        Not implemented: ``True`` raises ``NotImplementedError``.
    decoupled_weight_decay : bool, default False
        AdamW's weight decay.

    Notes
    -----
    ``state[p]`` holds ``step`` (a 0-d float32 tensor), ``exp_avg``, ``exp_avg_sq`` and, with
    `amsgrad`, ``max_exp_avg_sq``.  The bias corrections are computed from ``step`` with tensor
    operations (in float64), so the step reads no tensor value into Python and can be traced by
    ``pluggrad.compile``.  Complex parameters are not supported yet.
    """

    _setstate_defaults = {
        "amsgrad": False,
        "maximize": False,
        "foreach": None,
        "capturable": False,
        "differentiable": False,
        "decoupled_weight_decay": False,
        "fused": None,
    }

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
    ) -> None:
        check_lr(lr)
        check_non_negative(lr=lr, eps=eps)
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        check_non_negative(weight_decay=weight_decay)
        check_implemented(
            type(self).__name__, differentiable=differentiable, fused=fused, foreach=foreach
        )
        defaults = {
            "lr": lr,
            "betas": tuple(betas),
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
            "fused": fused,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)

    def _new_state(self, p, group) -> dict:
        names = ("exp_avg", "exp_avg_sq", "max_exp_avg_sq")[: 3 if group["amsgrad"] else 2]
        return {name: _ops.zeros_like(p) for name in names}

    def _update(self, p, group) -> None:
        state = self._state(p, group)
        lr, eps, weight_decay = group["lr"], group["eps"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        grad = -p.grad if group["maximize"] else p.grad
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        state["step"].add_(1)
        if weight_decay != 0:
            if group["decoupled_weight_decay"]:
                p.mul_(1 - lr * weight_decay)
            else:
                grad = grad + p * weight_decay
        t = step_number(state["step"])
        step_size = lr / (1 - beta1**t)
        bias_correction2_sqrt = (1 - beta2**t) ** 0.5
        amsgrad = state["max_exp_avg_sq"] if group["amsgrad"] else None
        if type(step_size) is float and adam_update(
            p, grad, exp_avg, exp_avg_sq, amsgrad, beta1=beta1, beta2=beta2,
            step_size=step_size, bias_correction2_sqrt=bias_correction2_sqrt, eps=eps,
        ):  # fmt: skip
            return  # the same operations as below, as kernels writing into the arrays
        lerp_(exp_avg, grad, 1 - beta1)
        addcmul_(exp_avg_sq.mul_(beta2), grad, grad, 1 - beta2)
        if amsgrad is not None:
            amsgrad.copy_(_ops.maximum(amsgrad, exp_avg_sq))
            second = amsgrad
        else:
            second = exp_avg_sq
        denom = second.sqrt().div_(like(bias_correction2_sqrt, p)).add_(eps)
        addcdiv_(p, exp_avg, denom, like(-step_size, p))
