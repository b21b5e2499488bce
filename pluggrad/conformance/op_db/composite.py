"""Op-database records: PyTorch's functions made of other operations (``addmm``, ``lerp``,
``einsum``, ``index_add``...).  Their derivatives are those of their parts; these records check
the parts are put together right, first and second order, against NumPy/JAX references."""

from __future__ import annotations

import numpy as np

import pluggrad as pg

from . import _composite_extra
from ._base import OpRecord, Sample, positive, rand

_I = np.array


def _index_add_ref(xp, x, dim, index, source, alpha=1):
    out = x
    for k, i in enumerate(index.tolist()):
        sl = [slice(None)] * x.ndim
        sl[dim] = slice(i, i + 1)
        src = [slice(None)] * x.ndim
        src[dim] = slice(k, k + 1)
        one_hot = xp.asarray((np.arange(x.shape[dim]) == i).astype(float)).reshape(
            (-1,) + (1,) * (x.ndim - dim - 1)
        )
        out = out + alpha * one_hot * source[tuple(src)]
    return out


def _scatter_add_ref(xp, x, dim, index, src):
    out = x
    for pos in np.ndindex(*index.shape):
        target = list(pos)
        target[dim] = int(index[pos])
        hit = np.zeros(x.shape)
        hit[tuple(target)] = 1.0
        out = out + xp.asarray(hit) * src[pos]
    return out


def _diag_embed_ref(xp, x, offset=0):
    n = x.shape[-1] + abs(offset)
    out = 0
    for k in range(x.shape[-1]):
        e = np.zeros((n, n))
        i, j = (k, k + offset) if offset >= 0 else (k - offset, k)
        e[i, j] = 1.0
        out = out + x[..., k, None, None] * xp.asarray(e)
    return out


