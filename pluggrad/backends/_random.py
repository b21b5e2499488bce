"""Random arrays of one backend: the part of the :class:`~pluggrad.backends.Backend` contract
behind ``pluggrad.Generator``.

A :class:`RandomSource` is one stream of random numbers of a backend.  This base draws from
:class:`CPUGenerator`, PyTorch's CPU generator reproduced bit for bit (its mt19937 stream,
seeded as ``std::mt19937(seed)``, drawn vectorised through NumPy's
:class:`numpy.random.MT19937`), and turns the 32-bit words into samples with the formulas of
PyTorch's CPU kernels (``ATen/core/TransformationHelper.h``, ``DistributionsHelper.h``,
``native/cpu/DistributionTemplates.h``): ``pluggrad.manual_seed(0); pluggrad.rand(3)`` gives
PyTorch's numbers on NumPy, array_api_strict and any backend taking NumPy arrays through
``backend.asarray``.  Where PyTorch's result depends on the machine, this base follows the
path PyTorch takes on a CPU with AVX-512 or without Intel's MKL dispatch (AMD):
``bernoulli_(p)`` with a float `p` draws per element (PyTorch on Intel CPUs draws it from
MKL's MCG31 stream instead), and float32 ``randn`` of 16 or more elements uses the scalar
Box-Muller fill (PyTorch's AVX2-only build uses Sleef's vector log/sin/cos, which may differ
in the last bit).  ``poisson`` and ``binomial`` are seeded from the stream but drawn by
NumPy, so they do not match PyTorch's numbers.

A backend with its own generator overrides every method: JAX's source draws with
``jax.random`` keys (so that draws trace inside ``pluggrad.compile``) and does not match
PyTorch's numbers.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from typing import Any

import numpy as np

__all__ = ["CPUGenerator", "RandomSource", "check_seeding", "seeding_traced"]

# how many compiled functions are being traced now (see seeding_traced)
_TRACES = [0]


@contextlib.contextmanager
def seeding_traced() -> Iterator[None]:
    """Mark the block as the trace of a compiled function (``pluggrad.compile``): seeding a
    generator there would take effect once, while tracing, not at every call as eagerly, so
    :func:`check_seeding` refuses it."""
    _TRACES[0] += 1
    try:
        yield
    finally:
        _TRACES[0] -= 1


def check_seeding(what: str) -> None:
    """Raise if a compiled function is being traced (`what`: the seeding call, for the
    message)."""
    if _TRACES[0]:
        raise RuntimeError(
            f"pluggrad.compile: {what} was called inside a compiled function, where it would "
            "act once, while the function is traced, and not at every call. Seed the "
            "generator (or set its state) before calling the compiled function, or disable "
            "compilation with pluggrad.compile(fn, disable=True)."
        )


_N = 624  # the words of mt19937's state
_STATE_BYTES = 5056  # sizeof(at::CPUGeneratorImplState)
_U32 = np.uint64(0xFFFFFFFF)


def _mt_key(seed: int) -> np.ndarray:
    """mt19937's state after ``std::mt19937(seed)`` (the low 32 bits of `seed`)."""
    key = np.empty(_N, dtype=np.uint32)
    s = seed & 0xFFFFFFFF
    for i in range(_N):
        key[i] = s
        s = (1812433253 * (s ^ (s >> 30)) + i + 1) & 0xFFFFFFFF
    return key


