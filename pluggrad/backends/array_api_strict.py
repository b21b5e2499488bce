"""The ``array_api_strict`` backend: the standard and nothing else.

It exists to prove that pluggrad's engine and ops use only what the array API standard
specifies: any call outside the standard fails loudly here.  Kernels that the standard lacks
(scatter-add with repeated indices) go through NumPy, as the base class does.
"""

from __future__ import annotations

import numpy as np

from ._base import Backend, _key_to_numpy

try:
    import array_api_strict as xp
except ImportError as exc:  # pragma: no cover - exercised only without the library
    raise ImportError(
        "the 'array_api_strict' backend needs array-api-strict: pip install 'pluggrad[strict]'"
    ) from exc


class ArrayApiStrictBackend(Backend):
    """Arrays are ``array_api_strict.Array``; only standard functions exist."""

    name = "array_api_strict"
    library = "array_api_strict"
    mutable = True
    xp = xp
    array_type = type(xp.asarray(0))

    def asarray(self, obj, dtype=None):
        native = None if dtype is None else self.to_native[dtype]
        if isinstance(obj, (np.ndarray, np.generic)):
            # array_api_strict accepts NumPy arrays only through the buffer protocol
            obj = np.asarray(obj, order="C")
            if native is None:
                native = getattr(xp, obj.dtype.name)
        return xp.asarray(obj, dtype=native)

    def to_numpy(self, array):
        return np.from_dlpack(array)

    def getitem(self, array, key):
        try:
            return array[key]
        except IndexError:
            # The standard allows integer-array indices only next to integers; PyTorch allows
            # them next to slices and ellipses too.  Index a NumPy view instead.
            return self.asarray(self.to_numpy(array)[_key_to_numpy(self, key)])


backend = ArrayApiStrictBackend()
