"""In-place operations (``x.add_(y)``, ``x += y``, ``x.zero_()``, ``x.copy_(y)``...), as in
PyTorch.

An in-place operation computes its result out of place, through the ordinary differentiable
primitive, and then makes the tensor *become* that result:

* its version counter goes up, so a backward that needs the old value raises PyTorch's
  "modified by an inplace operation" error instead of using the new one;
* its ``grad_fn`` becomes the result's (the tensor stays a leaf when nothing was recorded, as
  in ``with no_grad(): w -= lr * w.grad``);
* its data is written into the tensor's own array when the backend's arrays are mutable and
  the array owns its memory, so tensors sharing it (``detach()``, ``.data``) see the change, as
  in PyTorch; on JAX, and for arrays that are views of others, the tensor's array is replaced
  instead.  (pluggrad does not track views: writing into a slice of a tensor does not write
  through to the tensor it was sliced from.)

In-place on a leaf that requires grad, with grad mode on, raises PyTorch's error.
"""

from __future__ import annotations

from .. import _dtypes
from .._tensor import Tensor
from ..autograd.grad_mode import grad_enabled
from ._primitive import Primitive, apply

__all__: list[str] = []

LEAF_ERROR = "a leaf Variable that requires grad is being used in an in-place operation."


def check_inplace_allowed(x: Tensor) -> None:
    """Raise PyTorch's error for an in-place change of a leaf that requires grad."""
    if x._requires_grad and x._grad_fn is None and grad_enabled():
        raise RuntimeError(LEAF_ERROR)


def _type_name(dtype: _dtypes.DType) -> str:
    """PyTorch's short name of a dtype in error messages (Float, Long, ...)."""
    return {
        "float32": "Float", "float64": "Double", "int64": "Long", "int32": "Int",
        "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
        "complex64": "ComplexFloat", "complex128": "ComplexDouble",
    }.get(dtype.name, dtype.name)  # fmt: skip


def commit(x: Tensor, result: Tensor) -> Tensor:
    """Make `x` hold `result` (computed out of place) as an in-place operation does."""
    if tuple(result.shape) != tuple(x.shape):
        raise RuntimeError(
            f"output with shape {list(x.shape)} doesn't match the broadcast shape "
            f"{list(result.shape)}"
        )
    if result.dtype is not x.dtype:
        if (
            result.dtype.kind in "fc"
            and x.dtype.kind in "biu"
            or (result.dtype.kind == "c" and x.dtype.kind == "f")
        ):
            raise RuntimeError(
                f"result type {_type_name(result.dtype)} can't be cast to the desired output "
                f"type {_type_name(x.dtype)}"
            )
        from .manipulation import astype

        result = astype(result, x.dtype)
    x._vc[0] += 1
    x._data = x._backend.write_into(x._data, result._data)
    if result._grad_fn is not None:
        x._grad_fn = result._grad_fn
        x._output_nr = result._output_nr
        x._requires_grad = True
    return x


def _inplace_method(function, name: str):
    def method(self, *args, **kwargs):
        check_inplace_allowed(self)
        return commit(self, function(self, *args, **kwargs))

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"In-place version of :meth:`{name[:-1]}`; returns the tensor."
    return method


# ---- fill, zero, copy ----------------------------------------------------------------------------
_FILL = Primitive(
    "fill",
    ("x",),
    forward=lambda backend, x, value: backend.xp.full(x.shape, value, dtype=x.dtype),
)
_COPY_FROM = Primitive(
    "copy_from",
    ("x", "src"),
    elementwise=True,
    forward=lambda backend, x, src: backend.xp.broadcast_to(
        backend.xp.astype(src, x.dtype), x.shape
    ),
)


def _fill_(self, value) -> Tensor:
    """Fill the tensor with `value` in place (``FillBackward``: no gradient to the old value)."""
    check_inplace_allowed(self)
    if isinstance(value, Tensor):
        value = value.item()
    return commit(self, apply(_FILL, (self,), {"value": value}))


def _zero_(self) -> Tensor:
    """Set every element to zero in place."""
    check_inplace_allowed(self)
    return commit(self, apply(_FILL, (self,), {"value": 0}))


def _copy_(self, src, non_blocking: bool = False) -> Tensor:
    """Copy `src` (broadcast and cast to this tensor's shape and dtype) into the tensor."""
    from ._args import as_tensor_arg

    check_inplace_allowed(self)
    src = as_tensor_arg(src, like=self)
    return commit(self, apply(_COPY_FROM, (self, src)))


# ---- the method table --------------------------------------------------------------------------
# In-place versions of these Tensor methods are generated: ``x.add_(y)`` is ``x.add(y)`` done in
# place.  Functions missing from the namespace are skipped.
_INPLACE_OF = (
    "add", "sub", "mul", "div", "pow", "neg", "exp", "log", "sqrt", "sin", "cos", "tan", "tanh",
    "sinh", "cosh", "asin", "acos", "atan", "abs", "sign", "floor", "ceil", "round", "trunc",
    "reciprocal", "square", "sigmoid", "relu", "clamp", "clip", "clamp_min", "clamp_max",
    "log1p", "expm1", "log2", "log10", "exp2", "rsqrt", "remainder", "fmod", "atan2", "hypot",
    "copysign", "logaddexp", "maximum", "minimum", "masked_fill", "true_divide", "floor_divide",
    "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "logical_and", "logical_or",
    "logical_xor", "logical_not", "where", "lerp", "addcmul", "addcdiv",
)  # fmt: skip

# Python's augmented assignments, and the operator each one performs
_AUGMENTED = {
    "__iadd__": "__add__", "__isub__": "__sub__", "__imul__": "__mul__",
    "__itruediv__": "__truediv__", "__ipow__": "__pow__", "__imatmul__": "__matmul__",
    "__ifloordiv__": "__floordiv__", "__imod__": "__mod__", "__iand__": "__and__",
    "__ior__": "__or__", "__ixor__": "__xor__", "__ilshift__": "__lshift__",
    "__irshift__": "__rshift__",
}  # fmt: skip


def inplace_methods(methods: dict) -> dict:
    """The in-place methods for a table of (out-of-place) Tensor methods."""
    table = {
        name + "_": _inplace_method(methods[name], name + "_")
        for name in _INPLACE_OF
        if name in methods
    }
    table.update(
        {
            inplace: _inplace_method(methods[op], inplace)
            for inplace, op in _AUGMENTED.items()
            if op in methods
        }
    )
    table.update({"fill_": _fill_, "zero_": _zero_, "copy_": _copy_})
    return table
