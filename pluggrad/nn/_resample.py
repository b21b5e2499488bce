"""Channel dropout, pixel shuffles, ``interpolate`` and ``scaled_dot_product_attention`` of
:mod:`pluggrad.nn.functional`, as PyTorch defines them, made of pluggrad's differentiable
operations (gathers with constant indices and weights, so every derivative order works)."""

from __future__ import annotations

import math
import warnings

from .. import _dtypes
from .. import ops as _ops
from .._core.grad_mode import no_grad
from .._core.tensor import Tensor
from ..ops._autocast import lower_precision
from ..ops.inplace import in_place

__all__ = [
    "dropout1d", "dropout2d", "alpha_dropout", "pixel_shuffle", "pixel_unshuffle",
    "interpolate", "scaled_dot_product_attention",
]  # fmt: skip


def dropped_out(x, p: float) -> Tensor:
    """``F.dropout(x, p)`` in training, PyTorch's CPU draws in PyTorch's order: ``x`` times
    noise ``bernoulli_(1 - p) / (1 - p)`` (drawn outside the graph), ``x * 0`` for ``p == 1``."""
    if p == 1.0:
        return x * 0.0
    with no_grad():
        noise = _ops.empty_like(x).bernoulli_(1.0 - p).div_(1.0 - p)
    return x * noise


def _check_p(p: float) -> None:
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _feature_dropout(x, p: float) -> Tensor:
    if p == 1.0:
        return x * 0.0
    shape = tuple(x.shape[:2]) + (1,) * (x.ndim - 2)
    with no_grad():  # PyTorch's feature noise: bernoulli_(1 - p), divided by 1 - p
        noise = _ops.empty(shape, dtype=x.dtype, device=x.device).bernoulli_(1.0 - p)
        noise = noise.div_(1.0 - p)
    return x * noise


def _channel_dropout(input, p: float, training: bool, inplace: bool, batched: bool) -> Tensor:  # noqa: A002
    if not training or p == 0.0:
        return input
    if batched:
        return in_place(input, _feature_dropout, p) if inplace else _feature_dropout(input, p)

    def unbatched(x, p):
        return _ops.squeeze(_feature_dropout(_ops.unsqueeze(x, 0), p), 0)

    return in_place(input, unbatched, p) if inplace else unbatched(input, p)


def dropout1d(input, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:  # noqa: A002
    """Zero whole channels (axis 1 of ``(N, C, L)``, axis 0 of ``(C, L)``) with probability
    `p`, scaling the others by ``1 / (1 - p)``, when `training`."""
    _check_p(p)
    if input.ndim not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D input. Note that "
            "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial "
            "dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D "
            "inputs)."
        )
    return _channel_dropout(input, p, training, inplace, batched=input.ndim == 3)


def dropout2d(input, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:  # noqa: A002
    """Zero whole channels (axis 1) with probability `p`, scaling the others by
    ``1 / (1 - p)``, when `training`; a 3-D input is taken as ``(N, C, L)``, as PyTorch."""
    _check_p(p)
    if input.ndim not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {input.ndim}-D input to dropout2d, which is deprecated "
            "and will result in an error in a future release. To retain the behavior "
            "and silence this warning, please use dropout instead. Note that dropout2d "
            "exists to provide channel-wise dropout on inputs with 2 spatial dimensions, "
            "a channel dimension, and an optional batch dimension (i.e. 3D or 4D inputs).",
            stacklevel=2,
        )
    if input.ndim < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    if input.ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise "
            "1D dropout behavior is desired - input is interpreted as shape (N, C, L), where C "
            "is the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2,
        )
    return _channel_dropout(input, p, training, inplace, batched=True)


_SELU_ALPHA_PRIME = 1.7580993408473766


def _alpha_dropout(x, p: float) -> Tensor:
    if p == 1.0:
        return x * 0.0
    with no_grad():  # PyTorch's noise: bernoulli_(1 - p) with a float p
        keep = _ops.empty_like(x).bernoulli_(1.0 - p)
    a = 1.0 / math.sqrt((_SELU_ALPHA_PRIME**2 * p + 1) * (1 - p))
    b = (keep - 1) * (_SELU_ALPHA_PRIME * a) + _SELU_ALPHA_PRIME * a * p
    return x * (keep * a) + b


