"""Property tests: broadcasting and random compositions of ops give the same values and
gradients on every backend as on NumPy (and as NumPy's own broadcasting rules say)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

import pluggrad as pg

from .helpers import values

BINARY = {
    "add": lambda a, b: a + b,
    "subtract": lambda a, b: a - b,
    "multiply": lambda a, b: a * b,
    "divide": lambda a, b: a / (b * b + 1),
}
UNARY = {
    "tanh": pg.tanh,
    "sin": pg.sin,
    "exp": lambda x: pg.exp(x * 0.1),
    "square": lambda x: x**2,
    "log1p_abs": lambda x: pg.log(x * x + 1),
}

# The backend fixture only selects a backend, which is the same for every generated input.
PROPERTY_SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _grads(backend_name, arrays, fn):
    with pg.use_backend(backend_name):
        leaves = [pg.tensor(a, dtype=pg.float64, requires_grad=True) for a in arrays]
        out = fn(*leaves)
        out.sum().backward()
        grads = [None if t.grad is None else values(t.grad) for t in leaves]  # None: input unused
        return values(out), grads, [None if g is None else g.shape for g in grads]


@PROPERTY_SETTINGS
@given(
    shapes=mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3),
    op=st.sampled_from(sorted(BINARY)),
    seed=st.integers(0, 2**16),
)
def test_broadcast_binary_matches_numpy(backend, shapes, op, seed):
    rng = np.random.default_rng(seed)
    arrays = [rng.uniform(-2, 2, size=s) for s in shapes.input_shapes]
    out, grads, grad_shapes = _grads(backend, arrays, BINARY[op])
    ref_out, ref_grads, _ = _grads("numpy", arrays, BINARY[op])
    assert out.shape == shapes.result_shape
    np.testing.assert_allclose(out, BINARY[op](*arrays), rtol=1e-12, atol=1e-12)
    assert grad_shapes == [tuple(s) for s in shapes.input_shapes]
    for g, r in zip(grads, ref_grads):
        np.testing.assert_allclose(g, r, rtol=1e-12, atol=1e-12)


@st.composite
def programs(draw):
    """A random straight-line program over two inputs: a list of (op, operand indices)."""
    steps = []
    n_values = 2
    for _ in range(draw(st.integers(1, 6))):
        if draw(st.booleans()):
            steps.append(
                ("u", draw(st.sampled_from(sorted(UNARY))), draw(st.integers(0, n_values - 1)))
            )
        else:
            i, j = draw(st.integers(0, n_values - 1)), draw(st.integers(0, n_values - 1))
            steps.append(("b", draw(st.sampled_from(sorted(BINARY))), i, j))
        n_values += 1
    return steps


def _run(program, a, b):
    vals = [a, b]
    for step in program:
        if step[0] == "u":
            vals.append(UNARY[step[1]](vals[step[2]]))
        else:
            vals.append(BINARY[step[1]](vals[step[2]], vals[step[3]]))
    return vals[-1]


@PROPERTY_SETTINGS
@given(program=programs(), seed=st.integers(0, 2**16))
def test_random_programs_agree_across_backends(backend, program, seed):
    rng = np.random.default_rng(seed)
    arrays = [rng.uniform(-1, 1, size=(3,)), rng.uniform(-1, 1, size=(2, 3))]
    out, grads, _ = _grads(backend, arrays, lambda a, b: _run(program, a, b))
    ref_out, ref_grads, _ = _grads("numpy", arrays, lambda a, b: _run(program, a, b))
    np.testing.assert_allclose(out, ref_out, rtol=1e-12, atol=1e-12)
    for g, r in zip(grads, ref_grads):
        assert (g is None) == (r is None)
        if g is not None:
            np.testing.assert_allclose(g, r, rtol=1e-10, atol=1e-12)