RECORDS: list[OpRecord] = [
    # ---- fused multiply-adds --------------------------------------------------------------------
    OpRecord(
        "addmm",
        lambda c, a, b, **kw: pg.addmm(c, a, b, **kw),
        lambda xp, c, a, b, beta=1, alpha=1: beta * c + alpha * (a @ b),
        [
            Sample((rand(2, 4), rand(2, 3), rand(3, 4))),
            Sample((rand(4), rand(2, 3), rand(3, 4)), {"beta": 0.5, "alpha": -2.0}),
            Sample((rand(1, 4), rand(2, 3), rand(3, 4)), {"beta": 0.0}),
        ],
        ("addmm",),
    ),
    OpRecord(
        "addmm_column_major",
        # transposed (column-major) operands, as a linear layer's weight: the gradients are
        # computed in their layout (PyTorch's mm_mat1/mm_mat2_backward)
        lambda c, a, b: pg.addmm(c, a.mT, b.mT),
        lambda xp, c, a, b: c + xp.matrix_transpose(a) @ xp.matrix_transpose(b),
        [Sample((rand(4), rand(3, 2), rand(4, 3)))],
        ("addmm", "matrix_transpose"),
        functions=("addmm",),
    ),
    OpRecord(
        "addmv",
        lambda c, a, v: pg.addmv(c, a, v, alpha=3.0),
        lambda xp, c, a, v: c + 3.0 * (a @ v),
        [Sample((rand(2), rand(2, 3), rand(3)))],
        ("matmul", "add"),
    ),
    OpRecord(
        "addr",
        lambda c, u, v: pg.addr(c, u, v, beta=2.0),
        lambda xp, c, u, v: 2.0 * c + u[:, None] * v[None, :],
        [Sample((rand(2, 3), rand(2), rand(3)))],
        ("multiply", "add"),
    ),
    OpRecord(
        "baddbmm",
        lambda c, a, b: pg.baddbmm(c, a, b),
        lambda xp, c, a, b: c + a @ b,
        [Sample((rand(2, 2, 4), rand(2, 2, 3), rand(2, 3, 4)))],
        ("matmul", "add"),
        functions=("baddbmm", "addbmm"),
    ),
    OpRecord(
        "addbmm",
        lambda c, a, b: pg.addbmm(c, a, b),
        lambda xp, c, a, b: c + xp.sum(a @ b, axis=0),
        [Sample((rand(2, 4), rand(3, 2, 3), rand(3, 3, 4)))],
        ("matmul", "sum", "add"),
    ),
    OpRecord(
        "addcmul_addcdiv",
        lambda c, a, b: pg.addcmul(c, a, b, value=0.5) + pg.addcdiv(c, a, b, value=2.0),
        lambda xp, c, a, b: (c + 0.5 * a * b) + (c + 2.0 * a / b),
        [Sample((rand(3), rand(2, 3), positive(3)))],
        ("multiply", "divide", "add"),
        functions=("addcmul", "addcdiv"),
    ),
    # ---- pointwise ------------------------------------------------------------------------------
    OpRecord(
        "lerp",
        lambda a, b, w: pg.lerp(a, b, w),
        lambda xp, a, b, w: a + w * (b - a),
        [Sample((rand(3), rand(3), rand(3))), Sample((rand(2, 3), rand(3), 0.25))],
        ("subtract", "multiply", "add"),
    ),
    OpRecord(
        "xlogy",
        lambda x, y: pg.xlogy(x, y),
        lambda xp, x, y: x * xp.log(y),
        [Sample((rand(4), positive(4))), Sample((rand(2, 3), positive(3)))],
        ("multiply", "log", "where"),
    ),
    OpRecord(
        "float_power",
        lambda x, y: pg.float_power(x, y),
        lambda xp, x, y: x**y,
        [Sample((positive(3), rand(3))), Sample((positive(2, 2), 1.5))],
        ("pow", "astype"),
    ),
    OpRecord(
        "deg2rad_rad2deg_frac",
        lambda x: pg.deg2rad(x) + pg.rad2deg(x) + pg.frac(x),
        lambda xp, x: x * (np.pi / 180) + x * (180 / np.pi) + (x - xp.trunc(x)),
        [Sample((rand(5, low=-3.0, high=3.0),))],
        ("multiply", "trunc", "subtract"),
        functions=("deg2rad", "rad2deg", "frac"),
    ),
    OpRecord(
        "logit",
        lambda p, **kw: pg.logit(p, **kw),
        lambda xp, p, eps=None: xp.log(
            (p if eps is None else xp.clip(p, eps, 1 - eps))
            / (1 - (p if eps is None else xp.clip(p, eps, 1 - eps)))
        ),
        [
            Sample((rand(4, low=0.1, high=0.9),)),
            Sample((rand(4, low=0.1, high=0.9),), {"eps": 0.2}),
        ],
        ("log", "divide", "maximum", "minimum"),
    ),
    OpRecord(
        "sinc",
        pg.sinc,
        lambda xp, x: xp.sinc(x) if hasattr(xp, "sinc") else np.sinc(x),
        [Sample((rand(5),)), Sample((np.array([0.0, 0.5, -1.25]),))],
        ("sin", "divide", "where"),
    ),
    OpRecord(
        "fmax_fmin",
        lambda a, b: pg.fmax(a, b) + pg.fmin(a, b) * 2,
        lambda xp, a, b: xp.maximum(a, b) + xp.minimum(a, b) * 2,
        [Sample((rand(3), rand(3))), Sample((rand(2, 3), rand(3)))],
        ("maximum", "minimum", "where"),
        functions=("fmax", "fmin"),
    ),
    OpRecord(
        "ldexp_logaddexp2",
        lambda x, y: pg.ldexp(x, pg.tensor([1, -2, 0])) + pg.logaddexp2(x, y),
        lambda xp, x, y: x * xp.asarray([2.0, 0.25, 1.0]) + xp.log2(xp.exp2(x) + xp.exp2(y)),
        [Sample((rand(3), rand(3)))],
        ("multiply", "logaddexp", "divide"),
        functions=("ldexp", "logaddexp2"),
    ),
    OpRecord(
        "nan_to_num",
        lambda x: pg.nan_to_num(x) * x,
        lambda xp, x: x * x,
        [Sample((rand(4),))],
        ("where", "multiply"),
    ),
    # ---- reductions -----------------------------------------------------------------------------
    OpRecord(
        "nansum_nanmean",
        lambda x: pg.nansum(x, dim=1) + pg.nanmean(x, 1),
        lambda xp, x: xp.sum(x, axis=1) + xp.mean(x, axis=1),
        [Sample((rand(2, 3),))],
        ("sum", "where", "divide"),
        functions=("nansum", "nanmean"),
    ),
    OpRecord(
        "aminmax",
        lambda x: pg.aminmax(x, dim=0).min * 2 + pg.aminmax(x, dim=0).max,
        lambda xp, x: xp.min(x, axis=0) * 2 + xp.max(x, axis=0),
        [Sample((rand(3, 2),))],
        ("amin", "amax"),
    ),
    OpRecord(
        "std_mean_var_mean",
        lambda x: pg.std_mean(x, 0)[0] + pg.std_mean(x, 0)[1] * pg.var_mean(x, 0)[0],
        lambda xp, x: xp.std(x, axis=0, ddof=1) + xp.mean(x, axis=0) * xp.var(x, axis=0, ddof=1),
        [Sample((rand(4, 2),))],
        ("std", "mean", "var"),
        functions=("std_mean", "var_mean"),
    ),
    # ---- products -------------------------------------------------------------------------------
    OpRecord(
        "vdot_ger_kron",
        lambda a, b: pg.vdot(a, b) + pg.ger(a, b).sum() + pg.kron(a, b)[1:3].sum(),
        lambda xp, a, b: (
            xp.sum(a * b)
            + xp.sum(a[:, None] * b[None, :])
            + xp.sum((a[:, None] * b[None, :]).reshape(-1)[1:3])
        ),
        [Sample((rand(3), rand(3)))],
        ("multiply", "sum"),
        functions=("vdot", "ger", "kron"),
    ),
    OpRecord(
        "kron",
        lambda a, b: pg.kron(a, b),
        lambda xp, a, b: (a[:, None, :, None] * b[None, :, None, :]).reshape(
            a.shape[0] * b.shape[0], a.shape[1] * b.shape[1]
        ),
        [Sample((rand(2, 3), rand(2, 2)))],
        ("multiply", "reshape"),
    ),
    OpRecord(
        "einsum",
        lambda eq, *ops: pg.einsum(eq, *ops),
        lambda xp, eq, *ops: xp.einsum(eq, *ops),
        [
            Sample(("ij,jk->ik", rand(2, 3), rand(3, 4))),
            Sample(("bij,bjk->bik", rand(2, 2, 3), rand(2, 3, 2))),
            Sample(("i,j->ij", rand(3), rand(2))),
            Sample(("ii->i", rand(3, 3))),
            Sample(("ij,ij->", rand(2, 3), rand(2, 3))),
            Sample(("...ij,jk", rand(2, 2, 3), rand(3, 2))),
            Sample(("ij,jk,kl->il", rand(2, 3), rand(3, 2), rand(2, 2))),
            Sample(("ijk->kj", rand(2, 3, 2))),
        ],
        ("matmul", "sum", "permute_dims", "reshape"),
    ),
    OpRecord(
        "dist_chain_matmul",
        lambda a, b, m: pg.dist(a, b) + pg.dist(a, b, p=1) + pg.chain_matmul(m, m, m).sum(),
        lambda xp, a, b, m: (
            xp.sqrt(xp.sum((a - b) ** 2)) + xp.sum(xp.abs(a - b)) + xp.sum(m @ m @ m)
        ),
        [Sample((rand(3), rand(3), rand(2, 2)))],
        ("vector_norm", "matmul"),
        functions=("dist", "chain_matmul"),
    ),
    # ---- writing along an axis ------------------------------------------------------------------
    OpRecord(
        "index_add",
        lambda x, dim, index, source, **kw: pg.index_add(x, dim, index, source, **kw),
        _index_add_ref,
        [
            Sample((rand(3, 2), 0, _I([0, 2, 0]), rand(3, 2))),
            Sample((rand(2, 3), 1, _I([1]), rand(2, 1)), {"alpha": 2.0}),
        ],
        ("scatter_add", "add"),
    ),
    OpRecord(
        "index_fill_copy",
        lambda x, s: (
            pg.index_fill(x, 1, pg.tensor([0, 2]), 1.5) * pg.index_copy(x, 0, pg.tensor([1]), s)
        ),
        lambda xp, x, s: (
            xp.concat([x[:, :1] * 0 + 1.5, x[:, 1:2], x[:, 2:] * 0 + 1.5], axis=1)
            * xp.concat([x[:1], s, x[2:]], axis=0)
        ),
        [Sample((rand(3, 3), rand(1, 3)))],
        ("where", "scatter_add"),
        functions=("index_fill", "index_copy"),
    ),
    OpRecord(
        "scatter_add",
        lambda x, dim, index, src: pg.scatter_add(x, dim, index, src),
        _scatter_add_ref,
        [
            Sample((rand(3), 0, _I([0, 0, 2]), rand(3))),
            Sample((rand(2, 3), 1, _I([[2, 0], [1, 1]]), rand(2, 3))),
        ],
        ("put_along_axis_add", "add"),
    ),
    OpRecord(
        "masked_select",
        lambda x: pg.masked_select(x, pg.tensor([True, False, True])),
        lambda xp, x: xp.stack([x[..., 0], x[..., 2]], axis=-1).reshape(-1),
        [Sample((rand(2, 3),))],
        ("getitem", "broadcast_to"),
    ),
    # ---- shapes ---------------------------------------------------------------------------------
    OpRecord(
        "flips_and_rotations",
        lambda x: (
            pg.fliplr(x) * 1
            + pg.flipud(x) * 2
            + pg.rot90(x, 2) * 3
            + pg.rot90(x) ** 2 @ pg.rot90(x, -1)
        ),
        lambda xp, x: (
            xp.flip(x, axis=1)
            + 2 * xp.flip(x, axis=0)
            + 3 * xp.flip(x, axis=(0, 1))
            + (xp.flip(x, axis=1).T) ** 2 @ xp.flip(x, axis=0).T
        ),
        [Sample((rand(3, 3),))],
        ("flip", "transpose"),
        functions=("fliplr", "flipud", "rot90"),
    ),
    OpRecord(
        "stacking",
        lambda a, b: (
            pg.column_stack([a, b]).sum(0)
            + pg.dstack([a, b]).sum((0, 1))
            + pg.row_stack([a, b])[1]
            + pg.atleast_2d(a)[0] * pg.atleast_1d(a)
            + pg.atleast_3d(b)[0, :, 0]
        ),
        # column_stack(...).sum(0) and dstack(...).sum((0, 1)) are [sum(a), sum(b)] each;
        # row_stack(...)[1] and atleast_3d(b)[0, :, 0] are b; atleast_2d(a)[0] * a is a * a
        lambda xp, a, b: xp.stack([xp.sum(a), xp.sum(b)]) * 2 + 2 * b + a * a,
        [Sample((rand(2), rand(2)))],
        ("concat", "reshape"),
        functions=("column_stack", "dstack", "row_stack", "atleast_1d", "atleast_2d", "atleast_3d"),
    ),
    OpRecord(
        "ravel_unflatten",
        lambda x: pg.ravel(x.t()) * 2 + pg.unflatten(x, 1, (2, -1)).reshape(-1),
        lambda xp, x: x.T.reshape(-1) * 2 + x.reshape(-1),
        [Sample((rand(3, 4),))],
        ("reshape", "clone"),
        functions=("ravel", "unflatten"),
    ),
    OpRecord(
        "diag_embed",
        lambda x, **kw: pg.diag_embed(x, **kw),
        _diag_embed_ref,
        [
            Sample((rand(2, 3),)),
            Sample((rand(3),), {"offset": 1}),
            Sample((rand(2),), {"offset": -2}),
        ],
        ("multiply", "concat"),
        functions=("diag_embed", "diag", "diagflat"),
    ),
    OpRecord(
        "diag",
        lambda x, k=0: pg.diag(x, k) + pg.diagflat(x, k).sum() if x.ndim == 1 else pg.diag(x, k),
        lambda xp, x, k=0: (
            _diag_embed_ref(xp, x, k) + xp.sum(_diag_embed_ref(xp, x, k))
            if x.ndim == 1
            else xp.linalg.diagonal(x, offset=k)
        ),
        [Sample((rand(3),)), Sample((rand(3), 1)), Sample((rand(3, 4), -1)), Sample((rand(3, 3),))],
        ("multiply", "diagonal"),
        functions=("diag", "diagflat"),
    ),
    OpRecord(
        "block_diag",
        lambda a, b: pg.block_diag(a, b),
        lambda xp, a, b: xp.concat(
            [
                xp.concat([a, xp.zeros((a.shape[0], b.shape[1]))], axis=1),
                xp.concat([xp.zeros((b.shape[0], a.shape[1])), b], axis=1),
            ],
            axis=0,
        ),
        [Sample((rand(2, 2), rand(1, 3)))],
        ("concat", "multiply"),
    ),
    OpRecord(
        "cartesian_prod",
        lambda a, b: pg.cartesian_prod(a, b),
        lambda xp, a, b: xp.stack([xp.repeat(a, b.shape[0]), xp.tile(b, a.shape[0])], axis=1),
        [Sample((rand(2), rand(3)))],
        ("broadcast_to", "stack"),
    ),
    # ---- linalg made of other operations --------------------------------------------------------
    OpRecord(
        "matrix_exp",
        lambda a: pg.linalg.matrix_exp(a + a.mT) + pg.matrix_exp((a + a.mT) * 0.1),
        lambda xp, a: (
            _expm_symmetric(xp, a + xp.swapaxes(a, -1, -2))
            + _expm_symmetric(xp, (a + xp.swapaxes(a, -1, -2)) * 0.1)
        ),
        [Sample((rand(3, 3),)), Sample((rand(2, 2, 2),))],
        ("matmul", "divide", "add"),
        functions=("matrix_exp", "linalg.matrix_exp"),
    ),
    OpRecord(
        "linalg.multi_dot",
        lambda a, b, v: pg.linalg.multi_dot([v, a, b]),
        lambda xp, a, b, v: v @ a @ b,
        [Sample((rand(3, 3), rand(3, 2), rand(3)))],
        ("matmul",),
        functions=("linalg.multi_dot",),
    ),
    OpRecord(
        "linalg.solve_triangular",
        lambda a, b, **kw: pg.linalg.solve_triangular(a, b, **kw),
        lambda xp, a, b, upper, left=True, unitriangular=False: _solve_triangular_ref(
            xp, a, b, upper, left, unitriangular
        ),
        [
            Sample((rand(3, 3) + 4 * np.eye(3), rand(3, 2)), {"upper": True}),
            Sample((rand(3, 3) + 4 * np.eye(3), rand(2, 3)), {"upper": False, "left": False}),
            Sample((rand(3, 3), rand(3, 2)), {"upper": False, "unitriangular": True}),
        ],
        ("solve", "tril", "triu"),
        functions=("linalg.solve_triangular",),
    ),
    OpRecord(
        "linalg.lstsq",
        lambda a, b: pg.linalg.lstsq(a, b).solution,
        lambda xp, a, b: xp.linalg.pinv(a) @ b,
        [Sample((rand(4, 3), rand(4, 2))), Sample((rand(5, 2), rand(5, 1)))],
        ("pinv", "matmul"),
        functions=("linalg.lstsq",),
    ),
    OpRecord(
        "linalg.cond",
        lambda a, p=None: pg.linalg.cond(a, p),
        lambda xp, a, p=None: _cond_ref(xp, a, p),
        [
            Sample((rand(3, 3) + 3 * np.eye(3),)),
            Sample((rand(3, 3) + 3 * np.eye(3), "fro")),
            Sample((rand(3, 3) + 3 * np.eye(3), 1)),
        ],
        ("svdvals", "inv", "matrix_norm"),
        functions=("linalg.cond",),
    ),
    OpRecord(
        "linalg.vander",
        lambda x, n: pg.linalg.vander(x, N=n),
        lambda xp, x, n: xp.stack([x**k for k in range(n)], axis=-1),
        [Sample((rand(3), 4)), Sample((rand(2, 3), 2))],
        ("multiply", "stack"),
        functions=("linalg.vander",),
    ),
    OpRecord(
        "linalg.tensorinv_tensorsolve",
        lambda a, b: pg.linalg.tensorinv(a, ind=1).sum() + pg.linalg.tensorsolve(a, b).sum(),
        lambda xp, a, b: (
            xp.sum(xp.linalg.inv(xp.reshape(a, (4, 4))))
            + xp.sum(xp.linalg.solve(xp.reshape(a, (4, 4)), b))
        ),
        [Sample((rand(4, 2, 2) + 3 * np.eye(4).reshape(4, 2, 2), rand(4)))],
        ("inv", "solve", "reshape"),
        functions=("linalg.tensorinv", "linalg.tensorsolve"),
    ),
]


def _expm_symmetric(xp, s):
    w, v = xp.linalg.eigh(s)
    return (v * xp.exp(w)[..., None, :]) @ xp.swapaxes(v, -1, -2)


def _solve_triangular_ref(xp, a, b, upper, left, unitriangular):
    t = xp.triu(a) if upper else xp.tril(a)
    if unitriangular:
        t = t - xp.diag(xp.diagonal(t)) + xp.eye(a.shape[0])
    return xp.linalg.solve(t, b) if left else xp.linalg.solve(t.T, b.T).T


def _cond_ref(xp, a, p):
    if p is None:
        s = xp.linalg.svd(a, compute_uv=False)
        return xp.max(s) / xp.min(s)
    if p == "fro":
        return xp.linalg.norm(a) * xp.linalg.norm(xp.linalg.inv(a))
    return xp.max(xp.sum(xp.abs(a), axis=0)) * xp.max(xp.sum(xp.abs(xp.linalg.inv(a)), axis=0))


RECORDS += _composite_extra.RECORDS
