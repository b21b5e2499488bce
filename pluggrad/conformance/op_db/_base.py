"""Building blocks of the op database: records, samples, sample generators.

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
    # the namespace functions this record exercises (default: the record's name)
    functions: tuple[str, ...] = ()

    def __post_init__(self):
        if not self.functions:
            self.functions = (self.name,)
        for i, s in enumerate(self.samples):
            if not s.name:
                s.name = f"{i}-" + "x".join(_describe(a) for a in s.args)


def _describe(a) -> str:
    if isinstance(a, np.ndarray):
        return "(" + ",".join(map(str, a.shape)) + ")"
    return type(a).__name__


def binary_samples(low=-2.0, high=2.0, scalars=True) -> list[Sample]:
    r = lambda *s: rand(*s, low=low, high=high)
    samples = [
        Sample((r(3), r(3))),
        Sample((r(2, 3), r(3))),
        Sample((r(2, 1), r(1, 3))),
        Sample((r(), r(2))),
    ]
    if scalars:
        samples += [Sample((r(2, 2), 1.5)), Sample((1.5, r(2, 2)))]
    return samples


def unary_samples(low=-2.0, high=2.0) -> list[Sample]:
    return [Sample((rand(4, low=low, high=high),)), Sample((rand(2, 3, low=low, high=high),)),
            Sample((rand(low=low, high=high),))]  # fmt: skip


def unary_record(name, ref_name=None, low=-2.0, high=2.0) -> OpRecord:
    ref_name = ref_name or name
    return OpRecord(
        name,
        getattr(pg, name),
        lambda xp, x: getattr(xp, ref_name)(x),
        unary_samples(low, high),
        (name,),
    )
