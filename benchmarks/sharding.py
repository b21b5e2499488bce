"""W6, data-parallel steps: ``python -m benchmarks.sharding [--quick] [--devices 1 2 4 8]``.

W2's MLP step (float32, batch 256, 784-512-512-10, relu, logsumexp cross-entropy; the gradients
of the six parameters) with the batch split over a mesh of 1, 2, 4 and 8 simulated CPU devices
(``XLA_FLAGS=--xla_force_host_platform_device_count``) and the parameters replicated, two ways:

- **pluggrad-compile**: W2's gradient function as the benchmarks' torchlike workload writes it
  (``autograd.grad`` of the loss), through :func:`pluggrad.compile`, on tensors placed with
  :func:`pluggrad.distributed.shard` / ``replicate``;
- **jax-jit**: the same step written for JAX by hand, ``jax.jit(jax.grad(loss))`` compiled ahead
  of time with ``in_shardings`` / ``out_shardings`` of ``NamedSharding`` (batch ``P("data")``,
  parameters and gradients ``P()``).

Plus the 2-process variant: 2 processes x 2 devices, one 4-device mesh through
``jax.distributed`` on localhost (gloo), each process feeding its half of the batch.

JAX reads ``XLA_FLAGS`` once, so every device count runs in a process of its own (``--worker``).
In each, both steps are compiled in the set-up, then timed alternately: `rounds` rounds, each
timing `steps` calls of one and then of the other (the order alternating between rounds); the
cells are the median time per step over the rounds, their ratio, and the median over rounds of
the ratio of the two times measured in the same round (the *paired ratio*, robust to a load
that changes while the benchmark runs).  One thread each for BLAS and XLA's
intra-op work, as the main suite.  Results: ``results/w6-sharding.md`` and ``.json``.

The per-call overhead of pluggrad.compile is also measured in the 1-device worker: the
Python time of a call from entry to the jitted program's dispatch (the cache lookup and the
write-back), by running the compiled call with the jitted program replaced by one that
returns its previous results.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from . import problems
from .frameworks import thread_env
from .report import save

RESULTS = Path(__file__).resolve().parent / "results"


def _loss_jax(jnp, jax, params, x, y):
    w1, b1, w2, b2, w3, b3 = params
    h = jax.nn.relu(x @ w1 + b1)
    h = jax.nn.relu(h @ w2 + b2)
    z = h @ w3 + b3
    return jnp.mean(jax.nn.logsumexp(z, axis=1) - jnp.sum(z * y, axis=1))


def _loss_pluggrad(pg, w1, b1, w2, b2, w3, b3, x, y):
    h = pg.relu(x @ w1 + b1)
    h = pg.relu(h @ w2 + b2)
    z = h @ w3 + b3
    return (pg.logsumexp(z, dim=1) - (z * y).sum(dim=1)).mean()


def _time(step, steps: int) -> float:
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - start) / steps


def worker(args: argparse.Namespace) -> dict:
    """Both steps on this process's mesh; the median seconds per step of each."""
    # imported here, in the worker, whose XLA_FLAGS the parent set: JAX reads them once
    import jax

    import pluggrad as pg
    import pluggrad.distributed as dist
    from pluggrad.distributed import NamedSharding, P

    if args.processes > 1:
        dist.initialize(args.coordinator, args.processes, args.process_id)
    pg.set_backend("jax")
    jnp = jax.numpy
    inputs = problems.WORKLOADS["W2"].inputs()
    mesh = dist.make_mesh(None, "data", devices=jax.devices()[: args.mesh_devices])
    rows, whole = NamedSharding(mesh, P("data")), NamedSharding(mesh, P())
    local = problems.W2_BATCH // args.processes
    mine = slice(args.process_id * local, (args.process_id + 1) * local)
    x, y = (c[mine] for c in inputs.consts)  # this process's rows of the batch

    # pluggrad: the user's code
    params = [dist.replicate(pg.tensor(a), mesh).requires_grad_() for a in inputs.wrt]
    xb, yb = dist.from_process_local(x, mesh, P("data")), dist.from_process_local(y, mesh, "data")

    @pg.compile
    def gradients(*tensors):
        return pg.autograd.grad(_loss_pluggrad(pg, *tensors), tensors[:6])

    def pluggrad_step():
        return jax.block_until_ready([g._data for g in gradients(*params, xb, yb)])

    # jax.jit by hand, the same shardings
    jparams = tuple(jax.device_put(a, whole) for a in inputs.wrt)
    jx = jax.make_array_from_process_local_data(rows, x)
    jy = jax.make_array_from_process_local_data(rows, y)
    grad = jax.grad(lambda p, x, y: _loss_jax(jnp, jax, p, x, y))
    jitted = jax.jit(grad, in_shardings=(whole, rows, rows), out_shardings=whole)
    compiled = jitted.lower(jparams, jx, jy).compile()

    def jax_step():
        return jax.block_until_ready(compiled(jparams, jx, jy))

    pluggrad_step()  # traced and compiled in the set-up
    jax_step()
    mine_grads = [dist.gather(g) for g in gradients(*params, xb, yb)]
    hand_grads = [np.asarray(g.addressable_data(0)) for g in compiled(jparams, jx, jy)]
    for a, b in zip(mine_grads, hand_grads):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    times: dict[str, list[float]] = {"pluggrad-compile": [], "jax-jit": []}
    steps = {"pluggrad-compile": pluggrad_step, "jax-jit": jax_step}
    for r in range(args.rounds):
        order = list(steps) if r % 2 == 0 else list(reversed(steps))
        for name in order:
            times[name].append(_time(steps[name], args.steps))
    result = {
        "devices": mesh.size,
        "platform": jax.devices()[0].platform,
        "processes": args.processes,
        "median": {k: statistics.median(v) for k, v in times.items()},
        # each round's pluggrad time over the jax-jit time measured next to it: the load of a
        # shared machine changes slowly, so paired rounds cancel most of it
        "paired ratio": statistics.median(
            a / b for a, b in zip(times["pluggrad-compile"], times["jax-jit"])
        ),
        "rounds": times,
    }
    if args.processes == 1 and mesh.size == 1:
        result["overhead"] = _call_overhead(gradients, params, xb, yb, args.steps)
    return result


