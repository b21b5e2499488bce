"""``ASGD``: averaged stochastic gradient descent, as PyTorch's single-tensor path computes
it."""

from __future__ import annotations

from .. import ops as _ops
from .._core.tensor import Tensor
from ._helpers import (
    LazyStateOptimizer,
    check_implemented,
    check_lr,
    check_non_negative,
    like,
    new_step,
    step_count,
)

__all__ = ["ASGD"]


class ASGD(LazyStateOptimizer):
    """ASGD: SGD with a decaying step size, keeping an average of the iterates.

    For each parameter with a gradient ``g`` (``-g`` when `maximize`), at step ``t``::

        g = g + weight_decay * p
        p = p (1 - lambd eta) - eta g
        ax = p  (mu == 1),   ax = ax + mu (p - ax)  (otherwise)
        eta = lr / (1 + lambd lr t)^alpha;  mu = 1 / max(1, t - t0)

    Parameters
    ----------
    params : iterable
        Tensors, or dicts defining parameter groups.
    lr : float, default 1e-2
    lambd : float, default 1e-4
        The decay term.
    alpha : float, default 0.75
        The power of the step size's decay.
    t0 : float, default 1e6
        The step at which averaging starts.
    weight_decay : float, default 0
    foreach, maximize, capturable : bool
        As in PyTorch (`foreach` and `capturable` give the same values here).
    differentiable : bool
        Not implemented: ``True`` raises ``NotImplementedError``.

    Notes
    -----
    ``state[p]`` holds ``step``, ``eta``, ``mu`` (0-d float32 tensors, as PyTorch keeps them)
    and ``ax``, the average.  PyTorch's test ``mu != 1`` is made with ``where`` on tensors, so
    the step reads no tensor value into Python.  Complex parameters are not supported yet.
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
        lambd: float = 1e-4,
        alpha: float = 0.75,
        t0: float = 1e6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        check_lr(lr)
        check_non_negative(lr=lr, weight_decay=weight_decay)
        check_implemented("ASGD", differentiable=differentiable)
        defaults = {
            "lr": lr,
            "lambd": lambd,
            "alpha": alpha,
            "t0": t0,
            "weight_decay": weight_decay,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    def _new_state(self, p, group) -> dict:
        lr = group["lr"]
        eta = new_step(p)
        return {
            "eta": eta.add_(_ops.astype(lr, eta.dtype) if isinstance(lr, Tensor) else lr),
            "mu": new_step(p).add_(1),
            "ax": _ops.zeros_like(p),
        }

    def _update(self, p, group) -> None:
        state = self._state(p, group)
        lr, lambd, alpha, t0 = group["lr"], group["lambd"], group["alpha"], group["t0"]
        grad = -p.grad if group["maximize"] else p.grad
        mu, ax, eta = state["mu"], state["ax"], state["eta"]
        state["step"].add_(1)
        if group["weight_decay"] != 0:
            grad = grad + p * group["weight_decay"]
        eta_value = step_count(eta)
        p.mul_(like(1 - lambd * eta_value, p))
        p.add_(grad * like(-eta_value, p))
        averaged = ax + (p - ax).mul_(like(step_count(mu), p))
        ax.copy_(_ops.where(mu == 1, p, averaged))
        t = step_count(state["step"])
        eta.copy_(_ops.astype(lr / ((1 + lambd * lr * t) ** alpha), eta.dtype))
        mu.copy_(_ops.astype(1 / _ops.maximum(t - t0, _ops.ones_like(t)), mu.dtype))
