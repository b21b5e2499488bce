"""Random arrays of one backend: the part of the :class:`~pluggrad.backends.Backend` contract
behind ``pluggrad.Generator``.

A :class:`RandomSource` is one stream of random numbers, made from one seed with the library's
own generator.  This base draws with NumPy's :class:`numpy.random.Generator` (PCG64) and
converts the samples with ``backend.asarray``, which serves NumPy itself and any backend that
can take NumPy arrays (array_api_strict); a backend with its own generator (JAX's keys)
overrides every method.  Samples are reproducible per backend from one seed; they do not match
PyTorch's bit stream.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["RandomSource"]


class RandomSource:
    """A stream of random native arrays for `backend`, from `seed`.

    Every method returns a native array of the backend; dtypes are the backend's native dtypes
    (``backend.to_native[...]``).  Parameters are Python numbers unless said otherwise.
    """

    def __init__(self, backend: Any, seed: int) -> None:
        self.backend = backend
        self._rng = np.random.Generator(np.random.PCG64(seed))

    def _out(self, sample: np.ndarray, dtype: Any) -> Any:
        return self.backend.asarray(np.asarray(sample, dtype=self._numpy_dtype(dtype)))

    def _numpy_dtype(self, native: Any) -> np.dtype:
        return np.dtype(self.backend.from_native[native].name)

    def _numpy(self, array: Any) -> np.ndarray:
        return np.asarray(self.backend.to_numpy(array))

    # -- draws ----------------------------------------------------------------------------------
    def uniform(self, shape: tuple, dtype: Any, low: float = 0.0, high: float = 1.0) -> Any:
        """Uniform on ``[low, high)``."""
        return self._out(self._rng.uniform(low, high, size=shape), dtype)

    def normal(self, shape: tuple, dtype: Any, mean: Any = 0.0, std: Any = 1.0) -> Any:
        """Normal with `mean` and `std` (numbers, or native arrays broadcasting to `shape`)."""
        if not isinstance(mean, (int, float)):
            mean = self._numpy(mean)
        if not isinstance(std, (int, float)):
            std = self._numpy(std)
        return self._out(self._rng.normal(mean, std, size=shape), dtype)

    def integers(self, low: int, high: int, shape: tuple, dtype: Any) -> Any:
        """Integers uniform on ``[low, high)``."""
        return self._out(self._rng.integers(low, high, size=shape), dtype)

    def exponential(self, shape: tuple, dtype: Any, rate: float = 1.0) -> Any:
        """Exponential with rate `rate` (mean ``1 / rate``)."""
        return self._out(self._rng.exponential(1.0 / rate, size=shape), dtype)

    def cauchy(self, shape: tuple, dtype: Any, median: float = 0.0, sigma: float = 1.0) -> Any:
        """Cauchy with location `median` and scale `sigma`."""
        return self._out(median + sigma * self._rng.standard_cauchy(size=shape), dtype)

    def log_normal(self, shape: tuple, dtype: Any, mean: float = 1.0, std: float = 2.0) -> Any:
        """``exp`` of normal samples with `mean` and `std`."""
        return self._out(self._rng.lognormal(mean, std, size=shape), dtype)

    def geometric(self, shape: tuple, dtype: Any, p: float) -> Any:
        """The number of Bernoulli(`p`) trials up to the first success (1, 2, ...)."""
        return self._out(self._rng.geometric(p, size=shape), dtype)

    def poisson(self, rates: Any, dtype: Any) -> Any:
        """Poisson counts with the rates of the native array `rates` (its shape)."""
        return self._out(self._rng.poisson(self._numpy(rates)), dtype)

    def binomial(self, count: Any, prob: Any, dtype: Any) -> Any:
        """Binomial successes of `count` trials of probability `prob` (native arrays that
        broadcast together)."""
        n, p = self._numpy(count), self._numpy(prob)
        return self._out(self._rng.binomial(n.astype(np.int64), np.clip(p, 0.0, 1.0)), dtype)

    def permutation(self, n: int, dtype: Any) -> Any:
        """A random permutation of ``0 .. n-1``."""
        return self._out(self._rng.permutation(n), dtype)

    def bernoulli(self, probs: Any, shape: tuple, dtype: Any) -> Any:
        """1 with probability `probs` (a number, or a native array broadcasting to `shape`),
        else 0."""
        if not isinstance(probs, (int, float)):
            probs = self._numpy(probs)
        return self._out(self._rng.random(size=shape) < probs, dtype)

    def multinomial(self, weights: Any, num_samples: int, replacement: bool, dtype: Any) -> Any:
        """Category indices drawn from the rows of `weights` (a native 1-d or 2-d array of
        non-negative weights, normalised here)."""
        w = self._numpy(weights).astype(np.float64)
        rows = w.reshape(-1, w.shape[-1])
        out = np.empty((rows.shape[0], num_samples), dtype=np.int64)
        for i, row in enumerate(rows):
            out[i] = self._rng.choice(
                row.size, size=num_samples, replace=replacement, p=row / row.sum()
            )
        return self._out(out.reshape(w.shape[:-1] + (num_samples,)), dtype)

    # -- state ----------------------------------------------------------------------------------
    def get_state(self) -> Any:
        """The stream's state (a picklable object)."""
        return self._rng.bit_generator.state

    def set_state(self, state: Any) -> None:
        """Continue from a state returned by :meth:`get_state`."""
        self._rng.bit_generator.state = state
