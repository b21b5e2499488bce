"""Derivatives of matrix products and of the ``linalg`` extension.

The formulas are PyTorch's (``tools/autograd/derivatives.yaml`` and
``torch/csrc/autograd/FunctionsManual.cpp``), written against the array namespace ``ns``.  They
reach the standard's ``linalg`` extension as ``ns.linalg.<name>``: on raw arrays that is the
backend's ``xp.linalg``, under ``create_graph=True`` it is :mod:`pluggrad.ops.linalg`, whose
functions are differentiable, so every order of derivative works.

Two deliberate differences from PyTorch, both at points where PyTorch's answer is infinite or
undefined: divisions by a difference of eigenvalues (``eigh``) or of squared singular values
(``svd``) that is exactly zero give 0 instead of ``inf``/``nan`` (so ``eigvalsh`` and ``svdvals``,
built on ``eigh`` and ``svd``, have PyTorch's finite gradients at repeated values), and the
determinant of an exactly singular matrix gets the adjugate (PyTorch's ``create_graph=True``
value; its plain backward returns zeros there).
"""

from __future__ import annotations

from ._helpers import (
    Entry,
    conj,
    is_complex,
    masked_quotient,
    normalize_axes,
    sum_to,
    zeros_where,
)

# ---- helpers ------------------------------------------------------------------------------------


def _mH(ns, x):
    """Conjugate transpose of the last two axes."""
    return conj(ns, ns.matrix_transpose(x))


def _eye(ns, n: int, m: int, k: int, like):
    """``eye(n, m, k=k)`` with the dtype of `like` (on the namespace's backend)."""
    return ns.eye(n, m, k=k, dtype=like.dtype)


def _diag_embed(ns, v, n: int, m: int, k: int = 0, like=None):
    """Matrices ``(..., n, m)`` that hold `v` (``(..., L)``) on their `k`-th diagonal."""
    like = v if like is None else like
    length = v.shape[-1]
    spread = _eye(ns, length, m, max(k, 0), like)  # v[l] goes to column l + max(k, 0)
    columns = ns.matmul(v, spread)
    return ns.expand_dims(columns, axis=-2) * _eye(ns, n, m, k, like)


def _safe_divide(ns, num, den):
    """``num / den`` with 0 where ``den == 0``."""
    zero = den == 0
    return zeros_where(ns, zero, num / ns.where(zero, ns.ones_like(den), den))


def _epsilon(ns, x) -> float:
    """Machine epsilon of the (real counterpart of the) dtype of `x`."""
    return float(ns.finfo(x.dtype).eps)


def _sgn(ns, x):
    """PyTorch's ``sgn``: the sign of real values, ``x / |x|`` (0 at 0) for complex ones."""
    if is_complex(x):
        return _safe_divide(ns, x, ns.abs(x))
    return ns.astype(x > 0, x.dtype) - ns.astype(x < 0, x.dtype)


# ---- matrix products ----------------------------------------------------------------------------


def _column_major(shape, strides) -> bool:
    """Whether a matrix is laid out column by column (a transposed row-major one, as the weight
    of a linear layer enters its product): PyTorch's test in ``mm_mat1_backward``."""
    return len(shape) == 2 and strides[0] == 1 and strides[1] == shape[0]


def _matmul_x1_grad(ns, g, x1_shape, x1_strides, x2):
    """Gradient of ``matmul(x1, x2)`` w.r.t. `x1`, with NumPy's 1-D and batch rules: it reads
    `x1`'s shape and strides only (as PyTorch, which saves just the other operand for each
    gradient).  A column-major `x1` gets its gradient computed in that layout, as PyTorch's
    ``mm_mat1_backward`` does, so that after the transpose it came through it is row-major (a
    leaf's ``.grad`` is then taken without a copy)."""
    ndim1 = len(x1_shape)
    if ndim1 == 1 and x2.ndim == 1:
        return g * conj(ns, x2)
    if ndim1 == 2 and x2.ndim == 1:  # PyTorch's MvBackward0: ger(g, conj(v)), one operation
        return ns.expand_dims(g, axis=-1) * conj(ns, x2)
    if x2.ndim == 2 and _column_major(x1_shape, x1_strides):
        return ns.matrix_transpose(ns.matmul(conj(ns, x2), ns.matrix_transpose(g)))
    b = x2
    a_shape = (1, *x1_shape) if ndim1 == 1 else tuple(x1_shape)
    if ndim1 == 1:
        g = ns.expand_dims(g, axis=-2)
    if b.ndim == 1:
        b = ns.expand_dims(b, axis=-1)
        g = ns.expand_dims(g, axis=-1)
    grad = sum_to(ns, ns.matmul(g, _mH(ns, b)), a_shape)
    return ns.reshape(grad, tuple(x1_shape)) if ndim1 == 1 else grad


