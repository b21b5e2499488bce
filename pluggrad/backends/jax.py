"""The JAX backend: arrays are ``jax.Array``, so kernels run through XLA on CPU, GPU or TPU.

JAX disables float64 unless ``jax_enable_x64`` is set.  pluggrad's default float dtype is float32
(as in PyTorch), so enabling 64-bit types changes nothing for code that does not ask for float64,
while ``dtype=pluggrad.float64`` then really is float64.  Loading this backend therefore turns
``jax_enable_x64`` on, once, and says so in the docs; set ``PLUGGRAD_JAX_X64=0`` before the first
use to keep JAX's 32-bit mode (float64 requests then fail with a clear error).
"""

from __future__ import annotations

import os

import numpy as np

from .._dtypes import float64
from ._base import Backend, along_axis_key

try:
    import jax
    import jax.numpy as jnp
except ImportError as exc:  # pragma: no cover - exercised only without jax installed
    raise ImportError("the 'jax' backend needs JAX: pip install 'pluggrad[jax]'") from exc

if os.environ.get("PLUGGRAD_JAX_X64", "1") != "0":
    jax.config.update("jax_enable_x64", True)


class JaxBackend(Backend):
    """Arrays are immutable ``jax.Array`` objects; in-place updates replace them."""

    name = "jax"
    library = "jax"
    extra = "jax"
    mutable = False
    xp = jnp
    array_type = type(jnp.zeros(()))

    def native_dtype(self, dtype):
        return np.dtype(dtype.name)

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

    def put_along_axis_add(self, values, indices, axis, shape):
        key = along_axis_key(jnp, indices, axis)
        return jnp.zeros(shape, dtype=values.dtype).at[key].add(values)

    def device_of(self, array):
        devices = array.devices()
        return next(iter(devices)) if len(devices) == 1 else devices


backend = JaxBackend()
