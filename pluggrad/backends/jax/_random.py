"""Random arrays on JAX: one key, split once per draw, kept inside the source (users never
thread keys)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import jax
import jax.numpy as jnp

from .._random import RandomSource

# per compiled function being traced (innermost last): the sources whose keys are inputs of its
# program, and those it drew from otherwise, each with its key from before the trace
_STRAYS: list[tuple[list, dict]] = []


@contextlib.contextmanager
def keys_given(sources: list, keys: list) -> Iterator[dict]:
    """Within the block (a compiled function's trace), the `sources` draw from the raw keys
    `keys` (the program's inputs), and the other sources that draw or get a new key are
    recorded in the dict it yields, with their keys from before.  At its end every one of them
    gets its key from before back: the trace leaves the generators as they were, and the
    compiler can make the recorded sources' keys inputs too and trace again."""
    before = [(source._typed, source._data) for source in sources]
    for source, key in zip(sources, keys):
        source._key = jax.random.wrap_key_data(key)
    strays: dict = {}
    _STRAYS.append((sources, strays))
    try:
        yield strays
    finally:
        _STRAYS.pop()
        for source, (typed, data) in [*zip(sources, before), *strays.items()]:
            source._typed, source._data = typed, data


class JaxRandomSource(RandomSource):
    """A :class:`~pluggrad.backends._random.RandomSource` drawing with ``jax.random``."""

    def __init__(self, backend: Any, seed: int) -> None:
        self.backend = backend
        # the key, typed (what jax.random takes) and as raw data (what a compiled program
        # takes and returns); each made from the other only when asked for, since both
        # conversions are operations JAX dispatches (~20-100 us each, per compiled call)
        with jax.ensure_compile_time_eval():  # (a key, even if made inside a trace)
            self._typed: Any = jax.random.key(seed % 2**63)
        self._data: Any = None

    @property
    def _key(self):
        if self._typed is None:
            self._typed = jax.random.wrap_key_data(self._data)
        return self._typed

    @_key.setter
    def _key(self, key) -> None:
        self._typed, self._data = key, None

    def key_data(self):
        """The key's raw data (``jax.random.key_data``), as a compiled program takes it."""
        if self._data is None:
            self._data = jax.random.key_data(self._typed)
        return self._data

    def set_key_data(self, data) -> None:
        """Continue from the raw key `data` (a compiled program's new key)."""
        self._touched()
        self._typed, self._data = None, data

    def _next_key(self):
        self._touched()
        self._key, key = jax.random.split(self._key)
        return key

    def _touched(self) -> None:
        """Record the key before a draw inside a compiled function's trace whose key is not an
        input of the program (see :func:`keys_given`)."""
        if not _STRAYS:
            return
        given, strays = _STRAYS[-1]
        if self not in strays and self not in given:
            strays[self] = (self._typed, self._data)

    def uniform(self, shape, dtype, low=0.0, high=1.0):
        return jax.random.uniform(self._next_key(), shape, dtype=dtype, minval=low, maxval=high)

    def normal(self, shape, dtype, mean=0.0, std=1.0):
        return mean + std * jax.random.normal(self._next_key(), shape, dtype=dtype)

    def integers(self, low, high, shape, dtype):
        # drawn as int64 and cast: randint takes integer dtypes only (random_ fills floats too)
        # and clips its bounds to the dtype's range (uint8's 256 would not be reached)
        draw_dtype = dtype if jnp.dtype(dtype) == jnp.uint64 else jnp.int64
        return jax.random.randint(self._next_key(), shape, low, high, dtype=draw_dtype).astype(
            dtype
        )

    def exponential(self, shape, dtype, rate=1.0):
        return jax.random.exponential(self._next_key(), shape, dtype=dtype) / rate

    def cauchy(self, shape, dtype, median=0.0, sigma=1.0):
        return median + sigma * jax.random.cauchy(self._next_key(), shape, dtype=dtype)

    def log_normal(self, shape, dtype, mean=1.0, std=2.0):
        return jnp.exp(mean + std * jax.random.normal(self._next_key(), shape, dtype=dtype))

    def geometric(self, shape, dtype, p):
        return jax.random.geometric(self._next_key(), p, shape).astype(dtype)

    def poisson(self, rates, dtype):
        return jax.random.poisson(self._next_key(), rates, rates.shape).astype(dtype)

    def binomial(self, count, prob, dtype):
        shape = jnp.broadcast_shapes(count.shape, prob.shape)
        draws = jax.random.binomial(self._next_key(), count, jnp.clip(prob, 0.0, 1.0), shape)
        return draws.astype(dtype)

    def permutation(self, n, dtype):
        return jax.random.permutation(self._next_key(), n).astype(dtype)

    def bernoulli(self, probs, shape, dtype):
        return jax.random.bernoulli(self._next_key(), probs, shape).astype(dtype)

    def multinomial(self, weights, num_samples, replacement, dtype):
        logits = jnp.log(
            weights.astype(jnp.float64 if weights.dtype == jnp.float64 else jnp.float32)
        )
        key = self._next_key()
        if replacement:
            batch = logits.shape[:-1]
            draws = jax.random.categorical(key, logits, axis=-1, shape=(num_samples, *batch))
            return jnp.moveaxis(draws, 0, -1).astype(dtype)
        # without replacement: the Gumbel top-k trick (the k largest perturbed logits)
        perturbed = logits + jax.random.gumbel(key, logits.shape, dtype=logits.dtype)
        return jax.lax.top_k(perturbed, num_samples)[1].astype(dtype)

    def get_state(self):
        return jax.device_get(self.key_data())

    def set_state(self, state):
        self._key = jax.random.wrap_key_data(jnp.asarray(state))
