"""The JAX backend's FormulaRunner: first-order derivative formulas compiled after a warm-up,
with the same results as evaluating them eagerly."""

from __future__ import annotations

import numpy as np
import pytest

jax = pytest.importorskip("jax")

import pluggrad as pg  # noqa: E402
from pluggrad._core.primitive import Formula  # noqa: E402
from pluggrad.backends.jax import FormulaRunner  # noqa: E402


@pytest.fixture
def runner():
    with pg.use_backend("jax"):
        yield FormulaRunner(pg.get_backend().formula_ns, warmup=2)


def _array(values):
    return jax.numpy.asarray(np.asarray(values, dtype=np.float64))


def test_a_formula_is_compiled_after_the_warm_up_and_gives_the_eager_values(runner):
    traces = []

    def tanh_grad(ns, g, result):
        traces.append(1)
        return g * (1 - result * result)

    formula = Formula(tanh_grad)
    g, r = _array([1.0, 2.0, 3.0]), _array([0.1, 0.5, -0.7])
    expected = np.asarray(g * (1 - r * r))
    results = [np.asarray(runner(formula, g, [r])) for _ in range(5)]
    for result in results:
        np.testing.assert_allclose(result, expected, rtol=1e-15)
    # two eager calls, one trace; the later calls run the compiled program
    assert len(traces) == 3
    assert runner._compiled[formula, (False,)] is not None


def test_a_python_number_is_traced_so_a_new_value_does_not_recompile(runner):
    traces = []

    def scaled(ns, g, x2):
        traces.append(1)
        return g * x2

    formula = Formula(scaled)
    g = _array([1.0, 2.0])
    for k in range(6):
        np.testing.assert_allclose(np.asarray(runner(formula, g, [0.5 * k])), [0.5 * k, k])
    assert len(traces) == 3  # two eager calls and one trace for all six values


def test_a_formula_returning_its_gradient_unchanged_stays_eager(runner):
    formula = Formula(lambda ns, g, x1_dtype: g)
    g = _array([1.0])
    for _ in range(4):
        assert runner(formula, g, [np.dtype("float64")]) is g
    assert runner._compiled[formula, (True,)] is None


def test_a_formula_that_cannot_be_traced_stays_eager(runner):
    def branching(ns, g, x):
        return g * 2 if float(ns.sum(x)) > 0 else g * 3

    formula = Formula(branching)
    g = _array([1.0, 1.0])
    for sign, factor in ((1, 2), (-1, 3), (1, 2), (-1, 3), (1, 2)):
        result = runner(formula, g, [_array([sign, sign])])
        np.testing.assert_array_equal(np.asarray(result), [factor, factor])
    assert runner._compiled[formula, (False,)] is None


def test_static_arguments_are_retried_when_a_number_drives_python_control_flow(runner):
    def summed(ns, g, x_shape, axis, keepdims):
        return ns.broadcast_to(g if keepdims else ns.expand_dims(g, axis=axis), x_shape)

    formula = Formula(summed)
    g = _array([1.0, 2.0])
    for _ in range(4):
        result = runner(formula, g, [(3, 2), 0, False])
        np.testing.assert_array_equal(np.asarray(result), [[1.0, 2.0]] * 3)
    assert runner._compiled[formula, (True, False, False)] is not None


def test_backward_on_the_jax_backend_matches_numpy_after_the_formulas_compiled():
    x0 = np.linspace(-1.0, 1.0, 7)

    def grad_on(backend):
        with pg.use_backend(backend):
            for _ in range(12):  # past the warm-up of every formula involved
                x = pg.tensor(x0, requires_grad=True)
                y = x
                for _ in range(3):
                    y = pg.tanh(y * 0.9 + 0.1) / (1 + y * y)
                (y.sum() * 2.0).backward()
            return np.asarray(x.grad)

    np.testing.assert_allclose(grad_on("jax"), grad_on("numpy"), rtol=1e-13, atol=1e-15)


def test_an_unhashable_static_argument_after_compilation_runs_eagerly(runner):
    def take(ns, g, key):
        return g * 2 if key is None else g[key] * 2

    formula = Formula(take)
    g = _array([1.0, 2.0, 3.0])
    for _ in range(4):  # compiled with a hashable static key (None)
        np.testing.assert_array_equal(np.asarray(runner(formula, g, [None])), [2.0, 4.0, 6.0])
    assert runner._compiled[formula, (True,)] is not None
    # slices are unhashable before Python 3.12: JAX cannot use them as static arguments
    result = runner(formula, g, [(slice(0, 2),)])
    np.testing.assert_array_equal(np.asarray(result), [2.0, 4.0])


def test_a_formula_traced_for_too_many_shapes_goes_back_to_eager(runner):
    runner.max_traces = 3
    formula = Formula(lambda ns, g, x: g * x + 1)
    for n in range(1, 9):
        g = _array(np.ones(n))
        np.testing.assert_array_equal(np.asarray(runner(formula, g, [g])), np.full(n, 2.0))
    assert runner._compiled[formula, (False,)] is None
