"""Run the benchmark suite: ``python -m benchmarks.run [--quick] [--rounds R] [--repeats N] ...``.

Each (framework, workload) pair is measured in a fresh worker process
(:mod:`benchmarks.worker`), with BLAS, OpenMP, torch and XLA limited to ``--threads`` threads.
The run makes ``--rounds`` rounds; in each, every framework is measured once on every workload,
in a rotating order (the framework that goes first changes from workload to workload and from
round to round).  A workload's workers are set up one after another and then time their
repeats in turn (:func:`time_interleaved`), so that the drifts of a shared machine, slow or
within seconds, spread over all frameworks.  W4's memory is measured by separate worker
processes, one per framework and round.  The report gives medians over all repeats of all
rounds; see :mod:`benchmarks.report`.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import queue
import subprocess
import sys
import tempfile
import threading
import time
from importlib import metadata
from pathlib import Path

from . import problems, report, worker
from .frameworks import FRAMEWORKS, Framework, missing_modules, skipped_workload, thread_env

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
LIBRARIES = ("pluggrad", "numpy", "jax", "jaxlib", "torch", "autograd", "scipy", "matplotlib")
DEFAULTS = {"rounds": 5, "repeats": 10, "min_time": 0.2, "warmup": 3}
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


def _command(framework: Framework, workload: str, mode: str, out: Path, args) -> list[str]:
    """The command line of a worker measuring `framework` on `workload`, writing to `out`."""
    command = [sys.executable, "-m", "benchmarks.worker", "--framework", framework.name]
    command += ["--workload", workload, "--mode", mode, "--out", str(out)]
    command += ["--repeats", str(args.repeats), "--min-time", str(args.min_time)]
    command += ["--warmup", str(args.warmup), "--threads", str(args.threads)]
    return command + ["--seed", str(args.seed)]


def _env(framework: Framework, args) -> dict:
    return worker_env(framework, args.threads, args.keep_freed_memory, args.jax_platform)


def _error(framework: Framework, workload: str, mode: str, message: str) -> dict:
    return {
        "framework": framework.name,
        "workload": workload,
        "mode": mode,
        "status": "error",
        "message": message,
    }


def _exit_error(framework: Framework, workload: str, mode: str, returncode, output: str) -> dict:
    """The result of a worker that exited without writing one: its exit code and the last
    lines it printed."""
    tail = " | ".join(output.strip().splitlines()[-3:])
    return _error(framework, workload, mode, f"exit {returncode}: {tail}")


def run_worker(framework: Framework, workload: str, mode: str, args) -> dict:
    """Measure one pair in a subprocess; a crash or a timeout becomes an ``error`` result."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        try:
            proc = subprocess.run(
                _command(framework, workload, mode, out, args),
                cwd=ROOT,
                env=_env(framework, args),
                capture_output=True,
                text=True,
                timeout=args.timeout,
            )
        except subprocess.TimeoutExpired:
            return _error(framework, workload, mode, f"timed out after {args.timeout} s")
        if out.exists():
            return json.loads(out.read_text())
    return _exit_error(framework, workload, mode, proc.returncode, proc.stderr or proc.stdout)


