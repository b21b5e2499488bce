"""Values of the linalg functions that the op database cannot check: non-differentiable results,
PyTorch's values at non-differentiable points, node names, PyTorch's spellings and errors.

Expected values are PyTorch 2's, written as literals."""

from __future__ import annotations

import numpy as np
import pytest

import pluggrad as pg

from .helpers import assert_values, values


def t(data, **kwargs):
    return pg.tensor(np.asarray(data, dtype=np.float64), dtype=pg.float64, **kwargs)


def grad_of(fn, x):
    (g,) = pg.autograd.grad(fn(x), [x])
    return values(g)


# ---- results that carry no gradient --------------------------------------------------------------


def test_matrix_rank(backend):
    r = pg.linalg.matrix_rank(t([[1.0, 2.0], [2.0, 4.0]]))
    assert_values(r, 1, dtype=pg.int64)
    assert_values(pg.linalg.matrix_rank(t(np.eye(3))), 3)
    assert_values(pg.linalg.matrix_rank(t(np.ones((2, 3, 3)))), [1, 1])
    assert not pg.linalg.matrix_rank(t(np.eye(2), requires_grad=True)).requires_grad


def test_result_dtypes(backend):
    i32 = pg.ones((2, 2), dtype=pg.int32)
    assert pg.trace(i32).dtype is pg.int64
    assert pg.vecdot(pg.ones(3, dtype=pg.int32), pg.ones(3, dtype=pg.int32)).dtype is pg.int32
    f32 = pg.tensor([[2.0, 1.0], [1.0, 3.0]], dtype=pg.float32)
    for fn in (pg.det, pg.linalg.inv, pg.linalg.cholesky, pg.linalg.svdvals, pg.norm):
        assert fn(f32).dtype is pg.float32, fn
    assert pg.linalg.eigh(f32).eigenvalues.dtype is pg.float32


def test_named_tuples(backend):
    a = t([[2.0, 1.0], [1.0, 3.0]])
    assert pg.linalg.eigh(a)._fields == ("eigenvalues", "eigenvectors")
    assert pg.linalg.svd(a)._fields == ("U", "S", "Vh")
    assert pg.linalg.qr(a)._fields == ("Q", "R")
    sign, logabsdet = pg.linalg.slogdet(t([[1.0, 2.0], [3.0, 4.0]]))
    assert_values(sign, -1.0)
    assert_values(logabsdet, np.log(2.0))


# ---- node names ---------------------------------------------------------------------------------


def test_node_names(backend):
    a = t(np.eye(3) * 2 + 0.1, requires_grad=True)
    v = t([1.0, 2.0, 3.0], requires_grad=True)
    b = t(np.ones((2, 3, 3)), requires_grad=True)
    names = {
        "MmBackward0": pg.mm(a, a),
        "MvBackward0": pg.mv(a, v),
        "BmmBackward0": pg.bmm(b, b),
        "DotBackward0": pg.dot(v, v),
        "TraceBackward0": pg.trace(a),
        "DiagonalBackward0": pg.linalg.diagonal(a),
        "LinalgVectorNormBackward0": pg.norm(a),
        "LinalgDetBackward0": pg.linalg.det(a),
        "LinalgInvExBackward0": a.inverse(),
        "LinalgSolveExBackward0": pg.linalg.solve(a, v),
        "LinalgPinvBackward0": pg.linalg.pinv(a),
        "LinalgCholeskyExBackward0": pg.linalg.cholesky(a @ a.mT),
        "LinalgEighBackward0": pg.linalg.eigvalsh(a),
        "LinalgSvdBackward0": pg.linalg.svdvals(a),
        "LinalgQrBackward0": pg.linalg.qr(a).R,
        "LinalgSlogdetBackward0": pg.linalg.slogdet(a).logabsdet,
        "LinalgCrossBackward0": pg.linalg.cross(v, v),
        "MulBackward0": pg.outer(v, v),
        "SumBackward1": pg.linalg.matrix_norm(a, ord="nuc"),
        "AmaxBackward0": pg.linalg.matrix_norm(a, ord=2),
        "AminBackward0": pg.linalg.matrix_norm(a, ord=-1),
        "WhereBackward0": pg.logdet(a),
    }
    for name, out in names.items():
        assert type(out.grad_fn).__name__ == name


# ---- PyTorch's values at non-differentiable points ----------------------------------------------