def alpha_dropout(input, p: float = 0.5, training: bool = False, inplace: bool = False) -> Tensor:  # noqa: A002
    """SELU's dropout: dropped elements set to the negative saturation value, then an affine
    map keeping the mean and variance, when `training`."""
    _check_p(p)
    if not training or p == 0.0 or input.numel() == 0:
        return input
    return in_place(input, _alpha_dropout, p) if inplace else _alpha_dropout(input, p)


# ---- pixel shuffles -----------------------------------------------------------------------------
def pixel_shuffle(input, upscale_factor: int) -> Tensor:  # noqa: A002
    """``(*, C r^2, H, W)`` to ``(*, C, H r, W r)``."""
    r = int(upscale_factor)
    if input.ndim < 3:
        raise RuntimeError(
            "pixel_shuffle expects input to have at least 3 dimensions, but got input with "
            f"{input.ndim} dimension(s)"
        )
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    *batch, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError(
            "pixel_shuffle expects its input's 'channel' dimension to be divisible by the "
            f"square of upscale_factor, but input.size(-3)={c} is not divisible by {r * r}"
        )
    n = len(batch)
    out = _ops.reshape(input, (*batch, c // (r * r), r, r, h, w))
    out = _ops.permute_dims(out, (*range(n), n, n + 3, n + 1, n + 4, n + 2))
    return _ops.reshape(out, (*batch, c // (r * r), h * r, w * r))


def pixel_unshuffle(input, downscale_factor: int) -> Tensor:  # noqa: A002
    """``(*, C, H r, W r)`` to ``(*, C r^2, H, W)``."""
    r = int(downscale_factor)
    if input.ndim < 3:
        raise RuntimeError(
            "pixel_unshuffle expects input to have at least 3 dimensions, but got input with "
            f"{input.ndim} dimension(s)"
        )
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    *batch, c, h, w = input.shape
    for name, size, axis in (("height", h, -2), ("width", w, -1)):
        if size % r:
            raise RuntimeError(
                f"pixel_unshuffle expects {name} to be divisible by downscale_factor, but "
                f"input.size({axis})={size} is not divisible by {r}"
            )
    n = len(batch)
    out = _ops.reshape(input, (*batch, c, h // r, r, w // r, r))
    out = _ops.permute_dims(out, (*range(n), n, n + 2, n + 4, n + 1, n + 3))
    return _ops.reshape(out, (*batch, c * r * r, h // r, w // r))


# ---- interpolate --------------------------------------------------------------------------------
def _along(x, axis: int, out_size: int, mode: str, align_corners: bool, scale) -> Tensor:
    """`x` resampled to `out_size` along `axis`; `scale` the user's scale factor or None."""
    in_size = x.shape[axis]
    if mode == "nearest":
        ratio = 1.0 / scale if scale is not None else in_size / out_size
        index = [min(int(math.floor(i * ratio)), in_size - 1) for i in range(out_size)]
        positions = _ops.asarray(index, dtype=_dtypes.int64, device=x.device)
        return _ops.take(x, positions, axis=axis)
    if align_corners:
        ratio = (in_size - 1) / (out_size - 1) if out_size > 1 else 0.0
        sources = [i * ratio for i in range(out_size)]
    else:
        ratio = 1.0 / scale if scale is not None else in_size / out_size
        sources = [max((i + 0.5) * ratio - 0.5, 0.0) for i in range(out_size)]
    low = [min(int(math.floor(s)), in_size - 1) for s in sources]
    high = [min(i + 1, in_size - 1) for i in low]
    lam = [s - i for s, i in zip(sources, low, strict=True)]
    shape = [1] * x.ndim
    shape[axis] = out_size
    weight = _ops.reshape(_ops.asarray(lam, dtype=x.dtype, device=x.device), tuple(shape))
    lows = _ops.take(x, _ops.asarray(low, dtype=_dtypes.int64, device=x.device), axis=axis)
    highs = _ops.take(x, _ops.asarray(high, dtype=_dtypes.int64, device=x.device), axis=axis)
    return lows * (1 - weight) + highs * weight


_SPATIAL = {"linear": 1, "bilinear": 2, "trilinear": 3}


def interpolate(input, size=None, scale_factor=None, mode: str = "nearest",  # noqa: A002
                align_corners=None, recompute_scale_factor=None,
                antialias: bool = False) -> Tensor:  # fmt: skip
    """Resample the spatial axes (all but the first two) to `size`, or by `scale_factor`:
    ``mode`` ``"nearest"`` (PyTorch's, the source ``floor(i / scale)``), ``"linear"`` or
    ``"bilinear"`` (``align_corners`` False: half-pixel centres, True: the corners matched)."""
    if mode not in ("nearest", "linear", "bilinear"):
        raise NotImplementedError(
            f"interpolate mode {mode!r}: pluggrad has 'nearest', 'linear' and 'bilinear'"
        )
    if antialias:
        raise NotImplementedError("interpolate: antialias is not supported by pluggrad")
    if mode == "nearest":
        if align_corners is not None:
            raise ValueError(
                "align_corners option can only be set with the interpolating modes: "
                "linear | bilinear | bicubic | trilinear"
            )
    elif align_corners is None:
        align_corners = False
    dims = input.ndim - 2
    if dims < 1:
        raise ValueError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) for "
            f"the modes: nearest | linear | bilinear | bicubic | trilinear | area | "
            f"nearest-exact (got {mode})"
        )
    if mode in _SPATIAL and _SPATIAL[mode] != dims:
        raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs "
                                  f"{_SPATIAL[mode] + 2}D input")  # fmt: skip
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is None and scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    spatial = tuple(input.shape[2:])
    if size is not None:
        sizes = [int(s) for s in size] if isinstance(size, (list, tuple)) else [int(size)] * dims
        if len(sizes) != dims:
            raise ValueError(
                "Input and output must have the same number of spatial dimensions, but got "
                f"input with spatial dimensions of {list(spatial)} and output size of "
                f"{sizes}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
                "output size in (o1, o2, ...,oK) format."
            )
        scales: list = [None] * dims
    else:
        factors = scale_factor if isinstance(scale_factor, (list, tuple)) else [scale_factor] * dims
        if len(factors) != dims:
            raise ValueError(
                "Input and scale_factor must have the same number of spatial dimensions, but "
                f"got input with spatial dimensions of {list(spatial)} and scale_factor of "
                f"shape {list(factors)}. Please provide input tensor in (N, C, d1, d2, ...,dK) "
                "format and scale_factor in (s1, s2, ...,sK) format."
            )
        sizes = [int(math.floor(s * float(f))) for s, f in zip(spatial, factors, strict=True)]
        scales = [None if recompute_scale_factor else float(f) for f in factors]
    out = input
    for k in range(dims):
        out = _along(out, 2 + k, sizes[k], mode, bool(align_corners), scales[k])
    return out


# ---- attention ----------------------------------------------------------------------------------
@lower_precision
def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale=None,
                                 enable_gqa: bool = False) -> Tensor:  # fmt: skip
    """``softmax(q k^T * scale + bias) v``; `attn_mask` boolean (True: take part) or added to the
    scores, ``is_causal`` the lower-triangular mask; with ``dropout_p > 0`` the attention
    weights go through dropout (always, as PyTorch's, whatever the module's mode)."""
    if enable_gqa:
        raise NotImplementedError("scaled_dot_product_attention: enable_gqa is not supported")
    if is_causal and attn_mask is not None:
        raise RuntimeError(
            "_scaled_dot_product_attention: Explicit attn_mask should not be set when "
            "is_causal=True"
        )
    length, source = query.shape[-2], key.shape[-2]
    factor = 1 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = _ops.matmul(query, _ops.matrix_transpose(key)) * factor
    if is_causal:
        ones = _ops.ones((length, source), dtype=_dtypes.bool, device=query.device)
        attn_mask = _ops.tril(ones)
    if attn_mask is not None:
        if attn_mask.dtype == _dtypes.bool:
            scores = _ops.where(attn_mask, scores, _ops.full_like(scores, -math.inf).detach())
        else:
            scores = scores + attn_mask
    weights = _ops.softmax(scores, -1)
    if dropout_p > 0.0:
        _check_p(dropout_p)
        weights = dropped_out(weights, dropout_p)  # PyTorch's math kernel: at::dropout
    return _ops.matmul(weights, value)
