"""Op-database records: Shape manipulation, dtype conversion and copies."""

from __future__ import annotations

import pluggrad as pg

from ._base import OpRecord, Sample, rand

RECORDS: list[OpRecord] = [
    # ---- shape and copies -----------------------------------------------------------------------
    OpRecord(
        "reshape",
        lambda x: pg.reshape(x, (3, -1)),
        lambda xp, x: xp.reshape(x, (3, -1)),
        [Sample((rand(2, 3),)), Sample((rand(6),))],
        ("reshape",),
    ),  # fmt: skip
    OpRecord(
        "expand_dims",
        lambda x: pg.expand_dims(x, axis=1),
        lambda xp, x: xp.expand_dims(x, axis=1),
        [Sample((rand(2, 3),))],
        ("expand_dims",),
    ),  # fmt: skip
    OpRecord(
        "broadcast_to",
        lambda x: pg.broadcast_to(x, (2, 3, 4)),
        lambda xp, x: xp.broadcast_to(x, (2, 3, 4)),
        [Sample((rand(3, 1),)), Sample((rand(4),)), Sample((rand(),))],
        ("broadcast_to",),
    ),  # fmt: skip
    OpRecord(
        "permute_dims",
        lambda x: pg.permute_dims(x, (2, 0, 1)),
        lambda xp, x: xp.permute_dims(x, (2, 0, 1)),
        [Sample((rand(2, 3, 4),))],
        ("permute_dims",),
    ),  # fmt: skip
    OpRecord(
        "astype",
        lambda x: pg.astype(x, pg.float32) * 1.0,
        lambda xp, x: xp.astype(x, xp.float32),
        [Sample((rand(3),))],
        ("astype",),
        rtol=1e-2,
        atol=1e-3,
        second_order=False,
        eps=1e-3,
    ),  # fmt: skip
    OpRecord("clone", pg.clone, lambda xp, x: x + 0, [Sample((rand(2, 2),))], ("clone",)),
]
