"""The JAX backend's compiler: ``JaxBackend.compile`` and the jaxpr pass behind it."""

from __future__ import annotations

import numpy as np
import pytest

jax = pytest.importorskip("jax")

import jax.numpy as jnp  # noqa: E402
from jax import lax  # noqa: E402
from jax.extend.core import jaxpr_as_fun  # noqa: E402

import pluggrad as pg  # noqa: E402
from pluggrad.backends.jax._compile import JitCompiled, _needs_keys, fold_transposes  # noqa: E402


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


def _program_inputs(compiled, *args) -> int:
    """How many arrays the program of a call of `compiled` takes."""
    return len(jax.tree_util.tree_leaves(compiled.lower(*args).args_info))


def test_only_a_program_that_uses_the_generator_takes_its_key():
    """A program takes the default generator's key (and returns its next one) only if it
    draws random numbers; one that draws none takes no key, and leaves the generator's stream
    where it was, as the eager call does."""
    with pg.use_backend("jax"):
        x = pg.tensor([1.0, 2.0])
        pure = pg.compile(lambda x: (x * x).sum())
        drawing = pg.compile(lambda x: x * pg.rand(2, dtype=x.dtype))
        assert _program_inputs(pure, x) == 1
        assert _program_inputs(drawing, x) == 2

        pg.manual_seed(0)
        for _ in range(2):
            assert float(pure(x)) == 5.0
        after_pure = pg.rand(3)
        pg.manual_seed(0)
        np.testing.assert_array_equal(after_pure.numpy(), pg.rand(3).numpy())

        pg.manual_seed(0)
        first, second = drawing(x), drawing(x)
        pg.manual_seed(0)
        expected = [x * pg.rand(2, dtype=x.dtype) for _ in range(2)]
        for got, want in zip((first, second), expected):
            np.testing.assert_array_equal(got.numpy(), want.numpy())
        assert pure.traces == drawing.traces == 1


def test_a_program_needs_its_key_if_it_reads_or_replaces_it():
    """The key is the program's last input and its new key its last output."""

    def unwrapped(key):
        return jax.random.key_data(jax.random.wrap_key_data(key))

    def untouched(d, key):
        return d * 2, unwrapped(key)

    def returned(d, key):
        return d, jax.random.key_data(jax.random.split(jax.random.wrap_key_data(key))[0])

    def read(d, key):
        return d + unwrapped(key).sum(), unwrapped(key)

    def read_only_by_a_callback(d, key):
        jax.debug.callback(lambda k: None, key)
        return d, unwrapped(key)

    d, key = jnp.ones(2, dtype=jnp.uint32), jax.random.key_data(jax.random.key(0))
    needs = [
        _needs_keys(jax.make_jaxpr(f)(d, key), 1)
        for f in (untouched, returned, read, read_only_by_a_callback)
    ]
    assert needs == [False, True, True, True]
