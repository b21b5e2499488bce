"""Op-database records: sorting functions."""

from __future__ import annotations

import numpy as np

import pluggrad as pg

from ._base import OpRecord, Sample


def _distinct(*shape) -> np.ndarray:
    """Values at least 0.25 apart (no ties: sorting is differentiable there)."""
    n = int(np.prod(shape))
    return (np.random.default_rng(n + 7).permutation(n) * 0.25 - n * 0.1).reshape(shape)


def _sort_ref(xp, x, axis=-1, descending=False):
    if x.ndim == 0:
        return x
    out = xp.sort(x, axis=axis)
    return xp.flip(out, axis=axis) if descending else out


def _topk_ref(xp, x, k, dim=-1, largest=True):
    out = _sort_ref(xp, x, axis=dim, descending=largest)
    return xp.take(out, xp.arange(k), axis=dim)


RECORDS: list[OpRecord] = [
    OpRecord(
        "sort",
        pg.sort,
        _sort_ref,
        [
            Sample((_distinct(5),)),
            Sample((_distinct(3, 4),), {"axis": 0}),
            Sample((_distinct(3, 4),), {"descending": True}),
            Sample((_distinct(2, 3, 4),), {"axis": 1, "descending": True}),
            Sample((_distinct(),)),
        ],
        ("sort",),
    ),
    OpRecord(
        "sort_torch",
        lambda x, *a, **kw: pg.sort(x, *a, **kw).values,
        lambda xp, x, dim=-1, descending=False: _sort_ref(xp, x, dim, descending),
        [
            Sample((_distinct(3, 4), 1)),
            Sample((_distinct(3, 4), 0, True)),
            Sample((_distinct(2, 3, 4),), {"dim": -2, "descending": True}),
        ],
        ("sort",),
        functions=("sort",),
    ),
    OpRecord(
        "topk",
        lambda x, *a, **kw: pg.topk(x, *a, **kw).values,
        _topk_ref,
        [
            Sample((_distinct(6), 3)),
            Sample((_distinct(3, 5), 2, 0)),
            Sample((_distinct(3, 5), 2, -1, False)),
            Sample((_distinct(2, 4, 3), 4, 1)),
        ],
        ("topk",),
    ),
]
