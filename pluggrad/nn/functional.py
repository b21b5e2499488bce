"""``pluggrad.nn.functional``: PyTorch's ``torch.nn.functional`` activations, losses and helpers.

Each function has PyTorch's name, signature and defaults, and is made of pluggrad's
differentiable operations (so every backend runs it, and its gradients of every order are
those of the operations' derivative table).  Written to PyTorch's definitions, including the
edges: ``softplus``'s threshold, ``binary_cross_entropy``'s log clamped at -100, ``nll_loss``'s
weighted mean over the targets that are not ``ignore_index``, ``cross_entropy`` with class
probabilities and ``label_smoothing``, ``kl_div``'s ``batchmean``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

from .. import _dtypes
from .. import ops as _ops
from .._core.grad_mode import no_grad
from .._core.tensor import Tensor
from ..ops import activations as _activations
from ..ops._autocast import exempt, lower_precision, to_full_precision
from ..ops.inplace import in_place
from ._activations import (
    celu,
    glu,
    hardshrink,
    hardsigmoid,
    hardswish,
    mish,
    prelu,
    selu,
    softshrink,
    softsign,
    tanhshrink,
    threshold,
)
from ._attention import multi_head_attention_forward
from ._conv import (
    conv1d,
    conv2d,
    conv3d,
    conv_transpose1d,
    conv_transpose2d,
    conv_transpose3d,
)
from ._ctc import ctc_loss
from ._embedding_bag import embedding_bag
from ._fractional_pool import (
    fractional_max_pool2d,
    fractional_max_pool2d_with_indices,
    fractional_max_pool3d,
    fractional_max_pool3d_with_indices,
)
from ._grid import affine_grid, grid_sample
from ._losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    huber_loss,
    kl_div,
    l1_loss,
    mse_loss,
    nll_loss,
    smooth_l1_loss,
    softplus_of,
)
from ._margin_losses import (
    multi_margin_loss,
    multilabel_margin_loss,
    triplet_margin_with_distance_loss,
)
from ._more_functional import channel_shuffle, feature_alpha_dropout, pdist, rrelu
from ._more_losses import (
    cosine_embedding_loss,
    gaussian_nll_loss,
    hinge_embedding_loss,
    margin_ranking_loss,
    multilabel_soft_margin_loss,
    pairwise_distance,
    poisson_nll_loss,
    soft_margin_loss,
    triplet_margin_loss,
)
from ._normalization import (
    batch_norm,
    group_norm,
    instance_norm,
    local_response_norm,
    rms_norm,
    trailing_axes,
)
from ._pool import (
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_avg_pool3d,
    adaptive_max_pool1d,
    adaptive_max_pool2d,
    adaptive_max_pool3d,
    avg_pool1d,
    avg_pool2d,
    avg_pool3d,
    max_pool1d,
    max_pool1d_with_indices,
    max_pool2d,
    max_pool2d_with_indices,
    max_pool3d,
    max_pool3d_with_indices,
)
from ._pool_more import (
    adaptive_max_pool1d_with_indices,
    adaptive_max_pool2d_with_indices,
    adaptive_max_pool3d_with_indices,
    dropout3d,
    lp_pool1d,
    lp_pool2d,
    lp_pool3d,
    max_unpool1d,
    max_unpool2d,
    max_unpool3d,
)
from ._resample import (
    alpha_dropout,
    dropout1d,
    dropout2d,
    dropped_out,
    interpolate,
    pixel_shuffle,
    pixel_unshuffle,
    scaled_dot_product_attention,
)
from ._unfold import fold, unfold

__all__ = [
    "linear", "bilinear", "relu", "relu6", "gelu", "silu", "sigmoid", "tanh", "softplus", "elu",
    "leaky_relu", "hardtanh", "softmax", "log_softmax", "softmin", "logsigmoid", "dropout",
    "gumbel_softmax", "max_pool1d_with_indices", "max_pool2d_with_indices", "adaptive_max_pool1d",
    "adaptive_max_pool2d", "unfold", "fold", "conv3d", "conv_transpose3d", "max_pool3d",
    "max_pool3d_with_indices", "avg_pool3d", "adaptive_avg_pool3d", "adaptive_max_pool3d",
    "embedding_bag", "affine_grid", "grid_sample",
    "one_hot", "pad", "normalize", "layer_norm", "embedding", "mse_loss", "l1_loss",
    "smooth_l1_loss", "huber_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
    "nll_loss", "cross_entropy", "kl_div", "cosine_similarity", "conv1d", "conv2d",
    "conv_transpose1d", "conv_transpose2d", "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d",
    "adaptive_avg_pool1d", "adaptive_avg_pool2d", "batch_norm", "group_norm", "instance_norm",
    "rms_norm", "local_response_norm",
    "celu", "selu", "mish", "softsign", "softshrink", "hardshrink", "tanhshrink", "glu",
    "hardsigmoid", "hardswish", "threshold", "prelu", "margin_ranking_loss",
    "hinge_embedding_loss", "soft_margin_loss", "multilabel_soft_margin_loss",
    "cosine_embedding_loss", "poisson_nll_loss", "gaussian_nll_loss", "triplet_margin_loss",
    "pairwise_distance", "dropout1d", "dropout2d", "alpha_dropout", "pixel_shuffle",
    "pixel_unshuffle", "interpolate", "scaled_dot_product_attention",
    "multi_head_attention_forward", "pdist", "channel_shuffle", "rrelu", "feature_alpha_dropout",
    "max_unpool1d", "max_unpool2d", "max_unpool3d", "lp_pool1d", "lp_pool2d", "lp_pool3d",
    "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d_with_indices", "dropout3d", "multi_margin_loss",
    "multilabel_margin_loss", "triplet_margin_with_distance_loss", "ctc_loss",
    "fractional_max_pool2d", "fractional_max_pool3d", "fractional_max_pool2d_with_indices",
    "fractional_max_pool3d_with_indices",
]  # fmt: skip


# ---- linear maps --------------------------------------------------------------------------------
@lower_precision
def linear(input, weight, bias=None) -> Tensor:  # noqa: A002 - PyTorch's names throughout
    """``input @ weight.T + bias``, with PyTorch's graph: ``addmm(bias, input, weight.t())``
    for a matrix `input` (``AddmmBackward0``, ``TBackward0``), also for a 3-d one seen as a
    matrix (``ViewBackward0`` around it), else ``matmul`` then ``+ bias``."""
    if weight.ndim != 2:
        out = _ops.matmul(input, weight)
        return out if bias is None else out + bias
    weight_t = _ops.t(weight)
    if bias is not None and input.ndim in (2, 3):
        rows = input if input.ndim == 2 else _ops.reshape(input, (-1, input.shape[-1]))
        out = _ops.addmm(bias, rows, weight_t)
        return out if input.ndim == 2 else _ops.reshape(out, (*input.shape[:-1], out.shape[-1]))
    out = _ops.matmul(input, weight_t)
    return out if bias is None else out + bias


@exempt
def bilinear(input1, input2, weight, bias=None) -> Tensor:
    """``y[..., k] = input1 @ weight[k] @ input2 + bias[k]``."""
    out = _ops.einsum("...i,kij,...j->...k", input1, weight, input2)
    return out if bias is None else out + bias


# ---- activations --------------------------------------------------------------------------------
def _applied(function, input, inplace: bool, *args) -> Tensor:  # noqa: A002
    """``function(input, *args)``, or `input` changed in place to it (``inplace=True``, the
    same values and gradients, with PyTorch's checks of an in-place change)."""
    return in_place(input, function, *args) if inplace else function(input, *args)


def relu(input, inplace: bool = False) -> Tensor:  # noqa: A002
    """``max(input, 0)``."""
    return _applied(_ops.relu, input, inplace)


def relu6(input, inplace: bool = False) -> Tensor:  # noqa: A002
    """``min(max(input, 0), 6)``."""
    return hardtanh(input, 0.0, 6.0, inplace)


def _hardtanh(x, min_val: float, max_val: float) -> Tensor:
    inside = (x > min_val) & (x < max_val)
    return _ops.where(inside, x, _ops.clamp(x, min_val, max_val).detach())


def hardtanh(input, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False):  # noqa: A002
    """``input`` clamped to ``[min_val, max_val]``; as PyTorch, the gradient passes only
    strictly inside (0 at the bounds, where ``clamp`` passes it)."""
    return _applied(_hardtanh, input, inplace, min_val, max_val)


def gelu(input, approximate: str = "none") -> Tensor:  # noqa: A002
    """``x Φ(x)`` (``approximate="tanh"``: PyTorch's tanh approximation); one operation,
    PyTorch's ``GeluBackward0``, for a floating input."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    if input.dtype.is_floating_point:
        return _activations.gelu(input, approximate)
    if approximate == "none":
        return 0.5 * input * (1 + _ops.erf(input * (1 / math.sqrt(2.0))))
    inner = math.sqrt(2 / math.pi) * (input + 0.044715 * input**3)
    return 0.5 * input * (1 + _ops.tanh(inner))


def _silu(x) -> Tensor:
    """One operation (PyTorch's ``SiluBackward0``) for a floating input."""
    return _activations.silu(x) if x.dtype.is_floating_point else x * _ops.sigmoid(x)


def silu(input, inplace: bool = False) -> Tensor:  # noqa: A002
    """``x sigmoid(x)``."""
    return _applied(_silu, input, inplace)


def sigmoid(input) -> Tensor:  # noqa: A002
    """``1 / (1 + exp(-x))``."""
    return _ops.sigmoid(input)


def tanh(input) -> Tensor:  # noqa: A002
    """Hyperbolic tangent."""
    return _ops.tanh(input)


def logsigmoid(input) -> Tensor:  # noqa: A002
    """``log(sigmoid(x))``, computed as ``-softplus(-x)`` (no overflow)."""
    return -softplus_of(-input)


def softplus(input, beta: float = 1.0, threshold: float = 20.0) -> Tensor:  # noqa: A002
    """``log(1 + exp(beta x)) / beta``, and ``x`` itself where ``beta x > threshold``."""
    scaled = input * beta
    return _ops.where(scaled > threshold, input, softplus_of(scaled) / beta)


def _elu(x, alpha: float) -> Tensor:
    positive = x > 0
    return _ops.where(positive, x, alpha * _ops.expm1(_ops.where(positive, 0.0, x)))


def elu(input, alpha: float = 1.0, inplace: bool = False) -> Tensor:  # noqa: A002
    """``x`` where positive, ``alpha (exp(x) - 1)`` elsewhere (derivative `alpha` at 0, as
    PyTorch)."""
    return _applied(_elu, input, inplace, alpha)


def _leaky_relu(x, negative_slope: float) -> Tensor:
    return _ops.where(x > 0, x, x * negative_slope)


def leaky_relu(input, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:  # noqa: A002
    """``x`` where positive, ``negative_slope x`` elsewhere."""
    return _applied(_leaky_relu, input, inplace, negative_slope)


def softmax(input, dim=None, _stacklevel: int = 3, dtype=None) -> Tensor:  # noqa: A002
    """``exp(x) / sum(exp(x))`` along `dim`."""
    return _ops.softmax(input, dim, dtype)


def log_softmax(input, dim=None, _stacklevel: int = 3, dtype=None) -> Tensor:  # noqa: A002
    """``log(softmax(x))`` along `dim`, computed stably."""
    return _ops.log_softmax(input, dim, dtype)


def softmin(input, dim=None, _stacklevel: int = 3, dtype=None) -> Tensor:  # noqa: A002
    """``softmax(-x)`` along `dim`."""
    return _ops.softmax(-input, dim, dtype)


def dropout(input, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:  # noqa: A002
    """Zero each element with probability `p` (from pluggrad's random generator) and scale the
    others by ``1 / (1 - p)``, when `training`; the input itself otherwise."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    return _applied(dropped_out, input, inplace, p)


def gumbel_softmax(logits, tau: float = 1, hard: bool = False, eps: float = 1e-10,
                   dim: int = -1) -> Tensor:  # fmt: skip
    """A sample of the Gumbel-softmax distribution: ``softmax((logits + g) / tau)`` with
    Gumbel noise ``g = -log(Exponential(1))`` drawn as PyTorch draws it (so a seeded program
    samples what PyTorch samples); with `hard`, the one-hot of its largest entry whose gradient
    is the soft sample's (straight through)."""
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    gumbels = -_ops.empty_like(logits).exponential_().log()
    y_soft = _ops.softmax((logits + gumbels) / tau, dim)
    if not hard:
        return y_soft
    index = _ops.argmax(y_soft, dim=dim, keepdim=True)
    y_hard = _ops.zeros_like(logits).scatter_(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft


# ---- tensors of indices and shapes --------------------------------------------------------------
def one_hot(tensor, num_classes: int = -1) -> Tensor:
    """int64 one-hot rows for the class indices in `tensor` (a last axis of `num_classes`,
    by default the largest index plus one)."""
    if tensor.dtype.kind not in "iu":
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        num_classes = int(_ops.max(tensor).item()) + 1 if tensor.numel() else 0
    if tensor.numel() and (int(_ops.min(tensor).item()) < 0):
        raise RuntimeError("Class values must be non-negative.")
    if tensor.numel() and int(_ops.max(tensor).item()) >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    classes = _ops.arange(num_classes, dtype=_dtypes.int64, device=tensor.device)
    return _ops.astype(_ops.expand_dims(tensor, axis=-1) == classes, _dtypes.int64)


def _pad_indices(size: int, before: int, after: int, mode: str):
    positions = _ops.arange(-before, size + after)
    if mode == "replicate":
        return _ops.clamp(positions, 0, size - 1)
    if mode == "circular":
        return positions % size
    # reflect: mirror at both ends without repeating the edge
    period = 2 * (size - 1)
    folded = _ops.abs(positions) % period if period else positions * 0
    return _ops.where(folded >= size, period - folded, folded)


def pad(input, pad: Sequence[int], mode: str = "constant", value=None) -> Tensor:  # noqa: A002
    """Pad the last ``len(pad) // 2`` axes: ``pad = (left, right, top, bottom, ...)`` from the
    last axis backwards, as PyTorch; `mode` ``"constant"`` (with `value`, negative pads crop),
    ``"reflect"``, ``"replicate"`` or ``"circular"``."""
    pad = [int(p) for p in pad]
    if mode in ("reflect", "replicate"):
        input = to_full_precision(input)  # noqa: A001 - autocast runs these in float32 (PyTorch)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.ndim:
        raise RuntimeError(
            "Padding length should be less than or equal to two times the input dimension but "
            f"got padding length {len(pad)} and input of dimension {input.ndim}"
        )
    sides = len(pad) // 2
    if mode in ("reflect", "replicate", "circular") and (
        sides > 3 or input.ndim not in (sides + 1, sides + 2)
    ):
        # PyTorch's reflect, replicate and circular kernels: 1-3 axes, with channels and batch
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {input.ndim}D input tensor."
        )
    out = input
    for k in range(len(pad) // 2):
        axis = input.ndim - 1 - k
        before, after = pad[2 * k], pad[2 * k + 1]
        size = out.shape[axis]
        if mode == "constant":
            shape = list(out.shape)
            parts = []
            if before > 0:
                shape[axis] = before
                parts.append(_ops.full(tuple(shape), 0.0 if value is None else value,
                                       dtype=out.dtype, device=out.device))  # fmt: skip
            start, stop = max(-before, 0), size - max(-after, 0)
            parts.append(_ops.narrow(out, axis, start, max(stop - start, 0)))
            if after > 0:
                shape[axis] = after
                parts.append(_ops.full(tuple(shape), 0.0 if value is None else value,
                                       dtype=out.dtype, device=out.device))  # fmt: skip
            out = _ops.concat(parts, axis=axis) if len(parts) > 1 else parts[0]
        elif mode in ("reflect", "replicate", "circular"):
            if mode == "reflect" and (before >= size or after >= size):
                raise RuntimeError(
                    "Argument #4: Padding size should be less than the corresponding input "
                    f"dimension, but got: padding ({before}, {after}) at dimension {axis} of "
                    f"input {list(input.shape)}"
                )
            if mode == "circular" and (before > size or after > size):
                raise RuntimeError("Padding value causes wrapping around more than once.")
            out = _ops.take(out, _pad_indices(size, before, after, mode), axis=axis)
        else:
            raise NotImplementedError(
                f"padding mode {mode!r}: pluggrad has 'constant', 'reflect', 'replicate' and "
                "'circular'"
            )
    return out


# ---- normalization ------------------------------------------------------------------------------
def normalize(input, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:  # noqa: A002
    """``input / max(||input||_p, eps)`` along `dim` (PyTorch's ``out=`` is not taken)."""
    norm = _ops.linalg.vector_norm(input, ord=p, axis=dim, keepdims=True)
    return input / _ops.clamp(norm, min=eps)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps: float = 1e-5) -> Tensor:  # noqa: A002
    """Normalize over the last ``len(normalized_shape)`` axes (biased variance), then scale by
    `weight` and shift by `bias`."""
    axes = trailing_axes(input, normalized_shape)
    mean = _ops.mean(input, axis=axes, keepdims=True)
    centered = input - mean
    var = _ops.mean(centered * centered, axis=axes, keepdims=True)
    out = centered / _ops.sqrt(var + eps)
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type: float = 2.0,  # noqa: A002
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:  # fmt: skip
    """The rows of `weight` at the indices in `input`; the row `padding_idx` gets no gradient.

    With `max_norm`, the rows looked up whose `norm_type`-norm exceeds it are first scaled in
    place (outside the graph) to norm ``max_norm``, as PyTorch's ``embedding_renorm_``.
    """
    if scale_grad_by_freq or sparse:
        raise NotImplementedError(
            "embedding: scale_grad_by_freq and sparse are not supported by pluggrad"
        )
    _check_embedding_indices(input, weight.shape[0])
    if max_norm is not None:
        _embedding_renorm_(weight, input, max_norm, norm_type)
    out = weight[input]
    if padding_idx is not None:
        if padding_idx < 0:
            padding_idx += weight.shape[0]
        at_padding = _ops.expand_dims(input == padding_idx, axis=-1)
        out = _ops.where(at_padding, out.detach(), out)
    return out


def _check_embedding_indices(indices, rows: int) -> None:
    """PyTorch's errors for indices that are not integers or not rows of the weight (where
    their values can be read: not on a lazy backend nor inside a trace)."""
    if indices.dtype.name not in ("int64", "int32"):
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got {indices.type()} instead (while checking arguments for "
            "embedding)"
        )
    backend = indices._backend
    if indices.numel() and backend.has_values(indices._data):
        values = backend.to_numpy(indices._data)
        if values.min() < -rows or values.max() >= rows:
            raise IndexError("index out of range in self")


def _embedding_renorm_(weight, indices, max_norm: float, norm_type: float) -> None:
    with no_grad():
        rows = _ops.unique_values(_ops.reshape(indices, (-1,)))
        norms = _ops.linalg.vector_norm(weight[rows], ord=norm_type, axis=-1)
        # as PyTorch: the norm read as a double, the scale computed in double, then cast
        wide = _ops.astype(norms, _dtypes.float64)
        scale = _ops.where(wide > max_norm, max_norm / (wide + 1e-7), 1.0)
        weight[rows] = weight[rows] * _ops.expand_dims(_ops.astype(scale, weight.dtype), axis=-1)


def cosine_similarity(x1, x2, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """``(x1 / max(||x1||, eps)) . (x2 / max(||x2||, eps))`` along `dim`.

    As PyTorch computes it: each side divided by its norm first (the result stays within
    [-1, 1]), the norms clamped in place without the graph seeing it (so a clamped norm still
    passes its gradient on).
    """
    x1, x2 = _ops.broadcast_tensors(x1, x2)
    norms = [_ops.linalg.vector_norm(x, axis=dim, keepdims=True).clone() for x in (x1, x2)]
    with no_grad():
        for norm in norms:
            norm.clamp_min_(eps)
    return _ops.sum((x1 / norms[0]) * (x2 / norms[1]), axis=dim)
