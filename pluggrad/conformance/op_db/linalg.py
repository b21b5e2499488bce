"""Op-database records: matrix products and the linalg extension.

Decompositions (``eigh``, ``svd``, ``qr``) are checked through functions of their outputs that do
not depend on the arbitrary signs of eigen- and singular vectors (squares of their entries,
weighted), as PyTorch's OpInfos do; ``cholesky`` and ``eigh`` read one triangle of their input,
so their records symmetrize it first (PyTorch's ``gradcheck_wrapper_hermitian_input``).
"""

from __future__ import annotations

import math

import numpy as np

import pluggrad as pg

from ._base import OpRecord, Sample, rand

inf = float("inf")


# ---- sample matrices --------------------------------------------------------------------------


def invertible(*shape) -> np.ndarray:
    """Well-conditioned square matrices (diagonally dominant)."""
    n = shape[-1]
    return rand(*shape, low=-1.0, high=1.0) + n * np.eye(n)


def spd(*shape) -> np.ndarray:
    """Symmetric positive-definite matrices with distinct eigenvalues, halved (the records
    take ``a + a.mT``)."""
    n = shape[-1]
    a = rand(*shape, low=-1.0, high=1.0)
    return (a @ np.swapaxes(a, -1, -2) + n * np.eye(n) + np.diag(np.arange(n, dtype=float))) / 2


def sym(xp, a):
    return a + xp.matrix_transpose(a)


def weights(shape) -> np.ndarray:
    """Fixed, distinct weights of a given shape."""
    size = math.prod(shape)
    return np.linspace(0.5, 1.5, size).reshape(shape) if size else np.zeros(shape)


def _w(xp, shape):
    return xp.asarray(weights(tuple(shape)))


def _pw(shape):
    return pg.asarray(weights(tuple(shape)))


# ---- sign-invariant functions of decompositions -------------------------------------------------


def _eigh_op(a):
    values, vectors = pg.linalg.eigh(a + pg.matrix_transpose(a))
    return values * _pw(values.shape[-1:]) + pg.sum(vectors**2 * _pw(vectors.shape[-2:]), axis=-1)


def _eigh_ref(xp, a):
    values, vectors = xp.linalg.eigh(sym(xp, a))
    return values * _w(xp, values.shape[-1:]) + xp.sum(
        vectors**2 * _w(xp, vectors.shape[-2:]), axis=-1
    )


def _eig_op(a):
    # the eigenvalues' real and imaginary parts and the eigenvectors' moduli: phase-invariant
    values, vectors = pg.linalg.eig(a)
    n = values.shape[-1]
    return (
        pg.real(values) * _pw((n,))
        + pg.imag(values) * _pw((n,)) ** 2
        + pg.sum(pg.abs(vectors) ** 2 * _pw((n, n)), axis=-2)
    )


def _eig_ref(xp, a):
    if getattr(xp, "__name__", "").startswith("jax"):
        import jax  # noqa: PLC0415 - only on the jax backend's oracle runs

        # JAX differentiates non-symmetric eigenvectors only when asked to
        values, vectors = jax.lax.linalg.eig(
            a, compute_left_eigenvectors=False, enable_eigvec_derivs=True
        )
    else:
        values, vectors = xp.linalg.eig(a)
    n = values.shape[-1]
    return (
        xp.real(values) * _w(xp, (n,))
        + xp.imag(values) * _w(xp, (n,)) ** 2
        + xp.sum(xp.abs(vectors) ** 2 * _w(xp, (n, n)), axis=-2)
    )


def _svd_op(a, full_matrices=False):
    u, s, vh = pg.linalg.svd(a, full_matrices=full_matrices)
    k = s.shape[-1]
    u, vh = u[..., :k], vh[..., :k, :]
    return (
        s * _pw((k,))
        + pg.sum(u**2 * _pw(u.shape[-2:]), axis=-2)
        + pg.sum(vh**2 * _pw(vh.shape[-2:]), axis=-1)
    )


def _svd_ref(xp, a, full_matrices=False):
    u, s, vh = xp.linalg.svd(a, full_matrices=False)  # jax differentiates the reduced SVD only
    k = s.shape[-1]
    return (
        s * _w(xp, (k,))
        + xp.sum(u**2 * _w(xp, u.shape[-2:]), axis=-2)
        + xp.sum(vh**2 * _w(xp, vh.shape[-2:]), axis=-1)
    )


