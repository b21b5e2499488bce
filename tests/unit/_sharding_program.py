"""Sharded training steps and their unsharded twins, run by ``test_sharding.py`` in a process of
its own with 8 simulated CPU devices (``XLA_FLAGS`` must be set before JAX starts).

    XLA_FLAGS=--xla_force_host_platform_device_count=8 python _sharding_program.py OUT_DIR

The steps are written as docs/sharding.md shows: a mesh, ``shard`` / ``shard_module``, and a
``pluggrad.compile``d step (forward, ``backward()``, optimizer step).  Arrays go to
``OUT_DIR/arrays.npz`` and facts (shardings, HLO) to ``OUT_DIR/facts.json``; the test compares.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import jax
import numpy as np

import pluggrad as pg
import pluggrad.distributed as dist
from pluggrad import nn, optim
from pluggrad.distributed import NamedSharding, P

STEPS = 3
arrays: dict[str, np.ndarray] = {}
facts: dict = {"devices": jax.device_count()}

pg.set_backend("jax")
rng = np.random.default_rng(0)
X = rng.standard_normal((64, 16)).astype(np.float32)
LABELS = rng.integers(0, 4, 64)


def make_model() -> nn.Module:
    pg.manual_seed(0)
    return nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 4))


def train(model, optimizer, x, y, compiled: bool, hlo: str = "", **options) -> list:
    """STEPS training steps; the losses.  With `hlo`, the compiled step's HLO is checked for
    an all-reduce (facts["hlo"][hlo]); with ``donate=True``, a replaced buffer for deletion."""
    loss_fn = nn.CrossEntropyLoss()

    def step(x, y):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss

    if compiled:
        step = pg.compile(step, **options)
    losses = []
    for _ in range(STEPS):
        before = model[0].weight._data  # donate=True: deleted by the call (from the second on)
        losses.append(step(x, y))
    if options.get("donate"):
        facts["old buffer deleted"] = before.is_deleted()
    if compiled and hlo:
        text = step.lower(x, y).compile().as_text()
        facts.setdefault("hlo", {})[hlo] = {"all-reduce": "all-reduce" in text}
    return losses


def record(name: str, model, optimizer, losses: list) -> None:
    """The losses and final parameters, and the shardings of the loss, of each parameter, its
    .grad and the optimizer's state (as specs, and whether equivalent to the parameter's)."""
    arrays[f"{name}/losses"] = np.array([float(loss) for loss in losses])
    layout: dict = {"loss": str(losses[-1].sharding.spec)}
    for pname, p in model.named_parameters():
        arrays[f"{name}/{pname}"] = p.numpy(force=True)
        state = optimizer.state[p]
        others = {"grad": p.grad, **{k: v for k, v in state.items() if v.dim() > 0}}
        layout[pname] = {
            "spec": str(p.sharding.spec),
            **{k: v.sharding.is_equivalent_to(p.sharding, p.dim()) for k, v in others.items()},
        }
    facts[name] = layout


def data_parallel() -> None:
    """Adam, the batch split over 8 devices, the parameters replicated."""
    x, y = pg.tensor(X), pg.tensor(LABELS)
    for compiled in (False, True):
        model = make_model()
        opt = optim.Adam(model.parameters(), lr=1e-2)
        losses = train(model, opt, x, y, compiled, "dp-plain" if compiled else "")  # control
        arrays[f"dp-plain-{compiled}/losses"] = np.array([float(v) for v in losses])
        arrays[f"dp-plain-{compiled}/params"] = np.concatenate(
            [p.numpy(force=True).ravel() for p in model.parameters()]
        )
    mesh = dist.make_mesh((8,), ("data",))
    xs, ys = dist.shard(x, mesh, P("data")), dist.shard(y, mesh, P("data"))
    facts["batch"] = str(xs.sharding.spec)
    for name, compiled, options in [
        ("dp-eager", False, {}),
        ("dp-compiled", True, {}),
        ("dp-donated", True, {"donate": True}),
    ]:
        model = dist.shard_module(make_model(), mesh)
        opt = optim.Adam(model.parameters(), lr=1e-2)
        hlo = name if name == "dp-compiled" else ""
        losses = train(model, opt, xs, ys, compiled, hlo, **options)
        record(name, model, opt, losses)
    # in_shardings of a step that reaches a module and an optimizer: the batch, not placed
    # yet, is placed by the program
    rows = NamedSharding(mesh, P("data"))
    model = dist.shard_module(make_model(), mesh)
    opt = optim.Adam(model.parameters(), lr=1e-2)
    losses = train(model, opt, x, y, True, in_shardings=(rows, rows))
    record("dp-in-shardings", model, opt, losses)


MODEL_SPECS = {"0.weight": P("model", None), "0.bias": P("model"), "2.weight": P(None, "model")}


def model_parallel() -> None:
    """SGD with momentum on a (2, 4) mesh: the batch over "data", the hidden layer's units
    over "model" (Megatron's split of a two-layer MLP)."""
    x, y = pg.tensor(X), pg.tensor(LABELS)
    model = make_model()
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    losses = train(model, opt, x, y, True)
    arrays["mp-plain/losses"] = np.array([float(v) for v in losses])
    arrays["mp-plain/params"] = np.concatenate(
        [p.numpy(force=True).ravel() for p in model.parameters()]
    )
    mesh = dist.make_mesh((2, 4), ("data", "model"))
    xs, ys = dist.shard(x, mesh, P("data")), dist.shard(y, mesh, P("data"))
    for name, compiled in [("mp-eager", False), ("mp-compiled", True)]:
        model = dist.shard_module(make_model(), mesh, MODEL_SPECS)
        opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        record(name, model, opt, train(model, opt, xs, ys, compiled, name))


def options_and_moves() -> None:
    """``Tensor.to(sharding)`` (differentiable), ``device=`` a sharding, ``in_shardings`` and
    ``out_shardings``."""
    mesh = dist.make_mesh((8,), ("data",))
    rows = NamedSharding(mesh, P("data"))
    w = pg.tensor(X[:8], requires_grad=True)
    ws = w.to(rows)
    (ws * 3.0).sum().backward()
    facts["to: spec"] = str(ws.sharding.spec)
    facts["to: grad back on one device"] = len(w.grad.sharding.device_set) == 1
    arrays["to/grad"] = w.grad.numpy()
    facts["zeros device=sharding"] = str(pg.zeros(16, 4, device=rows).sharding.spec)

    def scores(x, w):
        return pg.tanh(x @ w), (x @ w).sum()

    x, weight = pg.tensor(X), pg.tensor(X[:16, :4].copy())
    arrays["opt/plain"] = pg.compile(scores)(x, weight)[0].numpy()
    f = pg.compile(scores, in_shardings=(rows, None), out_shardings=(rows, None))
    out, total = f(x, weight)  # x is not placed yet: in_shardings places it
    arrays["opt/sharded"] = out.numpy()
    facts["opt: out spec"] = str(out.sharding.spec)
    facts["opt: total devices"] = len(total.sharding.device_set)
    replicated = NamedSharding(mesh, P())
    g = pg.compile(scores, out_shardings=replicated)
    facts["opt: replicated out"] = str(g(dist.shard(x, mesh, P("data")), weight)[0].sharding.spec)


if __name__ == "__main__":
    out_dir = Path(sys.argv[1])
    data_parallel()
    model_parallel()
    options_and_moves()
    np.savez(out_dir / "arrays.npz", **arrays)
    (out_dir / "facts.json").write_text(json.dumps(facts, indent=1))
