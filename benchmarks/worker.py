"""One measurement in a fresh process: ``python -m benchmarks.worker --framework F --workload W``.

The worker builds the workload on the framework, runs one step and checks its gradients against
the reference (refusing to time wrong ones), then either

- ``--mode time``: warms up, then measures ``--repeats`` repeats, each the mean step time of a
  loop long enough to last ``--min-time`` seconds (with ``--serve``, one repeat each time
  :mod:`benchmarks.run` says ``go`` on stdin, so that it can interleave the repeats of
  several workers); or
- ``--mode memory``: measures the resident-set high-water mark of the process after the inputs
  are allocated (and the step compiled, for a compiling framework) and after one forward and
  backward step.  Where Linux allows it the mark is reset first (``/proc/self/clear_refs``),
  so that peaks of the set-up (imports, input generation) cannot hide the step's.

It writes one JSON object to ``--out``: status ``ok``, ``not installed``, ``skipped``,
``wrong gradients`` or ``error``, with the times or the memory figures.  It is started by
:mod:`benchmarks.run`, which sets the thread limits in its environment.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import math
import os
import resource
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

from . import problems
from .frameworks import FRAMEWORKS, Framework, missing_modules, skipped_workload

_MB = 1024.0  # kB per MB


def status_kb(field: str) -> int | None:
    """A ``Vm...`` field of ``/proc/self/status`` in kB, or None off Linux."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _high_water_kb() -> int:
    """The resident-set high-water mark of this process, in kB."""
    hwm = status_kb("VmHWM")
    return hwm if hwm is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _reset_high_water() -> bool:
    """Reset the high-water mark to the current resident set (Linux >= 4.0); False if refused."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        return False
    return status_kb("VmHWM") is not None


def _step_growth_kb(step: Callable[[], Any]) -> tuple[Any, int, int, bool]:
    """Run `step` once: ``(result, baseline kB, peak kB, whether the mark was reset)``."""
    gc.collect()
    reset = _reset_high_water()
    before = _high_water_kb()
    result = step()
    return result, before, _high_water_kb(), reset


def measure_memory(step: Callable[[], Any]) -> tuple[Any, dict]:
    """Peak memory growth of a first step and, where the mark can be reset, of a second one."""
    grads, before, peak, reset = _step_growth_kb(step)
    memory = {
        "baseline_mb": before / _MB,
        "peak_mb": peak / _MB,
        "growth_mb": (peak - before) / _MB,
        "method": "VmHWM reset by clear_refs" if reset else "high-water mark, not reset",
    }
    if reset:  # the first step's gradients stay alive: they are checked afterwards
        _, before2, peak2, _ = _step_growth_kb(step)
        memory["second_step_growth_mb"] = (peak2 - before2) / _MB
    return grads, memory


def calibrate(step: Callable[[], Any], min_time: float, warmup: int) -> int:
    """Warm up with `warmup` steps (and at least 0.1 s), then return how many consecutive
    steps a repeat loops so that it lasts about `min_time` (from one step's time)."""
    start = time.perf_counter()
    for _ in range(warmup):
        step()
    while time.perf_counter() - start < 0.1:
        step()
    t0 = time.perf_counter()
    step()
    single = time.perf_counter() - t0
    return max(1, math.ceil(min_time / max(single, 1e-9)))


def time_repeat(step: Callable[[], Any], number: int) -> float:
    """One repeat: the mean time of `number` consecutive steps.  The garbage collector stays
    on (its cost is part of a step) and is run before the repeat."""
    gc.collect()
    t0 = time.perf_counter()
    for _ in range(number):
        step()
    return (time.perf_counter() - t0) / number


def measure_time(
    step: Callable[[], Any], repeats: int, min_time: float, warmup: int
) -> tuple[list[float], int]:
    """Per-step times of `repeats` repeats after the warm-up (:func:`calibrate`), one after
    another."""
    number = calibrate(step, min_time, warmup)
    return [time_repeat(step, number) for _ in range(repeats)], number


def serve_repeats(step: Callable[[], Any], number: int, commands, replies) -> list[float]:
    """Time repeats when told to, so that :mod:`benchmarks.run` can interleave the repeats of
    several workers: write ``ready`` to `replies`, then for each ``go`` read from `commands`
    run one repeat and write its time; stop at ``end`` (or when `commands` closes)."""
    times: list[float] = []
    _reply(replies, "ready")
    for line in commands:
        if line.strip() != "go":
            break
        times.append(time_repeat(step, number))
        _reply(replies, f"time {times[-1]!r}")
    return times


#: the prefix of the lines a serving worker writes for benchmarks.run (anything else a
#: library prints on stdout is ignored)
REPLY = "@benchmarks.worker "


def _reply(replies, message: str) -> None:
    replies.write(REPLY + message + "\n")
    replies.flush()


def _unavailable(framework: Framework, workload: str) -> tuple[str, str] | None:
    """``(status, message)`` if `framework` cannot run `workload` here, else None."""
    skipped = skipped_workload(framework, workload)
    if skipped:
        return "skipped", skipped
    missing = missing_modules(framework)
    if missing:
        return "not installed", f"missing: {', '.join(missing)}"
    if framework.requires_attr:
        module, attribute = framework.requires_attr
        if not hasattr(importlib.import_module(module), attribute):
            return "skipped", f"{module}.{attribute} does not exist (yet)"
    return None


def _set_threads(threads: int) -> None:
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(threads)


def _run_jax_inline(framework: Framework, threads: int) -> None:
    """With one thread, JAX runs each CPU computation inline, not on a thread of its own (its
    asynchronous dispatch), so that a JAX column has one busy thread as the others do.  Set
    before JAX makes its CPU client, which reads it."""
    if threads == 1 and "JAX_PLATFORMS" in framework.env:
        import jax

        jax.config.update("jax_cpu_enable_async_dispatch", False)


def run(args: argparse.Namespace) -> dict:
    """The measurement the command line asks for, as a JSON-able dict."""
    framework = FRAMEWORKS[args.framework]
    workload = problems.WORKLOADS[args.workload]
    result: dict = {"framework": framework.name, "workload": workload.name, "mode": args.mode}
    os.environ.update(framework.env)  # e.g. PLUGGRAD_BACKEND, before the library is imported
    _run_jax_inline(framework, args.threads)
    unavailable = _unavailable(framework, workload.name)
    if unavailable:
        result["status"], result["message"] = unavailable
        return result
    inputs = workload.inputs(args.seed)
    module = importlib.import_module(f".workloads.{framework.module}", __package__)
    built = module.build(workload, inputs, framework.variant)
    _set_threads(args.threads)
    result["notes"] = list(built.notes)
    if built.first_call_s is not None:
        result["first_call_s"] = built.first_call_s
    if args.mode == "memory":
        grads, result["memory"] = measure_memory(built.step)
    else:
        grads = built.step()
    grads = built.to_numpy(grads)
    ok, error = problems.check_gradients(
        workload, grads, problems.reference_gradients(workload, inputs)
    )
    result["max_error"] = error
    if not ok:
        result.pop("memory", None)
        result["status"] = "wrong gradients"
        result["message"] = f"worst error {error:.3g} > rtol {workload.rtol:g}"
        return result
    if args.mode == "time" and args.serve:
        result["number"] = calibrate(built.step, args.min_time, args.warmup)
        result["times"] = serve_repeats(built.step, result["number"], sys.stdin, sys.stdout)
    elif args.mode == "time":
        result["times"], result["number"] = measure_time(
            built.step, args.repeats, args.min_time, args.warmup
        )
    result["status"] = "ok"
    return result


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--framework", required=True, choices=sorted(FRAMEWORKS))
    parser.add_argument("--workload", required=True, choices=sorted(problems.WORKLOADS))
    parser.add_argument("--mode", choices=["time", "memory"], default="time")
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--min-time", type=float, default=0.2, help="seconds per repeat")
    parser.add_argument("--warmup", type=int, default=3, help="warm-up steps (at least 0.1 s)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=problems.SEED)
    parser.add_argument("--out", required=True, help="where to write the JSON result")
    parser.add_argument(
        "--serve",
        action="store_true",
        help="time mode: after the warm-up, time one repeat per 'go' line on stdin (until "
        "'end'), answering on stdout (benchmarks.run interleaves workers this way)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    try:
        result = run(args)
    except Exception as exc:  # reported in the table, not a crash of the whole run
        result = {
            "framework": args.framework,
            "workload": args.workload,
            "mode": args.mode,
            "status": "error",
            "message": f"{type(exc).__name__}: {exc}",
            "traceback": traceback.format_exc(),
        }
    with open(args.out, "w") as out:
        json.dump(result, out)


if __name__ == "__main__":
    main()