def _call_overhead(gradients, params, xb, yb, steps: int) -> dict:
    """Seconds of Python per compiled call outside the program: the call with each cached
    entry's jitted program replaced by a function returning its last results at once."""
    compiled = next(iter(gradients._by_backend.values()))
    entries = list(compiled._cache.values())
    saved = [e.jitted for e in entries]
    results = [e.jitted(*_inputs(e, params, xb, yb)) for e in entries]
    try:
        for e, r in zip(entries, results):
            e.jitted = lambda *a, r=r: r
        per_call = min(_time(lambda: gradients(*params, xb, yb), steps) for _ in range(5))
    finally:
        for e, j in zip(entries, saved):
            e.jitted = j
    return {"python per call": per_call}


def _inputs(entry, params, xb, yb) -> tuple:
    import jax

    from pluggrad.ops.random import default_generator

    tensors = [*params, xb, yb]
    key = jax.random.key_data(default_generator.source(entry.backend)._key)
    entry.current = tensors
    try:
        return [t._data for t in tensors], entry.call_grads(tensors), key
    finally:
        entry.current = None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_worker(devices: int, processes: int, args: argparse.Namespace) -> dict:
    """One worker per process on `devices` devices each; process 0's result."""
    env = dict(os.environ, JAX_PLATFORMS=args.platform, PLUGGRAD_BACKEND="jax", **thread_env(1))
    if args.platform == "cpu":  # simulated devices
        env["XLA_FLAGS"] = f"--xla_force_host_platform_device_count={devices} {env['XLA_FLAGS']}"
    command = [sys.executable, "-m", "benchmarks.sharding", "--worker", "--processes",
               str(processes), "--rounds", str(args.rounds), "--steps", str(args.steps),
               "--coordinator", f"127.0.0.1:{_free_port()}", "--mesh-devices",
               str(devices * processes)]  # fmt: skip
    workers = [
        subprocess.Popen(
            [*command, "--process-id", str(i)],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )  # fmt: skip
        for i in range(processes)
    ]
    try:
        outputs = [w.communicate(timeout=args.timeout)[0] for w in workers]
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
                w.wait()
    if any(w.returncode for w in workers):
        raise RuntimeError(f"a worker on {devices} device(s) x {processes} failed")
    return json.loads(outputs[0].strip().splitlines()[-1])


def _platform(results: list[dict]) -> str:
    platform = results[0]["platform"]
    return "simulated CPU" if platform == "cpu" else platform.upper()


def markdown(results: list[dict], meta: dict) -> str:
    lines = [
        f"# W6: W2's MLP step, data-parallel over {_platform(results)} devices",
        "",
        f"- date: {meta['date']}; {meta['cores']} cores; jax {meta['jax']}; {meta['rounds']} "
        f"rounds x {meta['steps']} steps per cell, median per step; 1 thread for BLAS and XLA",
        "- pluggrad-compile: pluggrad.compile(autograd.grad of W2's loss) on tensors placed with "
        "pluggrad.distributed; jax-jit: jax.jit(jax.grad(loss)) with in/out_shardings by hand",
        "",
        "<!-- --8<-- [start:table] -->",
        "| devices | processes | pluggrad-compile | jax-jit | ratio of medians | paired ratio |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        mine, hand = r["median"]["pluggrad-compile"], r["median"]["jax-jit"]
        lines.append(
            f"| {r['devices']} | {r['processes']} | {mine * 1e3:.2f} ms | {hand * 1e3:.2f} ms "
            f"| {mine / hand:.3f} | {r['paired ratio']:.3f} |"
        )
    overhead = next((r["overhead"] for r in results if "overhead" in r), None)
    if overhead:
        lines += [
            "",
            f"Python per compiled call (1 device; cache lookup, dispatch, write-back, no "
            f"program): {overhead['python per call'] * 1e6:.0f} µs.",
        ]
    lines.append("<!-- --8<-- [end:table] -->")
    return "\n".join(lines) + "\n"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--no-processes", action="store_true", help="skip the 2-process run")
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="3 rounds of 10 steps")
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--output-dir", type=Path, default=RESULTS)
    parser.add_argument(
        "--platform",
        default="cpu",
        help="cpu (simulated devices, the default), or cuda / tpu: the first N real devices "
        "(no 2-process run)",
    )
    parser.add_argument("--mesh-devices", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--worker", action="store_true")
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--process-id", type=int, default=0)
    parser.add_argument("--coordinator", default=None)
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.steps = 3, 10
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args)))
        return
    import jax

    results = [run_worker(n, 1, args) for n in args.devices]
    if not args.no_processes and args.platform == "cpu":
        results.append(run_worker(2, 2, args))
    meta = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "cores": os.cpu_count(),
        "jax": jax.__version__,
        "rounds": args.rounds,
        "steps": args.steps,
    }
    text = markdown(results, meta)
    print(text)
    save(args.output_dir, "w6-sharding", text, {"meta": meta, "results": results})


if __name__ == "__main__":
    main()
