"""Op-database records: Reductions, statistics, cumulative and utility functions, softmax."""

from __future__ import annotations

import numpy as np

import pluggrad as pg

from ._base import OpRecord, Sample, rand


def _with_zeros(*shape, zeros=1, seed=0) -> np.ndarray:
    """A sample with `zeros` exact zeros in each row of its last axis (prod/cumprod are
    polynomials there, so finite differences stay exact)."""
    x = rand(*shape)
    rows = x.reshape(-1, shape[-1])
    rng = np.random.default_rng(seed)
    for row in rows:
        row[rng.choice(shape[-1], size=zeros, replace=False)] = 0.0
    return x


def _distinct(*shape) -> np.ndarray:
    """Values at least 0.1 apart (no ties, so max/min/sort are differentiable)."""
    n = int(np.prod(shape))
    return (np.random.default_rng(n).permutation(n) * 0.25 - n * 0.1).reshape(shape)


def _reduction_samples(make=rand, scalar=True) -> list[Sample]:
    samples = [
        Sample((make(3, 4),)),
        Sample((make(3, 4),), {"axis": 0}),
        Sample((make(3, 4),), {"axis": -1, "keepdims": True}),
        Sample((make(2, 3, 2),), {"axis": (0, 2)}),
        Sample((make(2, 3, 2),), {"axis": (-1, 1), "keepdims": True}),
        Sample((make(3, 4),), {"keepdims": True}),
    ]
    if scalar:
        samples.append(Sample((make(),)))
    return samples


def _logsumexp_ref(xp, x, dim=None, keepdim=False):
    return xp.log(xp.sum(xp.exp(x), axis=dim, keepdims=keepdim))


def _softmax_ref(xp, x, dim):
    e = xp.exp(x)
    return e / xp.sum(e, axis=dim, keepdims=True)


def _log_softmax_ref(xp, x, dim):
    return x - xp.log(xp.sum(xp.exp(x), axis=dim, keepdims=True))


def _torch_max_ref(xp, x, dim, keepdim=False):
    if x.ndim == 0:
        return x
    return xp.max(x, axis=dim, keepdims=keepdim)


def _torch_min_ref(xp, x, dim, keepdim=False):
    return xp.min(x, axis=dim, keepdims=keepdim)


