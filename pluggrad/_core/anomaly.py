"""Anomaly detection: ``detect_anomaly()`` and ``set_detect_anomaly()``, as in PyTorch.

While enabled, every graph node remembers the traceback of the forward call that created it,
and the engine checks each gradient a node produces: a NaN raises
``RuntimeError: Function 'DivBackward0' returned nan values in its 1th output.`` after a warning
that shows where that node was created in the forward pass.
"""

from __future__ import annotations

import functools
import os
import traceback
import warnings

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled"]


class AnomalyDetection:
    """The process-wide switches of anomaly detection (PyTorch's flag is process-wide too).

    Graph nodes read ``enabled`` on every creation, so it is a slot of a module-level object:
    one attribute read.
    """

    __slots__ = ("enabled", "check_nan")

    def __init__(self) -> None:
        self.enabled = False
        self.check_nan = True

    def set(self, enabled: bool, check_nan: bool) -> tuple[bool, bool]:
        """Switch; return the previous ``(enabled, check_nan)``, to restore with ``set(*it)``."""
        previous = (self.enabled, self.check_nan)
        self.enabled, self.check_nan = enabled, check_nan
        return previous


anomaly_detection = AnomalyDetection()

_ENABLED_WARNING = (
    "Anomaly Detection has been enabled. This mode will increase the runtime and should only be "
    "enabled for debugging."
)


def is_anomaly_enabled() -> bool:
    """Whether anomaly detection is on."""
    return anomaly_detection.enabled


def is_anomaly_check_nan_enabled() -> bool:
    """Whether anomaly detection checks gradients for NaN."""
    return anomaly_detection.check_nan


class detect_anomaly:
    """Context manager and decorator that enables anomaly detection.

    Parameters
    ----------
    check_nan : bool
        Raise when a backward node produces NaN (default True).
    """

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan
        warnings.warn(_ENABLED_WARNING, UserWarning, stacklevel=2)

    def __enter__(self) -> None:
        self.prev = anomaly_detection.set(True, self.check_nan)

    def __exit__(self, *exc_info) -> None:
        anomaly_detection.set(*self.prev)

    def __call__(self, func):
        @functools.wraps(func)
        def decorated(*args, **kwargs):
            with self:
                return func(*args, **kwargs)

        return decorated


class set_detect_anomaly:
    """Turn anomaly detection on or off: as a call, or as a context manager that restores it."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.prev = anomaly_detection.set(bool(mode), check_nan)

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc_info) -> None:
        anomaly_detection.set(*self.prev)


_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# the conformance suite ships inside the package but is user code as far as tracebacks go
_CONFORMANCE_DIR = os.path.join(_PACKAGE_DIR, "conformance")


def _is_internal(filename: str) -> bool:
    return filename.startswith(_PACKAGE_DIR) and not filename.startswith(_CONFORMANCE_DIR)


def forward_traceback() -> str:
    """The user's part of the current stack (pluggrad's own frames left out), recorded on a
    node created while anomaly detection is on."""
    frames = [f for f in traceback.extract_stack() if not _is_internal(f.filename)]
    return "".join(traceback.format_list(frames))


def check_gradients(node, grads, backend, create_graph: bool) -> None:
    """Raise PyTorch's error if `node` produced a NaN gradient (after the forward traceback)."""
    for i, g in enumerate(grads):
        if g is None:
            continue
        data = g._data if create_graph else g
        if bool(backend.xp.any(backend.xp.isnan(data))):
            stack = (node._metadata or {}).get("traceback_")
            if stack:
                warnings.warn(
                    f"Error detected in {node.name()}. Traceback of forward call that caused the "
                    f"error:\n{stack}",
                    UserWarning,
                    stacklevel=2,
                )
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.")
