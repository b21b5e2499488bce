"""Hand-written NumPy forward and backward passes: the practical limit of an eager CPU step.

The same functions, run in float64, give the reference gradients of the gradient check.
"""

from __future__ import annotations

import math

import numpy as np

from .. import problems
from . import Built


def w1(x: np.ndarray) -> list[np.ndarray]:
    """Gradient of ``sum(y_200)`` with ``y_{k+1} = tanh(a*y_k + b)``, ``y_0 = x``."""
    ys = []
    y = x
    for _ in range(problems.W1_STEPS):
        y = np.tanh(y * problems.W1_SCALE + problems.W1_SHIFT)
        ys.append(y)
    g = np.ones_like(x)
    for y in reversed(ys):
        g = g * (1 - y * y) * problems.W1_SCALE
    return [g]


def _logsumexp_rows(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row-wise logsumexp and softmax of `z`."""
    m = z.max(axis=1, keepdims=True)
    e = np.exp(z - m)
    s = e.sum(axis=1, keepdims=True)
    return (np.log(s) + m)[:, 0], e / s


def w2(w1_, b1, w2_, b2, w3, b3, x, y) -> list[np.ndarray]:
    """Gradients of the mean softmax cross-entropy of a 3-layer relu MLP, in its parameters."""
    h1 = np.maximum(x @ w1_ + b1, 0)
    h2 = np.maximum(h1 @ w2_ + b2, 0)
    z = h2 @ w3 + b3
    _, softmax = _logsumexp_rows(z)
    dz = (softmax - y) / x.shape[0]
    dh2 = (dz @ w3.T) * (h2 > 0)
    dh1 = (dh2 @ w2_.T) * (h1 > 0)
    return [x.T @ dh1, dh1.sum(0), h1.T @ dh2, dh2.sum(0), h2.T @ dz, dz.sum(0)]


def w3(x: np.ndarray, w: np.ndarray, v: np.ndarray) -> list[np.ndarray]:
    """Closed-form Hessian-vector product of ``sum(tanh(W @ x)**2)``."""
    t = np.tanh(w @ x)
    t2 = t * t
    return [w.T @ ((2 - 6 * t2) * (1 - t2) * (w @ v))]


def w4(x: np.ndarray, block: int = 1 << 16) -> list[np.ndarray]:
    """Gradient of ``sum(exp(sin(x)*x) / (1 + x*x))``, block by block, for low memory.

    With ``f = exp(x sin x) / d`` and ``d = 1 + x*x``: ``f' = f * (x cos x + sin x - 2x/d)``.
    Besides the result, only two scratch blocks of `block` elements are allocated, and each
    block is computed in place while it sits in cache.
    """
    x = x.reshape(-1)
    grad = np.empty_like(x)
    d_block = np.empty(min(block, x.size), x.dtype)
    s_block = np.empty_like(d_block)
    for start in range(0, x.size, block):
        xs = x[start : start + block]
        g = grad[start : start + block]
        d = d_block[: xs.size]
        s = s_block[: xs.size]
        np.multiply(xs, xs, out=d)
        d += 1
        np.sin(xs, out=s)
        np.cos(xs, out=g)
        g *= xs
        g += s  # g = x cos x + sin x
        s *= xs
        np.exp(s, out=s)
        s /= d  # s = f
        np.divide(xs, d, out=d)
        d *= 2  # d = 2x / (1 + x*x)
        g -= d
        g *= s
    return [grad]


def w3_tape(x: np.ndarray, w: np.ndarray, v: np.ndarray) -> list[np.ndarray]:
    """``H v`` as a tape computes it: the gradient ``g`` with its own operations, then the
    gradient of ``<g, v>`` back through them (four matrix-vector products, not three)."""
    t = np.tanh(w @ x)
    # first backward, as recorded operations: pow, tanh, matmul
    gt = 2 * t
    s = 1 - t * t
    gz = gt * s
    _g = w.T @ gz  # the gradient itself (what autograd.grad returns; <g, v> reads it)
    # second backward: through matmul, the products, tanh and pow
    u = w @ v
    dt = 2 * (u * s) + -2 * t * (u * gt)
    return [w.T @ (dt * s)]


def w4_tape(x: np.ndarray) -> list[np.ndarray]:
    """W4 as a tape computes it: one full-size array per operation, forward values kept for
    backward, no fusion, no blocking, no in-place update (NumPy still reuses temporaries)."""
    s = np.sin(x)
    a = s * x
    e = np.exp(a)
    d = 1 + x * x
    (e / d).sum()
    g = np.ones_like(x)
    ge = g / d  # divide, numerator
    gd = -(g * (e / d / d))  # divide, denominator
    ga = ge * e  # exp
    gs, gx_mul = ga * x, ga * s  # sin(x) * x
    gx_sin = gs * np.cos(x)  # sin
    gx_sq1, gx_sq2 = gd * x, gd * x  # x * x
    return [gx_mul + gx_sin + gx_sq1 + gx_sq2]


class _Adam:
    """Adam as PyTorch's single-tensor path computes it, in place, with one scratch array per
    parameter: ``m = b1 m + (1 - b1) g``; ``v = b2 v + (1 - b2) g²``;
    ``p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)``."""

    def __init__(self, params: list[np.ndarray]) -> None:
        self.params = params
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.scratch = [np.empty_like(p) for p in params]
        self.t = 0

    def step(self, grads: list[np.ndarray]) -> None:
        lr, eps = problems.W7_LR, problems.W7_EPS
        b1, b2 = problems.W7_BETAS
        self.t += 1
        step_size = lr / (1 - b1**self.t)
        # a Python float: a NumPy float64 scalar would make each division a float64 loop
        # with casts (6x slower on W7's float32 arrays)
        sqrt_bc2 = math.sqrt(1 - b2**self.t)
        for p, g, m, v, d in zip(self.params, grads, self.m, self.v, self.scratch):
            m *= b1
            m += (1 - b1) * g
            v *= b2
            np.multiply(g, g, out=d)
            d *= 1 - b2
            v += d
            np.sqrt(v, out=d)
            d /= sqrt_bc2
            d += eps
            np.divide(m, d, out=d)
            d *= step_size
            p -= d


def w7_stepper(params: tuple[np.ndarray, ...], x: np.ndarray, y: np.ndarray):
    """``step()``: one W7 training step (W2's gradients, then Adam in place on copies of
    `params`); returns the step's gradients."""
    params_ = [p.copy() for p in params]
    adam = _Adam(params_)

    def step() -> list[np.ndarray]:
        grads = w2(*params_, x, y)
        adam.step(grads)
        return grads

    return step


_STEPS = {"W1": w1, "W2": w2, "W3": w3, "W4": w4}
# W1 and W2 by hand are already one whole-array operation at a time
_TAPE_STEPS = {**_STEPS, "W3": w3_tape, "W4": w4_tape}


def build(workload: problems.Workload, inputs: problems.Inputs, variant: str | None) -> Built:
    """The hand-written step of `workload` on `inputs`; ``variant="tape"``: the operations an
    eager tape runs (the floor for pluggrad-numpy and torch), else the fastest by hand."""
    same_as_hand = variant == "tape" and workload.name in ("W1", "W2", "W7")
    notes = ("W1, W2, W7: the same code as numpy-hand",) if same_as_hand else ()
    if workload.name == "W7":
        return Built(w7_stepper(inputs.wrt, *inputs.consts), notes=notes)
    function = (_TAPE_STEPS if variant == "tape" else _STEPS)[workload.name]
    arrays = (*inputs.wrt, *inputs.consts)
    return Built(lambda: function(*arrays), notes=notes)