class _ServingWorker:
    """A time-mode worker started with ``--serve``: it sets up and warms up, says it is
    ready, then times one repeat each time it is told ``go``."""

    def __init__(self, framework: Framework, workload: str, tmp: str, args):
        self.framework, self.workload, self.timeout = framework, workload, args.timeout
        self.out = Path(tmp) / f"{framework.name}.json"
        self.stderr = open(Path(tmp) / f"{framework.name}.err", "w+")
        self.proc = subprocess.Popen(
            _command(framework, workload, "time", self.out, args) + ["--serve"],
            cwd=ROOT,
            env=_env(framework, args),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            text=True,
        )
        # its replies, read by a thread (a read with a timeout, on every platform)
        self.replies: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.failure: str | None = None

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.startswith(worker.REPLY):
                self.replies.put(line[len(worker.REPLY) :].strip())
        self.replies.put(None)  # it exited

    def _tell(self, command: str) -> str | None:
        """Send `command`; the worker's reply, None if it exited or timed out (it is then
        stopped, and its result says why)."""
        if command:
            try:
                self.proc.stdin.write(command + "\n")  # type: ignore[union-attr]
                self.proc.stdin.flush()  # type: ignore[union-attr]
            except OSError:  # it exited
                return None
        try:
            return self.replies.get(timeout=self.timeout)
        except queue.Empty:
            self.failure = f"timed out after {self.timeout} s"
            self.proc.kill()
            return None

    def ready(self) -> bool:
        """Wait until it is set up; False if it stopped instead (unavailable, wrong
        gradients, an error: its result says which)."""
        return self._tell("") == "ready"

    def repeat(self) -> None:
        """Have it time one repeat (its result will list the times)."""
        if self.failure is None and self.proc.poll() is None:
            self._tell("go")

    def result(self) -> dict:
        """Tell it to stop; its result."""
        try:
            if self.proc.poll() is None:
                self.proc.stdin.write("end\n")  # type: ignore[union-attr]
                self.proc.stdin.close()  # type: ignore[union-attr]
            self.proc.wait(timeout=self.timeout)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        self.stderr.seek(0)
        output = self.stderr.read()
        self.stderr.close()
        if self.failure is not None:
            return _error(self.framework, self.workload, "time", self.failure)
        if self.out.exists():
            return json.loads(self.out.read_text())
        return _exit_error(self.framework, self.workload, "time", self.proc.returncode, output)


def time_interleaved(frameworks: list[Framework], workload: str, args) -> list[dict]:
    """Time `workload` on each of `frameworks`, each in a worker of its own, their repeats
    interleaved: the workers are set up one after another (a compiling framework's first
    call is timed alone), then repeat k of every worker runs before repeat k + 1 of any, in
    an order rotating from repeat to repeat, so that the drifts of a shared machine within
    seconds fall on every framework alike.  A worker that does not get ready (unavailable,
    wrong gradients, an error) is left out of the repeats; its result says why."""
    with tempfile.TemporaryDirectory() as tmp:
        workers: list[_ServingWorker] = []
        try:
            ready = []
            for framework in frameworks:
                workers.append(_ServingWorker(framework, workload, tmp, args))
                if workers[-1].ready():
                    ready.append(workers[-1])
            for k in range(args.repeats):
                shift = k % len(ready) if ready else 0
                for serving in ready[shift:] + ready[:shift]:
                    serving.repeat()
            return [serving.result() for serving in workers]
        finally:
            for serving in workers:
                if serving.proc.poll() is None:
                    serving.proc.kill()
                    serving.proc.wait()


def schedule(frameworks: list[str], workloads: list[str], round_index: int) -> list[tuple]:
    """The ``(mode, workload, frameworks)`` jobs of one round, the frameworks in an order that
    rotates from workload to workload and from round to round."""
    jobs = []
    for i, name in enumerate(workloads):
        k = (round_index + i) % len(frameworks)
        order = frameworks[k:] + frameworks[:k]
        jobs.append(("time", name, order))
        if problems.WORKLOADS[name].memory:
            jobs.append(("memory", name, order))
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
        for mode, workload, order in schedule(args.frameworks, args.workloads, r):
            measured = [f for f in order if (f, workload, mode) not in final]
            if mode == "time":
                fresh = time_interleaved([FRAMEWORKS[f] for f in measured], workload, args)
            else:
                fresh = [run_worker(FRAMEWORKS[f], workload, mode, args) for f in measured]
            by_name = dict(zip(measured, fresh))
            for framework in order:
                if framework in by_name:
                    result = by_name[framework]
                    if result["status"] != "ok":
                        final[framework, workload, mode] = result
                else:
                    result = dict(final[framework, workload, mode])
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
        }
        | {"interleaved": True},
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
