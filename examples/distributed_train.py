"""Train an MLP data-parallel over several processes: pluggrad on JAX, with jax.distributed.

    python examples/distributed_train.py                      # 2 processes x 2 CPU devices here
    python examples/distributed_train.py --processes 4 --devices-per-process 2
    python examples/distributed_train.py --processes 1 --devices-per-process 1  # one device

Without ``--worker`` the script is its own launcher: it starts ``--processes`` copies of itself
on this machine, each owning ``--devices-per-process`` simulated CPU devices
(``XLA_FLAGS=--xla_force_host_platform_device_count``), joined by ``jax.distributed`` through a
coordinator on a free local port, and waits for them (all are stopped if one fails).  Each
worker builds one mesh over the devices of all processes, keeps a replica of the model on each
device, feeds its own rows of every global batch, and runs the training step, forward,
``backward()`` and ``optimizer.step()``, as one compiled XLA program per step; XLA all-reduces
the gradients across devices and processes.  Process 0 prints the losses and, with ``--out``,
saves the final parameters.

On a cluster, start one worker per host yourself (a job array, ``srun``, ``mpirun``) with the
same ``--coordinator`` (host 0's address) and each host's ``--process-id``::

    python examples/distributed_train.py --worker --coordinator host0:12355 \\
        --processes 4 --process-id $RANK

(on GPUs or TPUs JAX uses each host's accelerators; under Slurm or Open MPI
``jax.distributed`` finds every argument itself).  See docs/sharding.md.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time

import numpy as np
from _common import images


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--devices-per-process", type=int, default=2)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=64, help="the global batch")
    parser.add_argument("--out", default=None, help="save the final parameters (.npz)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds, for the launcher")
    parser.add_argument("--worker", action="store_true", help="run one process of the job")
    parser.add_argument("--coordinator", default=None, help="host:port of process 0")
    parser.add_argument("--process-id", type=int, default=0)
    return parser.parse_args()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch(args: argparse.Namespace) -> int:
    """Start the workers on this machine, wait for them; stop them all if one fails."""
    env = dict(os.environ, JAX_PLATFORMS="cpu", PLUGGRAD_BACKEND="jax")
    env["XLA_FLAGS"] = f"--xla_force_host_platform_device_count={args.devices_per_process}"
    common = [sys.executable, __file__, "--worker", "--processes", str(args.processes),
              "--steps", str(args.steps), "--batch-size", str(args.batch_size),
              "--coordinator", f"127.0.0.1:{free_port()}"]  # fmt: skip
    if args.out:
        common += ["--out", args.out]
    workers = [
        subprocess.Popen([*common, "--process-id", str(i)], env=env) for i in range(args.processes)
    ]
    deadline = time.monotonic() + args.timeout
    try:
        while any(w.poll() is None for w in workers):
            if any(w.returncode not in (None, 0) for w in workers):
                break
            if time.monotonic() > deadline:
                print(f"launcher: the workers ran past {args.timeout} s", file=sys.stderr)
                break
            time.sleep(0.1)
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
                w.wait()
    codes = [w.returncode for w in workers]
    return 0 if all(c == 0 for c in codes) else 1


def work(args: argparse.Namespace) -> None:
    """One process of the job: the training loop, as a user writes it."""
    import pluggrad as torch  # noqa: PLC0415 - after XLA_FLAGS, as JAX reads it once
    import pluggrad.distributed as dist  # noqa: PLC0415 - likewise
    from pluggrad import nn, optim  # noqa: PLC0415 - likewise
    from pluggrad.distributed import P  # noqa: PLC0415 - likewise

    if args.processes > 1:  # before the first tensor: JAX starts its devices then
        dist.initialize(args.coordinator, args.processes, args.process_id)
    torch.set_backend("jax")
    torch.manual_seed(0)  # the same initial parameters in every process
    mesh = dist.make_mesh(None, "data")  # every device of every process
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    dist.shard_module(model, mesh)  # a replica on each device
    optimizer = optim.Adam(model.parameters(), lr=3e-3)
    loss_fn = nn.CrossEntropyLoss()

    @torch.compile
    def step(x, y):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss

    x, y = images(limit=args.steps * args.batch_size)
    x = x.reshape(len(x), 64).astype(np.float32)
    local = args.batch_size // args.processes  # this process's rows of each global batch
    losses = []
    for i in range(args.steps):
        rows = slice(i * args.batch_size + args.process_id * local, None)
        xb = dist.from_process_local(x[rows][:local], mesh, P("data"))
        yb = dist.from_process_local(y[rows][:local], mesh, P("data"))
        losses.append(float(step(xb, yb)))  # the loss is replicated: each process reads it
    params = {name: dist.gather(p) for name, p in model.named_parameters()}
    if args.process_id == 0:
        print(f"{args.processes} process(es), {len(mesh.devices.flat)} devices: "
              f"loss {losses[0]:.4f} -> {losses[-1]:.4f}")  # fmt: skip
        if args.out:
            np.savez(args.out, losses=np.array(losses), **params)


if __name__ == "__main__":
    arguments = parse_args()
    if arguments.worker:
        work(arguments)
    else:
        sys.exit(launch(arguments))
