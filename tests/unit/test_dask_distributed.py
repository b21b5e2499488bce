"""The Dask backend on a ``dask.distributed`` cluster: a LocalCluster of two worker processes
with a memory limit each, started once for this module and shut down after it."""

from __future__ import annotations

import multiprocessing
import pathlib
import sys

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")
cloudpickle = pytest.importorskip("cloudpickle")  # distributed's dependency
da = pytest.importorskip("dask.array")

import pluggrad as pg  # noqa: E402
from pluggrad.backends.dask import dask_array  # noqa: E402

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"
MEMORY_LIMIT = 512 * 2**20  # per worker


@pytest.fixture(scope="module")
def client():
    """A client of a LocalCluster (2 processes, 1 thread and 512 MiB each); nothing of it is
    left running afterwards."""
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, memory_limit=MEMORY_LIMIT,
        dashboard_address=None,
    )  # fmt: skip
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()
    assert cluster.status.name == "closed"
    assert not multiprocessing.active_children()


def test_gradients_on_the_cluster_match_numpy(client):
    rng = np.random.default_rng(1)
    features, labels = rng.standard_normal((1000, 8)), rng.random(1000) > 0.5
    grads = {}
    for name, chunks in (("dask", (250, 8)), ("numpy", None)):
        with pg.use_backend(name):
            x = pg.tensor(features, dtype=pg.float64, chunks=chunks)
            y = pg.tensor(labels.astype(np.float64), chunks=None if chunks is None else 250)
            w = pg.zeros(8, dtype=pg.float64, requires_grad=True)
            loss = pg.nn.functional.binary_cross_entropy_with_logits(x @ w, y)
            (g,) = pg.autograd.grad(loss, w, create_graph=True)
            (h,) = pg.autograd.grad(g.sum(), w)  # second order, on the cluster too
            if name == "dask":
                assert len(dask_array(x).chunks[0]) == 4
                loss, g, h = pg.compute(loss, g, h)  # one graph, run by the workers
            grads[name] = [t.detach().numpy() for t in (loss, g, h)]
    for mine, reference in zip(grads["dask"], grads["numpy"]):
        np.testing.assert_allclose(mine, reference, rtol=1e-12, atol=1e-14)
    assert len(client.scheduler_info()["workers"]) == 2


def test_persist_keeps_values_on_the_workers(client):
    with pg.use_backend("dask"):
        x = pg.arange(100.0, dtype=pg.float64, chunks=25).requires_grad_()
        y = (x * x).persist()
        futures = distributed.futures_of(dask_array(y))  # the values live on the workers
        assert len(futures) == 4
        distributed.wait(futures)
        assert all(client.who_has(futures).values())
        y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.arange(100.0))


def test_example_trains_larger_than_memory_script_small(client):
    sys.path.insert(0, str(EXAMPLES))
    try:
        import dask_larger_than_memory as example  # noqa: PLC0415 - the example script
    finally:
        sys.path.remove(str(EXAMPLES))
    # the workers cannot import the script: its functions travel by value
    cloudpickle.register_pickle_by_value(example)
    losses = example.train(rows=40_000, features=8, chunk_rows=5_000, steps=3, lr=2.0,
                           show_progress=True)  # fmt: skip
    assert losses[-1] < losses[0]
    peaks = client.run(example.peak_rss)
    assert all(peak < MEMORY_LIMIT for peak in peaks.values())
