"""Op-database records: creation functions that act on arrays."""

from __future__ import annotations

import pluggrad as pg

from ._base import OpRecord, Sample, rand

RECORDS: list[OpRecord] = [
    OpRecord(
        "tril",
        pg.tril,
        lambda xp, x, **kw: xp.tril(x, **kw),
        [
            Sample((rand(3, 3),)),
            Sample((rand(2, 3, 4),), {"k": 1}),
            Sample((rand(3, 2),), {"k": -1}),
        ],
        ("tril",),
    ),
    OpRecord(
        "triu",
        pg.triu,
        lambda xp, x, **kw: xp.triu(x, **kw),
        [Sample((rand(3, 3),)), Sample((rand(2, 3, 4),), {"k": -1})],
        ("triu",),
    ),
    OpRecord(
        "meshgrid",
        # the grids, weighted differently so that a mix-up of the two would show
        lambda a, b, **kw: sum((g * (i + 1)).sum() for i, g in enumerate(pg.meshgrid(a, b, **kw))),
        lambda xp, a, b, **kw: sum(
            xp.sum(g * (i + 1)) for i, g in enumerate(xp.meshgrid(a, b, **kw))
        ),
        [Sample((rand(3), rand(2))), Sample((rand(3), rand(2)), {"indexing": "ij"})],
        ("reshape", "broadcast_to"),
    ),
]