class CPUGenerator:
    """PyTorch's ``CPUGeneratorImpl``: one mt19937 stream and the cached second normal sample.

    Shared by every NumPy-fed backend of one ``pluggrad.Generator``, as PyTorch has one CPU
    generator.  :meth:`get_state` and :meth:`set_state` use PyTorch's 5056-byte layout.
    """

    #: the size of PyTorch's state bytes
    STATE_BYTES = _STATE_BYTES

    def __init__(self, seed: int) -> None:
        self.manual_seed(seed)

    def manual_seed(self, seed: int) -> None:
        """Start again from `seed` (PyTorch's ``set_current_seed``)."""
        self.seed = int(seed) % 2**64
        self._bits = np.random.MT19937()
        self._bits.state = {"bit_generator": "MT19937", "state": {"key": _mt_key(self.seed),
                                                                  "pos": _N}}  # fmt: skip
        self._fresh = True  # PyTorch's `next_` is 0, not 624, until the first draw
        self.next_double_normal: float | None = None
        self.next_float_normal: float | None = None

    # -- words ----------------------------------------------------------------------------------
    def random(self, n: int) -> np.ndarray:
        """`n` draws of ``random()``: 32-bit words (as uint64)."""
        if n:
            self._fresh = False
        return self._bits.random_raw(n)

    def random64(self, n: int) -> np.ndarray:
        """`n` draws of ``random64()``: two words each, the first one the high half."""
        raw = self.random(2 * n)
        return (raw[0::2] << np.uint64(32)) | raw[1::2]

    def uniform01(self, n: int, dtype: np.dtype) -> np.ndarray:
        """``uniform_real_distribution<dtype>(0, 1)``: float64 from 53 bits of ``random64()``,
        the narrower floats from their mantissa's bits of ``random()`` (in float32)."""
        if dtype == np.float64:
            return (self.random64(n) & np.uint64(2**53 - 1)).astype(np.float64) * 2.0**-53
        digits = np.finfo(dtype).nmant + 1
        words = self.random(n) & np.uint64(2**digits - 1)
        return words.astype(np.float32) * np.float32(2.0**-digits)

    def normal_double(self) -> float:
        """One ``normal_distribution<double>`` sample (Box-Muller, the sine half cached)."""
        if self.next_double_normal is not None:
            value, self.next_double_normal = self.next_double_normal, None
            return value
        u1, u2 = self.uniform01(2, np.dtype(np.float64)).tolist()
        radius = math.sqrt(-2.0 * math.log1p(-u2))
        theta = 2.0 * math.pi * u1
        self.next_double_normal = radius * math.sin(theta)
        return radius * math.cos(theta)

    # -- PyTorch's state ------------------------------------------------------------------------
    def get_state(self) -> np.ndarray:
        """PyTorch's ``CPUGeneratorImplState`` bytes (5056, uint8)."""
        state = self._bits.state["state"]
        pos = int(state["pos"])
        nxt, left = (0, 1) if self._fresh else (pos, _N + 1 - pos)
        blob = np.zeros(_STATE_BYTES, dtype=np.uint8)
        header = np.array([self.seed], dtype=np.uint64).tobytes()
        header += np.array([left, 1], dtype=np.int32).tobytes()
        header += np.array([nxt], dtype=np.uint64).tobytes()
        header += np.asarray(state["key"], dtype=np.uint64).tobytes()
        normal = self.next_double_normal
        header += np.array([0.0, normal or 0.0, 0.0], dtype=np.float64).tobytes()
        header += np.array([normal is not None, 0], dtype=np.int32).tobytes()
        header += np.array([self.next_float_normal or 0.0], dtype=np.float32).tobytes()
        header += bytes([self.next_float_normal is not None])
        blob[: len(header)] = np.frombuffer(header, dtype=np.uint8)
        return blob

    def set_state(self, blob: np.ndarray) -> None:
        """Continue from PyTorch's state bytes (from :meth:`get_state` or ``torch``)."""
        raw = np.ascontiguousarray(blob, dtype=np.uint8).tobytes()
        if len(raw) != _STATE_BYTES:
            raise RuntimeError("RNG state is wrong size")
        seed, = np.frombuffer(raw, np.uint64, 1, 0).tolist()  # fmt: skip
        left, _ = np.frombuffer(raw, np.int32, 2, 8).tolist()
        nxt, = np.frombuffer(raw, np.uint64, 1, 16).tolist()  # fmt: skip
        key = np.frombuffer(raw, np.uint64, _N, 24).astype(np.uint32)
        normal_y, = np.frombuffer(raw, np.float64, 1, 24 + 8 * _N + 8).tolist()  # fmt: skip
        normal_valid, = np.frombuffer(raw, np.int32, 1, 24 + 8 * _N + 24).tolist()  # fmt: skip
        float_normal, = np.frombuffer(raw, np.float32, 1, _STATE_BYTES - 8).tolist()  # fmt: skip
        if not 1 <= left <= _N or nxt > _N:
            raise RuntimeError("The seed, left or next of the RNG state is out of range")
        self.seed = seed
        self._fresh = left == 1 and nxt == 0
        self._bits.state = {"bit_generator": "MT19937",
                            "state": {"key": key, "pos": _N if left == 1 else nxt}}  # fmt: skip
        self.next_double_normal = normal_y if normal_valid else None
        self.next_float_normal = float_normal if raw[_STATE_BYTES - 4] else None


_NUMPY_OF = {math.log: np.log, math.log1p: np.log1p, math.tan: np.tan, math.exp: np.exp}


