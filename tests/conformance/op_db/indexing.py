"""Op-database records: Indexing."""

from __future__ import annotations

import numpy as np

from ._base import OpRecord, Sample, rand

RECORDS: list[OpRecord] = [
    # ---- indexing -------------------------------------------------------------------------------
    OpRecord(
        "getitem",
        lambda x, key: x[key],
        lambda xp, x, key: x[key],
        [
            Sample((rand(4, 3), 1)),
            Sample((rand(4, 3), (slice(1, 3), 0))),
            Sample((rand(4, 3), (Ellipsis, None, slice(None, None, 2)))),
            Sample((rand(4, 3), (-1, slice(None)))),
        ],
        ("getitem", "scatter_add"),
    ),
    OpRecord(
        "getitem_integer_array",
        lambda x, idx: x[idx],
        lambda xp, x, idx: xp.take(x, idx, axis=0),
        [Sample((rand(4, 3), np.array([0, 2, 0, 3])))],
        ("getitem", "scatter_add"),
        functions=("getitem",),
    ),
]
