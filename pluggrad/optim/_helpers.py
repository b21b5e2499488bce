"""What the optimizers' steps share: the step counter, the checks of their arguments, and the
few updates written out in PyTorch's order of operations.

The steps of the optimizers other than LBFGS read no tensor's value into Python: the bias
corrections and decayed learning rates are computed from ``state["step"]`` with tensor
operations, so that a step traced by ``pluggrad.compile`` (tensors holding JAX tracers) runs the
same code.  They are computed in float64, as PyTorch computes them in Python floats, and cast
to the parameter's dtype where they meet its tensors (pluggrad promotes a float32 tensor and a
0-d float64 tensor to float64, where PyTorch would stay in float32).
"""

from __future__ import annotations

from .. import _dtypes
from .. import ops as _ops
from .._core.tensor import Tensor
from .optimizer import ParameterwiseOptimizer, scalar_dtype

__all__: list[str] = []


def new_step(param: Tensor) -> Tensor:
    """A fresh ``state["step"]``: a 0-d float tensor (float32, or float64 when that is the default
    dtype), on the parameter's backend and device."""
    return param.new_zeros((), dtype=scalar_dtype())


def step_count(step: Tensor) -> Tensor:
    """The step counter as a float64 0-d tensor, for the scalar arithmetic of a step."""
    return _ops.astype(step, _dtypes.float64, copy=False)


def step_number(step: Tensor) -> float | Tensor:
    """The step counter for the scalar arithmetic of a step: a Python float where the
    counter's value can be read at no cost (arrays in host memory, outside a trace), as
    PyTorch's optimizers read it outside CUDA graphs; else (inside ``pluggrad.compile``, on a
    lazy or an accelerator backend) a float64 0-d tensor, so that the step stays one program
    and never waits for a device."""
    backend = step._backend
    if backend.mutable and backend.has_values(step._data):
        return float(step.item())
    return step_count(step)


def like(scalar: float | Tensor, param: Tensor) -> float | Tensor:
    """A float64 0-d tensor cast to `param`'s dtype, so that it does not widen `param`'s
    tensors (a Python float is weak already: returned as it is)."""
    if not isinstance(scalar, Tensor):
        return scalar
    return _ops.astype(scalar, param.dtype, copy=False)


# The updates below make one temporary and change it in place (on NumPy each in-place step is
# one kernel writing into its tensor), in PyTorch's order of operations.
def lerp_(x: Tensor, end: Tensor, weight: float) -> Tensor:
    """``x.lerp_(end, weight)`` with PyTorch's two formulas: ``x + w (end - x)`` for ``w < 0.5``,
    ``end - (end - x)(1 - w)`` otherwise (each exact at its own end)."""
    step = end - x
    if abs(weight) < 0.5:
        return x.add_(step.mul_(weight))
    return x.copy_(step.mul_(1 - weight).neg_().add_(end))


def addcmul_(x: Tensor, t1: Tensor, t2: Tensor, value: float) -> Tensor:
    """``x.addcmul_(t1, t2, value=value)``: ``x + (value t1) t2``, PyTorch's order."""
    return x.add_((t1 * value).mul_(t2))


def addcdiv_(x: Tensor, t1: Tensor, t2: Tensor, value) -> Tensor:
    """``x.addcdiv_(t1, t2, value=value)``: ``x + (value t1) / t2``, PyTorch's order (`value`
    a number or a 0-d tensor of `x`'s dtype)."""
    return x.add_((t1 * value).div_(t2))


def check_non_negative(**values: float) -> None:
    """PyTorch's "Invalid <name>" errors for hyper-parameters that must not be negative."""
    labels = {
        "lr": "learning rate",
        "eps": "epsilon value",
        "momentum": "momentum value",
        "weight_decay": "weight_decay value",
        "alpha": "alpha value",
        "lr_decay": "lr_decay value",
        "initial_accumulator_value": "initial_accumulator_value value",
        "momentum_decay": "momentum_decay value",
        "rho": "rho value",
    }
    for name, value in values.items():
        if not 0.0 <= value:
            raise ValueError(f"Invalid {labels[name]}: {value}")


def check_betas(betas) -> None:
    """PyTorch's "Invalid beta parameter" errors: each beta in ``[0, 1)``."""
    for i, beta in enumerate(betas[:2]):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {beta}")


def check_lr(lr) -> None:
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")


def check_implemented(name: str, *, differentiable: bool = False, fused=None, foreach=None) -> None:
    """PyTorch's checks of ``fused`` (Adam, AdamW, SGD and Adagrad take it: their updates then
    give the values of the default path, which on NumPy already runs as kernels writing into
    the arrays, see :mod:`pluggrad.optim._fused`), and the refusal of ``differentiable=True``
    (a step that autograd records), which pluggrad does not implement, rather than ignore it."""
    if fused:
        if differentiable:
            raise RuntimeError("`fused` does not support `differentiable`")
        if foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
    if differentiable:
        raise NotImplementedError(f"pluggrad.optim.{name} does not support differentiable=True")


def check_real(name: str, param: Tensor) -> None:
    """The moment estimates of these optimizers treat a complex number as two reals (PyTorch's
    ``view_as_real``), which pluggrad has no view for yet."""
    if param.is_complex():
        raise NotImplementedError(f"pluggrad.optim.{name} does not support complex parameters")


class LazyStateOptimizer(ParameterwiseOptimizer):
    """A :class:`ParameterwiseOptimizer` whose state of a parameter is made at its first step,
    as PyTorch's optimizers make it: ``step`` (a 0-d counter), then the tensors of
    :meth:`_new_state` (by default zeros shaped as the parameter, one per name in
    ``_zeros``).  Complex parameters are refused (see :func:`check_real`)."""

    _zeros: tuple[str, ...] = ()

    def _state(self, p: Tensor, group: dict) -> dict:
        state = self.state[p]
        if len(state) == 0:  # lazily, at the parameter's first gradient
            check_real(type(self).__name__, p)
            state["step"] = new_step(p)
            state.update(self._new_state(p, group))
        return state

    def _new_state(self, p: Tensor, group: dict) -> dict:
        """The tensors of `p`'s state besides ``step``, in PyTorch's order."""
        return {name: _ops.zeros_like(p) for name in self._zeros}
