"""The JAX backend's compiler: ``JaxBackend.compile`` and the jaxpr pass behind it."""

from __future__ import annotations

import numpy as np
import pytest

jax = pytest.importorskip("jax")

import jax.numpy as jnp  # noqa: E402
from jax import lax  # noqa: E402
from jax.extend.core import jaxpr_as_fun  # noqa: E402

import pluggrad as pg  # noqa: E402
from pluggrad.backends.jax._compile import JitCompiled, fold_transposes  # noqa: E402


def test_compile_returns_the_jitted_callable_and_takes_only_its_options():
    backend = pg.backends.load_backend("jax")

    def f(x):
        return (x * x).sum()

    compiled = backend.compile(f)
    assert isinstance(compiled, JitCompiled) and compiled.__name__ == "f"
    with pg.use_backend(backend):
        x = pg.tensor([1.0, 2.0])
    assert float(compiled(x)) == 5.0 and float(compiled(x)) == 5.0
    assert compiled.traces == 1
    with pytest.raises(TypeError, match="unexpected keyword argument 'donated'"):
        backend.compile(f, donated=True)  # in_shardings, out_shardings, donate: test_sharding


def test_fold_transposes_keeps_results():
    """Products read the transposes' operands, with results unchanged."""

    def f(w, v, c):
        return (
            jnp.matmul(jnp.matrix_transpose(w), v),  # folded
            jnp.matmul(v, jnp.matrix_transpose(jnp.matrix_transpose(w))),  # two transposes
            # free dimensions 0 and 2 of the transposed operand swap order: not folded
            lax.dot_general(jnp.transpose(c, (2, 1, 0)), w, (((1,), (0,)), ((), ()))),
        )

    rng = np.random.default_rng(8)
    w = jnp.asarray(rng.standard_normal((4, 4)))
    v = jnp.asarray(rng.standard_normal(4))
    c = jnp.asarray(rng.standard_normal((2, 4, 3)))
    closed = jax.make_jaxpr(f)(w, v, c)
    folded = fold_transposes(closed)
    dots = [e for e in folded.jaxpr.eqns if e.primitive.name == "dot_general"]
    transposed = {e.outvars[0] for e in folded.jaxpr.eqns if e.primitive.name == "transpose"}
    reads = [any(v in transposed for v in e.invars) for e in dots]
    assert reads == [False, False, True]
    for got, expected in zip(jaxpr_as_fun(folded)(w, v, c), f(w, v, c)):
        np.testing.assert_allclose(np.asarray(got), np.asarray(expected), rtol=1e-12)
