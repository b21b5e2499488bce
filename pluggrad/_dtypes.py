"""Data types: backend-independent objects such as ``pluggrad.float32``.

A tensor's data lives in some backend's array type, but its ``dtype`` is always one of the
:class:`DType` objects defined here, so that ``x.dtype == pluggrad.float32`` holds on every
backend.  Each backend maps these objects to and from its native dtypes.
"""

from __future__ import annotations

__all__ = [
    "DType",
    "bool",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "float16",
    "bfloat16",
    "float32",
    "float64",
    "complex64",
    "complex128",
    "ALL_DTYPES",
    "get_default_dtype",
    "narrow_float",
    "in_float32",
    "set_default_dtype",
]

import builtins
from collections.abc import Callable
from typing import Any

# the package's name where dtypes, sizes and storages print themselves: "torch" while
# pluggrad.as_torch answers a script's ``import torch`` (the names its author reads in
# PyTorch's output), else "pluggrad"
_shown_as = ["pluggrad"]


def shown_as() -> str:
    """The package name that printed dtypes, sizes and storages begin with."""
    return _shown_as[0]


def show_as(name: str) -> None:
    """Print dtypes, sizes and storages as ``<name>.float32``, ``<name>.Size([2])``..."""
    _shown_as[0] = name


# whether the namespace stands for PyTorch (set by pluggrad.as_torch with the display name)
_acting_as_torch = [False]


def act_as_torch(on: builtins.bool) -> None:
    """Give the names that the array API standard and PyTorch define differently PyTorch's
    meaning (`on`) or the standard's (see :func:`acts_as_torch`)."""
    _acting_as_torch[0] = on


def acts_as_torch() -> builtins.bool:
    """Whether the namespace stands for PyTorch (pluggrad.as_torch answers ``import torch``):
    where the array API standard and PyTorch give one function name two meanings (``sort``,
    ``std``, ``nonzero``, ``meshgrid``, ``equal``, sums of unsigned integers), PyTorch's
    wins."""
    return _acting_as_torch[0]


class DType:
    """A data type, identified by its array-API name (``"float32"``, ``"int64"``, ...).

    Attributes
    ----------
    name : str
        The array API name of the dtype.
    kind : str
        ``"b"`` (bool), ``"i"`` (signed integer), ``"u"`` (unsigned integer), ``"f"`` (real
        floating) or ``"c"`` (complex floating).
    itemsize : int
        Size of one element in bytes.
    torch_name : str
        PyTorch's name of the dtype in its messages and legacy tensor types: ``"Float"`` for
        float32 (``torch.FloatTensor``), ``"Long"`` for int64, ``"ComplexDouble"``...
    cpp_name : str
        The C++ element type PyTorch's other messages name (``caffe2::TypeMeta``): ``"float"``,
        ``"long int"``, ``"c10::Half"``...
    """

    __slots__ = ("name", "kind", "itemsize", "torch_name", "cpp_name")

    def __init__(self, name: str, kind: str, itemsize: int, torch_name: str, cpp_name: str):
        self.name = name
        self.kind = kind
        self.itemsize = itemsize
        self.torch_name = torch_name
        self.cpp_name = cpp_name

    @property
    def is_floating_point(self) -> builtins.bool:
        """True for real floating-point dtypes (torch's meaning)."""
        return self.kind == "f"

    @property
    def is_complex(self) -> builtins.bool:
        """True for complex dtypes."""
        return self.kind == "c"

    @property
    def is_signed(self) -> builtins.bool:
        """True for dtypes that can hold negative values."""
        return self.kind in "ifc"

    @property
    def is_differentiable(self) -> builtins.bool:
        """True for the dtypes whose tensors may require gradients (floating and complex)."""
        return self.kind in "fc"

    def __repr__(self) -> str:
        return f"{_shown_as[0]}.{self.name}"

    def __reduce__(self):
        return self.name