def _matmul_x2_grad(ns, g, x1, x2_shape, x2_strides):
    """Gradient of ``matmul(x1, x2)`` w.r.t. `x2` (reading `x2`'s shape and strides only; a
    column-major `x2` gets its gradient in that layout, as in PyTorch's ``mm_mat2_backward``)."""
    ndim2 = len(x2_shape)
    if x1.ndim == 1 and ndim2 == 1:
        return g * conj(ns, x1)
    if x1.ndim == 2 and ndim2 == 1:  # PyTorch's MvBackward0: mH(A) @ g
        return ns.matmul(_mH(ns, x1), g)
    if x1.ndim == 2 and _column_major(x2_shape, x2_strides):
        return ns.matrix_transpose(ns.matmul(ns.matrix_transpose(g), conj(ns, x1)))
    a = x1
    b_shape = (*x2_shape, 1) if ndim2 == 1 else tuple(x2_shape)
    if a.ndim == 1:
        a = ns.expand_dims(a, axis=0)
        g = ns.expand_dims(g, axis=-2)
    if ndim2 == 1:
        g = ns.expand_dims(g, axis=-1)
    grad = sum_to(ns, ns.matmul(_mH(ns, a), g), b_shape)
    return ns.reshape(grad, tuple(x2_shape)) if ndim2 == 1 else grad


def _scale(ns, x, factor):
    """``x * factor`` unless `factor` is 1 (PyTorch's ``maybe_multiply``)."""
    return x if factor == 1 else x * factor


def _matmul_node(args, params) -> str:
    shapes = tuple(a.ndim for a in args)
    return {(1, 1): "DotBackward0", (2, 1): "MvBackward0", (2, 2): "MmBackward0"}.get(
        shapes, "MatmulBackward0"
    )


def _trace_grad(ns, g, x_shape, offset):
    g = ns.expand_dims(ns.expand_dims(g, axis=-1), axis=-1)
    return g * _eye(ns, x_shape[-2], x_shape[-1], offset, g)


# ---- norms --------------------------------------------------------------------------------------


def _vector_norm_grad(ns, g, x, result, ord, axis, keepdims):  # noqa: A002 - the standard's name
    """PyTorch's ``norm_backward`` (subgradient 0 where the norm or an element is 0)."""
    shape = tuple(x.shape)
    axes = normalize_axes(axis, len(shape))
    norm = result
    if not keepdims and shape:
        kept = tuple(1 if i in axes else n for i, n in enumerate(shape))
        g = ns.reshape(g, kept)
        norm = ns.reshape(norm, kept)
    p = float(ord)
    if p == 0.0:
        return ns.zeros_like(x)
    if p == 1.0:
        return _sgn(ns, x) * g
    if p == 2.0:
        return g * masked_quotient(ns, x, norm, norm == 0)
    absx = ns.abs(x)
    if p in (float("inf"), float("-inf")):
        mask = ns.astype(ns.logical_or(absx == norm, ns.isnan(absx)), g.dtype)
        count = ns.sum(mask, axis=axes, keepdims=True) if shape else mask
        return _sgn(ns, x) * ((g / count) * mask)
    if p < 1.0:
        zero = x == 0
        base = ns.where(zero, ns.ones_like(absx), absx)  # no 0 ** negative, even unselected
        scaled = _sgn(ns, x) * zeros_where(ns, zero, base ** (p - 1))
        return scaled * g * norm ** (1 - p)
    scale = masked_quotient(ns, g, norm ** (p - 1), norm == 0)
    if p < 2.0:
        return _sgn(ns, x) * absx ** (p - 1) * scale
    return x * absx ** (p - 2) * scale


# ---- determinants, inverses, solvers ------------------------------------------------------------


def _exclusive_products(ns, s):
    """``out[..., i] = prod(s[..., j] for j != i)`` without dividing (safe with zeros)."""
    n = s.shape[-1]
    onehots = _eye(ns, n, n, 0, s)
    prefix = [None] * n
    suffix = [None] * n
    for i in range(1, n):
        prefix[i] = s[..., i - 1] if prefix[i - 1] is None else prefix[i - 1] * s[..., i - 1]
    for i in range(n - 2, -1, -1):
        suffix[i] = s[..., i + 1] if suffix[i + 1] is None else suffix[i + 1] * s[..., i + 1]
    out = None
    for i in range(n):
        parts = [p for p in (prefix[i], suffix[i]) if p is not None]
        if not parts:
            term = ns.ones_like(s[..., i])
        else:
            term = parts[0] * parts[1] if len(parts) == 2 else parts[0]
        term = ns.expand_dims(term, axis=-1) * onehots[i, :]
        out = term if out is None else out + term
    return out


