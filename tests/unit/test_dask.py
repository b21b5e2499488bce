"""The Dask backend: laziness, computing, chunks, value-dependent shapes, in-place updates and
the threaded scheduler (the conformance suite runs on it with ``--backend dask``; the
distributed scheduler is in test_dask_distributed.py)."""

from __future__ import annotations

import numpy as np
import pytest

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")

import pluggrad as pg  # noqa: E402
from pluggrad.backends.dask import dask_array  # noqa: E402


@pytest.fixture
def on_dask():
    with pg.use_backend("dask") as backend:
        yield backend


class _Counting:
    """A dask scheduler (``get`` function) that counts the graphs it runs."""

    def __init__(self) -> None:
        self.runs = 0

    def __call__(self, dsk, keys, **kwargs):
        self.runs += 1
        return dask.get(dsk, keys, **kwargs)


def _refuse(dsk, keys, **kwargs):
    raise AssertionError("a graph was computed")


def test_forward_backward_and_grad_compute_nothing(on_dask):
    x = pg.asarray(da.arange(12.0, chunks=4).reshape(3, 4), dtype=pg.float64)
    w = pg.ones(4, dtype=pg.float64, requires_grad=True)
    with dask.config.set(scheduler=_refuse):
        loss = pg.tanh(x @ w).sum()
        (grad,) = pg.autograd.grad(loss, w, create_graph=True, retain_graph=True)
        (second,) = pg.autograd.grad(grad.sum(), w, retain_graph=True)
        loss.backward()
    assert isinstance(dask_array(w.grad), da.Array)
    assert isinstance(dask_array(second), da.Array)
    data = np.arange(12.0).reshape(3, 4)
    expected = data.T @ (1 - np.tanh(data @ np.ones(4)) ** 2)
    np.testing.assert_allclose(w.grad.numpy(), expected)
    np.testing.assert_allclose(grad.detach().numpy(), expected)


def test_compute_runs_several_results_in_one_pass(on_dask):
    x = pg.asarray(np.linspace(-1.0, 1.0, 20), dtype=pg.float64)
    w = pg.tensor(0.5, dtype=pg.float64, requires_grad=True)
    loss = ((x * w).exp() - 1).pow(2).mean()
    loss.backward()
    counting = _Counting()
    with dask.config.set(scheduler=counting):
        value, grad = pg.compute(loss, w.grad)
        assert counting.runs == 1
        # the results hold values: reading them runs no graph but a lookup of the chunks
        expected = np.mean((np.exp(np.linspace(-1.0, 1.0, 20) * 0.5) - 1) ** 2)
        assert value.item() == pytest.approx(expected)
    assert not value.requires_grad and value.grad_fn is None
    assert grad.shape == w.shape and isinstance(dask_array(grad), da.Array)
    assert pg.compute(1, "a") == (1, "a")


def test_compute_is_a_no_op_on_eager_backends():
    t = pg.tensor([1.0, 2.0])
    (same,) = pg.compute(t)
    assert same.tolist() == [1.0, 2.0]
    assert t.persist() is t


def test_persist_keeps_the_graph_and_values(on_dask):
    x = pg.tensor([1.0, 2.0, 3.0], dtype=pg.float64, requires_grad=True)
    y = (x * x).sum()
    before = len(dask_array(y).__dask_graph__())
    assert y.persist() is y
    assert len(dask_array(y).__dask_graph__()) < before
    y.backward()
    assert x.grad.tolist() == [2.0, 4.0, 6.0]


def test_persist_of_several_tensors_runs_one_graph(on_dask):
    x = pg.tensor([1.0, 2.0, 3.0], dtype=pg.float64, requires_grad=True)
    loss = (x.exp() * 2).sum()
    loss.backward()
    counting = _Counting()
    with dask.config.set(scheduler=counting):
        assert pg.persist(loss, x.grad) == (loss, x.grad)
        assert counting.runs == 1
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.exp([1.0, 2.0, 3.0]))


def test_chunks_are_kept_or_chosen(on_dask):
    native = da.zeros((10, 4), chunks=(3, 4))
    assert dask_array(pg.asarray(native)).chunks == native.chunks
    assert dask_array(pg.asarray(np.zeros((10, 4)))).chunks == ((10,), (4,))  # "auto"
    assert dask_array(pg.zeros(10, 4, chunks=(5, 2))).chunks == ((5, 5), (2, 2))
    assert dask_array(pg.arange(10, chunks=4)).chunks == ((4, 4, 2),)
    assert dask_array(pg.tensor([1.0, 2.0, 3.0], chunks=2)).chunks == ((2, 1),)
    assert dask_array(pg.full((4,), 2.0, chunks=3)).chunks == ((3, 1),)
    with pytest.raises(TypeError, match="chunks"):
        pg.zeros(3, chunks=2, backend="numpy")


