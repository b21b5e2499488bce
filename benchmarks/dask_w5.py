"""W5, a data-parallel gradient: one gradient step of logistic regression on N x D float64 rows
in chunks, on a LocalCluster of 1 and 2 worker processes.

Variants: pluggrad on the dask backend (``backward()``, then ``pluggrad.compute`` of the loss
and the gradient: one graph), the same loss and gradient written by hand in ``dask.array``
(the limit), and pluggrad's NumPy backend on the data in memory (where it fits).  Reported per
variant: the median time of a step (graph building included; the two Dask variants take turns,
so that a change in the machine's load falls on both), the graph's task count (as built, the
persisted data's keys included, and as run: the tasks the cluster executed in one step, after
Dask's optimisation has fused chains of blockwise tasks), and the peak resident memory of the
workers over the cluster's life (the data, and both variants' steps).

    python -m benchmarks.dask_w5                        # N=2,000,000 D=32 chunks of 100,000
    python -m benchmarks.dask_w5 --rows 200000 --repeat 3

Results: ``results/w5-dask.md`` (the table) and ``.json`` (every step's time).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import time
from pathlib import Path

import dask
import dask.array as da
import numpy as np
from distributed import Client, LocalCluster, get_task_stream, wait

from .report import save

RESULTS = Path(__file__).parent / "results"
HAND, MINE = "dask.array by hand", "pluggrad dask"


def peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def data(rows: int, features: int, chunk_rows: int):
    """Rows of `features` standard normal values and a label each (1 or 0, each half of the
    time), persisted on the workers.  A chunk's features and labels are drawn by one task, so
    the two sit on the same worker: a step's work on a chunk needs no transfer, only the
    reductions' partial sums cross between workers."""
    rng = da.random.default_rng(0)
    table = rng.standard_normal((rows, features + 1), chunks=(chunk_rows, features + 1))
    x = table[:, :features]
    y = (table[:, features] > 0).astype(np.float64)
    x, y = dask.persist(x, y)
    wait([x, y])  # the data sit on the workers: the step is measured alone
    return x, y


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