def _det_grad(ns, g, x, result):
    """PyTorch's ``linalg_det_backward``: ``(g conj(det)) A^{-H}``, or the adjugate through the
    SVD when a matrix of the batch is (numerically) singular."""
    n = x.shape[-1]
    if n == 0:
        return ns.zeros_like(x)
    if bool(ns.any(ns.abs(result) < 100 * _epsilon(ns, x))):  # a data-dependent branch
        u, s, vh = ns.linalg.svd(x)
        alpha = conj(ns, ns.linalg.det(u) * ns.linalg.det(vh)) * g
        d = ns.expand_dims(alpha, axis=-1) * _exclusive_products(ns, s)
        return ns.matmul(u * ns.expand_dims(d, axis=-2), vh)
    d = g * conj(ns, result)
    rhs = ns.expand_dims(ns.expand_dims(d, axis=-1), axis=-1) * _eye(ns, n, n, 0, x)
    return ns.linalg.solve(_mH(ns, x), rhs)


def _slogdet_grad(ns, g, x, result):
    """PyTorch's ``slogdet_backward``: ``(g_logabs - i Im(conj(g_sign) sign)) A^{-H}``."""
    g_sign, g_logabs = g
    sign = result[0]
    n = x.shape[-1]
    if is_complex(x):
        d = ns.astype(g_logabs, x.dtype) - 1j * ns.imag(ns.conj(g_sign) * sign)
    else:
        d = g_logabs
    rhs = ns.expand_dims(ns.expand_dims(d, axis=-1), axis=-1) * _eye(ns, n, n, 0, x)
    return ns.linalg.solve(_mH(ns, x), rhs)


def _inv_grad(ns, g, result):
    inverse_h = _mH(ns, result)
    return -ns.matmul(inverse_h, ns.matmul(g, inverse_h))


def _solve_rhs_grad(ns, g, x1, x2_shape):
    """``A^{-H} g`` in matrix form (the gradient of B before summing broadcast axes)."""
    if len(x2_shape) == 1:
        g = ns.expand_dims(g, axis=-1)
    return ns.linalg.solve(_mH(ns, x1), g)


def _solve_x1_grad(ns, g, x1, result, x2_shape):
    g_b = _solve_rhs_grad(ns, g, x1, x2_shape)
    x = ns.expand_dims(result, axis=-1) if len(x2_shape) == 1 else result
    return sum_to(ns, -ns.matmul(g_b, _mH(ns, x)), tuple(x1.shape))


def _solve_x2_grad(ns, g, x1, x2_shape):
    g_b = _solve_rhs_grad(ns, g, x1, x2_shape)
    if len(x2_shape) == 1:
        g_b = g_b[..., 0]
    return sum_to(ns, g_b, tuple(x2_shape))


def _pinv_grad(ns, g, x, result):
    """PyTorch's ``pinv_backward``."""
    m, n = x.shape[-2], x.shape[-1]
    pinv = result
    pinv_h = _mH(ns, pinv)
    g_h = _mH(ns, g)
    mm = ns.matmul
    if m <= n:
        k = mm(g_h, pinv)
        k_pinv_h = mm(k, pinv_h)
        return (
            -_mH(ns, mm(pinv, k))
            + k_pinv_h
            - mm(mm(x, pinv), k_pinv_h)
            + mm(mm(pinv_h, pinv), g_h - mm(k, x))
        )
    k = mm(pinv, g_h)
    pinv_h_k = mm(pinv_h, k)
    return (
        -_mH(ns, mm(k, pinv))
        + mm(mm(g_h - mm(x, k), pinv), pinv_h)
        + pinv_h_k
        - mm(mm(pinv_h_k, pinv), x)
    )


# ---- decompositions -----------------------------------------------------------------------------


def _cholesky_grad(ns, g, result, upper):
    """PyTorch's ``cholesky_backward``: ``L^{-H} Φ(L^H gL) L^{-1}``."""
    lower = _mH(ns, result) if upper else result
    g_lower = _mH(ns, g) if upper else g
    lower_h = _mH(ns, lower)
    phi = ns.tril(ns.matmul(lower_h, g_lower))
    phi = 0.5 * (phi + _mH(ns, ns.tril(phi, k=-1)))
    left = ns.linalg.solve(lower_h, phi)  # L^{-H} Φ
    return _mH(ns, ns.linalg.solve(lower_h, _mH(ns, left)))  # (L^{-H} Φ) L^{-1}


