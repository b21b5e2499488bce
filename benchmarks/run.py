"""Run the benchmark suite: ``python -m benchmarks.run [--quick] [--rounds R] [--repeats N] ...``.

Each (framework, workload) pair is measured in a fresh worker process
(:mod:`benchmarks.worker`), with BLAS, OpenMP, torch and XLA limited to ``--threads`` threads.
The run makes ``--rounds`` rounds; in each, every framework is measured once on every workload,
in a rotating order (the framework that goes first changes from workload to workload and from
round to round), so that slow drifts of the machine spread over all frameworks.  W4's memory is
measured by separate worker processes, one per framework and round.  The report gives medians
over all repeats of all rounds; see :mod:`benchmarks.report`.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

from . import problems, report
from .frameworks import FRAMEWORKS, Framework, missing_modules, skipped_workload, thread_env

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
LIBRARIES = ("pluggrad", "numpy", "jax", "jaxlib", "torch", "autograd", "scipy", "matplotlib")
DEFAULTS = {"rounds": 3, "repeats": 10, "min_time": 0.2, "warmup": 3}
QUICK = {"rounds": 1, "repeats": 3, "min_time": 0.02, "warmup": 1}


#: glibc's malloc settings that keep freed memory in the process: large blocks (a 4M-element
#: float32 array is 16 MB) come from the heap instead of fresh mmap'd pages, and the heap is not
#: trimmed, so a step reuses the previous step's pages instead of page-faulting new ones.
#: By default glibc adapts its mmap threshold to the sizes freed so far, which makes W4's time
#: depend on each process's allocation history (XLA's program: 18.5 or 23 to 24 ms per process).
KEEP_FREED_MEMORY_ENV = {
    "MALLOC_MMAP_THRESHOLD_": str(1 << 32),
    "MALLOC_TRIM_THRESHOLD_": str(1 << 32),
}


def worker_env(
    framework: Framework, threads: int, keep_freed_memory: bool = False, jax_platform: str = "cpu"
) -> dict:
    """The environment of a worker: ours, the thread limits, the framework's variables (JAX's
    on `jax_platform`), and with `keep_freed_memory` the same malloc settings for every
    framework."""
    env = dict(os.environ)
    limits = thread_env(threads)
    limits["XLA_FLAGS"] = f"{env.get('XLA_FLAGS', '')} {limits['XLA_FLAGS']}".strip()
    env.update(limits)
    if keep_freed_memory:
        env.update(KEEP_FREED_MEMORY_ENV)
    env.update(framework.env)
    if "JAX_PLATFORMS" in framework.env:
        env["JAX_PLATFORMS"] = jax_platform
    return env


def run_worker(framework: Framework, workload: str, mode: str, args) -> dict:
    """Measure one pair in a subprocess; a crash or a timeout becomes an ``error`` result."""
    result = {"framework": framework.name, "workload": workload, "mode": mode}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        command = [sys.executable, "-m", "benchmarks.worker", "--framework", framework.name]
        command += ["--workload", workload, "--mode", mode, "--out", str(out)]
        command += ["--repeats", str(args.repeats), "--min-time", str(args.min_time)]
        command += ["--warmup", str(args.warmup), "--threads", str(args.threads)]
        command += ["--seed", str(args.seed)]
        try:
            proc = subprocess.run(
                command,
                cwd=ROOT,
                env=worker_env(framework, args.threads, args.keep_freed_memory, args.jax_platform),
                capture_output=True,
                text=True,
                timeout=args.timeout,
            )
        except subprocess.TimeoutExpired:
            return {**result, "status": "error", "message": f"timed out after {args.timeout} s"}
        if out.exists():
            return json.loads(out.read_text())
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
    return {**result, "status": "error", "message": f"exit {proc.returncode}: {' | '.join(tail)}"}


def schedule(frameworks: list[str], workloads: list[str], round_index: int) -> list[tuple]:
    """The ``(framework, workload, mode)`` jobs of one round, in rotating framework order."""
    jobs = []
    for i, name in enumerate(workloads):
        k = (round_index + i) % len(frameworks)
        order = frameworks[k:] + frameworks[:k]
        jobs += [(f, name, "time") for f in order]
        if problems.WORKLOADS[name].memory:
            jobs += [(f, name, "memory") for f in order]
    return jobs


def _describe(result: dict) -> str:
    if result["status"] != "ok":
        return f"{result['status']} ({result.get('message', '')})"
    if result["mode"] == "memory":
        return f"+{result['memory']['growth_mb']:.1f} MB"
    return report.format_time(sorted(result["times"])[len(result["times"]) // 2])


def run_rounds(args) -> list[dict]:
    """All rounds; a pair that is not ``ok`` in one round is not run again."""
    results: list[dict] = []
    final: dict[tuple, dict] = {}  # pairs whose status will not change
    for name in args.frameworks:
        missing = missing_modules(FRAMEWORKS[name])
        for workload in args.workloads:
            skipped = skipped_workload(FRAMEWORKS[name], workload)
            if skipped:
                status = {"status": "skipped", "message": skipped}
            elif missing:
                status = {"status": "not installed", "message": f"missing: {', '.join(missing)}"}
            else:
                continue
            for mode in ("time", "memory"):
                final[name, workload, mode] = {
                    "framework": name,
                    "workload": workload,
                    "mode": mode,
                    **status,
                }
    for r in range(args.rounds):
        for framework, workload, mode in schedule(args.frameworks, args.workloads, r):
            if (framework, workload, mode) in final:
                result = dict(final[framework, workload, mode])
            else:
                result = run_worker(FRAMEWORKS[framework], workload, mode, args)
                if result["status"] != "ok":
                    final[framework, workload, mode] = result
            result["round"] = r
            results.append(result)
            print(
                f"[round {r + 1}/{args.rounds}] {workload} {mode:6} {framework:22} "
                f"{_describe(result)}",
                file=sys.stderr,
                flush=True,
            )
    return results


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(library: str) -> str | None:
    try:
        return metadata.version(library)
    except metadata.PackageNotFoundError:
        return None


def _git_commit() -> str | None:
    try:
        proc = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout.strip() or None


def machine_info(args) -> dict:
    """The machine, the library versions and the thread settings of this run."""
    affinity = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "cores_available": len(affinity) if affinity is not None else None,
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "versions": {library: _version(library) for library in LIBRARIES},
        "git_commit": _git_commit(),
        "threads": args.threads,
        "thread_env": thread_env(args.threads) | {"torch.set_num_threads": str(args.threads)},
        "inherited_env": {
            k: os.environ[k]
            for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "XLA_FLAGS")
            if k in os.environ
        },
    }


def _names(value: str, known: dict, what: str) -> list[str]:
    names = [n.strip() for n in value.split(",") if n.strip()]
    unknown = [n for n in names if n not in known]
    if unknown:
        raise SystemExit(f"unknown {what}: {', '.join(unknown)} (known: {', '.join(known)})")
    return names


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--rounds", type=int, help=f"rounds (default {DEFAULTS['rounds']})")
    parser.add_argument(
        "--repeats", type=int, help=f"timed repeats per worker (default {DEFAULTS['repeats']})"
    )
    parser.add_argument(
        "--min-time",
        type=float,
        help=f"seconds per repeat; short steps are looped (default {DEFAULTS['min_time']})",
    )
    parser.add_argument(
        "--warmup", type=int, help=f"warm-up steps, at least 0.1 s (default {DEFAULTS['warmup']})"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a smoke test: " + ", ".join(f"{k}={v}" for k, v in QUICK.items()),
    )
    parser.add_argument("--threads", type=int, default=1, help="BLAS/XLA/torch threads")
    parser.add_argument("--workloads", default=",".join(problems.WORKLOADS), help="e.g. W1,W3")
    parser.add_argument("--frameworks", default=",".join(FRAMEWORKS), help="comma-separated")
    parser.add_argument("--seed", type=int, default=problems.SEED)
    parser.add_argument("--timeout", type=float, default=600, help="seconds per worker")
    parser.add_argument("--output-dir", type=Path, default=RESULTS)
    parser.add_argument("--no-plot", action="store_true", help="skip ratios.png")
    parser.add_argument(
        "--jax-platform",
        default="cpu",
        help="where the JAX frameworks run: cpu (the default), cuda or tpu (benchmarks/gpu.py)",
    )
    parser.add_argument(
        "--keep-freed-memory",
        action="store_true",
        help="run every worker with glibc's MALLOC_MMAP_THRESHOLD_ and MALLOC_TRIM_THRESHOLD_ "
        "at 4 GiB (freed memory is reused, not returned to the system)",
    )
    args = parser.parse_args(argv)
    for key, value in (QUICK if args.quick else DEFAULTS).items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    args.workloads = _names(args.workloads, problems.WORKLOADS, "workloads")
    args.frameworks = _names(args.frameworks, FRAMEWORKS, "frameworks")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    started = time.perf_counter()
    info = machine_info(args)
    results = run_rounds(args)
    data = {
        "machine": info,
        "settings": {
            key: getattr(args, key)
            for key in (
                "rounds",
                "repeats",
                "min_time",
                "warmup",
                "threads",
                "seed",
                "quick",
                "keep_freed_memory",
            )  # fmt: skip
        },
        "workloads": {
            name: {"title": problems.WORKLOADS[name].title, "ops": problems.WORKLOADS[name].ops}
            for name in args.workloads
        },
        "frameworks": args.frameworks,
        "results": results,
        "wall_time_s": round(time.perf_counter() - started, 1),
    }
    data["summary"] = report.summarize(data)
    print(report.write(data, args.output_dir, plot_ratios=not args.no_plot))


if __name__ == "__main__":
    main()
