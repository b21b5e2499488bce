"""The workloads written once against NumPy's API with a ``grad`` transform: JAX and HIPS autograd.

Every loss takes the differentiated arrays as one tuple, ``loss(wrt, *consts)``, so that
``grad(loss)`` returns the tuple of their gradients in every workload.  W7 (a training step) is
written by hand as JAX users write it without a library: a step function of the parameters and
the optimizer's state that returns their new values, with Adam in ``jnp`` (JAX: the whole step
one ``jax.jit`` program, compiled ahead of time; no buffer donation).  Variants: ``"jax"``
(``jax.jit(jax.grad(loss))``, compiled ahead of time, so compilation is set-up, not a step) and
``"autograd"`` (HIPS autograd, eager).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import problems
from . import Built, timed


@dataclass(frozen=True)
class _Lib:
    """What the losses need from a library."""

    np: Any  # the NumPy-like namespace
    grad: Callable  # grad(f) -> gradient of f in its first argument
    relu: Callable
    logsumexp: Callable  # logsumexp(z, axis)
    vdot: Callable
    compile: Callable  # (function, example args) -> the function, compiled, finished results
    to_device: Callable  # NumPy array -> the library's array
    notes: tuple[str, ...] = ()


def _jax() -> _Lib:
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)

    def compile_ahead(function, args):
        compiled = jax.jit(function).lower(*args).compile()
        return lambda *args: jax.block_until_ready(compiled(*args))

    return _Lib(jnp, jax.grad, jax.nn.relu, jax.nn.logsumexp, jnp.vdot, compile_ahead, jnp.asarray)


def _autograd() -> _Lib:
    import autograd
    import autograd.numpy as anp

    notes = ["relu written as maximum(z, 0)"]
    try:
        from autograd.scipy.special import logsumexp
    except ImportError:  # autograd.scipy needs SciPy

        def logsumexp(z, axis):
            m = anp.max(z, axis=axis, keepdims=True)
            return anp.log(anp.sum(anp.exp(z - m), axis=axis)) + anp.squeeze(m, axis)

        notes.append("logsumexp written from max, exp, sum, log (no SciPy)")

    return _Lib(
        anp,
        autograd.grad,
        lambda z: anp.maximum(z, 0.0),
        logsumexp,
        anp.dot,  # autograd has no derivative of vdot; dot is the same on real vectors
        lambda function, args: function,
        lambda a: a,
        tuple(notes),
    )


_LIBRARIES = {"jax": _jax, "autograd": _autograd}


def _w1_loss(lib: _Lib, wrt):
    (y,) = wrt
    for _ in range(problems.W1_STEPS):
        y = lib.np.tanh(y * problems.W1_SCALE + problems.W1_SHIFT)
    return lib.np.sum(y)


def _w2_loss(lib: _Lib, wrt, x, y):
    w1, b1, w2, b2, w3, b3 = wrt
    h = lib.relu(x @ w1 + b1)
    h = lib.relu(h @ w2 + b2)
    z = h @ w3 + b3
    return lib.np.mean(lib.logsumexp(z, axis=1) - lib.np.sum(z * y, axis=1))


def _w3_objective(lib: _Lib, wrt, w, v):
    """``<grad f(x), v>``, whose gradient in x is H v."""

    def f(wrt, w):
        return lib.np.sum(lib.np.tanh(w @ wrt[0]) ** 2)

    (g,) = lib.grad(f)(wrt, w)
    return lib.vdot(g, v)


def _w4_loss(lib: _Lib, wrt):
    (x,) = wrt
    np = lib.np
    return np.sum(np.exp(np.sin(x) * x) / (1 + x * x))


_LOSSES = {"W1": _w1_loss, "W2": _w2_loss, "W3": _w3_objective, "W4": _w4_loss}


def _w7_train_step(lib: _Lib, state, x, y):
    """One W7 training step, functional: W2's loss and its gradients, then Adam written out
    (PyTorch's formula).  ``state = (params, m, v, t)``; returns the new state and the
    gradients."""
    np = lib.np
    params, m, v, t = state
    grads = lib.grad(lambda wrt: _w2_loss(lib, wrt, x, y))(params)
    b1, b2 = problems.W7_BETAS
    t = t + 1
    step_size = problems.W7_LR / (1 - b1**t)
    sqrt_bc2 = np.sqrt(1 - b2**t)
    m = tuple(b1 * mi + (1 - b1) * g for mi, g in zip(m, grads))
    v = tuple(b2 * vi + (1 - b2) * (g * g) for vi, g in zip(v, grads))
    params = tuple(
        p - step_size * mi / (np.sqrt(vi) / sqrt_bc2 + problems.W7_EPS)
        for p, mi, vi in zip(params, m, v)
    )
    return (params, m, v, t), grads


def _w7_build(lib: _Lib, inputs: problems.Inputs) -> Built:
    """W7 by hand: the whole training step as one function (JAX: one ``jax.jit`` program),
    its state carried from step to step; ``step()`` returns the step's gradients."""
    params = tuple(map(lib.to_device, inputs.wrt))
    zeros = tuple(lib.np.zeros_like(p) for p in params)
    dtype = inputs.wrt[0].dtype
    state = [(params, zeros, zeros, lib.np.asarray(0, dtype=dtype))]
    consts = tuple(map(lib.to_device, inputs.consts))
    run = lib.compile(lambda state, x, y: _w7_train_step(lib, state, x, y), (state[0], *consts))

    def step():
        state[0], grads = run(state[0], *consts)
        return grads

    return Built(step, notes=lib.notes + ("Adam written by hand (PyTorch's formula)",))


def build(workload: problems.Workload, inputs: problems.Inputs, variant: str) -> Built:
    """`workload` on JAX (``variant="jax"``) or HIPS autograd (``"autograd"``)."""
    lib = _LIBRARIES[variant]()
    if workload.name == "W7":
        return _w7_build(lib, inputs)
    loss = _LOSSES[workload.name]
    gradient = lib.grad(lambda wrt, *consts: loss(lib, wrt, *consts))
    args = (tuple(map(lib.to_device, inputs.wrt)), *map(lib.to_device, inputs.consts))
    notes = lib.notes if workload.name == "W2" else ()
    run, seconds = timed(lambda: lib.compile(gradient, args))
    first_call_s = seconds if variant == "jax" else None  # (autograd compiles nothing)
    return Built(lambda: run(*args), notes=notes, first_call_s=first_call_s)