def _eigh_grad(ns, g, result):
    """PyTorch's ``linalg_eig_backward`` for Hermitian matrices."""
    g_values, g_vectors = g
    values, vectors = result
    n = values.shape[-1]
    vh_gv = ns.matmul(_mH(ns, vectors), g_vectors)
    vh_gv = 0.5 * (vh_gv - _mH(ns, vh_gv))
    gaps = ns.expand_dims(values, axis=-2) - ns.expand_dims(values, axis=-1)
    inner = _safe_divide(ns, vh_gv, gaps) + _diag_embed(ns, g_values, n, n, like=vh_gv)
    return ns.matmul(vectors, ns.matmul(inner, _mH(ns, vectors)))


def _eig_grad(ns, g, result, x):
    """PyTorch's ``linalg_eig_backward`` for general matrices:
    ``V^{-H} (diag(gL) + (V^H gV - V^H V Re(diag(V^H gV))) / conj(L_j - L_i)) V^H``, real for
    a real input."""
    g_values, g_vectors = g
    values, vectors = result
    n = values.shape[-1]
    vectors_h = _mH(ns, vectors)
    vh_gv = ns.matmul(vectors_h, g_vectors)
    # the loss cannot depend on the eigenvectors' phases: remove that direction
    phases = ns.real(ns.linalg.diagonal(vh_gv))
    vh_gv = vh_gv - ns.matmul(vectors_h, vectors * ns.expand_dims(phases, axis=-2))
    values_c = conj(ns, values)
    gaps = ns.expand_dims(values_c, axis=-2) - ns.expand_dims(values_c, axis=-1)
    eye = _eye(ns, n, n, 0, gaps)
    inner = vh_gv / (gaps + eye)  # E_ii = 1; the diagonal is replaced by gL below
    inner = inner * (1 - eye) + _diag_embed(ns, g_values, n, n, like=inner)
    grad = ns.linalg.solve(vectors_h, ns.matmul(inner, vectors_h))
    return grad if is_complex(x) else ns.real(grad)


def _svd_grad(ns, g, result, full_matrices):
    """PyTorch's ``svd_backward`` (on the first k columns of U and rows of Vh)."""
    g_u, g_s, g_vh = g
    u, s, vh = result
    k = s.shape[-1]
    m, n = u.shape[-2], vh.shape[-1]
    if full_matrices:
        u, vh, g_u, g_vh = u[..., :k], vh[..., :k, :], g_u[..., :k], g_vh[..., :k, :]
    mm = ns.matmul
    uh_gu = mm(_mH(ns, u), g_u)
    uh_gu = uh_gu - _mH(ns, uh_gu)
    vh_gv = mm(vh, _mH(ns, g_vh))
    vh_gv = vh_gv - _mH(ns, vh_gv)
    s2 = s * s
    gaps = ns.expand_dims(s2, axis=-2) - ns.expand_dims(s2, axis=-1)
    numerator = uh_gu * ns.expand_dims(s, axis=-2) + ns.expand_dims(s, axis=-1) * vh_gv
    inner = _safe_divide(ns, numerator, gaps) + _diag_embed(ns, g_s, k, k, like=numerator)
    if is_complex(u):
        diagonal = _safe_divide(ns, ns.linalg.diagonal(uh_gu), 2 * s)
        inner = inner + _diag_embed(ns, diagonal, k, k)
    if m > n:
        grad = mm(u, inner)
        g_u_s = _safe_divide(ns, g_u, ns.expand_dims(s, axis=-2))
        grad = grad + g_u_s - mm(u, mm(_mH(ns, u), g_u_s))
        return mm(grad, vh)
    if m < n:
        grad = mm(inner, vh)
        s_g_vh = _safe_divide(ns, g_vh, ns.expand_dims(s, axis=-1))
        grad = grad + s_g_vh - mm(mm(s_g_vh, _mH(ns, vh)), vh)
        return mm(u, grad)
    return mm(u, mm(inner, vh))


