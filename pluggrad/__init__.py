"""pluggrad: PyTorch's autograd, on the array library of your choice.

``import pluggrad as torch`` gives the tensor, autograd and grad-mode API of PyTorch, computed by
a swappable backend (NumPy by default, JAX, array-api-strict, or a plug-in).  See the README
and ``docs/`` for the tour.
"""

from __future__ import annotations

import builtins
import math

import numpy as _np

from . import (
    _dtypes,
    _tensor_methods,  # noqa: F401  (attaches operators and methods to Tensor)
    accelerator,
    amp,
    autograd,
    backends,
    cuda,
    distributions,
    fft,
    func,
    linalg,
    nn,
    ops,
    optim,
    random,
    special,
    testing,
    utils,
    version,
    viz,
)
from ._compile import compile  # noqa: A004
from ._core.tensor import Size, Tensor
from ._device import device
from ._dtypes import (
    DType,
    bfloat16,
    bool,  # noqa: A004
    complex64,
    complex128,
    float16,
    float32,
    float64,
    get_default_dtype,
    int8,
    int16,
    int32,
    int64,
    set_default_dtype,
    uint8,
    uint16,
    uint32,
    uint64,
)
from ._info import __array_namespace_info__
from ._lazy import compute, persist
from ._legacy import (
    BFloat16Tensor,
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    FloatTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
)
from ._runtime import *  # noqa: F403
from ._runtime import __all__ as _runtime_all
from ._tensor_str import set_printoptions
from ._torch_keywords import adapt_namespace as _adapt_namespace
from .amp import autocast, get_autocast_dtype, is_autocast_enabled
from .autograd import (
    enable_grad,
    inference_mode,
    is_anomaly_enabled,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .backends import available_backends, get_backend, set_backend, use_backend
from .nn._spectral import __all__ as _spectral_all
from .nn._spectral import istft as istft
from .nn._spectral import stft as stft
from .nn._torch_aliases import *  # noqa: F403
from .nn._torch_aliases import __all__ as _nn_aliases_all
from .ops import *  # noqa: F403
from .ops import __all__ as _ops_all
from .ops import _tensor_extras  # noqa: F401  (attaches mH, new, resize_... to Tensor)
from .ops._torch_utilities import *  # noqa: F403
from .ops._torch_utilities import __all__ as _utilities_all
from .ops._torch_windows import *  # noqa: F403
from .ops._torch_windows import __all__ as _windows_all
from .ops.creation import asarray as _asarray
from .ops.creation import from_numpy as _from_numpy
from .serialization import load, save
from .version import __version__

__array_api_version__ = "2025.12"

# constants of the array API standard
e = math.e
pi = math.pi
inf = math.inf
nan = math.nan
newaxis = None

# PyTorch's aliases for dtypes
float = float32  # noqa: A001
double = float64
half = float16
long = int64
int = int32  # noqa: A001
cfloat = complex64
cdouble = complex128


# the standard's elementwise ``equal``, or PyTorch's ``torch.equal`` where pluggrad stands for
# torch (pluggrad.as_torch); the operations and formulas keep the elementwise one
from .ops._composite_methods import equal as equal  # noqa: E402

# PyTorch's keyword names (``torch.add(input=a, other=b)``) and ``out=``
_adapt_namespace(globals(), "torch")


def is_tensor(obj) -> builtins.bool:  # (bool here is the dtype)
    """True if `obj` is a pluggrad Tensor."""
    return isinstance(obj, Tensor)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """`data` as a tensor, sharing memory where it can, as ``torch.as_tensor``: a tensor of
    that dtype and device is returned as it is (graph and all), a NumPy array of that dtype is
    shared on the NumPy backend, anything else is converted (copied)."""
    if (
        isinstance(data, _np.ndarray)
        and get_backend().name == "numpy"
        and device in (None, "cpu")
        and (dtype is None or _dtypes.to_dtype(dtype).name == data.dtype.name)
    ):
        return _from_numpy(data)
    return _asarray(data, dtype=dtype, device=device)


__all__ = [
    "Tensor", "Size", "DType", "device", "autograd", "backends", "ops", "linalg", "fft", "viz",
    "nn", "optim", "distributions", "random", "version", "__version__",
    "utils", "func", "cuda", "accelerator", "amp", "autocast", "is_autocast_enabled",
    "get_autocast_dtype", "testing", "special", "FloatTensor", "DoubleTensor",
    "LongTensor", "IntTensor",
    "ShortTensor", "CharTensor", "ByteTensor", "BoolTensor", "HalfTensor", "BFloat16Tensor",
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float16", "bfloat16", "float32", "float64", "complex64", "complex128",
    "float", "double", "half", "long", "int", "cfloat", "cdouble",
    "get_default_dtype", "set_default_dtype",
    "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
    "inference_mode", "is_inference_mode_enabled", "is_anomaly_enabled",
    "available_backends", "get_backend", "set_backend", "use_backend",
    "is_tensor", "as_tensor", "set_printoptions", *_runtime_all,
    "compile", "compute", "persist", "save", "load", "__array_namespace_info__",
    "__array_api_version__",
    "e", "pi", "inf", "nan", "newaxis", *_ops_all, *_nn_aliases_all, *_utilities_all,
    *_windows_all, *_spectral_all,
]  # fmt: skip
