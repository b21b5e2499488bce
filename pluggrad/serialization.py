"""``pluggrad.save`` and ``pluggrad.load``: checkpoints (state dicts, tensors, whole objects)
written with :mod:`pickle`, read back safely by default.

Tensors travel as NumPy arrays with the name of their backend (``Tensor.__reduce_ex__``), so a
file holds no library-specific objects.  As in PyTorch 2.6 and later, ``load`` defaults to
``weights_only=True``: only tensors, parameters, NumPy arrays, numbers, strings and the built-in
containers are rebuilt, never arbitrary classes (unpickling can otherwise run any code).  The
files are pluggrad's own: PyTorch's ``.pt`` zip archives are not read (load those with PyTorch
and pass their ``state_dict`` as NumPy arrays to ``load_state_dict``).
"""

from __future__ import annotations

import collections
import io
import os
import pickle
from typing import Any

from ._core.tensor import Tensor
from .nn.parameter import Buffer, Parameter

__all__ = ["save", "load"]

DEFAULT_PROTOCOL = 2

# what a weights-only load may rebuild: (module, name) of each global the pickle names
_SAFE_GLOBALS = {
    ("pluggrad._core.tensor", "_rebuild"),
    ("pluggrad", "Tensor"),
    ("pluggrad._core.tensor", "Tensor"),
    ("pluggrad.nn.parameter", "Parameter"),
    ("pluggrad.nn.parameter", "Buffer"),
    ("collections", "OrderedDict"),
    ("collections", "defaultdict"),
    ("builtins", "set"),
    ("builtins", "frozenset"),
    ("builtins", "slice"),
    ("builtins", "complex"),
    ("_codecs", "encode"),  # bytes in protocol 2
    ("numpy", "dtype"),
    ("numpy", "ndarray"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"),
    ("numpy._core.multiarray", "scalar"),
    ("numpy.dtypes", None),  # numpy's dtype classes (Float32DType...)
}

_WEIGHTS_ONLY_ERROR = (
    "Weights only load failed. This file can still be loaded, to do so you have two options, "
    "do those steps only if you trust the source of the checkpoint.\n\t(1) Re-running "
    "`pluggrad.load` with `weights_only` set to `False` will likely succeed, but it can result "
    "in arbitrary code execution. Do it only if you got the file from a trusted source.\n\t(2) "
    "Save only tensors, state dicts, numbers, strings and built-in containers.\n\t"
    "WeightsUnpickler error: Unsupported global: GLOBAL {module}.{name} was not an allowed "
    "global by default."
)


class _WeightsUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _SAFE_GLOBALS or (module, None) in _SAFE_GLOBALS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(_WEIGHTS_ONLY_ERROR.format(module=module, name=name))


def save(obj: Any, f: Any, pickle_module: Any = pickle, pickle_protocol: int = DEFAULT_PROTOCOL,
         _use_new_zipfile_serialization: bool = True) -> None:  # fmt: skip
    """Write `obj` (a tensor, a ``state_dict``, a model, any picklable object) to `f`, a path
    or a binary file object."""
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as file:
            pickle_module.dump(obj, file, protocol=pickle_protocol)
    else:
        pickle_module.dump(obj, f, protocol=pickle_protocol)


def load(f: Any, map_location: Any = None, pickle_module: Any = None, *,
         weights_only: bool | None = None, mmap: bool | None = None,
         **pickle_load_args: Any) -> Any:  # fmt: skip
    """Read what :func:`save` wrote to `f` (a path or a binary file object).

    Parameters
    ----------
    map_location : device, str or None
        Move every loaded tensor there (``"cpu"``, ``"cuda:0"``...).
    weights_only : bool, optional
        Rebuild only tensors, NumPy arrays, numbers, strings and built-in containers (the
        default, as in PyTorch); False unpickles anything, which can run arbitrary code.

    Raises
    ------
    pickle.UnpicklingError
        With ``weights_only``, for a file naming any other class or function.
    """
    if weights_only is None:
        weights_only = pickle_module is None
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as file:
            data = file.read()
    else:
        data = f.read()
    if weights_only:
        obj = _WeightsUnpickler(io.BytesIO(data), **pickle_load_args).load()
    else:
        obj = (pickle_module or pickle).loads(data, **pickle_load_args)
    return obj if map_location is None else _moved(obj, map_location)


def _moved(obj: Any, where: Any) -> Any:
    """`obj` with its tensors moved to `where` (Parameters stay Parameters)."""
    if isinstance(obj, (Parameter, Buffer)):
        obj.data = obj.data.to(where)
        return obj
    if isinstance(obj, Tensor):
        return obj.to(where)
    if isinstance(obj, collections.OrderedDict):
        return collections.OrderedDict((k, _moved(v, where)) for k, v in obj.items())
    if isinstance(obj, dict):
        return {k: _moved(v, where) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)) and not hasattr(obj, "_fields"):
        return type(obj)(_moved(v, where) for v in obj)
    return obj
