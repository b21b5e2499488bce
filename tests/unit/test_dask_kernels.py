"""The Dask backend's kernels where ``array_api_compat.dask.array`` falls short: the linalg
functions Dask lacks or takes on one 2-d matrix only, transforms along chunked axes, non-square
``eye``, complex ``linspace``, ``x[True]`` and DLPack."""

from __future__ import annotations

import numpy as np
import pytest

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")

import pluggrad as pg  # noqa: E402
from pluggrad.backends.dask import dask_array  # noqa: E402

RNG = np.random.default_rng(0)
# a stack of 6 symmetric positive-definite 3x3 matrices, chunked 2 per chunk along the stack
_A = RNG.standard_normal((6, 3, 3))
SPD = _A @ np.swapaxes(_A, -1, -2) + 3 * np.eye(3)


@pytest.fixture
def on_dask():
    with pg.use_backend("dask") as backend, dask.config.set(scheduler="synchronous"):
        yield backend


def _stack(array, chunks=(2, 3, 3)):
    return pg.asarray(da.from_array(array, chunks=chunks), dtype=pg.float64)


@pytest.mark.parametrize(
    ("name", "reference"),
    [
        ("det", np.linalg.det),
        ("inv", np.linalg.inv),
        ("cholesky", np.linalg.cholesky),
        ("eigvalsh", np.linalg.eigvalsh),
        ("pinv", np.linalg.pinv),
        ("matrix_rank", np.linalg.matrix_rank),
        ("svdvals", lambda a: np.linalg.svd(a, compute_uv=False)),
    ],
)
def test_matrix_functions_of_a_chunked_stack_equal_numpys(on_dask, name, reference):
    x = _stack(SPD)
    out = getattr(pg.linalg, name)(x)
    assert len(dask_array(out).chunks[0]) == 3  # one task per chunk of the stack
    np.testing.assert_allclose(out.numpy(), reference(SPD), rtol=1e-10, atol=1e-12)


def test_solve_slogdet_eigh_qr_svd_of_a_chunked_stack(on_dask):
    x, b = _stack(SPD), _stack(RNG.standard_normal((6, 3, 2)), chunks=(3, 3, 2))
    np.testing.assert_allclose(pg.linalg.solve(x, b).numpy(), np.linalg.solve(SPD, b.numpy()))
    sign, logabsdet = pg.linalg.slogdet(x)
    np.testing.assert_allclose(logabsdet.numpy(), np.linalg.slogdet(SPD)[1])
    values, vectors = pg.linalg.eigh(x)
    rebuilt = (vectors * values[..., None, :]) @ vectors.mT
    np.testing.assert_allclose(rebuilt.numpy(), SPD, atol=1e-10)
    q, r = pg.linalg.qr(x)
    np.testing.assert_allclose((q @ r).numpy(), SPD, atol=1e-10)
    u, s, vh = pg.linalg.svd(x, full_matrices=False)
    np.testing.assert_allclose(((u * s[..., None, :]) @ vh).numpy(), SPD, atol=1e-10)


def test_cross_and_second_derivatives_through_det(on_dask):
    a, b = RNG.standard_normal((4, 3)), RNG.standard_normal((4, 3))
    out = pg.linalg.cross(_stack(a, chunks=(2, 3)), _stack(b, chunks=(2, 3)))
    np.testing.assert_allclose(out.numpy(), np.cross(a, b))
    x = pg.asarray(da.from_array(SPD, chunks=(2, 3, 3)), dtype=pg.float64).requires_grad_()
    assert pg.autograd.gradgradcheck(lambda m: pg.linalg.det(m[:2]), (x,))


def test_transforms_along_chunked_axes(on_dask):
    a = RNG.standard_normal((6, 4))
    x = pg.asarray(da.from_array(a, chunks=(2, 2)), dtype=pg.float64)
    np.testing.assert_allclose(pg.fft.fft(x, dim=0).numpy(), np.fft.fft(a, axis=0))
    np.testing.assert_allclose(pg.fft.fft2(x).numpy(), np.fft.fft2(a))
    np.testing.assert_allclose(pg.fft.rfftn(x, s=(4,)).numpy(), np.fft.rfftn(a, s=(4,), axes=(-1,)))


def test_eye_linspace_bool_key_and_dlpack(on_dask):
    # dask.array.eye(3, M=4) alone declares a block its graph lacks
    np.testing.assert_array_equal(pg.eye(3, 5, dtype=pg.float64).numpy(), np.eye(3, 5))
    np.testing.assert_array_equal(pg.eye(5, 2, dtype=pg.float64).numpy(), np.eye(5, 2))
    z = pg.linspace(0, 1 + 2j, 3)
    np.testing.assert_allclose(z.numpy(), np.linspace(0, 1 + 2j, 3))
    x = pg.arange(6.0).reshape(2, 3)
    assert x[True].shape == (1, 2, 3) and x[False].shape == (0, 2, 3)
    np.testing.assert_array_equal(np.from_dlpack(x), np.arange(6.0).reshape(2, 3))


def test_empty_matrices_stacks_that_broadcast_and_0d_masks(on_dask):
    assert pg.linalg.inv(pg.ones((0, 0), dtype=pg.float64)).shape == (0, 0)
    values, vectors = pg.linalg.eigh(pg.ones((2, 0, 0), dtype=pg.float64))
    assert values.shape == (2, 0) and vectors.shape == (2, 0, 0)
    a, b = SPD[:1], RNG.standard_normal((4, 3, 2))  # a stack of 1 against a stack of 4
    np.testing.assert_allclose(pg.linalg.solve(_stack(a), _stack(b, chunks=(2, 3, 2))).numpy(),
                               np.linalg.solve(a, b))  # fmt: skip
    x = pg.tensor(3.0)
    assert x[pg.tensor(True)].tolist() == [3.0] and x[pg.tensor(False)].shape == (0,)
    x[pg.tensor(False)] = 1.0
    assert x.item() == 3.0
    y = pg.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(y[None, pg.tensor([1, 0]), ...].numpy(),
                                  np.arange(24.0).reshape(2, 3, 4)[None, [1, 0], ...])  # fmt: skip


def test_an_index_of_the_chunk_offsets_values_keeps_its_shape(on_dask):
    # Dask aligns an index array with one of chunk offsets ([0] for one chunk), made by
    # from_array as pluggrad's arrays were: with the same name, x[[0]] was declared of x's shape
    x = pg.arange(4.0)
    index = pg.tensor([0])
    assert x[index].shape == (1,) and x.take(index).shape == (1,)
    np.testing.assert_array_equal(pg.index_select(x, 0, index).numpy(), [0.0])
    y = pg.arange(4.0).reshape(2, 2)
    view = y.diagonal()[::2]  # a view read back through its root's flat positions, [0]
    view.add_(1.0)
    assert view.shape == (1,) and y.tolist() == [[1.0, 1.0], [2.0, 3.0]]


def test_reshape_that_neither_merges_nor_splits_dimensions(on_dask):
    # Dask's reshape takes (6, 2, 4) to (6, 8) or (6, 2, 2, 2), not to (6, 4, 2)
    a = np.arange(48.0).reshape(6, 2, 4)
    x = pg.asarray(da.from_array(a, chunks=((5, 1), (1, 1), (4,))))
    np.testing.assert_array_equal(x.reshape(6, 4, 2).numpy(), a.reshape(6, 4, 2))
    np.testing.assert_array_equal(x.reshape(-1, 4, 2).numpy(), a.reshape(-1, 4, 2))