def _qr_grad(ns, g, result, mode):
    """PyTorch's ``linalg_qr_backward``."""
    g_q, g_r = g
    q, r = result
    m, n = q.shape[-2], r.shape[-1]
    if mode == "complete" and m > n:
        raise RuntimeError(
            "The QR decomposition is not differentiable when mode='complete' and nrows > ncols."
        )
    mm = ns.matmul
    grad = mm(g_r, _mH(ns, r)) - mm(_mH(ns, q), g_q)
    if m >= n:
        upper = ns.triu(grad)
        sym = upper + _mH(ns, upper)
        sym = sym * (1 - 0.5 * _eye(ns, n, n, 0, sym))  # halve the (real) diagonal
        grad = mm(q, sym) + g_q
        return _mH(ns, ns.linalg.solve(r, _mH(ns, grad)))  # grad R^{-H}
    skew = ns.tril(-grad - _mH(ns, -grad))
    skew = skew * (1 - 0.5 * _eye(ns, m, m, 0, skew))  # halve the (imaginary) diagonal
    grad = mm(q, skew)
    grad = _mH(ns, ns.linalg.solve(r[..., :m], _mH(ns, grad)))  # grad R_1^{-H}
    grad = mm(grad, _eye(ns, m, n, 0, grad))  # pad with zero columns
    return grad + mm(q, g_r)


# ---- the table ----------------------------------------------------------------------------------

TABLE = {
    # ---- products ------------------------------------------------------------------------------
    "matmul": Entry(
        _matmul_node,
        x1=_matmul_x1_grad,
        x2=_matmul_x2_grad,
    ),
    # beta * input + alpha * (mat1 @ mat2): a linear layer's forward (PyTorch's AddmmBackward0)
    "addmm": Entry(
        "AddmmBackward0",
        saved_as={"mat1": "mat1", "mat2": "mat2"},
        input=lambda ns, g, input_shape, beta: sum_to(ns, _scale(ns, g, beta), tuple(input_shape)),
        mat1=lambda ns, g, mat1_shape, mat1_strides, mat2, alpha: _matmul_x1_grad(
            ns, _scale(ns, g, alpha), mat1_shape, mat1_strides, mat2
        ),
        mat2=lambda ns, g, mat1, mat2_shape, mat2_strides, alpha: _matmul_x2_grad(
            ns, _scale(ns, g, alpha), mat1, mat2_shape, mat2_strides
        ),
    ),
    "bmm": Entry(
        "BmmBackward0",
        x1=lambda ns, g, x2: ns.matmul(g, _mH(ns, x2)),
        x2=lambda ns, g, x1: ns.matmul(_mH(ns, x1), g),
    ),
    "dot": Entry(
        "DotBackward0",
        x1=lambda ns, g, x2: g * conj(ns, x2),
        x2=lambda ns, g, x1: g * conj(ns, x1),
    ),
    "matrix_transpose": Entry("TransposeBackward0", x=lambda ns, g: ns.matrix_transpose(g)),
    "trace": Entry("TraceBackward0", x=_trace_grad),
    "diagonal": Entry(
        "DiagonalBackward0",
        x=lambda ns, g, x_shape, offset: _diag_embed(ns, g, x_shape[-2], x_shape[-1], offset),
    ),
    "cross": Entry(
        "LinalgCrossBackward0",
        x1=lambda ns, g, x2, axis: ns.linalg.cross(conj(ns, x2), g, axis=axis),
        x2=lambda ns, g, x1, axis: ns.linalg.cross(g, conj(ns, x1), axis=axis),
    ),
    # ---- norms ---------------------------------------------------------------------------------
    "vector_norm": Entry("LinalgVectorNormBackward0", x=_vector_norm_grad),
    # ---- determinants, inverses, solvers --------------------------------------------------------
    "det": Entry("LinalgDetBackward0", x=_det_grad),
    "slogdet": Entry("LinalgSlogdetBackward0", x=_slogdet_grad),
    "inv": Entry("LinalgInvExBackward0", x=_inv_grad),
    "solve": Entry("LinalgSolveExBackward0", x1=_solve_x1_grad, x2=_solve_x2_grad),
    "pinv": Entry("LinalgPinvBackward0", x=_pinv_grad),
    # ---- decompositions ------------------------------------------------------------------------
    "cholesky": Entry("LinalgCholeskyExBackward0", x=_cholesky_grad),
    "eig": Entry("LinalgEigBackward0", x=_eig_grad),
    "eigh": Entry("LinalgEighBackward0", x=_eigh_grad),
    "svd": Entry("LinalgSvdBackward0", x=_svd_grad),
    "qr": Entry("LinalgQrBackward0", x=_qr_grad),
}

NONDIFFERENTIABLE = frozenset({"matrix_rank"})
