"""``pluggrad.autograd``: PyTorch's autograd API (``backward``, ``grad``, grad modes,
``Function``, ``Variable``) over pluggrad's graph and engine."""

from __future__ import annotations

from . import anomaly_mode, functional, grad_mode, graph
from .anomaly_mode import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from .explain import explain_missing_grad
from .function import Function, FunctionCtx
from .grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .gradients import backward, grad
from .graph import AccumulateGrad, Node
from .variable import Variable

__all__ = [
    "Variable", "Function", "FunctionCtx", "backward", "grad", "grad_mode",
    "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "Node", "AccumulateGrad",
    "inference_mode", "is_inference_mode_enabled", "graph",
    "gradcheck", "gradgradcheck", "GradcheckError", "functional",
    "detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled", "explain_missing_grad",
    "anomaly_mode",
]  # fmt: skip