def test_value_dependent_shapes_know_their_sizes(on_dask):
    x = pg.asarray(da.from_array(np.array([3.0, -1.0, 2.0, -5.0, 4.0]), chunks=2),
                   dtype=pg.float64).requires_grad_()  # fmt: skip
    kept = x[x > 0]
    assert kept.shape == (3,)
    kept.sum().backward()
    assert x.grad.tolist() == [1.0, 0.0, 1.0, 0.0, 1.0]
    (index,) = pg.nonzero(x > 0)
    assert index.shape == (3,) and index.tolist() == [0, 2, 4]
    assert pg.unique_values(pg.tensor([2, 1, 2, 3])).tolist() == [1, 2, 3]


def test_in_place_updates_replace_the_array(on_dask):
    x = pg.zeros(4, dtype=pg.float64, chunks=2)
    before = dask_array(x)
    x[1:3] = 5.0
    x.add_(1.0)
    assert dask_array(x) is not before
    assert x.tolist() == [1.0, 6.0, 6.0, 1.0]
    assert before.compute().tolist() == [0.0, 0.0, 0.0, 0.0]  # dask arrays are never written
    w = pg.tensor([1.0, 2.0], dtype=pg.float64, requires_grad=True)
    y = w * 1.0
    y[0] = w[1] * 3.0
    y.sum().backward()
    assert w.grad.tolist() == [0.0, 4.0]


def test_range_checks_wait_for_the_values(on_dask):
    x = pg.arange(4.0)
    index = pg.tensor([0, 7])
    bad = x[index]  # not checked: the index's values are not known yet
    with pytest.raises(IndexError, match="index 7 is out of bounds for dimension 0 with size 4"):
        bad.tolist()
    scores = pg.zeros(2, 5, dtype=pg.float64, requires_grad=True)
    loss = pg.nn.functional.cross_entropy(scores, pg.tensor([2, 7]))  # targets: checked so too
    loss.backward()
    for result in (loss, scores.grad):
        with pytest.raises(IndexError, match="Target 7 is out of bounds"):
            result.item() if result.ndim == 0 else result.numpy()
    assert pg.nn.functional.nll_loss(scores, pg.tensor([2, -100])).item() == 0.0


def test_printing_computes(on_dask):
    t = pg.tensor([1.0, 2.5], requires_grad=True)
    assert repr(t) == "tensor([1.0000, 2.5000], requires_grad=True)"
    assert bool(pg.tensor([1.0]).sum() > 0)
    assert float(pg.tensor(2.0)) == 2.0
    assert np.asarray(pg.tensor([1, 2])).tolist() == [1, 2]


def test_training_on_the_threaded_scheduler(on_dask):
    rng = np.random.default_rng(0)
    features = rng.standard_normal((400, 5))
    labels = (features @ rng.standard_normal(5) > 0).astype(np.float64)
    x = pg.asarray(da.from_array(features, chunks=(100, 5)))
    y = pg.asarray(da.from_array(labels, chunks=100))
    model = pg.nn.Linear(5, 1, dtype=pg.float64)
    optimizer = pg.optim.SGD(model.parameters(), lr=1.0)
    losses = []
    with dask.config.set(scheduler="threads"):
        for _ in range(5):
            optimizer.zero_grad()
            loss = pg.nn.functional.binary_cross_entropy_with_logits(model(x)[:, 0], y)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    assert losses[-1] < losses[0]
    assert isinstance(dask_array(model.weight), da.Array)


def test_printing_a_large_tensor_computes_only_what_it_shows(on_dask):
    seen = []

    def block(values, block_info=None):
        seen.append(block_info[0]["chunk-location"])
        return values

    native = da.map_blocks(block, da.ones((1000, 1000), chunks=100), dtype=np.float64)
    t = pg.asarray(native)
    seen.clear()
    text = repr(t)
    assert text.startswith("tensor([[1., 1., 1.,  ..., 1., 1., 1.],")
    assert sorted(seen) == [(0, 0), (0, 9), (9, 0), (9, 9)]  # the corners' chunks of 100 x 100
