"""``SGD``: stochastic gradient descent, with momentum, dampening, Nesterov momentum, weight
decay and ``maximize``, as PyTorch's single-tensor path computes it."""

from __future__ import annotations

from .. import ops as _ops
from ._helpers import check_implemented, check_lr, check_non_negative
from .optimizer import ParameterwiseOptimizer

__all__ = ["SGD"]


class SGD(ParameterwiseOptimizer):
    """Stochastic gradient descent (optionally with momentum).

    For each parameter with a gradient ``g`` (``-g`` when `maximize`)::

        g = g + weight_decay * p
        b = g  (first step),  b = momentum * b + (1 - dampening) * g  (later steps)
        g = g + momentum * b  (nesterov),  g = b  (otherwise)
        p = p - lr * g

    Parameters
    ----------
    params : iterable
        Tensors, or dicts defining parameter groups.
    lr : float, default 1e-3
    momentum : float, default 0
    dampening : float, default 0
    weight_decay : float, default 0
    nesterov : bool, default False
        Needs ``momentum > 0`` and ``dampening == 0``.
    maximize : bool, default False
        Ascend the objective instead of descending it.
    foreach : bool, optional
        Accepted for PyTorch's signature; pluggrad always runs the per-tensor loop (the same
        values).
    fused : bool, optional
        Accepted as PyTorch takes it (not with `foreach` or `differentiable`): the same values
        as the default path.
    differentiable : bool, default False
        Not implemented: ``True`` raises ``NotImplementedError``.

    Notes
    -----
    The step keeps ``state[p]["momentum_buffer"]`` (when ``momentum != 0``).  It reads no tensor
    value into Python, so it can be traced by ``pluggrad.compile``.
    """

    _setstate_defaults = {
        "nesterov": False,
        "maximize": False,
        "foreach": None,
        "differentiable": False,
        "fused": False,
    }

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        check_lr(lr)
        check_non_negative(lr=lr, momentum=momentum, weight_decay=weight_decay)
        check_implemented("SGD", differentiable=differentiable, fused=fused, foreach=foreach)
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
            "foreach": foreach,
            "differentiable": differentiable,
            "fused": fused,
        }
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def _update(self, p, group) -> None:
        momentum, lr = group["momentum"], group["lr"]
        grad = -p.grad if group["maximize"] else p.grad
        if group["weight_decay"] != 0:
            grad = grad + p * group["weight_decay"]
        if momentum != 0:
            state = self.state[p]
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = _ops.clone(grad.detach())
                state["momentum_buffer"] = buf
            else:
                buf.mul_(momentum).add_(grad * (1 - group["dampening"]))
            grad = grad + buf * momentum if group["nesterov"] else buf
        p.add_(grad * -lr)
