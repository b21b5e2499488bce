"""Op-database records: the primitives behind in-place operations."""

from __future__ import annotations

from ._base import OpRecord, Sample, rand


def _copy(x, src):
    y = x * 1.0  # a non-leaf, so that copy_ is allowed
    return y.copy_(src) * 2


def _fill(x):
    y = x * 1.0
    return y.fill_(3.0) + x


RECORDS: list[OpRecord] = [
    OpRecord(
        "copy_",
        _copy,
        lambda xp, x, src: xp.broadcast_to(src, x.shape) * 2,
        [Sample((rand(2, 3), rand(3))), Sample((rand(2, 2), rand(2, 2)))],
        ("copy_from",),
        functions=(),
    ),
    OpRecord(
        "fill_",
        _fill,
        lambda xp, x: x + 3.0,
        [Sample((rand(3),))],
        ("fill",),
        functions=(),
    ),
]
