"""Logistic regression by gradient descent on data larger than the cluster's memory (Dask).

The dataset is generated lazily from a seed, chunk by chunk (no file): ``rows x features``
float64 normals and labels drawn from a known weight vector.  Each step builds one task graph
(the forward pass, ``loss.backward()``, and the gradient summed over the chunks) and runs it
with :func:`pluggrad.compute`; the workers generate each chunk, use it and drop it, so the data
never has to fit in memory at once.  The weights stay small (``features`` numbers).

    python examples/dask_larger_than_memory.py                     # 2083 MiB of data, 2 x 256 MiB
    python examples/dask_larger_than_memory.py --rows 100000 --features 16 --steps 4  # quick
    python examples/dask_larger_than_memory.py --scheduler tcp://host:8786  # an existing cluster

It prints the loss of every step (it falls), the size of the data against the cluster's memory
limit, and each worker's peak memory (resident set size), which stays under its limit.
"""

from __future__ import annotations

import argparse
import resource
import time

import dask.array as da
import numpy as np
from distributed import Client, LocalCluster, progress

import pluggrad as pg
from pluggrad.backends.dask import dask_array
from pluggrad.nn import functional as F


def dataset(rows: int, features: int, chunk_rows: int, seed: int):
    """Lazy ``(x, y)``: standard normal rows and 0/1 labels of a logistic model whose weights
    are drawn from `seed` too; nothing is generated until a graph that needs it runs."""
    rng = da.random.default_rng(seed)
    x = rng.standard_normal((rows, features), chunks=(chunk_rows, features))
    true_w = np.random.default_rng(seed).standard_normal(features)
    noise = rng.logistic(size=rows, chunks=chunk_rows)
    y = (x @ true_w + noise > 0).astype(np.float64)
    return x, y


def peak_rss() -> int:
    """This process's peak resident set size in bytes (run on each worker)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def train(rows: int, features: int, chunk_rows: int, steps: int, lr: float,
          seed: int = 0, show_progress: bool = True) -> list[float]:  # fmt: skip
    """Gradient descent on the lazy dataset; the loss of each step."""
    x_native, y_native = dataset(rows, features, chunk_rows, seed)
    with pg.use_backend("dask"):
        x, y = pg.asarray(x_native), pg.asarray(y_native)  # they keep their chunks
        w = pg.zeros(features, dtype=pg.float64, requires_grad=True)
        b = pg.zeros((), dtype=pg.float64, requires_grad=True)
        losses = []
        for step in range(steps):
            loss = F.binary_cross_entropy_with_logits(x @ w + b, y)
            loss.backward()  # a graph: nothing runs yet
            if show_progress:  # run it on the cluster now, with distributed's progress bar
                pg.persist(loss, w.grad, b.grad)  # one graph, computed in the background
                progress([dask_array(t) for t in (loss, w.grad, b.grad)])
                print()
            value, grad_w, grad_b = pg.compute(loss, w.grad, b.grad)  # one pass (or a fetch)
            with pg.no_grad():
                w -= lr * grad_w
                b -= lr * grad_b
            w.grad = b.grad = None
            losses.append(value.item())
            print(f"step {step}: loss {losses[-1]:.4f}", flush=True)
    return losses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=4_200_000)
    parser.add_argument("--features", type=int, default=64)
    parser.add_argument("--chunk-rows", type=int, default=50_000)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--lr", type=float, default=2.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--memory-limit", default="256MiB", help="per worker (LocalCluster)")
    parser.add_argument("--scheduler", default=None, help="an existing cluster's address")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args()

    if args.scheduler:
        cluster, client = None, Client(args.scheduler)
    else:
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                               memory_limit=args.memory_limit, dashboard_address=None)  # fmt: skip
        client = Client(cluster)
    try:
        workers = client.scheduler_info()["workers"]
        limit = sum(w["memory_limit"] for w in workers.values())
        size = args.rows * (args.features + 1) * 8
        print(f"data {size / 2**20:.0f} MiB, {size / limit:.1f}x the cluster's memory limit "
              f"({len(workers)} workers, {limit / 2**20:.0f} MiB)")  # fmt: skip
        start = time.perf_counter()
        losses = train(args.rows, args.features, args.chunk_rows, args.steps, args.lr,
                       show_progress=not args.no_progress)  # fmt: skip
        elapsed = time.perf_counter() - start
        peaks = client.run(peak_rss)
        for address, peak in sorted(peaks.items()):
            share = peak / workers[address]["memory_limit"]
            print(
                f"worker {address}: peak memory {peak / 2**20:.0f} MiB ({share:.0%} of its limit)"
            )
        print(f"loss {losses[0]:.4f} -> {losses[-1]:.4f} in {elapsed:.1f} s")
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


if __name__ == "__main__":
    main()
