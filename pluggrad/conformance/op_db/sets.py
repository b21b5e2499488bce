"""Op-database records: sets functions."""

from __future__ import annotations

from ._base import OpRecord

RECORDS: list[OpRecord] = []
