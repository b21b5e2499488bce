"""``Adagrad``, with learning-rate decay, as PyTorch's single-tensor path computes it."""

from __future__ import annotations

from .. import ops as _ops
from ._helpers import (
    check_implemented,
    check_lr,
    check_non_negative,
    check_real,
    like,
    new_step,
    step_count,
)
from .optimizer import ParameterwiseOptimizer

__all__ = ["Adagrad"]


class Adagrad(ParameterwiseOptimizer):
    """Adagrad: gradients divided by the root of their accumulated squares.

    For each parameter with a gradient ``g`` (``-g`` when `maximize`), at step ``t``::

        g = g + weight_decay * p
        clr = lr / (1 + (t - 1) lr_decay)
        s = s + g^2
        p = p - clr g / (sqrt(s) + eps)

    Parameters
    ----------
    params : iterable
        Tensors, or dicts defining parameter groups.
    lr : float, default 1e-2
    lr_decay : float, default 0
    weight_decay : float, default 0
    initial_accumulator_value : float, default 0
        The starting value of ``s``.
    eps : float, default 1e-10
    foreach, maximize : bool
        As in PyTorch.
    fused : bool, optional
        Accepted as PyTorch takes it (not with `foreach` or `differentiable`): the same values
        as the default path.
    differentiable : bool, default False
        Not implemented: ``True`` raises ``NotImplementedError``.

    Notes
    -----
    Unlike the other optimizers, Adagrad makes its state (``step`` and ``sum``) for every
    parameter when it is constructed, as PyTorch does.  The step reads no tensor value into
    Python.  Complex parameters are not supported yet.
    """

    _setstate_defaults = {
        "foreach": None,
        "maximize": False,
        "differentiable": False,
        "fused": None,
    }

    def __init__(
        self,
        params,
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        check_lr(lr)
        check_non_negative(
            lr=lr,
            lr_decay=lr_decay,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            eps=eps,
        )
        check_implemented("Adagrad", differentiable=differentiable, fused=fused, foreach=foreach)
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "fused": fused,
        }
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                check_real("Adagrad", p)
                state = self.state[p]
                state["step"] = new_step(p)
                state["sum"] = _ops.full_like(p, initial_accumulator_value)

    def _update(self, p, group) -> None:
        state = self.state[p]
        state["step"].add_(1)
        grad = -p.grad if group["maximize"] else p.grad
        if group["weight_decay"] != 0:
            grad = grad + p * group["weight_decay"]
        clr = group["lr"] / (1 + (step_count(state["step"]) - 1) * group["lr_decay"])
        state_sum = state["sum"]
        state_sum.addcmul_(grad, grad, value=1)
        std = state_sum.sqrt() + group["eps"]
        p.add_(like(-clr, p) * grad / std)  # PyTorch's addcdiv_ order: (value * grad) / std
