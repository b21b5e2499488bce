"""Op-database records of the composite topic, continued: complex numbers, order statistics,
splitting, out-of-place writes through views, and ``torch``'s older linalg spellings."""

from __future__ import annotations

import numpy as np

import pluggrad as pg

from ._base import OpRecord, Sample, rand


def _sorted_ref(xp, x, axis):
    return xp.sort(x, axis=axis)


_LU_SAMPLE = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 10.0]]) + rand(3, 3) * 0.1

RECORDS: list[OpRecord] = [
    # ---- complex numbers and aliases ------------------------------------------------------------
    OpRecord(
        "angle_complex_polar",
        lambda a, b: (
            pg.angle(pg.complex(a, b))
            + pg.polar(a, b).abs()
            + pg.angle(a) * 0
            + pg.conj_physical(pg.complex(a, b)).imag
            + pg.resolve_conj(a)
            + pg.resolve_neg(b)
            + pg.rsub(a, b, alpha=2.0)
            + pg.adjoint(pg.complex(a, b)[None]).real[:, 0]
        ),
        lambda xp, a, b: xp.atan2(b, a) + xp.abs(a) - b + a + b + (b - 2.0 * a) + a,
        [Sample((rand(4, low=0.5, high=2.0), rand(4)))],
        ("atan2", "multiply", "add", "conj"),
        functions=(
            "angle",
            "complex",
            "polar",
            "conj_physical",
            "resolve_conj",
            "resolve_neg",
            "rsub",
            "adjoint",
        ),  # fmt: skip
    ),
    # ---- order statistics -----------------------------------------------------------------------
    OpRecord(
        "median_kthvalue_msort",
        lambda x: (
            pg.median(x)
            + pg.median(x, 1).values.sum()
            + pg.kthvalue(x, 2, 0).values.sum()
            + pg.msort(x)[0].sum()
        ),
        lambda xp, x: (
            _sorted_ref(xp, x.reshape(-1), 0)[(x.size - 1) // 2]
            + xp.sum(_sorted_ref(xp, x, 1)[:, (x.shape[1] - 1) // 2])
            + xp.sum(_sorted_ref(xp, x, 0)[1])
            + xp.sum(_sorted_ref(xp, x, 0)[0])
        ),
        [Sample((rand(3, 4),))],
        ("take_along_axis", "argsort", "sort"),
        functions=("median", "kthvalue", "msort"),
    ),
    OpRecord(
        "quantile",
        lambda x, **kw: pg.quantile(x, 0.3, **kw) + pg.nanquantile(x, 0.75, **kw),
        lambda xp, x, dim=None: xp.quantile(x, 0.3, axis=dim) + xp.quantile(x, 0.75, axis=dim),
        [Sample((rand(5),)), Sample((rand(3, 4),), {"dim": 1})],
        ("sort", "take_along_axis"),
        functions=("quantile", "nanquantile"),
    ),
    OpRecord(
        "cov_corrcoef",
        lambda x: pg.cov(x) + pg.corrcoef(x),
        lambda xp, x: (
            _cov_ref(xp, x)
            + _cov_ref(xp, x)
            / xp.sqrt(xp.diagonal(_cov_ref(xp, x)))[:, None]
            / xp.sqrt(xp.diagonal(_cov_ref(xp, x)))
        ),
        [Sample((rand(2, 5),))],
        ("matmul", "mean", "sqrt"),
        functions=("cov", "corrcoef"),
    ),
    OpRecord(
        "trapezoid",
        lambda y, x: pg.trapezoid(y) + pg.trapz(y, x) + pg.cumulative_trapezoid(y, dx=0.5).sum(),
        lambda xp, y, x: (
            xp.sum(y[1:] + y[:-1]) / 2
            + xp.sum((y[1:] + y[:-1]) * (x[1:] - x[:-1])) / 2
            + xp.sum(xp.cumulative_sum(y[1:] + y[:-1]) * 0.25)
            if hasattr(xp, "cumulative_sum")
            else xp.sum(y[1:] + y[:-1]) / 2
            + xp.sum((y[1:] + y[:-1]) * (x[1:] - x[:-1])) / 2
            + xp.sum(xp.cumsum(y[1:] + y[:-1]) * 0.25)
        ),
        [Sample((rand(5), np.cumsum(rand(5, low=0.1, high=1.0))))],
        ("add", "multiply", "sum"),
        functions=("trapezoid", "trapz", "cumulative_trapezoid"),
    ),
    OpRecord(
        "renorm",
        lambda x: pg.renorm(x, 2, 0, 1.0),
        lambda xp, x: (
            x
            * xp.where(
                xp.sqrt(xp.sum(x * x, axis=1, keepdims=True)) > 1.0,
                1.0 / (xp.sqrt(xp.sum(x * x, axis=1, keepdims=True)) + 1e-7),
                1.0,
            )
        ),
        [Sample((rand(3, 4),))],
        ("vector_norm", "where"),
    ),
    OpRecord(
        "cdist",
        lambda x, y: pg.cdist(x, y) + pg.cdist(x, y, 1.0) + pg.cdist(x, y, 3.0),
        lambda xp, x, y: (
            _distances(xp, x, y, 2.0) + _distances(xp, x, y, 1.0) + _distances(xp, x, y, 3.0)
        ),
        [Sample((rand(3, 4), rand(5, 4))), Sample((rand(2, 2, 3), rand(1, 4, 3)))],
        ("vector_norm", "subtract", "expand_dims"),
    ),
    # ---- splitting and out-of-place writes ------------------------------------------------------
    OpRecord(
        "splits",
        lambda x: (
            pg.tensor_split(x, 3, 1)[0].sum()
            + pg.hsplit(x, [1])[1].sum() * 2
            + pg.vsplit(x, 2)[1].sum() * 3
            + pg.split_with_sizes(x, [1, 3])[1].sum() * 4
            + pg.unsafe_split(x, 2)[0].sum() * 5
            + pg.unsafe_chunk(x, 2, 1)[1].sum() * 6
            + pg.unsafe_split_with_sizes(x, [2, 2])[1].sum() * 7
            + pg.dsplit(x[None], [2])[0].sum()
        ),
        lambda xp, x: (
            xp.sum(x[:, :2])
            + 2 * xp.sum(x[:, 1:])
            + 3 * xp.sum(x[2:])
            + 4 * xp.sum(x[1:])
            + 5 * xp.sum(x[:2])
            + 6 * xp.sum(x[:, 2:])
            + 7 * xp.sum(x[2:])
            + xp.sum(x[:, :2])
        ),
        [Sample((rand(4, 4),))],
        ("split", "getitem"),
        functions=(
            "tensor_split",
            "hsplit",
            "vsplit",
            "dsplit",
            "split_with_sizes",
            "unsafe_split",
            "unsafe_chunk",
            "unsafe_split_with_sizes",
        ),  # fmt: skip
    ),
    OpRecord(
        "scatters",
        lambda x, s: (
            pg.diagonal_scatter(x, s[0]) * pg.select_scatter(x, s[1], 0, 1)
            + pg.slice_scatter(x, s[:2], 0, 1)
            + pg.as_strided_scatter(x, s[2], (3,), (2,))
        ),
        lambda xp, x, s: _scatter_ref(xp, x, s),
        [Sample((rand(3, 3), rand(3, 3)))],
        ("copy_from", "as_strided"),
        functions=("diagonal_scatter", "select_scatter", "slice_scatter", "as_strided_scatter"),
    ),
    OpRecord(
        "index_put_put_masked_scatter",
        lambda x, v: (
            pg.index_put(x, (pg.tensor([0, 2]),), v[:2]) * 2
            + pg.index_put(x, (pg.tensor([1, 1]),), v[:2], accumulate=True)
            + pg.put(x, pg.tensor([3]), v[2:])
            + pg.masked_scatter(x, pg.tensor([True, False, True, False]), v)
        ),
        lambda xp, x, v: (
            xp.stack([v[0], x[1], v[1], x[3]]) * 2
            + xp.stack([x[0], x[1] + v[0] + v[1], x[2], x[3]])
            + xp.stack([x[0], x[1], x[2], v[2]])
            + xp.stack([v[0], x[1], v[1], x[3]])
        ),
        [Sample((rand(4), rand(3)))],
        ("getitem", "scatter_add"),
        functions=("index_put", "put", "masked_scatter"),
    ),
    # ---- torch's older linalg spellings ---------------------------------------------------------
    OpRecord(
        "torch_linalg_spellings",
        lambda a, b: (
            pg.cholesky(a @ a.mT + 3 * pg.eye(3, dtype=pg.float64)).sum()
            + pg.cholesky_solve(b, pg.cholesky(a @ a.mT + 3 * pg.eye(3, dtype=pg.float64))).sum()
            + pg.cholesky_inverse(pg.cholesky(a @ a.mT + 3 * pg.eye(3, dtype=pg.float64))).sum()
            + pg.triangular_solve(b, a + 3 * pg.eye(3, dtype=pg.float64)).solution.sum()
            + pg.frobenius_norm(a)
            + pg.nuclear_norm(a)
            + pg.cross(a, b[:, :1].expand(3, 3)).sum()
            + pg.svd(a).S.sum()
            + pg.qr(a).R.abs().sum()
        ),
        lambda xp, a, b: _linalg_spellings_ref(xp, a, b),
        [Sample((rand(3, 3), rand(3, 2)))],
        ("cholesky", "solve", "svdvals", "qr"),
        functions=(
            "cholesky",
            "cholesky_solve",
            "cholesky_inverse",
            "triangular_solve",
            "frobenius_norm",
            "nuclear_norm",
            "cross",
            "svd",
            "qr",
        ),  # fmt: skip
    ),
    # ---- scans, modes, scatter, differences ----------------------------------------------------
    OpRecord(
        "running_extrema_logcumsumexp",
        lambda x: pg.cummax(x, 1).values + pg.cummin(x, 0).values * 2 + pg.logcumsumexp(x, 1),
        lambda xp, x: (
            _running_ref(xp, x, 1, xp.maximum)
            + 2 * _running_ref(xp, x, 0, xp.minimum)
            + xp.log(_cumsum_ref(xp, xp.exp(x), 1))
        ),
        [Sample((rand(3, 4),))],
        ("take_along_axis", "logaddexp", "concat"),
        functions=("cummax", "cummin", "logcumsumexp"),
    ),
    OpRecord(
        "mode_nanmedian",
        lambda x: pg.mode(pg.round(x), 1).values * x.sum() + pg.nanmedian(x, 0).values.sum(),
        lambda xp, x: (
            _mode_ref(xp, x) * xp.sum(x) + xp.sum(xp.sort(x, axis=0)[(x.shape[0] - 1) // 2])
        ),
        [Sample((np.array([[1.2, 0.9, 2.1, 1.1], [3.2, 2.8, 0.4, 3.1]]),))],
        ("take_along_axis",),
        functions=("mode", "nanmedian"),
    ),
    OpRecord(
        "scatter",
        lambda x, s: (
            pg.scatter(x, 0, pg.tensor([1, 1, 3]), s) + pg.scatter(x, 0, pg.tensor([0]), value=2.0)
        ),
        lambda xp, x, s: (
            xp.stack([x[0], s[1], x[2], s[2], x[4]])
            + xp.stack([x[0] * 0 + 2.0, x[1], x[2], x[3], x[4]])
        ),
        [Sample((rand(5), rand(3)))],
        ("put_along_axis_add", "where"),
    ),
    OpRecord(
        "scatter_reduce",
        lambda x, dim, index, src, **kw: pg.scatter_reduce(x, dim, index, src, **kw),
        lambda xp, x, dim, index, src, **kw: _scatter_reduce_ref(xp, x, dim, index, src, **kw),
        [
            Sample((rand(4), 0, np.array([0, 0, 2, 2, 2]), rand(5)), {"reduce": reduce})
            for reduce in ("sum", "prod", "mean", "amax", "amin")
        ]
        + [
            Sample(
                (rand(3, 4), 1, np.array([[3, 0, 3], [1, 1, 1]]), rand(3, 4)),
                {"reduce": reduce, "include_self": False},
            )
            for reduce in ("sum", "prod", "mean", "amax", "amin")
        ],
        ("take", "concat", "sum", "prod", "amax", "amin", "divide"),
    ),
    OpRecord(
        "gradient_combinations_norms",
        lambda x: (
            pg.gradient(x, spacing=0.5)[0]
            + pg.gradient(x, dim=1)[0] * 2
            + pg.combinations(x[0], 2).prod(1).sum()
            + pg.rms_norm(x, (4,), eps=1e-6).sum()
            + pg.norm_except_dim(x, 2, 0).sum()
        ),
        lambda xp, x: (
            _gradient_ref(xp, x, 0, 0.5)
            + 2 * _gradient_ref(xp, x, 1, 1.0)
            + (
                x[0, 0] * x[0, 1]
                + x[0, 0] * x[0, 2]
                + x[0, 0] * x[0, 3]
                + x[0, 1] * x[0, 2]
                + x[0, 1] * x[0, 3]
                + x[0, 2] * x[0, 3]
            )
            + xp.sum(x / xp.sqrt(xp.mean(x * x, axis=1, keepdims=True) + 1e-6))
            + xp.sum(xp.sqrt(xp.sum(x * x, axis=1)))
        ),
        [Sample((rand(3, 4),))],
        ("concat", "subtract", "take", "vector_norm"),
        functions=("gradient", "combinations", "rms_norm", "norm_except_dim"),
    ),
    # ---- LU and friends -------------------------------------------------------------------------
    OpRecord(
        "linalg.lu",
        lambda a: pg.linalg.lu(a).L * 2 + pg.linalg.lu(a).U + pg.linalg.lu_factor(a).LU,
        lambda xp, a: _lu_ref(xp, a),
        [Sample((_LU_SAMPLE,))],
        ("take_along_axis", "divide", "triu"),
        functions=("linalg.lu", "linalg.lu_factor", "lu", "lu_unpack"),
    ),
    OpRecord(
        "linalg.lu_solve",
        lambda a, b: _lu_solves(a, b),
        lambda xp, a, b: xp.linalg.solve(a, b) * 2 + xp.linalg.solve(a.T, b),
        [Sample((rand(3, 3) + 4 * np.eye(3), rand(3, 2)))],
        ("solve", "take_along_axis"),
        functions=("linalg.lu_solve", "lu_solve"),
    ),
    OpRecord(
        "linalg.ex",
        lambda a, b: (
            pg.linalg.inv_ex(a).inverse
            + pg.linalg.solve_ex(a, b).result
            + pg.linalg.cholesky_ex(a @ a.mT + pg.eye(3, dtype=pg.float64)).L
        ),
        lambda xp, a, b: (
            xp.linalg.inv(a) + xp.linalg.solve(a, b) + xp.linalg.cholesky(a @ a.T + xp.eye(3))
        ),
        [Sample((rand(3, 3) + 4 * np.eye(3), rand(3, 3)))],
        ("inv", "solve", "cholesky"),
        functions=("linalg.inv_ex", "linalg.solve_ex", "linalg.cholesky_ex", "linalg.lu_factor_ex"),
    ),
    OpRecord(
        "linalg.householder_product",
        lambda a, tau: pg.linalg.householder_product(a, tau),
        lambda xp, a, tau: _householder_ref(xp, a, tau),
        [Sample((rand(4, 3), rand(2))), Sample((rand(3, 3), rand(3)))],
        ("matmul", "where"),
        functions=("linalg.householder_product",),
    ),
]


def _cov_ref(xp, x):
    c = x - xp.mean(x, axis=1, keepdims=True)
    return c @ c.T / (x.shape[1] - 1)


def _scatter_ref(xp, x, s):
    n = x.shape[0]
    eye = xp.eye(n)
    diag = x * (1 - eye) + eye * s[0]
    row = xp.concat([x[:1], s[1][None], x[2:]], axis=0)
    sl = xp.concat([x[:1], s[:2], x[3:]], axis=0)
    flat = xp.reshape(x, (-1,))
    mask = np.zeros(9)
    mask[[0, 2, 4]] = 1.0
    placed = np.zeros((9, 3))
    placed[[0, 2, 4], [0, 1, 2]] = 1.0
    strided = xp.reshape(flat * (1 - xp.asarray(mask)) + xp.asarray(placed) @ s[2], (n, n))
    return diag * row + sl + strided


def _scatter_reduce_ref(xp, x, dim, index, src, reduce, include_self=True):
    groups = {o: [x[o]] if include_self else [] for o in np.ndindex(*x.shape)}
    for pos in np.ndindex(*index.shape):
        target = list(pos)
        target[dim] = int(index[pos])
        groups[tuple(target)].append(src[pos])
    combine = {"sum": xp.sum, "prod": xp.prod, "mean": xp.mean, "amax": xp.max, "amin": xp.min}
    values = [combine[reduce](xp.stack(g)) if g else x[o] for o, g in groups.items()]
    return xp.reshape(xp.stack(values), x.shape)


def _linalg_spellings_ref(xp, a, b):
    spd = a @ a.T + 3 * xp.eye(3)
    low = xp.linalg.cholesky(spd)
    t = xp.triu(a + 3 * xp.eye(3))
    cross = xp.stack(
        [
            a[1] * b[2, 0] - a[2] * b[1, 0],
            a[2] * b[0, 0] - a[0] * b[2, 0],
            a[0] * b[1, 0] - a[1] * b[0, 0],
        ]  # fmt: skip
    )
    s = xp.linalg.svd(a, compute_uv=False)
    r = xp.linalg.qr(a)[1]
    return (
        xp.sum(low)
        + xp.sum(xp.linalg.solve(spd, b))
        + xp.sum(xp.linalg.inv(spd))
        + xp.sum(xp.linalg.solve(t, b))
        + xp.sqrt(xp.sum(a * a))
        + xp.sum(s)
        + xp.sum(cross)
        + xp.sum(s)
        + xp.sum(xp.abs(r))
    )


def _running_ref(xp, x, axis, pick):
    slices = []
    best = None
    for i in range(x.shape[axis]):
        cur = xp.take(x, xp.asarray([i]), axis=axis)
        best = cur if best is None else pick(best, cur)
        slices.append(best)
    return xp.concat(slices, axis=axis)


def _cumsum_ref(xp, x, axis):
    return xp.cumsum(x, axis=axis) if hasattr(xp, "cumsum") else xp.cumulative_sum(x, axis=axis)


def _mode_ref(xp, x):
    # rows of round(x): [1, 1, 2, 1] and [3, 3, 0, 3]: modes 1 at index 3, 3 at index 3
    return xp.stack([x[0, 3] * 0 + 1.0, x[1, 3] * 0 + 3.0])


def _gradient_ref(xp, x, axis, h):
    x = xp.moveaxis(x, axis, 0) if hasattr(xp, "moveaxis") else x
    first = (x[1:2] - x[0:1]) / h
    last = (x[-1:] - x[-2:-1]) / h
    inner = (x[2:] - x[:-2]) / (2 * h)
    out = xp.concat([first, inner, last], axis=0)
    return xp.moveaxis(out, 0, axis) if hasattr(xp, "moveaxis") else out


def _lu_solves(a, b):
    factor, pivots = pg.linalg.lu_factor(a)
    packed, swaps = pg.lu(a)
    return (
        pg.linalg.lu_solve(factor, pivots, b)
        + pg.linalg.lu_solve(factor, pivots, b, adjoint=True)
        + pg.lu_solve(b, packed, swaps)
    )


def _lu_ref(xp, a):
    """L and U of the record's sample by Doolittle's elimination, in the row order partial
    pivoting picks for it (worked out once, on the host, from the sample's values)."""
    pa = xp.stack([a[i] for i in _LU_ORDER])
    n = pa.shape[0]
    eye = xp.eye(n)
    lower = eye
    work = pa
    for j in range(n - 1):
        below = xp.asarray((np.arange(n) > j).astype(float))[:, None]
        column = below * work[:, j : j + 1] / work[j, j]
        work = work - column * work[j : j + 1, :]
        lower = lower + column * xp.asarray((np.arange(n) == j).astype(float))[None, :]
    upper = xp.triu(work)
    return lower * 2 + upper + (lower - eye) + upper


def _distances(xp, x, y, p: float):
    d = xp.abs(xp.expand_dims(x, axis=-2) - xp.expand_dims(y, axis=-3))
    return xp.sum(d**p, axis=-1) ** (1 / p)


def _pivot_order(a: np.ndarray) -> list[int]:
    work, order = a.copy(), list(range(a.shape[0]))
    for j in range(a.shape[0]):
        r = j + int(np.argmax(np.abs(work[j:, j])))
        work[[j, r]], order[j], order[r] = work[[r, j]], order[r], order[j]
        work[j + 1 :] -= np.outer(work[j + 1 :, j] / work[j, j], work[j])
    return order


def _householder_ref(xp, a, tau):
    m, n = a.shape
    q = xp.eye(m)
    for i in range(tau.shape[0]):
        v = xp.concat([xp.zeros(i), xp.ones(1), a[i + 1 :, i]])
        q = q @ (xp.eye(m) - tau[i] * (v[:, None] * v[None, :]))
    return q[:, :n]


_LU_ORDER = _pivot_order(_LU_SAMPLE)
