"""The workloads: their constants, their inputs (from a fixed seed) and the gradient check.

Every framework computes the same math on the same arrays.  A workload's inputs are split into
``wrt`` (the arrays differentiated, gradients come back in this order) and ``consts`` (the
others).  The reference gradients are the hand-written NumPy ones
(:mod:`benchmarks.workloads.numpy_hand`) evaluated in float64 on the same inputs, so that the
float32 workloads, numpy-hand's own float32 run included, are all checked against one
higher-precision answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

SEED = 20240611

# W1: a chain of tiny elementwise ops (200 x (multiply, add, tanh), then sum: 601 ops)
W1_SIZE = 16
W1_STEPS = 200
W1_SCALE = 0.9
W1_SHIFT = 0.1
# W2: one training step of a 784-512-512-10 MLP on a batch of 256
W2_BATCH = 256
W2_LAYERS = (784, 512, 512, 10)
# W7: W2's MLP trained as users write it (nn.Sequential, cross-entropy, Adam); Adam's defaults
W7_LR = 1e-3
W7_BETAS = (0.9, 0.999)
W7_EPS = 1e-8
# W3: Hessian-vector product of sum(tanh(W @ x) ** 2)
W3_SIZE = 512
# W4: one large elementwise expression
W4_SIZE = 4 * 1024 * 1024


@dataclass(frozen=True)
class Inputs:
    """A workload's arrays: ``wrt`` are differentiated, ``consts`` are not."""

    wrt: tuple[np.ndarray, ...]
    consts: tuple[np.ndarray, ...]

    def astype(self, dtype) -> Inputs:
        """The same inputs converted to `dtype`."""
        return Inputs(
            tuple(a.astype(dtype) for a in self.wrt), tuple(a.astype(dtype) for a in self.consts)
        )


@dataclass(frozen=True)
class Workload:
    """One benchmark problem.

    Attributes
    ----------
    name : str
        Short name used on the command line, ``"W1"``...
    title : str
        One line for the table.
    dtype : numpy dtype
        The dtype every framework computes in.
    rtol : float
        Tolerance of the gradient check (see :func:`check_gradients`).
    ops : int or None
        Number of primitive ops of one forward pass, for a per-op time (W1 only).
    memory : bool
        Whether the peak memory growth of a step is measured too (W4).
    """

    name: str
    title: str
    dtype: type
    rtol: float
    make: Callable[[np.random.Generator], Inputs]
    ops: int | None = None
    memory: bool = False

    def inputs(self, seed: int = SEED) -> Inputs:
        """The workload's inputs, the same in every process for a given seed."""
        return self.make(np.random.default_rng(seed))


def _w1(rng: np.random.Generator) -> Inputs:
    return Inputs((rng.standard_normal(W1_SIZE),), ())


def _w2(rng: np.random.Generator) -> Inputs:
    params = []
    for fan_in, fan_out in zip(W2_LAYERS[:-1], W2_LAYERS[1:]):
        params.append(rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in))
        params.append(rng.standard_normal(fan_out) * 0.01)
    x = rng.random((W2_BATCH, W2_LAYERS[0]))
    labels = rng.integers(0, W2_LAYERS[-1], W2_BATCH)
    y = np.eye(W2_LAYERS[-1])[labels]
    return Inputs(tuple(params), (x, y)).astype(np.float32)


def _w3(rng: np.random.Generator) -> Inputs:
    w = rng.standard_normal((W3_SIZE, W3_SIZE)) / np.sqrt(W3_SIZE)
    x = rng.standard_normal(W3_SIZE)
    v = rng.standard_normal(W3_SIZE)
    return Inputs((x,), (w, v))


def _w4(rng: np.random.Generator) -> Inputs:
    # drawn directly in float32: no float64 temporary raises the memory baseline
    return Inputs((rng.standard_normal(W4_SIZE, dtype=np.float32),), ())


WORKLOADS: dict[str, Workload] = {
    w.name: w
    for w in [
        Workload(
            "W1",
            f"small-op overhead: {W1_STEPS} x tanh(y*{W1_SCALE}+{W1_SHIFT}) on {W1_SIZE} float64",
            np.float64,
            1e-9,
            _w1,
            ops=3 * W1_STEPS + 1,
        ),
        Workload(
            "W2",
            "MLP step: float32, batch 256, 784-512-512-10, relu, logsumexp cross-entropy",
            np.float32,
            1e-4,
            _w2,
        ),
        Workload(
            "W3",
            "Hessian-vector product of sum(tanh(W @ x)**2), W 512x512 float64",
            np.float64,
            1e-9,
            _w3,
        ),
        Workload(
            "W4",
            "large elementwise: sum(exp(sin(x)*x)/(1+x*x)), 4M float32",
            np.float32,
            1e-4,
            _w4,
            memory=True,
        ),
        Workload(
            "W7",
            "training step as users write it: W2's MLP as nn.Sequential(Linear, ReLU, ...), "
            "cross-entropy, Adam (lr 1e-3): zero_grad, backward, step",
            np.float32,
            1e-4,
            _w2,  # W2's inputs: a step's gradients are W2's, at the parameters it starts from
        ),
    ]
}


def reference_gradients(workload: Workload, inputs: Inputs) -> list[np.ndarray]:
    """numpy-hand's gradients, computed in float64 from `inputs` (W7: those of its first
    training step, which are W2's)."""
    from .workloads import numpy_hand

    step = numpy_hand.build(workload, inputs.astype(np.float64), None).step
    return [np.asarray(g) for g in step()]


def check_gradients(
    workload: Workload, grads: list[np.ndarray], reference: list[np.ndarray]
) -> tuple[bool, float]:
    """Compare gradients to the reference: ``(ok, worst error)``.

    A component passes when ``|g - ref| <= rtol * (|ref| + max|ref|)``: relative to itself, or
    to the largest component of its array where it is a near-cancelled small value.  The error
    returned is the worst ``|g - ref| / (|ref| + max|ref|)`` over all arrays.
    """
    if len(grads) != len(reference):
        return False, float("inf")
    worst = 0.0
    for g, ref in zip(grads, reference):
        g = np.asarray(g, dtype=np.float64)
        if g.shape != ref.shape or not np.all(np.isfinite(g)):
            return False, float("inf")
        scale = np.abs(ref) + np.max(np.abs(ref))
        scale[scale == 0] = np.finfo(np.float64).tiny
        worst = max(worst, float(np.max(np.abs(g - ref) / scale)))
    return worst <= workload.rtol, worst