@pytest.mark.parametrize(
    "ord, expected",
    [
        (2, [0.0, 0.0, 1.0]),
        (1, [0.0, 0.0, 1.0]),
        (3, [0.0, 0.0, 1.0]),
        (0.5, [0.0, 0.0, 1.0]),
        (1.5, [0.0, 0.0, 1.0]),
        (float("inf"), [0.0, 0.0, 1.0]),
        (-1, [0.0, 0.0, 0.0]),
        (float("-inf"), [0.0, 0.0, 0.0]),
        (0, [0.0, 0.0, 0.0]),
    ],
)
def test_vector_norm_with_zero_entries(backend, ord, expected):  # noqa: A002
    x = t([0.0, 0.0, 3.0], requires_grad=True)
    np.testing.assert_allclose(grad_of(lambda x: pg.linalg.vector_norm(x, ord=ord), x), expected)


@pytest.mark.parametrize("ord", [2, 1, 3, 0.5, 1.5, float("inf"), -1])
def test_vector_norm_of_zeros_has_zero_gradient(backend, ord):  # noqa: A002
    x = t([0.0, 0.0, 0.0], requires_grad=True)
    np.testing.assert_allclose(grad_of(lambda x: pg.linalg.vector_norm(x, ord=ord), x), 0.0)


def test_repeated_eigenvalues_and_singular_values(backend):
    x = t(np.eye(3), requires_grad=True)
    np.testing.assert_allclose(grad_of(lambda x: pg.sum(pg.linalg.eigvalsh(x)), x), np.eye(3))
    w = t([1.0, 2.0, 3.0])
    expected = np.diag([1.0, 2.0, 3.0])
    np.testing.assert_allclose(grad_of(lambda x: pg.sum(pg.linalg.eigvalsh(x) * w), x), expected)
    np.testing.assert_allclose(grad_of(lambda x: pg.sum(pg.linalg.svdvals(x)), x), np.eye(3))
    np.testing.assert_allclose(
        grad_of(lambda x: pg.linalg.matrix_norm(x, ord="nuc"), x), np.eye(3), atol=1e-12
    )


