"""``torch.nn.functional``'s convolutions: ``conv1d``, ``conv2d``, ``conv_transpose1d``,
``conv_transpose2d``, with PyTorch's arguments, checks and error messages.

Each is one call of the differentiable N-d primitive :func:`pluggrad.ops.convolution.convolution`
(whose gradients are convolutions again, so derivatives of every order work on every backend),
with the bias added by broadcasting.  Unbatched inputs (no batch axis) are convolved as a batch
of one.
"""

from __future__ import annotations

from .. import ops as _ops
from .._core.tensor import Tensor
from ..ops._autocast import lower_precision
from ..ops.convolution import convolution

__all__ = [
    "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
]  # fmt: skip


def _expanded(name: str, value, dims: int, weight_dims: int) -> tuple[int, ...]:
    """An int as `dims` values, a sequence of one as `weight_dims`, with PyTorch's error when
    the count is not the weight's number of spatial axes."""
    values = [int(v) for v in value] if isinstance(value, (tuple, list)) else [int(value)] * dims
    if len(values) == 1:
        values = values * weight_dims
    if len(values) != weight_dims:
        raise RuntimeError(
            f"expected {name} to be a single integer value or a list of {weight_dims} values to "
            f"match the convolution dimensions, but got {name}={values}"
        )
    return tuple(values)


def _shape(t) -> list[int]:
    return list(t.shape)


def _batched(input, dims: int, function: str):  # noqa: A002 - PyTorch's names throughout
    """`input` with a batch axis, and whether it had one: PyTorch's check of its rank."""
    if input.ndim not in (dims + 1, dims + 2):
        raise RuntimeError(
            f"Expected {dims + 1}D (unbatched) or {dims + 2}D (batched) input to {function}, "
            f"but got input of size: {_shape(input)}"
        )
    return (input, True) if input.ndim == dims + 2 else (_ops.expand_dims(input, axis=0), False)


def _check_common(input, weight, bias, groups: int, transposed: bool, params) -> None:  # noqa: A002
    """PyTorch's ``check_shape_forward``: the parameters' signs, the channels, the bias."""
    stride, padding, dilation = params[:3]
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        if input.dtype.name == "float64":  # PyTorch's float64 path checks it first, in 2-d
            got = [1] * (2 - len(dilation)) + list(dilation)
            raise RuntimeError(f"dilation should be greater than zero, but got {got}")
        raise RuntimeError("non-positive dilation is not supported")
    w_shape, x_shape = _shape(weight), _shape(input)
    if w_shape[0] % groups:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
            f"but got weight of size [{w_shape}] instead"
        )
    expected = w_shape[0] if transposed else w_shape[1] * groups
    if x_shape[1] != expected:
        given = "transposed=1" if transposed else f"groups={groups}"
        raise RuntimeError(
            f"Given {given}, weight of size {w_shape}, expected input{x_shape} to have "
            f"{expected} channels, but got {x_shape[1]} channels instead"
        )
    out_channels = w_shape[1] * groups if transposed else w_shape[0]
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != out_channels):
        raise RuntimeError(
            f"Given {'transposed=1, ' if transposed else ''}weight of size {w_shape}, expected "
            f"bias to be 1-dimensional with {out_channels} elements, but got bias of size "
            f"{_shape(bias)} instead"
        )


def _check_dtypes(input, weight, bias) -> None:  # noqa: A002
    if input.dtype != weight.dtype:
        if input.dtype.itemsize > weight.dtype.itemsize:
            raise RuntimeError(
                f"expected scalar type {_scalar_name(input)} but found {_scalar_name(weight)}"
            )
        raise RuntimeError(
            f"Input type ({input.type()}) and weight type ({weight.type()}) should be the same "
            "or input should be a MKLDNN tensor and weight is a dense tensor"
        )
    if bias is not None and bias.dtype != input.dtype:
        raise RuntimeError(
            f"Input type ({input.dtype.cpp_name}) and bias type "
            f"({bias.dtype.cpp_name}) should be the same"
        )


# PyTorch's C++ names of the dtypes in its messages
def _scalar_name(t) -> str:
    """PyTorch's ScalarType name (``Float``, ``Double``...) of a tensor's dtype."""
    return t.type().split(".")[-1].replace("Tensor", "")


def _with_bias(out, bias, dims: int) -> Tensor:
    if bias is None:
        return out
    return out + _ops.reshape(bias, (-1,) + (1,) * dims)


