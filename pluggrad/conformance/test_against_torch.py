"""pluggrad against PyTorch itself, in float64: values, first derivatives and second derivatives
of the same program written once and run with ``T = pluggrad`` and ``T = torch``.

Each case is a function ``f(T, *inputs)`` spelled with the names PyTorch users type. Inputs are
chosen to include the points where the function is not differentiable (``abs``/``relu`` at 0,
ties of ``max``/``amax``/``maximum``/``clamp``/``sort``, zeros in ``prod``/``cumprod``, the norm
at 0, a singular ``det``): PyTorch's value there is the specification. The derivatives are those
of ``sum(w * f(x))`` for fixed weights ``w`` (``autograd.grad(..., create_graph=True)``) and of
``sum(v * grad)`` for fixed ``v``, each against ``torch.autograd.grad``.

Skipped without torch."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest

import pluggrad as pg

torch = pytest.importorskip("torch")


@dataclass(frozen=True)
class Case:
    name: str
    fn: Callable
    inputs: tuple  # NumPy arrays: float64 ones are differentiated, the others are not
    # How many of (value, first derivative, second derivative) must match PyTorch; a case with
    # fewer says why in `divergence`.
    orders: int = 3
    divergence: str = ""


def _r(*shape, seed=0, low=-1.0, high=1.0):
    return np.random.default_rng(seed).uniform(low, high, shape)


def _pos(*shape, seed=0):
    return _r(*shape, seed=seed, low=0.5, high=2.0)


def _spd(n, seed=0):
    a = _r(n, n, seed=seed)
    return a @ a.T + n * np.eye(n)


def _sym(n, seed=0):
    a = _r(n, n, seed=seed)
    return a + a.T + np.diag(np.arange(n) * 2.0)  # well-separated eigenvalues


AT_KINKS = np.array([-1.5, 0.0, 2.0, 0.0, -0.25])
TIES = np.array([[1.0, 3.0, 3.0, -2.0], [0.5, 0.5, 0.5, 0.5], [-1.0, 2.0, -1.0, 0.0]])
WITH_ZEROS = np.array([[2.0, 0.0, 3.0, -1.0], [0.0, 1.5, 0.0, 2.0], [1.0, -2.0, 0.5, 3.0]])
MAT = _r(3, 3, seed=1) + 2 * np.eye(3)
SINGULAR = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]])
MASK = np.array(
    [[True, False, True, False], [False, False, True, True], [True, True, False, False]]
)
IDX = np.array([[0, 2, 2], [1, 0, 3], [3, 3, 1]])


CASES = [
    # ---- elementwise, including non-differentiable points ------------------------------------
    Case("abs_at_0", lambda T, x: T.abs(x), (AT_KINKS,)),
    Case("relu_at_0", lambda T, x: T.relu(x), (AT_KINKS,)),
    Case("relu_method_squared", lambda T, x: x.relu() ** 2, (AT_KINKS,)),
    Case("sign", lambda T, x: T.sign(x) * x, (AT_KINKS,)),
    Case("sgn", lambda T, x: T.sgn(x), (AT_KINKS,)),
    Case("sqrt", lambda T, x: T.sqrt(x), (_pos(5),)),
    Case("rsqrt", lambda T, x: T.rsqrt(x), (_pos(5),)),
    Case("exp", lambda T, x: T.exp(x), (_r(2, 3),)),
    Case("expm1", lambda T, x: T.expm1(x), (_r(2, 3),)),
    Case("exp2", lambda T, x: T.exp2(x), (_r(2, 3),)),
    Case("log", lambda T, x: T.log(x), (_pos(2, 3),)),
    Case("log1p", lambda T, x: T.log1p(x), (_pos(2, 3),)),
    Case("log2_log10", lambda T, x: T.log2(x) + T.log10(x), (_pos(4),)),
    Case("sin_cos_tan", lambda T, x: T.sin(x) * T.cos(x) + T.tan(x), (_r(4),)),
    Case("asin_acos_atan", lambda T, x: T.asin(x) + T.acos(x) * T.atan(x), (_r(4) * 0.9,)),
    Case("sinh_cosh_tanh", lambda T, x: T.sinh(x) + T.cosh(x) * T.tanh(x), (_r(4),)),
    Case("asinh_atanh", lambda T, x: T.asinh(x) + T.atanh(x * 0.9), (_r(4),)),
    Case("acosh", lambda T, x: T.acosh(x + 1.5), (_pos(4),)),
    Case("sigmoid", lambda T, x: T.sigmoid(x), (_r(2, 3) * 4,)),
    Case("square_reciprocal", lambda T, x: T.square(x) + T.reciprocal(x), (_pos(4),)),
    Case("pow_scalar", lambda T, x: x**3 + T.pow(x, 2.5).sum(), (_pos(4),)),
    Case("pow_tensor", lambda T, x, y: T.pow(x, y), (_pos(3), _r(3, seed=2))),
    Case("rpow", lambda T, x: 2.0**x, (_r(3),)),
    Case(
        "add_sub_broadcast",
        lambda T, x, y: T.add(x, y) - T.sub(y, x, alpha=2),
        (_r(2, 3), _r(3, seed=3)),
    ),
    Case("mul_div", lambda T, x, y: T.mul(x, y) / T.div(y, x + 3), (_r(2, 3), _pos(2, 3, seed=4))),
    Case("atan2", lambda T, y, x: T.atan2(y, x), (_r(4), _r(4, seed=5))),
    Case("hypot", lambda T, x, y: T.hypot(x, y), (_r(4), _r(4, seed=6))),
    Case("logaddexp", lambda T, x, y: T.logaddexp(x, y), (_r(4), _r(4, seed=7))),
    Case("remainder", lambda T, x, y: T.remainder(x, y), (_r(4) * 5, _pos(4, seed=8))),
    Case("fmod", lambda T, x, y: T.fmod(x, y), (_r(4) * 5, _pos(4, seed=8))),
    Case(
        "floor_ceil_round_trunc",
        lambda T, x: T.floor(x) + T.ceil(x) + T.round(x) + T.trunc(x) + x,
        (_r(4) * 3,),
    ),
    Case("copysign", lambda T, x, y: T.copysign(x, y), (_r(4), np.array([1.0, -1.0, 0.0, -0.0]))),
    Case("maximum_ties", lambda T, x, y: T.maximum(x, y), (TIES, TIES[::-1].copy())),
    Case("minimum_ties", lambda T, x, y: T.minimum(x, y), (TIES, np.full((3, 4), 0.5))),
    Case("clamp_at_bounds", lambda T, x: T.clamp(x, -1.0, 0.5), (TIES,)),
    Case("clamp_min_max", lambda T, x: T.clamp_min(x, 0.5) + T.clamp_max(x, 0.5), (TIES,)),
    Case(
        "clamp_tensor_bounds",
        lambda T, x, lo, hi: T.clamp(x, min=lo, max=hi),
        (TIES, np.full(4, 0.5), np.full(4, 2.0)),
    ),
    Case("where", lambda T, m, x, y: T.where(m, x, y * 2), (MASK, _r(3, 4), _r(3, 4, seed=9))),
    Case("softmax", lambda T, x: T.softmax(x, dim=1), (_r(3, 4),)),
    Case("log_softmax", lambda T, x: T.log_softmax(x, dim=0), (_r(3, 4),)),
    Case("logsumexp", lambda T, x: T.logsumexp(x, dim=1), (_r(3, 4),)),
    Case("sqrt_at_0", lambda T, x: T.sqrt(x), (np.array([0.0, 1.0, 4.0]),)),
    Case("pow_at_0", lambda T, x: x**2 + x**0 + T.pow(x, 1.5), (np.array([0.0, 0.5, 2.0]),)),
    Case(
        "pow_base_0",
        lambda T, x, y: T.pow(x, y),
        (np.array([0.0, 0.0, 2.0]), np.array([2.0, 0.5, 3.0])),
    ),
    Case(
        "where_nan_branch",
        lambda T, x: T.where(x > 0, T.sqrt(T.abs(x)), T.zeros_like(x)),
        (AT_KINKS,),
    ),
    Case("where_log_untaken", lambda T, x: T.where(x > 0, T.log(x), x), (AT_KINKS,)),
    Case(
        "atan2_hypot_at_origin",
        lambda T, y, x: T.atan2(y, x) + T.hypot(y, x),
        (np.array([0.0, 1.0]), np.array([0.0, -1.0])),
    ),
    Case(
        "maximum_with_scalar_ties",
        lambda T, x: T.maximum(x, T.zeros_like(x)) + T.minimum(x, T.tensor(0.0, dtype=T.float64)),
        (AT_KINKS,),
    ),
    Case(
        "sigmoid_softmax_large",
        lambda T, x: T.sigmoid(x * 50) + T.softmax(x * 300, dim=0),
        (_r(5),),
    ),
    Case(
        "logsumexp_all_and_neg_inf",
        lambda T, x: T.logsumexp(x, dim=0) + T.logsumexp(T.log(T.relu(x)), dim=(0, 1)),
        (TIES,),
    ),
    # ---- reductions -----------------------------------------------------------------------------
    Case("sum_dim", lambda T, x: T.sum(x, dim=1, keepdim=True) * x, (_r(3, 4),)),
    Case("prod_with_zeros", lambda T, x: T.prod(x, dim=1), (WITH_ZEROS,)),
    Case(
        "prod_all_one_zero",
        lambda T, x: T.prod(x),
        (WITH_ZEROS[2:].copy() * np.array([1, 0, 1, 1]),),
    ),
    Case("prod_all", lambda T, x: T.prod(x), (_pos(2, 3),)),
    Case(
        "prod_two_zeros", lambda T, x: T.prod(x, 1), (np.array([[0.0, 2.0, 0.0], [0.0, 1.0, 3.0]]),)
    ),
    Case("prod_keepdim_zero", lambda T, x: T.prod(x, dim=0, keepdim=True) * x, (WITH_ZEROS,)),
    Case("cumprod_two_zeros", lambda T, x: T.cumprod(x, 0), (np.array([2.0, 0.0, 3.0, 0.0, 1.5]),)),
    Case("mean", lambda T, x: T.mean(x, dim=0) ** 2, (_r(3, 4),)),
    Case("std_method", lambda T, x: x.std(dim=1), (_r(3, 4),)),
    Case("var_correction", lambda T, x: T.var(x, dim=0, correction=0), (_r(3, 4),)),
    Case("std_of_constant", lambda T, x: x.std(dim=1), (TIES,)),
    Case("amax_ties", lambda T, x: T.amax(x, dim=1), (TIES,)),
    Case("amin_ties", lambda T, x: T.amin(x, dim=(0, 1)), (TIES,)),
    Case("max_all_ties", lambda T, x: T.max(x), (TIES,)),
    Case("max_dim_ties", lambda T, x: T.max(x, dim=1).values, (TIES,)),
    Case("min_dim", lambda T, x: T.min(x, 0)[0], (TIES,)),
    Case("cumsum", lambda T, x: T.cumsum(x, dim=1), (_r(3, 4),)),
    Case("cumprod_with_zeros", lambda T, x: T.cumprod(x, dim=1), (WITH_ZEROS,)),
    Case("norm", lambda T, x: x.norm() + T.norm(x, p=3), (_r(3, 4),)),
    # the second derivative at 0 is PyTorch's NaN (0/0 in the backward of x / norm, masked
    # after the division)
    Case("norm_at_zero", lambda T, x: x.norm() + (x * 0).norm(), (_r(3, 4),)),
    Case("norm_dim", lambda T, x: T.norm(x, dim=1), (_r(3, 4),)),
    Case(
        "vector_norm_ords",
        lambda T, x: (
            T.linalg.vector_norm(x, ord=1, dim=1)
            + T.linalg.vector_norm(x, ord=float("inf"), dim=1)
            + T.linalg.vector_norm(x, ord=3, dim=1)
        ),
        (TIES,),
    ),
    # ---- linear algebra -------------------------------------------------------------------------
    Case("matmul", lambda T, a, b: T.matmul(a, b), (_r(2, 3), _r(3, 4, seed=2))),
    Case("mm_mv_dot", lambda T, a, v: T.dot(T.mv(T.mm(a, a.t()), v), v), (_r(3, 3), _r(3, seed=2))),
    Case("det", lambda T, a: T.linalg.det(a), (MAT,)),
    Case("det_singular", lambda T, a: T.det(a), (SINGULAR,)),
    Case("inv", lambda T, a: T.linalg.inv(a), (MAT,)),
    Case("solve", lambda T, a, b: T.linalg.solve(a, b), (MAT, _r(3, 2, seed=3))),
    Case("cholesky", lambda T, a: T.linalg.cholesky(a), (_spd(3),)),
    Case("slogdet", lambda T, a: T.linalg.slogdet(a)[1], (MAT,)),
    Case("logdet", lambda T, a: T.logdet(a), (_spd(3),)),
    Case("eigh", lambda T, a: (lambda lv: (lv[0], lv[1] ** 2))(T.linalg.eigh(a)), (_sym(3),)),
    Case("eigvalsh", lambda T, a: T.linalg.eigvalsh(a), (_sym(3),)),
    Case("qr", lambda T, a: (lambda qr: (qr[0] ** 2, qr[1] ** 2))(T.linalg.qr(a)), (_r(4, 3),)),
    Case("svdvals", lambda T, a: T.linalg.svdvals(a), (_r(3, 4),)),
    Case(
        "eig",
        lambda T, a: (lambda lv: (lv[0].real, lv[0].imag, lv[1].abs() ** 2))(T.linalg.eig(a)),
        (np.array([[0.1, -1.2, 0.3], [1.2, 0.2, -0.1], [0.4, 0.1, 1.5]]),),
    ),
    Case("eigvals", lambda T, a: T.linalg.eigvals(a).imag ** 2, (_r(3, 3, seed=4),)),
    Case("pinv", lambda T, a: T.linalg.pinv(a), (_r(3, 2),)),
    Case(
        "matrix_norm_fro_nuc",
        lambda T, a: T.linalg.matrix_norm(a) + T.linalg.matrix_norm(a, ord="nuc"),
        (_r(3, 3),),
    ),
    Case("matrix_power", lambda T, a: T.linalg.matrix_power(a, 3), (_r(3, 3),)),
    Case("trace_outer", lambda T, a, v: T.trace(a) * T.outer(v, v), (_r(3, 3), _r(3, seed=2))),
    Case(
        "svd_reconstruction_and_abs",
        lambda T, a: (
            lambda usv: (
                (usv[0] * usv[1][None, :]) @ usv[2] + usv[0].abs().sum() + usv[2].abs().sum()
            )
        )(T.linalg.svd(a, full_matrices=False)),
        (_r(4, 3),),
    ),
    Case(
        "linalg_norm",
        lambda T, a: (
            T.linalg.norm(a)
            + T.linalg.norm(a, ord=1, dim=1)
            + T.linalg.norm(a, ord="fro", dim=(0, 1))
        ),
        (_r(3, 3),),
    ),
    Case(
        "cross_vecdot",
        lambda T, a, b: T.linalg.cross(a, b, dim=-1) * T.linalg.vecdot(a, b, dim=-1)[:, None],
        (_r(2, 3), _r(2, 3, seed=4)),
    ),
    Case(
        "tensordot",
        lambda T, a, b: T.tensordot(a, b, dims=([1, 2], [1, 0])),
        (_r(2, 3, 4), _r(4, 3, seed=5)),
    ),
    Case(
        "cholesky_upper_batched",
        lambda T, a: T.linalg.cholesky(a, upper=True),
        (np.stack([_spd(3), _spd(3, seed=6)]),),
    ),
    Case("det_batch_with_singular", lambda T, a: T.linalg.det(a), (np.stack([MAT, SINGULAR]),)),
    Case(
        "slogdet_sign_negative_det",
        lambda T, a: (lambda sl: sl[0] * sl[1])(T.linalg.slogdet(a)),
        (MAT[::-1].copy(),),
    ),
    Case(
        "solve_batched_vector",
        lambda T, a, b: T.linalg.solve(a, b[..., None])[..., 0],
        (np.stack([MAT, _spd(3)]), _r(2, 3, seed=7)),
    ),
    Case("inv_batched", lambda T, a: T.linalg.inv(a), (np.stack([MAT, _spd(3)]),)),
    Case("logsumexp_keepdim", lambda T, x: T.logsumexp(x, dim=0, keepdim=True) - x, (_r(3, 4),)),
    Case(
        "var_unbiased_dims",
        lambda T, x: x.var(dim=(0, 2)) + T.std(x, dim=1, correction=2).sum(),
        (_r(3, 4, 2),),
    ),
    Case(
        "min_max_elementwise_other",
        lambda T, x, y: T.max(x, y) + T.min(x, y) * 2,
        (TIES, TIES.T[:3].copy() if False else np.full((3, 4), 0.5)),
    ),
    Case(
        "topk_ties",
        lambda T, x: T.topk(x, 2, dim=1).values ** 2,
        (TIES,),
        orders=1,
        divergence="which of tied elements PyTorch's topk returns is unspecified (its CPU "
        "selection picks positions 2, 3 of [0.5, 0.5, 0.5, 0.5]); pluggrad takes ties in index "
        "order, so the gradient lands on other tied positions, with the same total",
    ),
    Case("argsort_gather", lambda T, x: T.gather(x, 1, T.argsort(x, dim=1)) ** 2, (_r(3, 4),)),
    Case(
        "log_reciprocal_rsqrt_at_0",
        lambda T, x: T.log(x) + T.reciprocal(x) + T.rsqrt(x),
        (np.array([0.0, 1.0, 2.0]),),
    ),
    Case("pow_negative_base", lambda T, x: x**3 + x**2.5, (np.array([-2.0, -0.5, 1.5]),)),
    Case(
        "masked_fill_tensor_value",
        lambda T, x, v: x.masked_fill(T.tensor(MASK), v) * x,
        (_r(3, 4), np.array(0.3)),
    ),
    Case(
        "gather_repeated_index",
        lambda T, x: T.gather(x, 0, T.tensor([[0, 0, 2, 2], [0, 0, 0, 0]])) ** 2,
        (_r(3, 4),),
    ),
    Case(
        "take_along_dim_flat",
        lambda T, x: T.take_along_dim(x, T.tensor([0, 5, 5, 11])) ** 2,
        (_r(3, 4),),
    ),
    Case(
        "negative_index_and_ellipsis",
        lambda T, x: x[..., -1] * x[-1, ...].sum() + x[T.tensor([-1, 0])].sum(),
        (_r(3, 4),),
    ),
    Case(
        "repeat_interleave_unbind",
        lambda T, x: (
            T.repeat_interleave(x, 2, dim=0) * T.unbind(x, 1)[2].repeat_interleave(2)[:, None]
        ),
        (_r(3, 4),),
    ),
    Case(
        "chunk_uneven_swapaxes",
        lambda T, x: T.chunk(x, 3, dim=1)[-1].swapaxes(0, 1) ** 2,
        (_r(3, 5),),
    ),
    # ---- manipulation ---------------------------------------------------------------------------
    Case(
        "reshape_view_flatten", lambda T, x: x.reshape(4, 3).view(2, 6).flatten() ** 2, (_r(3, 4),)
    ),
    Case(
        "permute_transpose_t",
        lambda T, x: x.permute(2, 0, 1).transpose(0, 1) * x.sum(2).t().t().unsqueeze(1),
        (_r(2, 3, 4),),
    ),
    Case("flip_roll", lambda T, x: T.flip(x, dims=(0,)) * T.roll(x, 1, dims=1), (_r(3, 4),)),
    Case(
        "cat_stack",
        lambda T, x, y: T.cat([x, y], dim=0) * T.stack([y, x]).sum(0).repeat(2, 1),
        (_r(2, 3), _r(2, 3, seed=2)),
    ),
    Case(
        "split_chunk",
        lambda T, x: T.split(x, [1, 3], dim=1)[1] * T.chunk(x, 2, dim=1)[0].sum(1, keepdim=True),
        (_r(3, 4),),
    ),
    Case(
        "squeeze_unsqueeze_expand",
        lambda T, x: x.unsqueeze(0).expand(2, 3, 4).squeeze() * 2,
        (_r(3, 4),),
    ),
    Case(
        "tile_narrow_movedim",
        lambda T, x: T.movedim(T.tile(x, (2, 1)).narrow(0, 1, 3), 0, 1) ** 2,
        (_r(3, 4),),
    ),
    Case(
        "tril_triu_diagonal",
        lambda T, x: T.tril(x, 1) * T.triu(x) + T.diagonal(x, 1).sum(),
        (_r(4, 4),),
    ),
    # ---- indexing -------------------------------------------------------------------------------
    Case("gather", lambda T, x, i: T.gather(x, 1, i), (_r(3, 4), IDX)),
    Case(
        "index_select_repeats",
        lambda T, x: T.index_select(x, 1, T.tensor([0, 2, 2, 3])),
        (_r(3, 4),),
    ),
    Case("masked_fill", lambda T, x, m: x.masked_fill(m, 0.5) * x, (_r(3, 4), MASK)),
    Case("boolean_mask", lambda T, x, m: x[m] ** 2, (_r(3, 4), MASK)),
    Case("slicing", lambda T, x: x[1:, ::2] * x[0, None, 1::2] + x[1:, -1:], (_r(3, 4),)),
    Case("integer_array_repeats", lambda T, x: x[T.tensor([0, 2, 0])] ** 2, (_r(3, 4),)),
    Case("take_along_dim", lambda T, x, i: T.take_along_dim(x, i, dim=1) ** 2, (_r(3, 4), IDX)),
    Case("sort_ties", lambda T, x: T.sort(x, dim=1)[0] * T.arange(4.0, dtype=T.float64), (TIES,)),
    Case(
        "sort_descending", lambda T, x: T.sort(x, dim=0, descending=True).values ** 2, (_r(3, 4),)
    ),
    Case("topk", lambda T, x: T.topk(x, 2, dim=1).values ** 2, (_r(3, 4),)),
]


def _inputs(T, arrays):
    out = []
    for a in arrays:
        if a.dtype == np.float64:
            out.append(T.tensor(a, dtype=T.float64, requires_grad=True))
        else:
            out.append(T.tensor(a))
    return out


def _as_numpy(t) -> np.ndarray:
    if isinstance(t, torch.Tensor):
        return t.detach().numpy(force=True)  # force: PyTorch's ZeroTensor gradients
    return t.detach().numpy() if isinstance(t, pg.Tensor) else np.asarray(t)


def _run(T, case: Case):
    """Values of the case, its first derivatives and its second derivatives (NumPy arrays)."""
    xs = _inputs(T, case.inputs)
    wrt = [x for x in xs if x.requires_grad]
    out = case.fn(T, *xs)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    rng = np.random.default_rng(42)
    loss = 0
    for o in outs:
        if o.dtype == T.float64:
            w = T.tensor(rng.uniform(0.5, 1.5, tuple(o.shape)), dtype=T.float64)
            loss = loss + (o * w).sum()
    grads = T.autograd.grad(loss, wrt, create_graph=True, allow_unused=True)
    grads = [T.zeros_like(x) if g is None else g for g, x in zip(grads, wrt)]
    loss2 = 0
    for g in grads:
        v = T.tensor(rng.uniform(-1.0, 1.0, tuple(g.shape)), dtype=T.float64)
        loss2 = loss2 + (g * v).sum()
    if getattr(loss2, "requires_grad", False):
        grads2 = T.autograd.grad(loss2, wrt, allow_unused=True)
        grads2 = [T.zeros_like(x) if g is None else g for g, x in zip(grads2, wrt)]
    else:
        grads2 = [T.zeros_like(x) for x in wrt]
    return (
        [_as_numpy(o) for o in outs],
        [_as_numpy(g) for g in grads],
        [_as_numpy(g) for g in grads2],
    )


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_values_and_two_derivatives_match_pytorch(backend, case):
    ours = _run(pg, case)
    theirs = _run(torch, case)
    kinds = ("value", "first derivative", "second derivative")
    for what, a, b in zip(kinds[: case.orders], ours[: case.orders], theirs[: case.orders]):
        assert len(a) == len(b), f"{case.name}: {what}: {len(a)} results, PyTorch {len(b)}"
        for k, (x, y) in enumerate(zip(a, b)):
            assert x.shape == y.shape, (
                f"{case.name}: {what} {k}: shape {x.shape}, PyTorch {y.shape}"
            )
            np.testing.assert_allclose(
                x, y, rtol=1e-7, atol=1e-9, err_msg=f"{case.name}: {what} {k} differs from PyTorch"
            )


def test_divergences_keep_what_they_can(backend):
    """A case that stops short of the second derivative says why; pluggrad's derivatives there
    are finite, and its first derivative has PyTorch's total (ties share the same mass)."""
    for case in CASES:
        if case.orders < 3:
            assert case.divergence
            _, first, second = _run(pg, case)
            _, torch_first, _ = _run(torch, case)
            assert all(np.isfinite(g).all() for g in first + second), case.name
            for ours, theirs in zip(first, torch_first):
                np.testing.assert_allclose(ours.sum(), theirs.sum(), rtol=1e-9, err_msg=case.name)


def test_the_cases_are_many_and_distinct():
    names = [c.name for c in CASES]
    assert len(set(names)) == len(names)
    assert len(names) >= 60