def _qr_op(a, mode="reduced"):
    q, r = pg.linalg.qr(a, mode=mode)
    return pg.sum(q**2 * _pw(q.shape[-2:]), axis=-2) + pg.sum(r**2 * _pw(r.shape[-2:]), axis=-1)


def _qr_ref(xp, a, mode="reduced"):
    m, n = a.shape[-2], a.shape[-1]
    if m < n:  # jax differentiates QR of tall matrices only: A = Q [R1 | Q^T A2]
        q, r1 = xp.linalg.qr(a[..., :m])
        r = xp.concat([r1, xp.matmul(xp.matrix_transpose(q), a[..., m:])], axis=-1)
    else:
        q, r = xp.linalg.qr(a, mode=mode)
    return xp.sum(q**2 * _w(xp, q.shape[-2:]), axis=-2) + xp.sum(
        r**2 * _w(xp, r.shape[-2:]), axis=-1
    )


def _linalg_norm_ref(xp, x, ord=None, dim=None, keepdim=False):  # noqa: A002
    if isinstance(dim, tuple) and len(dim) == 2 or dim is None and ord is not None and x.ndim == 2:
        return xp.linalg.matrix_norm(x, ord="fro" if ord is None else ord, keepdims=keepdim)
    return xp.linalg.vector_norm(x, ord=2 if ord is None else ord, axis=dim, keepdims=keepdim)


def _torch_norm_ref(xp, x, p="fro", dim=None, keepdim=False):
    if p == "nuc":
        return xp.linalg.matrix_norm(x, ord="nuc", keepdims=keepdim)
    return xp.linalg.vector_norm(x, ord=2 if p == "fro" else p, axis=dim, keepdims=keepdim)


def _solve_left_false_ref(xp, a, b):
    t = xp.matrix_transpose
    return t(xp.linalg.solve(t(a), t(b)))


def _rotation_like() -> np.ndarray:
    """A matrix with a complex pair of eigenvalues (near ``±1.2i``) and a real one."""
    return np.array([[0.1, -1.2, 0.3], [1.2, 0.2, -0.1], [0.4, 0.1, 1.5]])


def _singular(n=3) -> np.ndarray:
    a = rand(n, n - 1)
    return a @ rand(n - 1, n)


def _mixed_sign_det() -> np.ndarray:
    a = invertible(3, 3)
    return a[[1, 0, 2]]  # a row swap: negative determinant


