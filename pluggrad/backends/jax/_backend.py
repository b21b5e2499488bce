"""The JAX backend's :class:`JaxBackend`: ``jax.numpy`` kernels, with the standard's
signed-zero special cases where ``jax.numpy`` differs, and the hooks that compile (derivative
formulas through :class:`FormulaRunner`, functions of Tensors through :meth:`JaxBackend.compile`).
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import jax.scipy.special
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from ..._device import device
from ..._dtypes import float64
from .._base import Backend, along_axis_key
from ._compile import JitCompiled
from ._formula_runner import FormulaRunner
from ._random import JaxRandomSource
from ._sharding import OPTIONS as SHARDING_OPTIONS

# the package's docstring says why 64-bit types are on
if os.environ.get("PLUGGRAD_JAX_X64", "1") != "0":
    jax.config.update("jax_enable_x64", True)


# Forward kernels called through ``jax.jit``.  ``jnp.multiply(x, 0.9)`` runs jax.numpy's type
# promotion in Python on every call; the jitted function takes JAX's C++ dispatch path instead,
# which costs less per call where small-op overhead dominates eager steps (on CPU).  Results,
# weak-typed scalars included, are the same; unary functions are jitted by jax.numpy already.
_JITTED_KERNELS = ("add", "subtract", "multiply", "divide")


class JaxBackend(Backend):
    """Arrays are immutable ``jax.Array`` objects; in-place updates replace them."""

    name = "jax"
    library = "jax"
    mutable = False
    xp = jnp
    array_type = type(jnp.zeros(()))

    def __init__(self) -> None:
        super().__init__()
        self._jitted = {name: jax.jit(getattr(jnp, name)) for name in _JITTED_KERNELS}
        self.kernels.update(self._jitted)
        self._tracing_depth = 0
        self.run_formula = FormulaRunner(self.formula_ns)

    @contextlib.contextmanager
    def tracing(self):
        """Use ``jax.numpy``'s own functions as kernels inside the block, a JAX trace (by
        ``pluggrad.compile``): there a jitted kernel would only nest one call per operation in
        the traced program, which XLA on CPU fuses less well."""
        self._tracing_depth += 1
        self.kernels.update({name: getattr(jnp, name) for name in self._jitted})
        runner, self.run_formula = self.run_formula, None
        try:
            yield
        finally:
            self._tracing_depth -= 1
            if self._tracing_depth == 0:
                self.kernels.update(self._jitted)
                self.run_formula = runner

    def has_values(self, array: Any) -> bool:
        return not isinstance(array, jax.core.Tracer)

    def random_source(self, seed: int) -> JaxRandomSource:
        """``jax.random`` streams: one key per stream, split once per draw."""
        return JaxRandomSource(self, seed)

    def compile(self, fn: Callable, **options: Any) -> Callable:
        """`fn` traced by ``jax.jit``, autograd included, per argument signature (the JAX path
        of :func:`pluggrad.compile`; see :mod:`pluggrad.backends.jax._compile`).

        The result has `fn`'s signature, counts its traces in ``.traces`` and shows its
        program with ``.lower(*args, **kwargs)``.  Options (see
        :mod:`pluggrad.backends.jax._sharding`): ``in_shardings`` (a ``jax.sharding.Sharding``
        or a prefix of the positional arguments' structure with shardings or None, as
        ``jax.jit`` takes it), ``out_shardings`` (likewise, of the result) and ``donate``
        (True: the buffers of the tensors the call replaces, an optimizer's parameters and
        state, are donated to the program, as ``jax.jit``'s ``donate_argnums``).
        """
        unknown = sorted(set(options) - set(SHARDING_OPTIONS))
        if unknown:
            raise TypeError(
                f"compile() got an unexpected keyword argument '{unknown[0]}' (the jax "
                f"backend's options: {', '.join(SHARDING_OPTIONS)})"
            )
        return JitCompiled(fn, self, **options)

    def native_dtype(self, dtype):
        return jnp.dtype(dtype.name)  # bfloat16 too (ml_dtypes' type, which JAX registers)

    def asarray(self, obj, dtype=None):
        if dtype is float64 and not jax.config.jax_enable_x64:
            raise TypeError(
                "float64 needs JAX's 64-bit mode; unset PLUGGRAD_JAX_X64=0 to let pluggrad "
                "enable it"
            )
        return jnp.asarray(obj, dtype=None if dtype is None else self.to_native[dtype])

    def to_numpy(self, array):
        return np.asarray(array)

    def scatter_add(self, values, key, shape):
        return jnp.zeros(shape, dtype=values.dtype).at[key].add(values)

    def special(self, name, *arrays):
        kernel = getattr(jax.scipy.special, name, None)
        if kernel is None:  # not in jax.scipy.special (erfcx, the Bessel functions y0, k0...)
            return super().special(name, *arrays)
        return kernel(*arrays)

    def eig(self, array):
        values, vectors = jnp.linalg.eig(array)  # complex already, as PyTorch's
        return values, vectors

    def convolution(self, x, w, *, stride, padding, lhs_dilation, rhs_dilation, groups):
        if len(lhs_dilation) >= 3 and any(d != 1 for d in lhs_dilation):
            # XLA's CPU algebraic simplifier aborts the process on some 3-d convolutions with a
            # base dilation (jaxlib 0.10.2: "Window dimensions do not match RHS shape", e.g.
            # conv_transpose3d with stride 2 and padding 1): the zeros are inserted explicitly
            # instead, the same values
            interior = [(0, 0, 0), (0, 0, 0)] + [(0, 0, d - 1) for d in lhs_dilation]
            x = jax.lax.pad(x, jnp.zeros((), x.dtype), interior)
            lhs_dilation = (1,) * len(lhs_dilation)
        return jax.lax.conv_general_dilated(
            x,
            w,
            window_strides=stride,
            padding=padding,
            lhs_dilation=lhs_dilation,
            rhs_dilation=rhs_dilation,
            feature_group_count=groups,
            precision=jax.lax.Precision.HIGHEST,
        )

    def put(self, array, positions, values):
        flat = jnp.reshape(array, (-1,)).at[jnp.asarray(positions.reshape(-1))]
        return jnp.reshape(flat.set(jnp.reshape(values, (-1,))), array.shape)

    def put_along_axis_add(self, values, indices, axis, shape):
        key = along_axis_key(jnp, indices, axis)
        return jnp.zeros(shape, dtype=values.dtype).at[key].add(values)

    # -- the standard's signed-zero special cases, where jax.numpy differs ---------------------

    @staticmethod
    def kernel_remainder(x1, x2):
        """``jnp.remainder`` with a zero result signed as `x2` (``remainder(-0.0, 1.0)`` is
        ``+0.0``, ``remainder(1.0, -1.0)`` is ``-0.0``), as the standard and NumPy have it."""
        r = jnp.remainder(x1, x2)
        if not jnp.issubdtype(r.dtype, jnp.floating):
            return r
        return jnp.where(r == 0, jnp.copysign(jnp.zeros_like(r), x2), r)

    @staticmethod
    def kernel_floor_divide(x1, x2):
        """``jnp.floor_divide`` with a zero result signed by the signs of the operands
        (``floor_divide(-1.0, -inf)`` is ``+0.0``, ``floor_divide(-0.0, 1.0)`` is ``-0.0``)."""
        q = jnp.floor_divide(x1, x2)
        if not jnp.issubdtype(q.dtype, jnp.floating):
            return q
        negative = jnp.logical_xor(jnp.signbit(x1), jnp.signbit(x2))
        zero = jnp.where(negative, -jnp.zeros_like(q), jnp.zeros_like(q))
        return jnp.where(q == 0, zero, q)

    @staticmethod
    def kernel_sign(x):
        """``jnp.sign`` with ``sign(-0.0) == +0.0`` for real floats (NumPy, PyTorch)."""
        s = jnp.sign(x)
        if not jnp.issubdtype(s.dtype, jnp.floating):
            return s
        return jnp.where(s == 0, jnp.zeros_like(s), s)

    # -- devices: JAX's, under PyTorch's names (a GPU is cuda, as PyTorch names ROCm GPUs too) --
    _TYPE_OF_PLATFORM = {"cpu": "cpu", "gpu": "cuda", "cuda": "cuda", "rocm": "cuda", "tpu": "tpu"}

    @functools.cached_property
    def _natives(self) -> list:
        natives = list(jax.devices())
        if natives[0].platform != "cpu":  # the host too: x.cpu() moves there
            natives += jax.devices("cpu")
        return natives

    @functools.cached_property
    def multi_device(self) -> bool:  # type: ignore[override]
        # asked by every operation: worked out once
        return len(self._natives) > 1

    def devices(self):
        return [self.torch_device(d) for d in self._natives]

    def torch_device(self, native):
        if isinstance(native, (set, frozenset)):  # a sharded array: its first device
            native = min(native, key=lambda d: d.id)
        kind = self._TYPE_OF_PLATFORM.get(native.platform, native.platform)
        index = [d for d in self._natives if d.platform == native.platform].index(native)
        return device(kind) if kind == "cpu" and index == 0 else device(kind, index)

    def native_device(self, wanted):
        same_type = [
            d for d in self._natives if self._TYPE_OF_PLATFORM.get(d.platform) == wanted.type
        ]
        index = wanted.index or 0
        if index >= len(same_type):
            raise self.no_device_error(wanted)
        return same_type[index]

    def move(self, array, native):
        return jax.device_put(array, native)

    def layout_like(self, array, same_shape: bool):
        """Where a tensor made from `array`, laid out over several devices, goes (see
        ``pluggrad.ops._leaf.device_like``): `array`'s sharding if it has `array`'s shape,
        else a replica on each of the same devices."""
        sharding = array.sharding
        if same_shape:
            return sharding
        if isinstance(sharding, NamedSharding):
            return NamedSharding(sharding.mesh, PartitionSpec())
        devices = np.array(sorted(sharding.device_set, key=lambda d: d.id))
        return NamedSharding(Mesh(devices, ("devices",)), PartitionSpec())

    def device_of(self, array):
        if isinstance(array, jax.core.Tracer):  # abstract, inside pluggrad.compile: the
            return jax.devices()[0]  # program runs where its inputs are (the default device)
        devices = array.devices()
        return next(iter(devices)) if len(devices) == 1 else devices
