"""Op-database records: Elementwise functions."""

from __future__ import annotations

import pluggrad as pg

from ._base import OpRecord, Sample, binary_samples, rand, unary_record

RECORDS: list[OpRecord] = [
    # ---- arithmetic ----------------------------------------------------------------------------
    OpRecord("add", pg.add, lambda xp, a, b: xp.add(a, b), binary_samples(), ("add",)),
    OpRecord(
        "subtract",
        pg.subtract,
        lambda xp, a, b: xp.subtract(a, b),
        binary_samples(),
        ("subtract",),
    ),  # fmt: skip
    OpRecord(
        "multiply",
        pg.multiply,
        lambda xp, a, b: xp.multiply(a, b),
        binary_samples(),
        ("multiply",),
    ),  # fmt: skip
    OpRecord(
        "divide",
        pg.divide,
        lambda xp, a, b: xp.divide(a, b),
        binary_samples(low=0.5, high=2.0),
        ("divide",),
    ),  # fmt: skip
    OpRecord(
        "pow",
        pg.pow,
        lambda xp, a, b: xp.pow(a, b),
        binary_samples(low=0.5, high=2.0) + [Sample((rand(3), 2)), Sample((rand(3), 3))],
        ("pow",),
    ),  # fmt: skip
    OpRecord(
        "operators",
        lambda a, b: (a * 2 - b) / (1 + b * b) + a**2 - (-b),
        lambda xp, a, b: (a * 2 - b) / (1 + b * b) + a**2 - (-b),
        [Sample((rand(3), rand(3))), Sample((rand(2, 3), rand(3)))],
        ("add", "subtract", "multiply", "divide", "pow", "negative"),
    ),  # fmt: skip
    unary_record("negative"),
    # ---- exponential, logarithm, trigonometric --------------------------------------------------
    unary_record("exp"),
    unary_record("log", low=0.5, high=3.0),
    unary_record("sqrt", low=0.5, high=3.0),
    unary_record("sin"),
    unary_record("cos"),
    unary_record("tanh"),
    # ---- selection ------------------------------------------------------------------------------
    OpRecord(
        "where",
        lambda a, b: pg.where(a > b, a, b),
        lambda xp, a, b: xp.where(a > b, a, b),
        [Sample((rand(4), rand(4))), Sample((rand(2, 3), rand(3)))],
        ("where", "greater"),
    ),
]