def _libm(fn: Any, x: np.ndarray, exact: bool = True) -> np.ndarray:
    """`fn` (from :mod:`math`: the C library's, as PyTorch's kernels call it) of each element
    of the float64 array `x`: NumPy's own log, tan, exp... differ from it in the last bit, which
    only matters (`exact`) when the result stays float64, as NumPy's are many times faster."""
    if not exact:
        return _NUMPY_OF[fn](x)
    return np.fromiter(map(fn, x.ravel().tolist()), dtype=np.float64, count=x.size).reshape(x.shape)


def _fma(a: Any, b: Any, c: Any) -> np.ndarray:
    """``a * b + c`` in float64 rounded once, as the fused multiply-add PyTorch's compiled kernels
    use (the product's rounding error recovered exactly by Dekker's split)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    p = a * b
    ah = (a * 134217729.0) - ((a * 134217729.0) - a)
    bh = (b * 134217729.0) - ((b * 134217729.0) - b)
    p_err = ((ah * bh - p) + ah * (b - bh) + (a - ah) * bh) + (a - ah) * (b - bh)
    s = p + c
    bb = s - p
    s_err = (p - (s - bb)) + (c - bb)
    return s + (p_err + s_err)


def _box_muller16(blocks: np.ndarray, mean: float, std: float) -> np.ndarray:
    """PyTorch's ``normal_fill_16`` on rows of 16 uniforms: the first 8 give the radii, the last
    8 the angles; cosines first, sines second."""
    out = np.empty(blocks.shape, dtype=blocks.dtype)
    if blocks.dtype == np.float64:  # normal_fill_16<double>, with the C library's functions
        radius = np.sqrt(-2 * _libm(math.log, 1 - blocks[:, :8]))
        theta = 2.0 * math.pi * blocks[:, 8:]
        out[:, :8] = _fma(radius * _libm(math.cos, theta), std, mean)
        out[:, 8:] = _fma(radius * _libm(math.sin, theta), std, mean)
        return out
    # float32: PyTorch's vectorised fill computes in float32 with Sleef's log, sin and cos
    # (within 1 ulp) and one fused multiply-add; NumPy's float32 functions land within a few
    # ulps of it
    f32 = np.float32
    radius = np.sqrt(f32(-2) * np.log(f32(1) - blocks[:, :8]))
    theta = f32(2.0 * math.pi) * blocks[:, 8:]
    out[:, :8] = (radius * np.cos(theta)).astype(np.float64) * float(f32(std)) + float(f32(mean))
    out[:, 8:] = (radius * np.sin(theta)).astype(np.float64) * float(f32(std)) + float(f32(mean))
    return out


class RandomSource:
    """A stream of random native arrays for `backend`, from `seed`.

    Every method returns a native array of the backend; dtypes are the backend's native dtypes
    (``backend.to_native[...]``).  Parameters are Python numbers unless said otherwise.
    ``pluggrad.Generator`` replaces :attr:`engine` by the one :class:`CPUGenerator` it shares
    among its NumPy-fed backends.
    """

    #: the ``pluggrad.Generator`` whose stream this is (set by it)
    generator: Any = None

    def __init__(self, backend: Any, seed: int) -> None:
        self.backend = backend
        self.engine = CPUGenerator(seed)

    def _out(self, sample: np.ndarray, dtype: Any) -> Any:
        return self.backend.asarray(np.asarray(sample, dtype=self._numpy_dtype(dtype)))

    def _numpy_dtype(self, native: Any) -> np.dtype:
        return np.dtype(self.backend.from_native[native].name)

    def _numpy(self, array: Any) -> np.ndarray:
        return np.asarray(self.backend.to_numpy(array))

    def _per_element(self, shape: tuple, dtype: Any, fn: Any) -> Any:
        """``fn`` of one ``uniform_real_distribution<double>`` sample per element (PyTorch's
        serial kernels over ``at::*_distribution<double>``); ``fn(u, exact)``, `exact` when
        the result is float64 (see :func:`_libm`)."""
        u = self.engine.uniform01(math.prod(shape), np.dtype(np.float64))
        exact = self._numpy_dtype(dtype) == np.float64
        return self._out(fn(u, exact).reshape(shape), dtype)

    # -- draws ----------------------------------------------------------------------------------
    def uniform(self, shape: tuple, dtype: Any, low: float = 0.0, high: float = 1.0) -> Any:
        """Uniform on ``[low, high)``: ``x * (to - from) + from`` in the dtype (float32's
        arithmetic for the narrower floats)."""
        npdt = self._numpy_dtype(dtype)
        narrow = npdt.itemsize == 2  # float16, bfloat16: float32's draw and arithmetic
        x = self.engine.uniform01(math.prod(shape), np.dtype(np.float32) if narrow else npdt)
        span = high - low
        if x.dtype == np.float32:  # to - from in float32, then one fused multiply-add
            low, high = np.float32(npdt.type(low)), np.float32(npdt.type(high))
            x, low, span = x.astype(np.float64), float(low), float(high - low)
        values = _fma(x, span, low)
        if narrow:  # rounded to the narrow type, where a value rounds up to `high`, `low`
            values = values.astype(np.float32).astype(npdt)
            values[values == npdt.type(high)] = npdt.type(low)
        return self._out(values.reshape(shape), dtype)

    def standard_normal(self, n: int, dtype: np.dtype, mean: float, std: float) -> np.ndarray:
        """PyTorch's ``normal_kernel`` on `n` contiguous elements: ``normal_fill`` from 16
        elements on (all uniforms first; a last partial block of 16 recomputed from 16 fresh
        uniforms), ``normal_distribution<double>`` below."""
        engine = self.engine
        if n < 16:
            values = np.array([engine.normal_double() for _ in range(n)], dtype=np.float64)
            return _fma(values, std, mean).astype(dtype)
        wide = dtype == np.float64
        data = engine.uniform01(n, np.dtype(np.float64 if wide else np.float32))
        full = n - n % 16
        out = np.empty(n, dtype=data.dtype)
        out[:full] = _box_muller16(data[:full].reshape(-1, 16), mean, std).ravel()
        if full != n:
            tail = engine.uniform01(16, data.dtype).reshape(1, 16)
            out[n - 16 :] = _box_muller16(tail, mean, std).ravel()
        return out.astype(dtype, copy=False)

    def normal(self, shape: tuple, dtype: Any, mean: Any = 0.0, std: Any = 1.0) -> Any:
        """Normal with `mean` and `std` (numbers, or native arrays broadcasting to `shape`):
        PyTorch's ``normal_out_impl`` draws ``normal_(0, std)`` and adds a tensor mean, or
        draws ``normal_(0, 1)`` and multiplies by a tensor std before adding the mean."""
        npdt = self._numpy_dtype(dtype)
        n = math.prod(shape)
        if isinstance(mean, (int, float)) and isinstance(std, (int, float)):
            return self._out(self.standard_normal(n, npdt, mean, std).reshape(shape), dtype)
        if isinstance(std, (int, float)):
            z = self.standard_normal(n, npdt, 0.0, std).reshape(shape)
            return self._out(z + self._numpy(mean).astype(npdt), dtype)
        z = self.standard_normal(n, npdt, 0.0, 1.0).reshape(shape)
        z = z * self._numpy(std).astype(npdt)
        mean = mean if isinstance(mean, (int, float)) else self._numpy(mean).astype(npdt)
        return self._out(z + mean, dtype)

    def integers(self, low: int, high: int, shape: tuple, dtype: Any) -> Any:
        """Integers uniform on ``[low, high)``: ``random() % range + low``, with
        ``random64()`` for ranges of 2**32 or more into int64, float64, float32."""
        span, n = high - low, math.prod(shape)
        wide = np.dtype(self._numpy_dtype(dtype)).name in ("int64", "float64", "float32")
        words = self.engine.random64(n) if wide and span >= 2**32 else self.engine.random(n)
        if span < 2**63:
            values = (words % np.uint64(span)).astype(np.int64) + low
        else:  # beyond int64's offsets: Python integers
            values = np.array([w % span + low for w in words.tolist()], dtype=object)
        return self._out(values.reshape(shape), dtype)

    def exponential(self, shape: tuple, dtype: Any, rate: float = 1.0) -> Any:
        """Exponential with rate `rate`: ``-1 / rate * log1p(-u)``."""
        return self._per_element(
            shape, dtype, lambda u, ex: -1.0 / rate * _libm(math.log1p, -u, ex)
        )

    def cauchy(self, shape: tuple, dtype: Any, median: float = 0.0, sigma: float = 1.0) -> Any:
        """Cauchy with location `median` and scale `sigma`: ``median + sigma * tan(pi * (u -
        0.5))``."""
        return self._per_element(
            shape,
            dtype,
            lambda u, ex: _fma(sigma, _libm(math.tan, math.pi * (u - 0.5), ex), median),
        )

    def log_normal(self, shape: tuple, dtype: Any, mean: float = 1.0, std: float = 2.0) -> Any:
        """``exp`` of ``normal_distribution<double>`` samples with `mean` and `std`."""
        normals = [self.engine.normal_double() for _ in range(math.prod(shape))]
        values = _fma(np.array(normals, dtype=np.float64), std, mean)
        exact = self._numpy_dtype(dtype) == np.float64
        return self._out(_libm(math.exp, values, exact).reshape(shape), dtype)

    def geometric(self, shape: tuple, dtype: Any, p: float) -> Any:
        """The number of Bernoulli(`p`) trials up to the first success: ``ceil(log(u) /
        log1p(-p))``."""
        return self._per_element(
            shape, dtype, lambda u, ex: np.ceil(_libm(math.log, u, ex) / math.log1p(-p))
        )

    def _numpy_rng(self) -> np.random.Generator:
        """A NumPy generator seeded from one ``random64()`` draw (for what has no PyTorch
        formula here)."""
        return np.random.Generator(np.random.PCG64(int(self.engine.random64(1)[0])))

    def poisson(self, rates: Any, dtype: Any) -> Any:
        """Poisson counts with the rates of the native array `rates` (its shape)."""
        return self._out(self._numpy_rng().poisson(self._numpy(rates)), dtype)

    def binomial(self, count: Any, prob: Any, dtype: Any) -> Any:
        """Binomial successes of `count` trials of probability `prob` (native arrays that
        broadcast together)."""
        n, p = self._numpy(count), self._numpy(prob)
        draws = self._numpy_rng().binomial(n.astype(np.int64), np.clip(p, 0.0, 1.0))
        return self._out(draws, dtype)

    def permutation(self, n: int, dtype: Any) -> Any:
        """A random permutation of ``0 .. n-1``: PyTorch's ``randperm_cpu`` shuffle (swap
        element ``i`` with ``i + random() % (n - i)``)."""
        offsets = self.engine.random(max(n - 1, 0)) % np.arange(n, 1, -1, dtype=np.uint64)
        order = list(range(n))
        for i, z in enumerate((offsets + np.arange(len(offsets), dtype=np.uint64)).tolist()):
            order[i], order[z] = order[z], order[i]
        return self._out(np.array(order, dtype=np.int64), dtype)

    def bernoulli(self, probs: Any, shape: tuple, dtype: Any) -> Any:
        """1 with probability `probs` (a number, or a native array broadcasting to `shape`),
        else 0: ``u < p``, with a float64 `u` for a number or a float64 array, a float32 `u`
        for other arrays (``bernoulli_distribution<float>``)."""
        n = math.prod(shape)
        if isinstance(probs, (int, float)):
            u = self.engine.uniform01(n, np.dtype(np.float64))
        else:
            probs = np.broadcast_to(self._numpy(probs), shape).ravel()
            wide = probs.dtype == np.float64
            u = self.engine.uniform01(n, np.dtype(np.float64 if wide else np.float32))
            probs = probs if wide else probs.astype(np.float32)
        return self._out((u < probs).reshape(shape), dtype)

    def multinomial(self, weights: Any, num_samples: int, replacement: bool, dtype: Any) -> Any:
        """Category indices drawn from the rows of `weights` (a native 1-d or 2-d array of
        non-negative weights): PyTorch's CPU algorithm, the top ``weight / Exp(1)`` without
        replacement (or for one sample), a search of the cumulative weights with it."""
        w = self._numpy(weights)
        rows = w.reshape(-1, w.shape[-1])
        if not replacement or num_samples == 1:
            q = self._per_element(
                rows.shape, weights.dtype, lambda u, ex: -_libm(math.log1p, -u, ex)
            )
            keys = rows / self._numpy(q)
            out = np.argsort(-keys, axis=-1, kind="stable")[:, :num_samples]
        else:
            cum = np.cumsum(rows.astype(np.float64), axis=-1).astype(rows.dtype)
            cum = cum / cum[:, -1:]
            cum[:, -1] = 1
            out = np.empty((rows.shape[0], num_samples), dtype=np.int64)
            for i, row in enumerate(cum):
                u = self.engine.uniform01(num_samples, np.dtype(np.float64))
                out[i] = np.searchsorted(row, u, side="left")
        return self._out(out.reshape(w.shape[:-1] + (num_samples,)), dtype)

    # -- state ----------------------------------------------------------------------------------
    def get_state(self) -> Any:
        """The stream's state: PyTorch's 5056 state bytes (a uint8 NumPy array)."""
        return self.engine.get_state()

    def set_state(self, state: Any) -> None:
        """Continue from a state returned by :meth:`get_state`."""
        self.engine.set_state(state)
