"""The workloads written once against PyTorch's API, run by torch and by pluggrad.

pluggrad implements PyTorch's autograd API, so one source serves both: ``lib`` is the ``torch``
module or the ``pluggrad`` module.  Variants: ``"torch"``, ``"pluggrad"`` (eager, on the backend
that ``PLUGGRAD_BACKEND`` selects) and ``"pluggrad-compile"`` (the gradient function passed through
``pluggrad.compile``); ``"torch-compile"`` (W7 only: the training step through ``torch.compile``).

W1 to W4 take gradients with ``lib.autograd.grad`` (no accumulation into ``.grad`` to reset
between steps); an op that pluggrad lacks is written from its primitives, and a note says so.
W7 is a training step as users write it: ``nn.Sequential``, ``nn.functional.cross_entropy``,
``optim.Adam``, ``zero_grad()``, ``backward()``, ``step()``.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from .. import problems
from . import Built, timed


class _Ops:
    """The ops of the MLP that not every library has, with the fallbacks used and why."""

    def __init__(self, lib) -> None:
        self.lib = lib
        self.notes: list[str] = []
        self.relu = getattr(lib, "relu", None) or self._note(
            self._relu, "relu written as where(z > 0, z, 0)"
        )
        if hasattr(lib, "logsumexp"):
            self.logsumexp = lambda z: lib.logsumexp(z, axis=1)
        elif hasattr(lib, "max"):
            self.logsumexp = self._note(
                self._logsumexp, "logsumexp written from max (detached), exp, sum, log"
            )
        else:
            self.logsumexp = self._note(
                self._logsumexp,
                "logsumexp written from exp, sum, log; the detached row max computed in NumPy",
            )

    def _note(self, function, note: str):
        self.notes.append(note)
        return function

    def _relu(self, z):
        return self.lib.where(z > 0, z, 0.0)

    def _row_max(self, z):
        """The row maxima of `z` (keepdims), outside the graph."""
        lib = self.lib
        if hasattr(lib, "max"):
            m = lib.max(z.detach(), axis=1, keepdims=True)
            return getattr(m, "values", m)  # torch-style (values, indices) or an array
        return lib.tensor(z.detach().numpy().max(axis=1, keepdims=True))

    def _logsumexp(self, z):
        lib = self.lib
        m = self._row_max(z)
        return lib.log(lib.sum(lib.exp(z - m), axis=1)) + m[:, 0]


def _w1_loss(ops: _Ops, x):
    y = x
    for _ in range(problems.W1_STEPS):
        y = ops.lib.tanh(y * problems.W1_SCALE + problems.W1_SHIFT)
    return y.sum()


def _w2_loss(ops: _Ops, w1, b1, w2, b2, w3, b3, x, y):
    h = ops.relu(x @ w1 + b1)
    h = ops.relu(h @ w2 + b2)
    z = h @ w3 + b3
    return (ops.logsumexp(z) - (z * y).sum(axis=1)).mean()


def _w4_loss(ops: _Ops, x):
    lib = ops.lib
    return (lib.exp(lib.sin(x) * x) / (1 + x * x)).sum()


def _w3_hvp(ops: _Ops, x, w, v):
    """H v by double backward: the gradient with a graph, then the gradient of ``<g, v>``."""
    grad = ops.lib.autograd.grad
    f = (ops.lib.tanh(w @ x) ** 2).sum()
    (g,) = grad(f, x, create_graph=True)
    return grad((g * v).sum(), x)


_LOSSES = {"W1": _w1_loss, "W2": _w2_loss, "W4": _w4_loss}


def _gradient_function(ops: _Ops, workload: problems.Workload, n_wrt: int):
    """``fn(*wrt, *consts) -> gradients of wrt``."""
    if workload.name == "W3":
        return lambda *tensors: _w3_hvp(ops, *tensors)
    loss = _LOSSES[workload.name]
    return lambda *tensors: ops.lib.autograd.grad(loss(ops, *tensors), tensors[:n_wrt])


def _library(variant: str):
    if variant in ("torch", "torch-compile"):
        import torch

        return torch
    import pluggrad

    wanted = os.environ.get("PLUGGRAD_BACKEND")
    if wanted and pluggrad.get_backend().name != wanted:
        pluggrad.set_backend(wanted)
    return pluggrad


def _finisher(lib):
    """What waits for a step's gradients to be computed (JAX dispatches asynchronously)."""
    if getattr(lib, "__name__", "") == "pluggrad" and lib.get_backend().name == "jax":
        import jax

        def finish(grads):
            jax.block_until_ready([g._data for g in grads])  # the backend's arrays
            return grads

        return finish
    return lambda grads: grads