RECORDS: list[OpRecord] = [
    # ---- sum, prod, mean -------------------------------------------------------------------------
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
    OpRecord(
        "prod",
        pg.prod,
        lambda xp, x, **kw: xp.prod(x, **kw),
        _reduction_samples()
        + [
            Sample((_with_zeros(3, 4),), {"axis": 1}),
            Sample((_with_zeros(3, 4, zeros=2),), {"axis": -1, "keepdims": True}),
            Sample((_with_zeros(5),)),
            Sample((_with_zeros(2, 3, zeros=1),), {"axis": (0, 1)}),
        ],
        ("prod", "cumulative_prod", "flip", "getitem", "scatter_add", "permute_dims", "reshape"),
    ),
    OpRecord(
        "prod_torch_dim",
        lambda x, *a, **kw: pg.prod(x, *a, **kw),
        lambda xp, x, dim, keepdim=False: xp.prod(x, axis=dim, keepdims=keepdim),
        [Sample((rand(3, 4), 1)), Sample((rand(3, 4), 0, True)), Sample((_with_zeros(2, 4), 1))],
        ("prod",),
        functions=("prod",),
    ),
    # ---- var and std ----------------------------------------------------------------------------
    OpRecord(
        "var",
        pg.var,
        lambda xp, x, **kw: xp.var(x, **kw),
        _reduction_samples(scalar=False)
        + [
            Sample((rand(3, 4),), {"axis": 0, "correction": 1}),
            Sample((rand(5),), {"correction": 1.5}),
            Sample((rand(2, 3, 2),), {"axis": (0, 2), "correction": 1, "keepdims": True}),
        ],
        ("var", "mean"),
    ),
    OpRecord(
        "std",
        pg.std,
        lambda xp, x, **kw: xp.std(x, **kw),
        _reduction_samples(scalar=False)
        + [
            Sample((rand(3, 4),), {"axis": 0, "correction": 1}),
            Sample((rand(5),), {"correction": 1.5}),
        ],
        ("std", "mean"),
    ),
    OpRecord(
        "var_std_torch",
        lambda x, *a, **kw: x.var(*a, **kw) + x.std(*a, **kw),
        lambda xp, x, dim=None, unbiased=True, keepdim=False: (
            xp.var(x, axis=dim, correction=int(unbiased), keepdims=keepdim)
            + xp.std(x, axis=dim, correction=int(unbiased), keepdims=keepdim)
        ),
        [
            Sample((rand(3, 4),)),
            Sample((rand(3, 4), 1)),
            Sample((rand(3, 4), 0, False, True)),
            Sample((rand(3, 4),), {"dim": 1, "unbiased": False}),
        ],
        ("var", "std", "mean", "add"),
        functions=("var", "std"),
    ),
    # ---- max and min ----------------------------------------------------------------------------
    OpRecord(
        "max",
        pg.max,
        lambda xp, x, **kw: xp.max(x, **kw),
        _reduction_samples(_distinct),
        ("max",),
    ),
    OpRecord(
        "min",
        pg.min,
        lambda xp, x, **kw: xp.min(x, **kw),
        _reduction_samples(_distinct),
        ("min",),
    ),
    OpRecord(
        "amax",
        pg.amax,
        lambda xp, x, dim=None, keepdim=False: xp.max(x, axis=dim, keepdims=keepdim),
        [
            Sample((_distinct(3, 4),)),
            Sample((_distinct(3, 4), 1)),
            Sample((_distinct(2, 3, 2), (0, 2), True)),
            Sample((_distinct(),)),
        ],
        ("max",),
    ),
    OpRecord(
        "amin",
        pg.amin,
        lambda xp, x, dim=None, keepdim=False: xp.min(x, axis=dim, keepdims=keepdim),
        [Sample((_distinct(3, 4),)), Sample((_distinct(3, 4), -1, True))],
        ("min",),
    ),
    OpRecord(
        "max_torch_dim",
        lambda x, *a, **kw: pg.max(x, *a, **kw).values,
        _torch_max_ref,
        [
            Sample((_distinct(3, 4), 1)),
            Sample((_distinct(3, 4), 0, True)),
            Sample((_distinct(2, 3, 2),), {"dim": -2}),
            Sample((_distinct(), 0)),
        ],
        ("max_dim",),
        functions=("max",),
    ),
    OpRecord(
        "min_torch_dim",
        lambda x, *a, **kw: pg.min(x, *a, **kw).values,
        _torch_min_ref,
        [Sample((_distinct(3, 4), 1)), Sample((_distinct(2, 3, 2),), {"dim": 0, "keepdim": True})],
        ("min_dim",),
        functions=("min",),
    ),
    OpRecord(
        "max_min_torch_other",
        lambda x, y: pg.max(x, y) + pg.min(x, y),
        lambda xp, x, y: xp.maximum(x, y) + xp.minimum(x, y),
        [Sample((_distinct(3, 4), _distinct(3, 4) + 0.05)), Sample((_distinct(2, 3), rand(3)))],
        ("maximum", "minimum"),
        functions=("max", "min"),
    ),
    # ---- cumulative sums and products -----------------------------------------------------------
    OpRecord(
        "cumulative_sum",
        pg.cumulative_sum,
        lambda xp, x, **kw: xp.cumulative_sum(x, **kw),
        [
            Sample((rand(5),)),
            Sample((rand(3, 4),), {"axis": 0}),
            Sample((rand(3, 4),), {"axis": -1, "include_initial": True}),
            Sample((rand(2, 3, 2),), {"axis": 1, "include_initial": True}),
            Sample((rand(4),), {"include_initial": True}),
        ],
        ("cumulative_sum", "flip", "getitem", "scatter_add"),
    ),
    OpRecord(
        "cumulative_prod",
        pg.cumulative_prod,
        lambda xp, x, **kw: xp.cumulative_prod(x, **kw),
        [
            Sample((rand(5),)),
            Sample((rand(3, 4),), {"axis": 0}),
            Sample((rand(3, 4),), {"axis": -1, "include_initial": True}),
            Sample((rand(2, 3, 2),), {"axis": 1}),
            Sample((_with_zeros(5),)),
            Sample((_with_zeros(3, 4, zeros=2),), {"axis": 1}),
            Sample((_with_zeros(4, 3),), {"axis": 0, "include_initial": True}),
        ],
        ("cumulative_prod", "cumulative_sum", "flip", "getitem", "scatter_add"),
    ),
    OpRecord(
        "cumsum",
        pg.cumsum,
        lambda xp, x, dim: x if x.ndim == 0 else xp.cumulative_sum(x, axis=dim),
        [Sample((rand(3, 4), 1)), Sample((rand(3, 4), -2)), Sample((rand(), 0))],
        ("cumulative_sum",),
    ),
    OpRecord(
        "cumprod",
        pg.cumprod,
        lambda xp, x, dim: x if x.ndim == 0 else xp.cumulative_prod(x, axis=dim),
        [Sample((rand(3, 4), 1)), Sample((_with_zeros(3, 4), 1)), Sample((rand(), 0))],
        ("cumulative_prod",),
    ),
    # ---- logsumexp, softmax, log_softmax --------------------------------------------------------
    OpRecord(
        "logsumexp",
        pg.logsumexp,
        _logsumexp_ref,
        [
            Sample((rand(3, 4), 1)),
            Sample((rand(3, 4), -2, True)),
            Sample((rand(2, 3, 2), (0, 2))),
            Sample((rand(3, 4),)),
            Sample((rand(),)),
        ],
        ("logsumexp",),
    ),
    OpRecord(
        "softmax",
        pg.softmax,
        _softmax_ref,
        [Sample((rand(3, 4), 1)), Sample((rand(3, 4), 0)), Sample((rand(2, 3, 2), -2))],
        ("softmax",),
    ),
    OpRecord(
        "log_softmax",
        pg.log_softmax,
        _log_softmax_ref,
        [Sample((rand(3, 4), 1)), Sample((rand(3, 4), 0)), Sample((rand(2, 3, 2), -2))],
        ("log_softmax",),
    ),
    # ---- diff -----------------------------------------------------------------------------------
    OpRecord(
        "diff",
        pg.diff,
        lambda xp, x, **kw: xp.diff(x, **kw),
        [
            Sample((rand(5),)),
            Sample((rand(3, 4),), {"axis": 0}),
            Sample((rand(3, 5),), {"n": 2}),
            Sample((rand(3, 4),), {"axis": 0, "n": 3}),
        ],
        ("subtract", "getitem", "scatter_add"),
    ),
    OpRecord(
        "diff_prepend_append",
        lambda x, p, a, **kw: pg.diff(x, prepend=p, append=a, **kw),
        lambda xp, x, p, a, **kw: xp.diff(x, prepend=p, append=a, **kw),
        [
            Sample((rand(4), rand(2), rand(1))),
            Sample((rand(2, 3), rand(1, 3), rand(2, 3)), {"axis": 0, "n": 2}),
        ],
        ("subtract", "getitem", "scatter_add", "concat"),
        functions=("diff",),
    ),
]
