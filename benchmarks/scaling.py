"""Scaling of the engine: ``python -m benchmarks.scaling [--quick] [--max-nodes N] [--steps S]``.

Two measurements, each in this one process on the chosen backend (NumPy by default):

- **Graph size.** A chain ``y = tanh(y * 0.9 + 0.1)`` of 10^3 ... `--max-nodes` nodes on a
  vector of 16 float64 (three nodes per link, as in workload W1), then ``backward``. For each
  size: the median forward and backward time per node over a few repeats (more for the small
  graphs), and the backward time per node relative to that of the smallest graph. Linear
  scaling keeps that ratio near 1.
- **Training steps.** `--steps` steps of a small MLP (16-32-1, tanh, squared error) with an SGD
  update under ``no_grad`` and ``.grad = None``, as a training loop does. The resident set
  size and the Python heap (tracemalloc's current size, without tracemalloc's own overhead)
  are read at a few step counts; flat memory means the graph of each step is freed.

Output: a Markdown report, printed and written to ``results/scaling.md``, and the numbers in
``results/scaling.json`` (``--output-dir`` elsewhere).
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

from .worker import status_kb

RESULTS = Path(__file__).resolve().parent / "results"


def _rss_mb() -> float:
    """The current resident set size in MB (Linux's /proc; the peak elsewhere)."""
    kb = status_kb("VmRSS")
    if kb is None:
        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 2**10


def chain_times(pg, links: int, repeats: int) -> tuple[float, float]:
    """Median (forward, backward) seconds per node of a chain of `links` W1 links."""
    x0 = np.linspace(-1.0, 1.0, 16)
    forward, backward = [], []
    for _ in range(repeats):
        x = pg.tensor(x0, requires_grad=True)
        start = time.perf_counter()
        y = x
        for _ in range(links):
            y = pg.tanh(y * 0.9 + 0.1)
        loss = y.sum()
        middle = time.perf_counter()
        loss.backward()
        end = time.perf_counter()
        nodes = 3 * links + 1
        forward.append((middle - start) / nodes)
        backward.append((end - middle) / nodes)
        if not np.all(np.isfinite(np.asarray(x.grad))):
            raise RuntimeError("the chain's gradient is not finite")
        del x, y, loss
        gc.collect()
    return statistics.median(forward), statistics.median(backward)


def graph_sizes(max_nodes: int) -> list[int]:
    """Chain lengths (links) for 10^3, 10^4, ... nodes up to `max_nodes`."""
    sizes = []
    exponent = 3
    while 10**exponent <= max_nodes:
        sizes.append(10**exponent // 3)
        exponent += 1
    return sizes


def training_memory(pg, steps: int) -> list[dict]:
    """RSS and Python-heap readings over `steps` MLP training steps."""
    rng = np.random.default_rng(0)
    data = pg.tensor(rng.standard_normal((64, 16)))
    target = pg.tensor(rng.standard_normal((64, 1)))
    params = [
        pg.tensor(rng.standard_normal((16, 32)) * 0.25, requires_grad=True),
        pg.tensor(np.zeros(32), requires_grad=True),
        pg.tensor(rng.standard_normal((32, 1)) * 0.25, requires_grad=True),
        pg.tensor(np.zeros(1), requires_grad=True),
    ]
    marks = sorted({min(steps, m) for m in (100, steps // 10, steps // 2, steps)})
    readings = []
    tracemalloc.start()
    for step in range(1, steps + 1):
        w1, b1, w2, b2 = params
        prediction = pg.tanh(data @ w1 + b1) @ w2 + b2
        loss = ((prediction - target) ** 2).mean()
        loss.backward()
        with pg.no_grad():
            for p in params:
                p -= 0.01 * p.grad
                p.grad = None
        if step in marks:
            gc.collect()
            heap, _ = tracemalloc.get_traced_memory()
            readings.append(
                {"step": step, "rss_mb": _rss_mb(), "heap_kb": heap / 1024, "loss": loss.item()}
            )
    tracemalloc.stop()
    return readings


def report(backend: str, sizes: list[dict], memory: list[dict]) -> str:
    """The Markdown report."""
    lines = [
        f"# pluggrad scaling ({backend} backend, Python {sys.version.split()[0]})",
        "",
        "| nodes | forward µs/node | backward µs/node | backward per node / smallest graph's |",
        "|---:|---:|---:|---:|",
    ]
    base = sizes[0]["backward_s"]
    for row in sizes:
        lines.append(
            f"| {row['nodes']:,} | {row['forward_s'] * 1e6:.2f} | {row['backward_s'] * 1e6:.2f} "
            f"| ×{row['backward_s'] / base:.2f} |"
        )
    lines += [
        "",
        "| training step | RSS MB | Python heap KB | loss |",
        "|---:|---:|---:|---:|",
    ]
    for row in memory:
        lines.append(
            f"| {row['step']:,} | {row['rss_mb']:.1f} | {row['heap_kb']:.1f} | {row['loss']:.4g} |"
        )
    first, last = memory[0], memory[-1]
    lines += [
        "",
        f"Memory from step {first['step']:,} to step {last['step']:,}: RSS "
        f"{last['rss_mb'] - first['rss_mb']:+.1f} MB, Python heap "
        f"{last['heap_kb'] - first['heap_kb']:+.1f} KB.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-nodes", type=float, default=1e6, help="largest graph (1e6)")
    parser.add_argument("--steps", type=int, default=10_000, help="training steps (10000)")
    parser.add_argument("--backend", default="numpy")
    parser.add_argument("--quick", action="store_true", help="a smoke test: 1e4 nodes, 1000 steps")
    parser.add_argument(
        "--output-dir", default=str(RESULTS), help="where scaling.md and scaling.json go"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.max_nodes, args.steps = min(args.max_nodes, 1e4), min(args.steps, 1000)

    import pluggrad as pg

    pg.set_backend(args.backend)
    sizes = []
    for links in graph_sizes(int(args.max_nodes)):
        nodes = 3 * links + 1
        repeats = max(3, min(50, int(3e5 // nodes)))
        chain_times(pg, links, 1)  # warm-up: kernels, node classes, save plans
        forward, backward = chain_times(pg, links, repeats)
        sizes.append(
            {"nodes": nodes, "repeats": repeats, "forward_s": forward, "backward_s": backward}
        )
        print(f"{nodes:>9,} nodes: backward {backward * 1e6:.2f} µs/node", file=sys.stderr)
    memory = training_memory(pg, args.steps)
    if not all(math.isfinite(row["loss"]) for row in memory):
        raise RuntimeError("the training loss is not finite")
    text = report(args.backend, sizes, memory)
    print(text)
    out = Path(args.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "scaling.md").write_text(text + "\n")
    result = {"backend": args.backend, "graph_sizes": sizes, "memory": memory}
    (out / "scaling.json").write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
