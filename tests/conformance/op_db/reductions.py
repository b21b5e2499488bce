"""Op-database records: Reductions and statistics."""

from __future__ import annotations

import pluggrad as pg

from ._base import OpRecord, Sample, rand

RECORDS: list[OpRecord] = [
    # ---- reductions -----------------------------------------------------------------------------
    OpRecord(
        "sum",
        pg.sum,
        lambda xp, x, **kw: xp.sum(x, **kw),
        [
            Sample((rand(3, 4),)),
            Sample((rand(3, 4),), {"axis": 0}),
            Sample((rand(3, 4),), {"axis": 1, "keepdims": True}),
            Sample((rand(2, 3, 2),), {"axis": (0, 2)}),
            Sample((rand(),)),
        ],
        ("sum",),
    ),
    OpRecord(
        "mean",
        pg.mean,
        lambda xp, x, **kw: xp.mean(x, **kw),
        [
            Sample((rand(3, 4),)),
            Sample((rand(3, 4),), {"axis": -1}),
            Sample((rand(2, 3, 2),), {"axis": (0, 1), "keepdims": True}),
        ],
        ("mean",),
    ),
]
