"""The accelerator check of the JAX backend: ``python -m benchmarks.gpu [--platform cuda]``.

Prepared for a machine with a GPU (or TPU), where it runs, one after the other and each in
processes of its own:

1. the founding tutorial's conformance tests on the ``jax`` backend on that platform
   (``pytest --pyargs pluggrad.conformance.test_tutorial``);
2. W2 and W4 under ``pluggrad.compile`` against ``jax.jit(jax.grad)``, the project's benchmark
   (``benchmarks.run --jax-platform``), with the ratios in its table;
3. W6, the W2 step data-parallel over 1, 2, 4, ... of the platform's devices
   (``benchmarks.sharding --platform``), where there is more than one.

Each step's output is printed as it comes; the exit status is non-zero if a step failed.
Results go to ``--output-dir`` (``benchmarks/results/gpu`` by default).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "gpu"


def _devices(platform: str) -> int:
    """How many devices JAX sees on `platform` (0 when it has none)."""
    probe = "import jax; print(len(jax.devices()))"
    env = dict(os.environ, JAX_PLATFORMS=platform)
    done = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=False
    )
    return int(done.stdout.strip()) if done.returncode == 0 else 0


def steps(platform: str, output_dir: Path, quick: bool) -> list[tuple[str, list[str], dict]]:
    """The commands of the check: (title, argv, extra environment)."""
    env = {"JAX_PLATFORMS": platform, "PLUGGRAD_BACKEND": "jax"}
    python = sys.executable
    run = [python, "-m", "benchmarks.run", "--workloads", "W2,W4", "--frameworks",
           "pluggrad-jax-compile,jax-jit", "--jax-platform", platform, "--no-plot",
           "--output-dir", str(output_dir / "w2-w4")] + (["--quick"] if quick else [])  # fmt: skip
    found = [
        ("tutorial on jax",
         [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--pyargs",
          "pluggrad.conformance.test_tutorial", "--backend", "jax"], env),
        ("W2 and W4: pluggrad.compile vs jax.jit", run, {}),
    ]  # fmt: skip
    devices = _devices(platform)
    if devices > 1:
        counts = [n for n in (1, 2, 4, 8) if n <= devices]
        found.append((
            "W6: data-parallel over the devices",
            [python, "-m", "benchmarks.sharding", "--platform", platform, "--no-processes",
             "--devices", *map(str, counts), "--output-dir", str(output_dir / "w6")]
            + (["--quick"] if quick else []),
            {},
        ))  # fmt: skip
    return found


def ratios(results_file: Path) -> list[str]:
    """``pluggrad.compile / jax.jit`` per workload, from the medians of a benchmark run."""
    results = json.loads(results_file.read_text())["results"]
    medians: dict[tuple[str, str], float] = {}
    for workload in sorted({r["workload"] for r in results if r["mode"] == "time"}):
        for framework in ("pluggrad-jax-compile", "jax-jit"):
            times = [t for r in results if (r["workload"], r["framework"], r["mode"])
                     == (workload, framework, "time") for t in r.get("times", [])]  # fmt: skip
            if times:
                medians[workload, framework] = statistics.median(times)
    return [
        f"{workload}: pluggrad.compile / jax.jit = "
        f"{medians[workload, 'pluggrad-jax-compile'] / medians[workload, 'jax-jit']:.3f}"
        for workload, framework in medians
        if framework == "jax-jit" and (workload, "pluggrad-jax-compile") in medians
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--platform", default="cuda", help="cuda (the default) or tpu")
    parser.add_argument("--output-dir", type=Path, default=RESULTS)
    parser.add_argument("--quick", action="store_true", help="the benchmarks' short runs")
    args = parser.parse_args(argv)
    if _devices(args.platform) == 0:
        print(f"JAX sees no {args.platform} device here: nothing to check", file=sys.stderr)
        return 2
    failed = []
    root = Path(__file__).resolve().parents[1]
    for title, command, extra in steps(args.platform, args.output_dir, args.quick):
        print(f"\n## {title}\n$ {' '.join(command)}", flush=True)
        done = subprocess.run(command, env=dict(os.environ, **extra), cwd=root, check=False)
        if done.returncode != 0:
            failed.append(title)
    summary = args.output_dir / "w2-w4" / "latest.json"
    if summary.exists():
        print("\n## Ratios\n" + "\n".join(ratios(summary)))
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
