"""Op-database records: Matrix products and the linalg extension."""

from __future__ import annotations

import pluggrad as pg

from ._base import OpRecord, Sample, rand

RECORDS: list[OpRecord] = [
    # ---- linear algebra -------------------------------------------------------------------------
    OpRecord(
        "matmul",
        pg.matmul,
        lambda xp, a, b: xp.matmul(a, b),
        [
            Sample((rand(3), rand(3))),
            Sample((rand(2, 3), rand(3))),
            Sample((rand(3), rand(3, 2))),
            Sample((rand(2, 3), rand(3, 2))),
            Sample((rand(2, 2, 3), rand(3, 2))),
            Sample((rand(2, 1, 2, 3), rand(3, 3, 2))),
        ],
        ("matmul",),
    ),
    OpRecord(
        "dot", pg.dot, lambda xp, a, b: xp.sum(a * b), [Sample((rand(4), rand(4)))], ("dot",)
    ),  # fmt: skip
    OpRecord(
        "matrix_transpose",
        pg.matrix_transpose,
        lambda xp, x: xp.matrix_transpose(x),
        [Sample((rand(2, 3),)), Sample((rand(2, 3, 4),))],
        ("matrix_transpose",),
    ),  # fmt: skip
]
