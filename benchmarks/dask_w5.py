"""W5, a data-parallel gradient: one gradient step of logistic regression on N x D float64 rows
in chunks, on a LocalCluster of 1 and 2 worker processes.

Variants: pluggrad on the dask backend (``backward()``, then ``pluggrad.compute`` of the loss
and the gradient: one graph), the same loss and gradient written by hand in ``dask.array``
(the limit), and pluggrad's NumPy backend on the data in memory (where it fits).  Reported per
variant: the median time of a step (graph building included), the graph's task count (as
built, and after Dask's optimisation, which fuses chains of blockwise tasks), and the peak
resident memory of the workers.

    python -m benchmarks.dask_w5                        # N=2,000,000 D=32 chunks of 100,000
    python -m benchmarks.dask_w5 --rows 200000 --repeat 3
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time

import dask
import dask.array as da
import numpy as np
from distributed import Client, LocalCluster


def peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def data(rows: int, features: int, chunk_rows: int):
    rng = da.random.default_rng(0)
    x = rng.standard_normal((rows, features), chunks=(chunk_rows, features))
    y = (rng.random(rows, chunks=chunk_rows) > 0.5).astype(np.float64)
    return x.persist(), y.persist()  # the data sit on the workers: the step is measured alone


def hand_step(x, y, w):
    """The loss and gradient of mean(log(1 + exp(z)) - y z), z = x w, in dask.array."""
    z = x @ w
    loss = da.mean(da.logaddexp(0.0, z) - y * z)
    grad = x.T @ (1.0 / (1.0 + da.exp(-z)) - y) / x.shape[0]
    return loss, grad


def pluggrad_step(x, y, w, backend):
    import pluggrad as pg
    from pluggrad.nn import functional as F

    with pg.use_backend(backend):
        xt, yt = pg.asarray(x), pg.asarray(y)
        wt = pg.tensor(w, dtype=pg.float64, requires_grad=True)
        loss = F.binary_cross_entropy_with_logits(xt @ wt, yt)
        loss.backward()
        return loss, wt.grad


def tasks(arrays) -> tuple[int, int]:
    """The task count of the graph of `arrays`: as built, and after dask.optimize."""
    built = {}
    for a in arrays:
        built.update(dict(a.__dask_graph__()))
    optimized = {}
    for a in dask.optimize(*arrays):
        optimized.update(dict(a.__dask_graph__()))
    return len(built), len(optimized)


def measure(client, rows, features, chunk_rows, repeat) -> dict:
    import pluggrad as pg
    from pluggrad.backends.dask import dask_array

    x, y = data(rows, features, chunk_rows)
    w = np.full(features, 0.01)
    results = {}

    def run_hand():
        return dask.compute(*hand_step(x, y, w))

    def run_pluggrad():
        loss, grad = pluggrad_step(x, y, w, "dask")
        return pg.compute(loss, grad)

    hand_graph = tasks(hand_step(x, y, w))
    loss, grad = pluggrad_step(x, y, w, "dask")
    mine_graph = tasks([dask_array(loss), dask_array(grad)])
    for name, fn, graph in (("dask.array by hand", run_hand, hand_graph),
                            ("pluggrad dask", run_pluggrad, mine_graph)):  # fmt: skip
        fn()  # warm
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        results[name] = (statistics.median(times), graph)
    (h_loss, h_grad), (m_loss, m_grad) = run_hand(), run_pluggrad()
    assert np.allclose(h_loss, m_loss.item()) and np.allclose(h_grad, m_grad.numpy())
    results["peak worker MiB"] = max(client.run(peak_rss).values()) / 2**20
    return results


def numpy_in_memory(rows, features, chunk_rows, repeat) -> float:
    x, y = (a.compute(scheduler="threads") for a in data_local(rows, features, chunk_rows))
    w = np.full(features, 0.01)
    times = []
    for _ in range(repeat + 1):
        start = time.perf_counter()
        loss, grad = pluggrad_step(x, y, w, "numpy")
        loss.item()
        times.append(time.perf_counter() - start)
    return statistics.median(times[1:])


def data_local(rows, features, chunk_rows):
    rng = da.random.default_rng(0)
    x = rng.standard_normal((rows, features), chunks=(chunk_rows, features))
    y = (rng.random(rows, chunks=chunk_rows) > 0.5).astype(np.float64)
    return x, y


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--features", type=int, default=32)
    parser.add_argument("--chunk-rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--memory-limit", default="1GiB")
    args = parser.parse_args()
    size = args.rows * (args.features + 1) * 8 / 2**20
    print(f"W5: N={args.rows} D={args.features} chunks of {args.chunk_rows} rows "
          f"({size:.0f} MiB of float64)")  # fmt: skip
    print("| workers | variant | median s | tasks (built / optimized) | peak worker MiB |")
    print("|---|---|---|---|---|")
    for workers in (1, 2):
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                          memory_limit=args.memory_limit, dashboard_address=None) as cluster, \
                Client(cluster) as client:  # fmt: skip
            results = measure(client, args.rows, args.features, args.chunk_rows, args.repeat)
        peak = results.pop("peak worker MiB")
        for name, (seconds, (built, optimized)) in results.items():
            print(f"| {workers} | {name} | {seconds:.3f} | {built} / {optimized} | {peak:.0f} |")
    seconds = numpy_in_memory(args.rows, args.features, args.chunk_rows, args.repeat)
    print(f"| - | pluggrad numpy, in memory | {seconds:.3f} | - | - |")


if __name__ == "__main__":
    main()
