"""``Adadelta``, as PyTorch's single-tensor path computes it."""

from __future__ import annotations

from ._helpers import (
    LazyStateOptimizer,
    addcmul_,
    check_implemented,
    check_lr,
    check_non_negative,
)

__all__ = ["Adadelta"]


class Adadelta(LazyStateOptimizer):
    """Adadelta: steps scaled by the ratio of running root mean squares of the updates and of
    the gradients.

    For each parameter with a gradient ``g`` (``-g`` when `maximize`)::

        g = g + weight_decay * p
        v = rho v + (1 - rho) g^2
        d = sqrt(u + eps) / sqrt(v + eps) * g
        u = rho u + (1 - rho) d^2
        p = p - lr d

    Parameters
    ----------
    params : iterable
        Tensors, or dicts defining parameter groups.
    lr : float, default 1.0
    rho : float, default 0.9
        In ``[0, 1]``.
    eps : float, default 1e-6
    weight_decay : float, default 0
    foreach, capturable, maximize : bool
        As in PyTorch (`foreach` and `capturable` give the same values here).
    differentiable : bool
        Not implemented: ``True`` raises ``NotImplementedError``.

    Notes
    -----
    ``state[p]`` holds ``step``, ``square_avg`` and ``acc_delta``.  The step reads no tensor
    value into Python.  Complex parameters are not supported yet.
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
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        capturable: bool = False,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_lr(lr)
        check_non_negative(lr=lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        check_non_negative(eps=eps, weight_decay=weight_decay)
        check_implemented("Adadelta", differentiable=differentiable)
        defaults = {
            "lr": lr,
            "rho": rho,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
            "capturable": capturable,
            "foreach": foreach,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    _zeros = ("square_avg", "acc_delta")

    def _update(self, p, group) -> None:
        state = self._state(p, group)
        rho, eps = group["rho"], group["eps"]
        state["step"].add_(1)
        grad = -p.grad if group["maximize"] else p.grad
        if group["weight_decay"] != 0:
            grad = grad + p * group["weight_decay"]
        square_avg, acc_delta = state["square_avg"], state["acc_delta"]
        addcmul_(square_avg.mul_(rho), grad, grad, 1 - rho)
        std = (square_avg + eps).sqrt_()
        delta = (acc_delta + eps).sqrt_().div_(std).mul_(grad)
        addcmul_(acc_delta.mul_(rho), delta, delta, 1 - rho)
        p.add_(delta.mul_(-group["lr"]))