RECORDS: list[OpRecord] = [
    # ---- products -------------------------------------------------------------------------------
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
        functions=("matmul", "linalg.matmul"),
    ),
    OpRecord(
        "dot", pg.dot, lambda xp, a, b: xp.sum(a * b), [Sample((rand(4), rand(4)))], ("dot",)
    ),  # fmt: skip
    OpRecord(
        "mm",
        pg.mm,
        lambda xp, a, b: xp.matmul(a, b),
        [Sample((rand(2, 3), rand(3, 4))), Sample((rand(1, 1), rand(1, 2)))],
        ("matmul",),
    ),  # fmt: skip
    OpRecord(
        "mv",
        pg.mv,
        lambda xp, a, b: xp.matmul(a, b),
        [Sample((rand(2, 3), rand(3)))],
        ("matmul",),
    ),  # fmt: skip
    OpRecord(
        "bmm",
        pg.bmm,
        lambda xp, a, b: xp.matmul(a, b),
        [Sample((rand(2, 2, 3), rand(2, 3, 4))), Sample((rand(1, 3, 1), rand(1, 1, 2)))],
        ("bmm",),
    ),  # fmt: skip
    OpRecord(
        "matrix_transpose",
        pg.matrix_transpose,
        lambda xp, x: xp.matrix_transpose(x),
        [Sample((rand(2, 3),)), Sample((rand(2, 3, 4),))],
        ("matrix_transpose",),
        functions=("matrix_transpose", "linalg.matrix_transpose"),
    ),  # fmt: skip
    OpRecord(
        "tensordot",
        pg.tensordot,
        lambda xp, a, b, axes=2: xp.tensordot(a, b, axes=axes),
        [
            Sample((rand(2, 3, 4), rand(3, 4, 2))),
            Sample((rand(2, 3), rand(3, 4)), {"axes": 1}),
            Sample((rand(3, 2), rand(2, 3)), {"axes": ([0], [1])}),
            Sample((rand(2, 3, 4), rand(4, 3)), {"axes": ((-1, 1), (0, 1))}),
            Sample((rand(2), rand(3)), {"axes": 0}),
        ],
        ("matmul", "permute_dims", "reshape"),
        functions=("tensordot", "linalg.tensordot"),
    ),
    OpRecord(
        "tensordot[dims]",
        lambda a, b, dims: pg.tensordot(a, b, dims=dims),
        lambda xp, a, b, dims: xp.tensordot(a, b, axes=dims),
        [Sample((rand(2, 3), rand(3, 4)), {"dims": 1})],
        ("matmul",),
        functions=("tensordot",),
    ),
    OpRecord(
        "vecdot",
        pg.vecdot,
        lambda xp, a, b, axis=-1: xp.vecdot(a, b, axis=axis),
        [
            Sample((rand(3), rand(3))),
            Sample((rand(2, 3), rand(3))),
            Sample((rand(3, 2), rand(2, 3, 2)), {"axis": -2}),
        ],
        ("multiply", "sum"),
        functions=("vecdot", "linalg.vecdot"),
    ),
    OpRecord(
        "outer",
        pg.outer,
        lambda xp, a, b: a[:, None] * b[None, :],
        [Sample((rand(3), rand(2))), Sample((rand(1), rand(4)))],
        ("multiply", "expand_dims"),
        functions=("outer", "linalg.outer"),
    ),
    OpRecord(
        "inner",
        pg.inner,
        lambda xp, a, b: (
            a * b
            if a.ndim == 0 or b.ndim == 0
            else xp.tensordot(a, b, axes=([a.ndim - 1], [b.ndim - 1]))
        ),
        [Sample((rand(3), rand(3))), Sample((rand(2, 3), rand(4, 3))), Sample((rand(), rand(2)))],
        ("matmul",),
    ),
    OpRecord(
        "trace",
        pg.trace,
        lambda xp, x, offset=0: xp.linalg.trace(x, offset=offset),
        [
            Sample((rand(3, 3),)),
            Sample((rand(3, 4),), {"offset": 1}),
            Sample((rand(2, 3, 3),), {"offset": -1}),
        ],
        ("trace",),
        functions=("trace", "linalg.trace"),
    ),
    OpRecord(
        "linalg.diagonal",
        pg.linalg.diagonal,
        lambda xp, x, offset=0: xp.linalg.diagonal(x, offset=offset),
        [
            Sample((rand(3, 3),)),
            Sample((rand(3, 4),), {"offset": 1}),
            Sample((rand(4, 3),), {"offset": 2}),
            Sample((rand(2, 3, 4),), {"offset": -1}),
        ],
        ("diagonal",),
    ),
    OpRecord(
        "diagonal",
        pg.diagonal,
        lambda xp, x, offset=0, dim1=0, dim2=1: xp.linalg.diagonal(
            xp.moveaxis(x, (dim1, dim2), (-2, -1)), offset=offset
        ),
        [
            Sample((rand(3, 4),)),
            Sample((rand(3, 4),), {"offset": -1}),
            Sample((rand(2, 3, 4),), {"offset": 1, "dim1": 2, "dim2": 0}),
            Sample((rand(2, 3, 4),), {"dim1": -1, "dim2": 1}),
        ],
        ("diagonal",),
    ),
    OpRecord(
        "linalg.cross",
        pg.linalg.cross,
        lambda xp, a, b, axis=-1: xp.linalg.cross(a, b, axis=axis),
        [
            Sample((rand(3), rand(3))),
            Sample((rand(2, 3), rand(3))),
            Sample((rand(3, 2), rand(3, 2)), {"axis": 0}),
        ],
        ("cross",),
    ),
    # ---- norms ----------------------------------------------------------------------------------
    OpRecord(
        "linalg.vector_norm",
        pg.linalg.vector_norm,
        lambda xp, x, ord=2, axis=None, keepdims=False: xp.linalg.vector_norm(  # noqa: A006
            x, ord=ord, axis=axis, keepdims=keepdims
        ),
        [
            Sample((rand(4),)),
            Sample((rand(2, 3),), {"axis": 1}),
            Sample((rand(2, 3),), {"ord": 1, "axis": (0, 1), "keepdims": True}),
            Sample((rand(2, 3),), {"ord": 3, "axis": 0}),
            Sample((rand(2, 3),), {"ord": 1.5}),
            Sample((rand(2, 3),), {"ord": 0.5, "axis": -1, "keepdims": True}),
            Sample((rand(2, 3),), {"ord": -1}),
            Sample((rand(2, 3),), {"ord": inf, "axis": 1}),
            Sample((rand(2, 3),), {"ord": -inf}),
            Sample((rand(2, 3),), {"ord": 0}),
            Sample((rand(),)),
        ],
        ("vector_norm",),
    ),
    OpRecord(
        "linalg.matrix_norm",
        pg.linalg.matrix_norm,
        lambda xp, x, ord="fro", keepdims=False: xp.linalg.matrix_norm(  # noqa: A006
            x, ord=ord, keepdims=keepdims
        ),
        [
            Sample((rand(3, 4),)),
            Sample((rand(2, 3, 3),), {"keepdims": True}),
            Sample((rand(3, 4),), {"ord": "nuc"}),
            Sample((rand(2, 4, 3),), {"ord": 2}),
            Sample((rand(3, 3),), {"ord": -2, "keepdims": True}),
            Sample((rand(3, 4),), {"ord": 1}),
            Sample((rand(2, 3, 4),), {"ord": -1}),
            Sample((rand(3, 4),), {"ord": inf}),
            Sample((rand(3, 4),), {"ord": -inf, "keepdims": True}),
        ],
        ("vector_norm", "svd", "sum", "amax", "amin", "abs"),
    ),
    OpRecord(
        "linalg.norm",
        pg.linalg.norm,
        _linalg_norm_ref,
        [
            Sample((rand(2, 3),)),
            Sample((rand(4),), {"ord": 3}),
            Sample((rand(3, 4),), {"ord": "nuc"}),
            Sample((rand(2, 3, 4),), {"dim": (-2, -1), "ord": 1}),
            Sample((rand(2, 3),), {"dim": 1, "keepdim": True}),
        ],
        ("vector_norm",),
        functions=("linalg.norm",),
    ),
    OpRecord(
        "norm",
        pg.norm,
        _torch_norm_ref,
        [
            Sample((rand(2, 3),)),
            Sample((rand(2, 3),), {"p": 1, "dim": 1}),
            Sample((rand(2, 3),), {"p": 3, "dim": (0, 1), "keepdim": True}),
            Sample((rand(2, 3),), {"p": inf}),
            Sample((rand(3, 3),), {"p": "nuc"}),
            Sample((rand(4),), {"p": "fro", "dim": 0}),
        ],
        ("vector_norm",),
    ),
    # ---- determinants, inverses, solvers --------------------------------------------------------
    OpRecord(
        "det",
        pg.det,
        lambda xp, a: xp.linalg.det(a),
        [
            Sample((invertible(3, 3),)),
            Sample((invertible(2, 3, 3),)),
            Sample((rand(1, 1, low=0.5, high=2.0),)),
            Sample((_mixed_sign_det(),)),
            Sample((_singular(3),), name="singular"),
        ],
        ("det", "svd"),
        functions=("det", "linalg.det"),
    ),
    OpRecord(
        "slogdet",
        lambda a: pg.slogdet(a)[1],
        lambda xp, a: xp.linalg.slogdet(a)[1],
        [Sample((invertible(3, 3),)), Sample((invertible(2, 2, 2),)), Sample((_mixed_sign_det(),))],
        ("slogdet",),
        functions=("slogdet", "linalg.slogdet"),
    ),
    OpRecord(
        "slogdet[sign]",
        lambda a: pg.linalg.slogdet(a)[0] + pg.linalg.slogdet(a)[1],
        lambda xp, a: xp.linalg.slogdet(a)[0] + xp.linalg.slogdet(a)[1],
        [Sample((_mixed_sign_det(),))],
        ("slogdet",),
    ),
    OpRecord(
        "logdet",
        pg.logdet,
        lambda xp, a: xp.log(xp.linalg.det(a)),
        [Sample((invertible(3, 3),)), Sample((spd(2, 2, 2),))],
        ("slogdet", "where"),
    ),
    OpRecord(
        "inverse",
        pg.inverse,
        lambda xp, a: xp.linalg.inv(a),
        [Sample((invertible(3, 3),)), Sample((invertible(2, 2, 2),))],
        ("inv",),
        functions=("inverse", "linalg.inv"),
    ),
    OpRecord(
        "linalg.solve",
        pg.linalg.solve,
        lambda xp, a, b: xp.linalg.solve(a, b),
        [
            Sample((invertible(3, 3), rand(3, 2))),
            Sample((invertible(3, 3), rand(3))),
            Sample((invertible(2, 3, 3), rand(3, 2))),
            Sample((invertible(3, 3), rand(2, 3, 1))),
            Sample((invertible(2, 3, 3), rand(3))),
        ],
        ("solve",),
    ),
    OpRecord(
        "linalg.solve[left=False]",
        lambda a, b: pg.linalg.solve(a, b, left=False),
        _solve_left_false_ref,
        [Sample((invertible(3, 3), rand(2, 3)))],
        ("solve",),
        functions=("linalg.solve",),
    ),
    OpRecord(
        "linalg.pinv",
        pg.linalg.pinv,
        lambda xp, a: xp.linalg.pinv(a),
        [
            Sample((invertible(3, 3),)),
            Sample((rand(4, 3),)),
            Sample((rand(3, 4),)),
            Sample((rand(2, 4, 3),)),
        ],
        ("pinv",),
    ),
    OpRecord(
        "pinverse",
        pg.pinverse,
        lambda xp, a: xp.linalg.pinv(a),
        [Sample((rand(3, 2),))],
        ("pinv",),
    ),  # fmt: skip
    OpRecord(
        "matrix_power",
        pg.matrix_power,
        lambda xp, a, n: xp.linalg.matrix_power(a, n),
        [
            Sample((rand(3, 3, low=-1, high=1), 3)),
            Sample((rand(2, 3, 3, low=-1, high=1), 2)),
            Sample((rand(3, 3), 1)),
            Sample((rand(3, 3), 0)),
            Sample((invertible(3, 3), -2)),
            Sample((rand(2, 2, low=-1, high=1), 6)),
        ],
        ("matmul", "inv"),
        functions=("matrix_power", "linalg.matrix_power"),
    ),
    # ---- decompositions -------------------------------------------------------------------------
    OpRecord(
        "linalg.cholesky",
        lambda a, upper=False: pg.linalg.cholesky(a + pg.matrix_transpose(a), upper=upper),
        lambda xp, a, upper=False: xp.linalg.cholesky(sym(xp, a), upper=upper),
        [Sample((spd(3, 3),)), Sample((spd(2, 3, 3),)), Sample((spd(3, 3),), {"upper": True})],
        ("cholesky",),
    ),
    OpRecord(
        "linalg.eigh",
        _eigh_op,
        _eigh_ref,
        [Sample((spd(3, 3),)), Sample((rand(3, 3),)), Sample((spd(2, 4, 4),))],
        ("eigh",),
    ),
    OpRecord(
        "linalg.eigvalsh",
        lambda a: pg.linalg.eigvalsh(a + pg.matrix_transpose(a)),
        lambda xp, a: xp.linalg.eigvalsh(sym(xp, a)),
        [Sample((spd(3, 3),)), Sample((rand(2, 3, 3),))],
        ("eigh",),
    ),
    OpRecord(
        "linalg.eig",
        _eig_op,
        _eig_ref,
        # distinct eigenvalues, real ones and complex pairs
        [Sample((rand(3, 3),)), Sample((rand(2, 3, 3),)), Sample((_rotation_like(),))],
        ("eig",),
        functions=("linalg.eig",),
    ),
    OpRecord(
        "linalg.eigvals",
        lambda a: pg.real(pg.linalg.eigvals(a)) + 2 * pg.imag(pg.linalg.eigvals(a)) ** 2,
        lambda xp, a: xp.real(xp.linalg.eigvals(a)) + 2 * xp.imag(xp.linalg.eigvals(a)) ** 2,
        [Sample((rand(3, 3),)), Sample((_rotation_like(),))],
        ("eig",),
    ),
    OpRecord(
        "linalg.svd",
        _svd_op,
        _svd_ref,
        [
            Sample((rand(3, 3),)),
            Sample((rand(4, 3),)),
            Sample((rand(3, 4),)),
            Sample((rand(2, 4, 3),)),
            Sample((rand(4, 2),), {"full_matrices": True}),
            Sample((rand(2, 4),), {"full_matrices": True}),
        ],
        ("svd",),
    ),
    OpRecord(
        "linalg.svdvals",
        pg.linalg.svdvals,
        lambda xp, a: xp.linalg.svdvals(a),
        [Sample((rand(3, 3),)), Sample((rand(2, 4, 3),)), Sample((rand(2, 3),))],
        ("svd",),
    ),
    OpRecord(
        "linalg.qr",
        _qr_op,
        _qr_ref,
        [
            Sample((rand(3, 3),)),
            Sample((rand(4, 3),)),
            Sample((rand(3, 4),)),
            Sample((rand(2, 4, 3),)),
            Sample((rand(2, 3),), {"mode": "complete"}),
        ],
        ("qr",),
    ),
]