def test_matrix_norm_ties_share_the_gradient(backend):
    x = t(np.eye(3), requires_grad=True)
    third = np.eye(3) / 3
    np.testing.assert_allclose(grad_of(lambda x: pg.linalg.matrix_norm(x, ord=2), x), third)
    np.testing.assert_allclose(grad_of(lambda x: pg.linalg.matrix_norm(x, ord=1), x), third)
    y = t([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    np.testing.assert_allclose(
        grad_of(lambda y: pg.linalg.matrix_norm(y, ord=1), y), [[0.0, 1.0], [0.0, 1.0]]
    )
    np.testing.assert_allclose(
        grad_of(lambda y: pg.linalg.matrix_norm(y, ord=float("-inf")), y), [[1.0, 1.0], [0, 0]]
    )


def test_det_of_singular_matrices_is_the_adjugate(backend):
    # PyTorch's value with create_graph=True (its plain backward returns zeros here)
    x = t([[1.0, 2.0], [2.0, 4.0]], requires_grad=True)
    np.testing.assert_allclose(grad_of(pg.linalg.det, x), [[4.0, -2.0], [-2.0, 1.0]], atol=1e-12)
    y = t(np.arange(1.0, 10.0).reshape(3, 3), requires_grad=True)
    cofactors = [[-3.0, 6.0, -3.0], [6.0, -12.0, 6.0], [-3.0, 6.0, -3.0]]
    np.testing.assert_allclose(grad_of(pg.linalg.det, y), cofactors, atol=1e-9)
    z = t(np.zeros((3, 3)), requires_grad=True)
    np.testing.assert_allclose(grad_of(pg.linalg.det, z), np.zeros((3, 3)))


def test_matrix_power_zero_is_the_identity_with_zero_gradient(backend):
    x = t([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    p = pg.linalg.matrix_power(x, 0)
    assert_values(p, np.eye(2))
    np.testing.assert_allclose(grad_of(lambda x: pg.sum(pg.matrix_power(x, 0)), x), 0.0)


# ---- PyTorch's conventions --------------------------------------------------------------------


def test_hermitian_functions_read_the_lower_triangle(backend):
    a = t([[1.0, 100.0], [2.0, 1.0]])
    assert_values(pg.linalg.eigvalsh(a), [-1.0, 3.0])
    assert_values(pg.linalg.cholesky(t([[4.0, 100.0], [2.0, 3.0]])), [[2.0, 0.0], [1.0, 2**0.5]])
    upper = pg.linalg.cholesky(t([[4.0, 100.0], [2.0, 3.0]]), upper=True)
    assert_values(upper, [[2.0, 1.0], [0.0, 2**0.5]])


def test_torch_spellings(backend):
    a = t([[2.0, 1.0], [1.0, 3.0]])
    v = t([1.0, 2.0])
    assert_values(a.mm(a), values(a) @ values(a))
    assert_values(a.mv(v), values(a) @ values(v))
    assert_values(a.det(), 5.0)
    assert_values(a.inverse(), np.linalg.inv(values(a)))
    assert_values(pg.inverse(a), np.linalg.inv(values(a)))
    assert_values(a.pinverse(), np.linalg.inv(values(a)))
    assert_values(a.matrix_power(2), values(a) @ values(a))
    assert_values(a.trace(), 5.0)
    assert_values(a.logdet(), np.log(5.0))
    assert_values(a.slogdet().logabsdet, np.log(5.0))
    assert_values(v.outer(v), [[1.0, 2.0], [2.0, 4.0]])
    assert_values(v.inner(v), 5.0)
    assert_values(pg.logdet(t([[0.0, 1.0], [1.0, 0.0]])), np.nan)
    assert_values(pg.trace(t(np.ones((2, 3)))), 2.0)


def test_norm_spellings(backend):
    x = t([[3.0, -4.0], [0.0, 12.0]])
    assert_values(pg.norm(x), 13.0)
    assert_values(x.norm(), 13.0)
    assert_values(x.norm(1), 19.0)
    assert_values(x.norm(p=1, dim=1), [7.0, 12.0])
    assert_values(x.norm(dim=0, keepdim=True), [[3.0, np.sqrt(160.0)]])
    assert_values(pg.norm(x, p="nuc"), np.linalg.norm(values(x), "nuc"))
    assert_values(pg.norm(x, float("inf")), 12.0)
    assert_values(pg.linalg.norm(x), 13.0)
    assert_values(pg.linalg.norm(x, ord=1), 16.0)  # a 2-D input with ord: the matrix norm
    assert_values(pg.linalg.norm(x, dim=1), [5.0, 12.0])
    assert_values(pg.linalg.vector_norm(x, dim=(0, 1), keepdim=True), [[13.0]])


def test_torch_diagonal_method(backend):
    data = np.arange(24.0).reshape(2, 3, 4)
    x = t(data)
    assert_values(x.diagonal(), np.diagonal(data, 0, 0, 1))
    assert_values(x.diagonal(1, 1, 2), np.diagonal(data, 1, 1, 2))
    assert_values(x.diagonal(0, -1, 0), np.diagonal(data, 0, -1, 0))
    assert_values(pg.linalg.diagonal(x, offset=-1), np.diagonal(data, -1, -2, -1))


def test_tensordot_and_solve_variants(backend):
    a = np.arange(6.0).reshape(2, 3)
    b = np.arange(12.0).reshape(3, 4)
    assert_values(pg.tensordot(t(a), t(b), dims=1), a @ b)
    assert_values(pg.tensordot(t(a), t(b), axes=([1], [0])), a @ b)
    m = t([[3.0, 1.0], [1.0, 2.0]])
    rhs = np.array([[9.0, 8.0]])
    assert_values(pg.linalg.solve(m, t(rhs), left=False), rhs @ np.linalg.inv(values(m)))


def test_qr_complete_of_a_tall_matrix_is_not_differentiable(backend):
    x = t(np.arange(6.0).reshape(3, 2) + np.eye(3, 2), requires_grad=True)
    q, r = pg.linalg.qr(x, mode="complete")
    with pytest.raises(RuntimeError, match="not differentiable when mode='complete'"):
        pg.sum(q).backward()


# ---- errors -------------------------------------------------------------------------------------


def test_errors(backend):
    with pytest.raises(RuntimeError, match="self must be a matrix"):
        pg.mm(t([1.0, 2.0]), t(np.ones((2, 2))))
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(2x3"):
        pg.mm(t(np.ones((2, 3))), t(np.ones((2, 3))))
    with pytest.raises(RuntimeError, match="batch1 must be a 3D tensor"):
        pg.bmm(t(np.ones((3, 3))), t(np.ones((3, 3))))
    with pytest.raises(RuntimeError, match="outer: Expected 1-D argument self, but got 2-D"):
        pg.outer(t(np.ones((3, 3))), t(np.ones(3)))
    with pytest.raises(RuntimeError, match="linalg.inv: Expected a floating point or complex"):
        pg.linalg.inv(pg.ones((2, 2), dtype=pg.int64))
    with pytest.raises(RuntimeError, match="A must be batches of square matrices, but they are 2"):
        pg.linalg.det(t(np.ones((2, 3))))
    with pytest.raises(RuntimeError, match="must have at least 2 dimensions"):
        pg.linalg.inv(t(np.ones(3)))
    with pytest.raises(RuntimeError, match="dimension -1 must have length 3. Got 2 and 2"):
        pg.linalg.cross(t(np.ones(2)), t(np.ones(2)))
    with pytest.raises(RuntimeError, match="contracted dimensions need to match"):
        pg.tensordot(t(np.ones((2, 3))), t(np.ones((2, 3))), dims=1)