def _conv(input, weight, bias, stride, padding, dilation, groups, dims: int, function: str):  # noqa: A002
    x, batched = _batched(input, dims, function)
    groups = int(groups)
    stride_t = _expanded("stride", stride, dims, weight.ndim - 2)
    dilation_t = _expanded("dilation", dilation, dims, weight.ndim - 2)
    kernel = _shape(weight)[2:]
    if isinstance(padding, str):
        if padding == "valid":
            pads = [(0, 0)] * dims
            padding_t = (0,) * dims
        elif padding == "same":
            if groups > 0 and any(s != 1 for s in stride_t):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            # the total d * (k - 1); an odd one puts its extra element at the end, as PyTorch
            totals = [d * (k - 1) for d, k in zip(dilation_t, kernel)]
            pads = [(t // 2, t - t // 2) for t in totals]
            padding_t = tuple(t // 2 for t in totals)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        padding_t = _expanded("padding", padding, dims, weight.ndim - 2)
        pads = [(p, p) for p in padding_t]
    _check_common(x, weight, bias, groups, False, (stride_t, padding_t, dilation_t))
    padded = [s + lo + hi for s, (lo, hi) in zip(_shape(x)[2:], pads)]
    extent = [d * (k - 1) + 1 for d, k in zip(dilation_t, kernel)]
    if any(p < e for p, e in zip(padded, extent)):
        raise RuntimeError(
            f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
            f"Kernel size: ({' x '.join(map(str, extent))}). "
            "Kernel size can't be greater than actual input size"
        )
    _check_dtypes(x, weight, bias)
    out = convolution(
        x,
        weight,
        stride=stride_t,
        padding=pads,
        lhs_dilation=(1,) * dims,
        rhs_dilation=dilation_t,
        groups=groups,
    )
    out = _with_bias(out, bias, dims)
    return out if batched else _ops.squeeze(out, axis=0)


@lower_precision
def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:  # noqa: A002
    """1-d cross-correlation of `input` ``(N, C_in, L)`` or ``(C_in, L)`` with `weight`
    ``(C_out, C_in / groups, k)``; `padding` an int, a 1-tuple, ``'valid'`` or ``'same'``."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d")


@lower_precision
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:  # noqa: A002
    """2-d cross-correlation of `input` ``(N, C_in, H, W)`` or ``(C_in, H, W)`` with `weight`
    ``(C_out, C_in / groups, kH, kW)``; `padding` an int, a pair, ``'valid'`` or ``'same'``
    (the odd element of an even total padding at the end, as PyTorch)."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


@lower_precision
def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:  # noqa: A002
    """3-d cross-correlation of `input` ``(N, C_in, D, H, W)`` or ``(C_in, D, H, W)`` with
    `weight` ``(C_out, C_in / groups, kD, kH, kW)``; `padding` an int, a triple, ``'valid'`` or
    ``'same'``."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 3, "conv3d")


def _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation,  # noqa: A002
                    dims: int, function: str):  # fmt: skip
    """The gradient of a convolution with respect to its input, as an operation: the input
    dilated by `stride`, convolved with the flipped filters (in and out channels swapped
    within each group)."""
    x, batched = _batched(input, dims, function)
    groups = int(groups)
    stride_t = _expanded("stride", stride, dims, weight.ndim - 2)
    padding_t = _expanded("padding", padding, dims, weight.ndim - 2)
    out_pad = _expanded("output_padding", output_padding, dims, weight.ndim - 2)
    dilation_t = _expanded("dilation", dilation, dims, weight.ndim - 2)
    _check_common(x, weight, bias, groups, True, (stride_t, padding_t, dilation_t))
    if any(p < 0 for p in out_pad):
        raise RuntimeError("negative output_padding is not supported")
    if any(p >= s and p >= d for p, s, d in zip(out_pad, stride_t, dilation_t)):
        names = ("depth", "height", "width")[3 - dims :]
        detail = " ".join(
            f"{what}_{axis}: {value}"
            for what, values in (("output_padding", out_pad), ("stride", stride_t),
                                 ("dilation", dilation_t))
            for axis, value in zip(names, values)
        )  # fmt: skip
        raise RuntimeError(
            f"output padding must be smaller than either stride or dilation, but got {detail}"
        )
    _check_dtypes(x, weight, bias)
    c_in, c_out_g, *kernel = _shape(weight)
    filters = _ops.reshape(weight, (groups, c_in // groups, c_out_g, *kernel))
    filters = _ops.permute_dims(filters, (0, 2, 1, *range(3, 3 + dims)))
    filters = _ops.reshape(filters, (groups * c_out_g, c_in // groups, *kernel))
    filters = _ops.flip(filters, axis=tuple(range(2, 2 + dims)))
    extents = [d * (k - 1) for d, k in zip(dilation_t, kernel)]
    pads = [(e - p, e - p + op) for e, p, op in zip(extents, padding_t, out_pad)]
    out = convolution(
        x,
        filters,
        stride=(1,) * dims,
        padding=pads,
        lhs_dilation=stride_t,
        rhs_dilation=dilation_t,
        groups=groups,
    )
    out = _with_bias(out, bias, dims)
    return out if batched else _ops.squeeze(out, axis=0)


@lower_precision
def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,  # noqa: A002
                     dilation=1) -> Tensor:  # fmt: skip
    """1-d transposed convolution of `input` ``(N, C_in, L)`` with `weight`
    ``(C_in, C_out / groups, k)``: the gradient of ``conv1d`` with respect to its input."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups,
                           dilation, 1, "conv_transpose1d")  # fmt: skip


@lower_precision
def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,  # noqa: A002
                     dilation=1) -> Tensor:  # fmt: skip
    """2-d transposed convolution of `input` ``(N, C_in, H, W)`` with `weight`
    ``(C_in, C_out / groups, kH, kW)``: the gradient of ``conv2d`` with respect to its input."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups,
                           dilation, 2, "conv_transpose2d")  # fmt: skip


@lower_precision
def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,  # noqa: A002
                     dilation=1) -> Tensor:  # fmt: skip
    """3-d transposed convolution of `input` ``(N, C_in, D, H, W)`` with `weight`
    ``(C_in, C_out / groups, kD, kH, kW)``: the gradient of ``conv3d`` with respect to its
    input."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups,
                           dilation, 3, "conv_transpose3d")  # fmt: skip
