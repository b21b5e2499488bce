"""The op database: one record per differentiable operation, driving every derivative test.

A record names the primitives it exercises, how to call the operation on pluggrad tensors,
a reference written against an array namespace ``xp`` (run with NumPy for forward values and,
on the jax backend, with ``jax.numpy`` under ``jax.vjp`` as an independent derivative oracle),
and sample inputs (NumPy arrays become float64 tensors that require grad; Python scalars stay
scalars).  Modelled on PyTorch's OpInfo and JAX's LAX_GRAD_OPS.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

import pluggrad as pg

_rng = np.random.default_rng(1234)


def rand(*shape, low=-2.0, high=2.0) -> np.ndarray:
    """A float64 sample array with values in [low, high)."""
    return _rng.uniform(low, high, size=shape)


def positive(*shape) -> np.ndarray:
    return rand(*shape, low=0.5, high=2.5)


@dataclasses.dataclass
class Sample:
    args: tuple
    kwargs: dict = dataclasses.field(default_factory=dict)
    name: str = ""


@dataclasses.dataclass
class OpRecord:
    name: str
    op: Callable  # op(*tensor_args, **kwargs) on pluggrad tensors
    ref: Callable  # ref(xp, *array_args, **kwargs) on arrays of namespace xp
    samples: list[Sample]
    primitives: tuple[str, ...]
    rtol: float = 1e-3
    atol: float = 1e-5
    second_order: bool = True
    eps: float = 1e-6  # finite-difference step

    def __post_init__(self):
        for i, s in enumerate(self.samples):
            if not s.name:
                s.name = f"{i}-" + "x".join(_describe(a) for a in s.args)


def _describe(a) -> str:
    if isinstance(a, np.ndarray):
        return "(" + ",".join(map(str, a.shape)) + ")"
    return type(a).__name__


def _binary_samples(low=-2.0, high=2.0, scalars=True) -> list[Sample]:
    r = lambda *s: rand(*s, low=low, high=high)  # noqa: E731
    samples = [
        Sample((r(3), r(3))),
        Sample((r(2, 3), r(3))),
        Sample((r(2, 1), r(1, 3))),
        Sample((r(), r(2))),
    ]
    if scalars:
        samples += [Sample((r(2, 2), 1.5)), Sample((1.5, r(2, 2)))]
    return samples


def _unary_samples(low=-2.0, high=2.0) -> list[Sample]:
    return [Sample((rand(4, low=low, high=high),)), Sample((rand(2, 3, low=low, high=high),)),
            Sample((rand(low=low, high=high),))]  # fmt: skip


def _unary(name, ref_name=None, low=-2.0, high=2.0) -> OpRecord:
    ref_name = ref_name or name
    return OpRecord(
        name,
        getattr(pg, name),
        lambda xp, x: getattr(xp, ref_name)(x),
        _unary_samples(low, high),
        (name,),
    )


OP_DB: list[OpRecord] = [
    # ---- arithmetic ----------------------------------------------------------------------------
    OpRecord("add", pg.add, lambda xp, a, b: xp.add(a, b), _binary_samples(), ("add",)),
    OpRecord(
        "subtract",
        pg.subtract,
        lambda xp, a, b: xp.subtract(a, b),
        _binary_samples(),
        ("subtract",),
    ),  # fmt: skip
    OpRecord(
        "multiply",
        pg.multiply,
        lambda xp, a, b: xp.multiply(a, b),
        _binary_samples(),
        ("multiply",),
    ),  # fmt: skip
    OpRecord(
        "divide",
        pg.divide,
        lambda xp, a, b: xp.divide(a, b),
        _binary_samples(low=0.5, high=2.0),
        ("divide",),
    ),  # fmt: skip
    OpRecord(
        "pow",
        pg.pow,
        lambda xp, a, b: xp.pow(a, b),
        _binary_samples(low=0.5, high=2.0) + [Sample((rand(3), 2)), Sample((rand(3), 3))],
        ("pow",),
    ),  # fmt: skip
    OpRecord(
        "operators",
        lambda a, b: (a * 2 - b) / (1 + b * b) + a**2 - (-b),
        lambda xp, a, b: (a * 2 - b) / (1 + b * b) + a**2 - (-b),
        [Sample((rand(3), rand(3))), Sample((rand(2, 3), rand(3)))],
        ("add", "subtract", "multiply", "divide", "pow", "negative"),
    ),  # fmt: skip
    _unary("negative"),
    # ---- exponential, logarithm, trigonometric --------------------------------------------------
    _unary("exp"),
    _unary("log", low=0.5, high=3.0),
    _unary("sqrt", low=0.5, high=3.0),
    _unary("sin"),
    _unary("cos"),
    _unary("tanh"),
    # ---- selection ------------------------------------------------------------------------------
    OpRecord(
        "where",
        lambda a, b: pg.where(a > b, a, b),
        lambda xp, a, b: xp.where(a > b, a, b),
        [Sample((rand(4), rand(4))), Sample((rand(2, 3), rand(3)))],
        ("where", "greater"),
    ),
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
    ),
]


def samples():
    """``(record, sample)`` pairs with readable ids, for ``pytest.mark.parametrize``."""
    return [(r, s) for r in OP_DB for s in r.samples]


def sample_id(pair) -> str:
    return f"{pair[0].name}[{pair[1].name}]"