def worker_cpu() -> float:
    """This process's CPU time in seconds (run on each worker)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def cpu_seconds(client) -> float:
    """The CPU time used so far by this process (the client, and a LocalCluster's scheduler)
    and by the workers: on a shared machine, less sensitive to the load than the time."""
    return time.process_time() + sum(client.run(worker_cpu).values())


def built_tasks(arrays) -> int:
    """The task count of the graph of `arrays` as built (before Dask's optimisation)."""
    keys = set()
    for a in arrays:
        keys.update(a.__dask_graph__().keys())
    return len(keys)


def run_tasks(client, step) -> int:
    """How many tasks the cluster executed for one call of `step`."""
    with get_task_stream(client) as stream:
        step()
    return len(stream.data)


def measure(client, rows, features, chunk_rows, repeat) -> dict:
    """Per Dask variant: its step times, task counts (built, run); and the workers' peak."""
    import pluggrad as pg
    from pluggrad.backends.dask import dask_array

    x, y = data(rows, features, chunk_rows)
    w = np.full(features, 0.01)

    def run_hand():
        return dask.compute(*hand_step(x, y, w))

    def run_pluggrad():
        loss, grad = pluggrad_step(x, y, w, "dask")
        return pg.compute(loss, grad)

    loss, grad = pluggrad_step(x, y, w, "dask")
    variants = {
        HAND: (run_hand, built_tasks(hand_step(x, y, w))),
        MINE: (run_pluggrad, built_tasks([dask_array(loss), dask_array(grad)])),
    }
    for fn, _ in variants.values():
        fn()  # warm up
    ran = {name: run_tasks(client, fn) for name, (fn, _) in variants.items()}
    times: dict[str, list[float]] = {name: [] for name in variants}
    cpu: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(repeat):
        for name, (fn, _) in variants.items():
            cpu_start = cpu_seconds(client)
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
            cpu[name].append(cpu_seconds(client) - cpu_start)
    (h_loss, h_grad), (m_loss, m_grad) = run_hand(), run_pluggrad()
    assert np.allclose(h_loss, m_loss.item()) and np.allclose(h_grad, m_grad.numpy())
    return {
        "variants": {
            name: {
                "times": times[name],
                "cpu": cpu[name],
                "tasks built": built,
                "tasks run": ran[name],
            }  # fmt: skip
            for name, (_, built) in variants.items()
        },
        "peak worker MiB": max(client.run(peak_rss).values()) / 2**20,
    }


def numpy_in_memory(rows, features, chunk_rows, repeat) -> list[float]:
    x, y = (a.compute(scheduler="threads") for a in data_local(rows, features, chunk_rows))
    w = np.full(features, 0.01)
    times = []
    for _ in range(repeat + 1):
        start = time.perf_counter()
        loss, grad = pluggrad_step(x, y, w, "numpy")
        loss.item()
        times.append(time.perf_counter() - start)
    return times[1:]


def data_local(rows, features, chunk_rows):
    rng = da.random.default_rng(0)
    x = rng.standard_normal((rows, features), chunks=(chunk_rows, features))
    y = (rng.random(rows, chunks=chunk_rows) > 0.5).astype(np.float64)
    return x, y


def markdown(results: dict, meta: dict) -> str:
    """The results as the table docs/dask.md shows."""
    lines = [
        "# W5: one data-parallel gradient step of logistic regression (Dask)",
        "",
        f"- date: {meta['date']}; {meta['cores']} cores; load average {meta['load before']} "
        f"before, {meta['load after']} after; dask {meta['dask']}",
        f"- N={meta['rows']} D={meta['features']}, chunks of {meta['chunk rows']} rows "
        f"({meta['MiB']:.0f} MiB of float64), {meta['memory limit']} per worker, "
        f"median of {meta['repeat']} steps per variant, the two Dask variants taking turns",
        "",
        "| workers | variant | median s | pluggrad / hand | CPU s | pluggrad / hand (CPU) | "
        "tasks (built / run) | peak worker MiB |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for workers, cell in results["dask"].items():
        hand = cell["variants"][HAND]
        for name, v in cell["variants"].items():
            ratio, cpu_ratio = (
                ("", "")
                if name == HAND
                else (
                    f"{paired_ratio(v['times'], hand['times']):.2f}",
                    f"{paired_ratio(v['cpu'], hand['cpu']):.2f}",
                )
            )
            lines.append(
                f"| {workers} | {name} | {statistics.median(v['times']):.3f} | {ratio} | "
                f"{statistics.median(v['cpu']):.3f} | {cpu_ratio} | "
                f"{v['tasks built']} / {v['tasks run']} | {cell['peak worker MiB']:.0f} |"
            )
    numpy_times = results["numpy in memory"]
    lines.append(
        f"| - | pluggrad numpy, in memory | {statistics.median(numpy_times):.3f} | | | | - | - |"
    )
    lines.append("")
    lines.append(
        "pluggrad / hand: the median of the ratios of the steps measured in turn; CPU s: the "
        "CPU time of a step in the client (with the scheduler) and the workers together."
    )
    return "\n".join(lines) + "\n"


def paired_ratio(mine: list[float], hand: list[float]) -> float:
    """The median of the ratios of the steps that ran one after the other."""
    return statistics.median(m / h for m, h in zip(mine, hand))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--features", type=int, default=32)
    parser.add_argument("--chunk-rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--memory-limit", default="1GiB")
    parser.add_argument("--output-dir", type=Path, default=RESULTS,
                        help="where w5-dask.md and .json are written")  # fmt: skip
    args = parser.parse_args()
    meta = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "cores": os.cpu_count(),
        "dask": dask.__version__,
        "load before": round(os.getloadavg()[0], 2),
        "rows": args.rows,
        "features": args.features,
        "chunk rows": args.chunk_rows,
        "MiB": args.rows * (args.features + 1) * 8 / 2**20,
        "memory limit": args.memory_limit,
        "repeat": args.repeat,
    }
    results: dict = {"dask": {}}
    for workers in (1, 2):
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                          memory_limit=args.memory_limit, dashboard_address=None) as cluster, \
                Client(cluster) as client:  # fmt: skip
            results["dask"][workers] = measure(
                client, args.rows, args.features, args.chunk_rows, args.repeat
            )
    results["numpy in memory"] = numpy_in_memory(
        args.rows, args.features, args.chunk_rows, args.repeat
    )
    meta["load after"] = round(os.getloadavg()[0], 2)
    text = markdown(results, meta)
    print(text)
    save(args.output_dir, "w5-dask", text, {"meta": meta, "results": results})


if __name__ == "__main__":
    main()
