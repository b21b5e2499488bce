"""``GradScaler``: PyTorch's dynamic loss scaling, step by step as ``torch.amp.GradScaler``
does it (the scale, the per-optimizer stages, the non-finite check, growth and backoff)."""

from __future__ import annotations

import enum
import warnings
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from .. import _dtypes
from .. import ops as _ops
from .._core.grad_mode import no_grad
from .._core.tensor import Tensor
from ..backends import has_gpu

__all__ = ["GradScaler"]


class _Stage(enum.Enum):
    READY = 0
    UNSCALED = 1
    STEPPED = 2


def _fresh_state() -> dict[str, Any]:
    return {"stage": _Stage.READY, "found_inf": None}


class GradScaler:
    """Scale a loss up before ``backward()`` so that small gradients survive low precision,
    then unscale the gradients before the optimizer's step, skipping the step where they are
    not finite, and adapt the scale: ``torch.amp.GradScaler``.

    Parameters
    ----------
    device : str
        The device type of the gradients (``"cuda"`` by default, as PyTorch; without a GPU
        the scaler warns and disables itself, as PyTorch's does).
    init_scale : float
        The first scale.
    growth_factor, backoff_factor : float
        Multiply the scale by these after `growth_interval` steps without a non-finite
        gradient, and after a step that had one.
    growth_interval : int
        Steps without a non-finite gradient before the scale grows.
    enabled : bool
        False makes every method a pass-through (``scale`` returns its argument, ``step``
        calls ``optimizer.step()``).

    Examples
    --------
    >>> scaler = pluggrad.amp.GradScaler("cpu")
    >>> scaler.scale(loss).backward()
    >>> scaler.step(optimizer)
    >>> scaler.update()
    """

    def __init__(self, device: str = "cuda", init_scale: float = 2.0**16,
                 growth_factor: float = 2.0, backoff_factor: float = 0.5,
                 growth_interval: int = 2000, enabled: bool = True) -> None:  # fmt: skip
        self._device = device
        self._enabled = enabled
        if enabled and device == "cuda" and not has_gpu():
            warnings.warn(
                "torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  Disabling.",
                UserWarning,
                stacklevel=2,
            )
            self._enabled = False
        if self._enabled:
            if growth_factor <= 1.0:
                raise AssertionError("The growth factor must be > 1.0.")
            if backoff_factor >= 1.0:
                raise AssertionError("The backoff factor must be < 1.0.")
        self._init_scale = init_scale
        self._scale: Tensor | None = None
        self._growth_factor = growth_factor
        self._backoff_factor = backoff_factor
        self._growth_interval = growth_interval
        self._init_growth_tracker = 0
        self._growth_tracker = 0
        self._per_optimizer_states: defaultdict[int, dict] = defaultdict(_fresh_state)

    # -- scaling --------------------------------------------------------------------------------
    def scale(self, outputs: Any) -> Any:
        """`outputs` (a tensor, or an iterable of them) multiplied by the scale."""
        if not self._enabled:
            return outputs
        if self._scale is None:
            self._scale = _ops.full((), self._init_scale, dtype=_dtypes.float32)
        scale = self._scale
        if isinstance(outputs, Tensor):
            return outputs * scale
        if isinstance(outputs, Iterable):
            scaled = [self.scale(output) for output in outputs]
            return type(outputs)(scaled) if isinstance(outputs, (list, tuple)) else scaled
        raise ValueError("outputs must be a Tensor or an iterable of Tensors")

    def unscale_(self, optimizer) -> None:
        """Divide the gradients of `optimizer`'s parameters by the scale, in place, and note
        whether any is not finite (at most once per optimizer between updates)."""
        if not self._enabled:
            return
        self._check_scale("unscale_")
        state = self._per_optimizer_states[id(optimizer)]
        if state["stage"] is _Stage.UNSCALED:
            raise RuntimeError(
                "unscale_() has already been called on this optimizer since the last update()."
            )
        if state["stage"] is _Stage.STEPPED:
            raise RuntimeError("unscale_() is being called after step().")
        assert self._scale is not None
        inv_scale = _ops.astype(1.0 / _ops.astype(self._scale, _dtypes.float64), _dtypes.float32)
        found_inf = _ops.zeros((), dtype=_dtypes.float32)
        with no_grad():
            for group in optimizer.param_groups:
                for param in group["params"]:
                    grad = param.grad
                    if grad is None:
                        continue
                    grad.mul_(_ops.astype(inv_scale, grad.dtype))
                    found_inf = _ops.maximum(
                        found_inf, _ops.astype(_ops.any(~_ops.isfinite(grad)), _dtypes.float32)
                    )
        state["found_inf"] = found_inf
        state["stage"] = _Stage.UNSCALED

    def step(self, optimizer, *args, **kwargs):
        """``optimizer.step(*args, **kwargs)`` on unscaled gradients, skipped when one of them
        was not finite; returns what the step returned (None when skipped)."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is enabled.")
        self._check_scale("step")
        state = self._per_optimizer_states[id(optimizer)]
        if state["stage"] is _Stage.STEPPED:
            raise RuntimeError("step() has already been called since the last update().")
        if state["stage"] is _Stage.READY:
            self.unscale_(optimizer)
        if state["found_inf"] is None:
            raise AssertionError("No inf checks were recorded for this optimizer.")
        result = None
        if not state["found_inf"].item():
            result = optimizer.step(*args, **kwargs)
        state["stage"] = _Stage.STEPPED
        return result

    def update(self, new_scale: float | Tensor | None = None) -> None:
        """Grow the scale after `growth_interval` steps without a non-finite gradient, back it
        off after one that had one (or set it to `new_scale`); start a new iteration."""
        if not self._enabled:
            return
        self._check_scale("update")
        assert self._scale is not None
        if new_scale is not None:
            value = new_scale.item() if isinstance(new_scale, Tensor) else float(new_scale)
            self._scale = _ops.full((), value, dtype=_dtypes.float32)
        else:
            found = [s["found_inf"] for s in self._per_optimizer_states.values()]
            found = [f for f in found if f is not None]
            if not found:
                raise AssertionError("No inf checks were recorded prior to update.")
            if any(f.item() for f in found):
                self._scale = self._scale * self._backoff_factor
                self._growth_tracker = 0
            elif self._growth_tracker + 1 == self._growth_interval:
                self._scale = self._scale * self._growth_factor
                self._growth_tracker = 0
            else:
                self._growth_tracker += 1
        self._per_optimizer_states = defaultdict(_fresh_state)

    def _check_scale(self, name: str) -> None:
        if self._scale is None:
            raise AssertionError(
                f"Attempted {name} but _scale is None.  This may indicate your script did not "
                "use scaler.scale(loss or outputs) earlier in the iteration."
            )

    # -- settings and state ---------------------------------------------------------------------
    def is_enabled(self) -> bool:
        """Whether the scaler scales (False when disabled, or enabled without the device)."""
        return self._enabled

    def get_scale(self) -> float:
        """The current scale (1.0 when disabled)."""
        if not self._enabled:
            return 1.0
        return self._init_scale if self._scale is None else float(self._scale.item())

    def get_growth_factor(self) -> float:
        return self._growth_factor

    def set_growth_factor(self, new_factor: float) -> None:
        self._growth_factor = new_factor

    def get_backoff_factor(self) -> float:
        return self._backoff_factor

    def set_backoff_factor(self, new_factor: float) -> None:
        self._backoff_factor = new_factor

    def get_growth_interval(self) -> int:
        return self._growth_interval

    def set_growth_interval(self, new_interval: int) -> None:
        self._growth_interval = new_interval

    def state_dict(self) -> dict[str, Any]:
        """The scale, the factors, the interval and the growth tracker (empty when disabled)."""
        if not self._enabled:
            return {}
        return {
            "scale": self.get_scale(),
            "growth_factor": self._growth_factor,
            "backoff_factor": self._backoff_factor,
            "growth_interval": self._growth_interval,
            "_growth_tracker": self._growth_tracker,
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Take the settings of :meth:`state_dict`."""
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError(
                "The source state dict is empty, possibly because it was saved from a disabled "
                "instance of GradScaler."
            )
        self._init_scale = state_dict["scale"]
        if self._scale is not None:
            self._scale = _ops.full((), state_dict["scale"], dtype=_dtypes.float32)
        self._growth_factor = state_dict["growth_factor"]
        self._backoff_factor = state_dict["backoff_factor"]
        self._growth_interval = state_dict["growth_interval"]
        self._growth_tracker = state_dict["_growth_tracker"]