bool = DType("bool", "b", 1, "Bool", "bool")  # noqa: A001 - the array API name
int8 = DType("int8", "i", 1, "Char", "signed char")
int16 = DType("int16", "i", 2, "Short", "short int")
int32 = DType("int32", "i", 4, "Int", "int")
int64 = DType("int64", "i", 8, "Long", "long int")
uint8 = DType("uint8", "u", 1, "Byte", "unsigned char")
uint16 = DType("uint16", "u", 2, "UInt16", "short unsigned int")
uint32 = DType("uint32", "u", 4, "UInt32", "unsigned int")
uint64 = DType("uint64", "u", 8, "UInt64", "long unsigned int")
# PyTorch's 16-bit floats, outside the array API standard: backends without them (the standard's
# strict library) leave them out of ``backend.to_native`` and refuse them by name
float16 = DType("float16", "f", 2, "Half", "c10::Half")
bfloat16 = DType("bfloat16", "f", 2, "BFloat16", "c10::BFloat16")
float32 = DType("float32", "f", 4, "Float", "float")
float64 = DType("float64", "f", 8, "Double", "double")
complex64 = DType("complex64", "c", 8, "ComplexFloat", "c10::complex<float>")
complex128 = DType("complex128", "c", 16, "ComplexDouble", "c10::complex<double>")

ALL_DTYPES: tuple[DType, ...] = (
    bool, int8, int16, int32, int64, uint8, uint16, uint32, uint64,
    float16, bfloat16, float32, float64, complex64, complex128,
)  # fmt: skip
#: the dtypes the array API standard defines (what ``__array_namespace_info__().dtypes()`` lists)
STANDARD_DTYPES: tuple[DType, ...] = tuple(d for d in ALL_DTYPES if d.itemsize > 2 or d.kind != "f")
BY_NAME: dict[str, DType] = {d.name: d for d in ALL_DTYPES}

_default_float: list[DType] = [float32]


def narrow_float(dtype) -> builtins.bool:
    """Whether `dtype` (pluggrad's or a backend's) is float16 or bfloat16, which PyTorch's CPU
    kernels compute in float32 and round once (NumPy's kind of ml_dtypes' bfloat16 is "V");
    no ``str(dtype)``, which costs microseconds on every call."""
    return getattr(dtype, "itemsize", 0) == 2 and getattr(dtype, "kind", "") in ("f", "V")


def in_float32(ns: Any, compute: Callable, *arrays: Any) -> Any:
    """``compute(*arrays)``, where the first array is a 16-bit float, computed as PyTorch's CPU
    kernels compute it: the arrays widened to float32 and the result rounded once to the first
    one's dtype.  `ns` is a backend's array namespace or pluggrad's differentiable one (which
    has no ``float32`` of its own: pluggrad's is taken)."""
    dtype = arrays[0].dtype
    if not narrow_float(dtype):
        return compute(*arrays)
    wide = getattr(ns, "float32", float32)
    return ns.astype(compute(*(ns.astype(a, wide) for a in arrays)), dtype)


def get_default_dtype() -> DType:
    """Return the dtype that Python floats become (``pluggrad.float32`` unless changed)."""
    return _default_float[0]


def set_default_dtype(dtype: DType) -> None:
    """Set the dtype that Python floats become: ``pluggrad.float32`` or ``pluggrad.float64``.

    Raises
    ------
    TypeError
        If `dtype` is not a real floating-point dtype (torch's rule).
    """
    if not isinstance(dtype, DType) or not dtype.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _default_float[0] = dtype


def default_complex_dtype() -> DType:
    """The complex dtype that pairs with the default float dtype."""
    return complex128 if _default_float[0] is float64 else complex64


def to_dtype(obj) -> DType:
    """Turn a :class:`DType`, its name, or a NumPy-style dtype into a :class:`DType`."""
    if isinstance(obj, DType):
        return obj
    name = obj if isinstance(obj, str) else getattr(obj, "name", None) or str(obj)
    try:
        return BY_NAME[name]
    except KeyError:
        raise TypeError(f"unknown dtype {obj!r}; expected one of {sorted(BY_NAME)}") from None