def _w7_model(lib, inputs: problems.Inputs):
    """W2's MLP as ``nn.Sequential``, its Linear layers loaded with W2's parameters (``weight``
    is ``(out, in)``: W2's matrices transposed), its Adam optimizer, and the batch (labels as
    class indices)."""
    nn = lib.nn
    sizes = problems.W2_LAYERS
    layers: list = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(fan_in, fan_out), nn.ReLU()]
    model = nn.Sequential(*layers[:-1])
    optimizer = lib.optim.Adam(
        model.parameters(), lr=problems.W7_LR, betas=problems.W7_BETAS, eps=problems.W7_EPS
    )
    x, y = inputs.consts
    return model, optimizer, lib.tensor(x), lib.tensor(y.argmax(axis=1))


def _w7_load(lib, model, optimizer, inputs: problems.Inputs) -> None:
    """Set the parameters to W2's and Adam's state to its initial values, in place."""
    with lib.no_grad():
        for p, a in zip(model.parameters(), inputs.wrt):
            p.copy_(lib.tensor(np.ascontiguousarray(a.T)))
        for state in optimizer.state.values():
            for value in state.values():
                value.zero_()


def _w7_build(lib, inputs: problems.Inputs, variant: str) -> Built:
    """W7: one training step as users write it; ``step()`` returns the step's gradients."""
    model, optimizer, x, labels = _w7_model(lib, inputs)
    _w7_load(lib, model, optimizer, inputs)
    functional = lib.nn.functional
    params = list(model.parameters())

    def train_step(x, labels):
        optimizer.zero_grad()
        loss = functional.cross_entropy(model(x), labels)
        loss.backward()
        optimizer.step()
        return loss

    notes = []
    first_call_s = None
    if variant in ("pluggrad-compile", "torch-compile"):
        train_step = lib.compile(train_step)
        # traced and compiled here, in the set-up (the first step without Adam's state, the
        # second with it), then the parameters and Adam's state reset to the first step's
        _, first_call_s = timed(lambda: train_step(x, labels))
        train_step(x, labels)
        _w7_load(lib, model, optimizer, inputs)
        notes.append(f"{lib.__name__}.compile(training step), compiled in the set-up")
    finish = _finisher(lib)

    def step() -> Any:
        train_step(x, labels)
        return finish([p.grad for p in params] + params)[: len(params)]

    def to_numpy(grads) -> list[np.ndarray]:
        return [np.array(g.detach().numpy().T) for g in grads]  # W2's layout

    return Built(step, to_numpy, tuple(notes), first_call_s)


def build(workload: problems.Workload, inputs: problems.Inputs, variant: str) -> Built:
    """`workload` on torch (``variant="torch"``, ``"torch-compile"``: W7 only) or pluggrad
    (``"pluggrad"``, ``"pluggrad-compile"``)."""
    lib = _library(variant)
    if workload.name == "W7":
        return _w7_build(lib, inputs, variant)
    ops = _Ops(lib)
    tensors = [lib.tensor(a, requires_grad=True) for a in inputs.wrt]
    tensors += [lib.tensor(a) for a in inputs.consts]
    function = _gradient_function(ops, workload, len(inputs.wrt))
    notes = list(ops.notes) if workload.name == "W2" else []
    finish = _finisher(lib)
    first_call_s = None
    if variant == "pluggrad-compile":
        function = lib.compile(function)
        # traced and compiled here, in the set-up, as jax-jit compiles ahead of time
        _, first_call_s = timed(lambda: finish(function(*tensors)))
        notes.append("pluggrad.compile(gradient function), compiled in the set-up")

    def step() -> Any:
        return finish(function(*tensors))

    def to_numpy(grads) -> list[np.ndarray]:
        return [np.array(g.detach().numpy()) for g in grads]

    return Built(step, to_numpy, tuple(notes), first_call_s)
