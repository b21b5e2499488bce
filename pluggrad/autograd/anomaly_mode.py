"""``torch.autograd.anomaly_mode``'s public names (implemented in :mod:`pluggrad._core.anomaly`,
where graph nodes and the engine read the setting)."""

from __future__ import annotations

from .._core.anomaly import detect_anomaly, is_anomaly_enabled, set_detect_anomaly

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled"]
