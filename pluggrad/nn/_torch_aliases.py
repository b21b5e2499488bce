"""The ``torch.*`` names of :mod:`pluggrad.nn.functional`'s functions, with the signatures of
PyTorch's operators, which differ from the functional ones: ``torch.dropout(input, p, train)``
takes everything positionally, the losses take ``reduction`` as PyTorch's enum (0 none,
1 mean, 2 sum), ``torch.embedding(weight, indices)`` its arguments the other way round,
``torch.batch_norm`` every argument; the in-place forms (``torch.relu_``, ``torch.selu_``...);
and the Tensor methods ``prelu`` and ``hardshrink``.

Each one computes what the functional computes (the same values, gradients and errors), but
for the messages PyTorch's operators word otherwise (``dropout``'s probability is a
RuntimeError here, a ValueError in ``nn.functional``).
"""

from __future__ import annotations

from typing import Any

from .. import ops as _ops
from .._core.tensor import Tensor
from ..ops.inplace import in_place
from . import functional as F
from ._more_functional import feature_alpha_dropped, rrelu_of
from ._resample import _alpha_dropout, _feature_dropout, dropped_out

__all__ = [
    "cosine_similarity", "pairwise_distance", "pdist", "pixel_shuffle", "pixel_unshuffle",
    "channel_shuffle", "dropout", "alpha_dropout", "feature_dropout", "feature_alpha_dropout",
    "dropout_", "alpha_dropout_", "feature_dropout_", "feature_alpha_dropout_", "conv1d",
    "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "layer_norm",
    "group_norm", "batch_norm", "instance_norm", "embedding", "max_pool1d", "max_pool2d",
    "max_pool3d", "max_pool1d_with_indices", "avg_pool1d", "adaptive_avg_pool1d",
    "adaptive_max_pool1d", "prelu", "selu",
    "selu_", "celu", "celu_", "rrelu", "rrelu_", "relu_", "threshold", "threshold_",
    "hardshrink", "bilinear", "kl_div", "binary_cross_entropy_with_logits",
    "cosine_embedding_loss", "hinge_embedding_loss", "margin_ranking_loss", "poisson_nll_loss",
    "triplet_margin_loss", "constant_pad_nd",
]  # fmt: skip


class _Required:
    """The default of an argument PyTorch's operator requires: a call without it raises
    PyTorch's TypeError (its argument parser's words, plural and all), not Python's."""

    def __repr__(self) -> str:
        return "<required>"


_REQUIRED: Any = _Required()


def _check_required(name: str, **arguments) -> None:
    missing = [f'"{key}"' for key, value in arguments.items() if value is _REQUIRED]
    if missing:
        # PyTorch's parser writes "argument" for several and "arguments" for one
        plural = "s" if len(missing) == 1 else ""
        raise TypeError(
            f"{name}() missing {len(missing)} required positional argument{plural}: "
            + ", ".join(missing)
        )


# the functionals whose ``torch.*`` signature is the functional's own
cosine_similarity = F.cosine_similarity
pairwise_distance = F.pairwise_distance
pdist = F.pdist
pixel_shuffle = F.pixel_shuffle
pixel_unshuffle = F.pixel_unshuffle
channel_shuffle = F.channel_shuffle
conv1d = F.conv1d
conv2d = F.conv2d
conv3d = F.conv3d
conv_transpose1d = F.conv_transpose1d
conv_transpose2d = F.conv_transpose2d
conv_transpose3d = F.conv_transpose3d
prelu = F.prelu
hardshrink = F.hardshrink
bilinear = F.bilinear
adaptive_avg_pool1d = F.adaptive_avg_pool1d


# ---- dropouts: (input, p, train), PyTorch's RuntimeError for a probability outside [0, 1] ----
def _dropout_function(name: str, kernel, doc: str, inplace: bool = False):
    """``torch.<name>(input, p, train)``: `kernel` (``kernel(x, p)``, the training draw) with
    the operator's checks, in place when `inplace`; the input itself when not `train`, for
    ``p == 0`` or an empty input."""

    def function(input, p: float = _REQUIRED, train: bool = _REQUIRED) -> Tensor:  # noqa: A002
        _check_required(function.__name__, p=p, train=train)
        if not 0.0 <= p <= 1.0:
            raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {p}")
        if p == 0.0 or not train or input.numel() == 0:
            return input
        if name.startswith("feature") and input.ndim < 2:
            raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
        return in_place(input, kernel, p) if inplace else kernel(input, p)

    function.__name__ = function.__qualname__ = name + "_" * inplace
    function.__doc__ = f"{doc} (in place)" if inplace else doc
    return function


_DROPOUTS = {
    "dropout": (dropped_out, "``torch.dropout``: elements zeroed with probability `p`, the "
                "others scaled by ``1 / (1 - p)``, when `train`"),
    "alpha_dropout": (_alpha_dropout, "``torch.alpha_dropout``: SELU's dropout, when `train`"),
    "feature_dropout": (_feature_dropout, "``torch.feature_dropout``: whole channels (axis 1) "
                        "zeroed with probability `p`, the others scaled, when `train`"),
    "feature_alpha_dropout": (feature_alpha_dropped, "``torch.feature_alpha_dropout``: SELU's "
                              "dropout of whole channels, when `train`"),
}  # fmt: skip
dropout = _dropout_function("dropout", *_DROPOUTS["dropout"])
dropout_ = _dropout_function("dropout", *_DROPOUTS["dropout"], inplace=True)
alpha_dropout = _dropout_function("alpha_dropout", *_DROPOUTS["alpha_dropout"])
alpha_dropout_ = _dropout_function("alpha_dropout", *_DROPOUTS["alpha_dropout"], inplace=True)
feature_dropout = _dropout_function("feature_dropout", *_DROPOUTS["feature_dropout"])
feature_dropout_ = _dropout_function("feature_dropout", *_DROPOUTS["feature_dropout"], inplace=True)
feature_alpha_dropout = _dropout_function(
    "feature_alpha_dropout", *_DROPOUTS["feature_alpha_dropout"]
)
feature_alpha_dropout_ = _dropout_function(
    "feature_alpha_dropout", *_DROPOUTS["feature_alpha_dropout"], inplace=True
)


# ---- activations and their in-place forms ----------------------------------------------------
def relu_(input) -> Tensor:  # noqa: A002
    """``max(input, 0)`` in place."""
    return F.relu(input, inplace=True)


def selu(input) -> Tensor:  # noqa: A002
    """``torch.selu``: :func:`pluggrad.nn.functional.selu` (no `inplace` argument)."""
    return F.selu(input)


def selu_(input) -> Tensor:  # noqa: A002
    """:func:`selu` in place."""
    return F.selu(input, inplace=True)


def celu(input, alpha: float = 1.0) -> Tensor:  # noqa: A002
    """``torch.celu``: :func:`pluggrad.nn.functional.celu` (no `inplace` argument)."""
    return F.celu(input, alpha)


def celu_(input, alpha: float = 1.0) -> Tensor:  # noqa: A002
    """:func:`celu` in place."""
    return F.celu(input, alpha, inplace=True)


def threshold(input, threshold: float = _REQUIRED, value: float = _REQUIRED) -> Tensor:  # noqa: A002
    """``torch.threshold``: ``input`` where ``input > threshold``, `value` elsewhere."""
    _check_required("threshold", threshold=threshold, value=value)
    return F.threshold(input, threshold, value)


def threshold_(input, threshold: float = _REQUIRED, value: float = _REQUIRED) -> Tensor:  # noqa: A002
    """:func:`threshold` in place."""
    _check_required("threshold_", threshold=threshold, value=value)
    return F.threshold(input, threshold, value, inplace=True)


def rrelu(input, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,  # noqa: A002
          generator=None) -> Tensor:  # fmt: skip
    """``torch.rrelu``: randomized leaky ReLU (see :func:`pluggrad.nn.functional.rrelu`), the
    slopes drawn from `generator` in training."""
    return rrelu_of(input, lower, upper, training, generator)


def rrelu_(input, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,  # noqa: A002
           generator=None) -> Tensor:  # fmt: skip
    """:func:`rrelu` in place."""
    return in_place(input, rrelu_of, lower, upper, training, generator)


# ---- normalizations, embedding, pooling: PyTorch's operator signatures -----------------------
def layer_norm(input, normalized_shape, weight=None, bias=None, eps: float = 1e-5,  # noqa: A002
               cudnn_enable: bool = True) -> Tensor:  # fmt: skip
    """``torch.layer_norm``: :func:`pluggrad.nn.functional.layer_norm` (`cudnn_enable` is
    accepted and has no effect)."""
    return F.layer_norm(input, normalized_shape, weight, bias, eps)


def group_norm(input, num_groups: int, weight=None, bias=None, eps: float = 1e-5,  # noqa: A002
               cudnn_enabled: bool = True) -> Tensor:  # fmt: skip
    """``torch.group_norm``: :func:`pluggrad.nn.functional.group_norm`."""
    return F.group_norm(input, num_groups, weight, bias, eps)


def batch_norm(input, weight=_REQUIRED, bias=_REQUIRED, running_mean=_REQUIRED,  # noqa: A002
               running_var=_REQUIRED, training: bool = _REQUIRED, momentum: float = _REQUIRED,
               eps: float = _REQUIRED, cudnn_enabled: bool = _REQUIRED) -> Tensor:  # fmt: skip
    """``torch.batch_norm``, every argument required and the affine parameters first:
    :func:`pluggrad.nn.functional.batch_norm`."""
    _check_required("batch_norm", weight=weight, bias=bias, running_mean=running_mean,
                    running_var=running_var, training=training, momentum=momentum, eps=eps,
                    cudnn_enabled=cudnn_enabled)  # fmt: skip
    return F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def instance_norm(input, weight=_REQUIRED, bias=_REQUIRED, running_mean=_REQUIRED,  # noqa: A002
                  running_var=_REQUIRED, use_input_stats: bool = _REQUIRED,
                  momentum: float = _REQUIRED, eps: float = _REQUIRED,
                  cudnn_enabled: bool = _REQUIRED) -> Tensor:  # fmt: skip
    """``torch.instance_norm``, every argument required and the affine parameters first:
    :func:`pluggrad.nn.functional.instance_norm`."""
    _check_required("instance_norm", weight=weight, bias=bias, running_mean=running_mean,
                    running_var=running_var, use_input_stats=use_input_stats,
                    momentum=momentum, eps=eps, cudnn_enabled=cudnn_enabled)  # fmt: skip
    return F.instance_norm(
        input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps
    )


def embedding(weight, indices, padding_idx: int = -1, scale_grad_by_freq: bool = False,
              sparse: bool = False) -> Tensor:  # fmt: skip
    """``torch.embedding``: the rows of `weight` at `indices` (the weight first); a negative
    `padding_idx` means none (the functional passes a negative one as ``-1`` after taking it
    from the end)."""
    padding = padding_idx if padding_idx >= 0 else None
    return F.embedding(indices, weight, padding, None, 2.0, scale_grad_by_freq, sparse)


def _stride(stride):
    """PyTorch's ``stride=[]`` (the operators' default): the kernel size, as the functional's
    None."""
    return None if stride is None or (isinstance(stride, (list, tuple)) and not stride) else stride


def max_pool1d(input, kernel_size, stride=(), padding=0, dilation=1,  # noqa: A002
               ceil_mode: bool = False) -> Tensor:  # fmt: skip
    """``torch.max_pool1d``: the maxima only (see :func:`pluggrad.nn.functional.max_pool1d`)."""
    return F.max_pool1d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


def max_pool2d(input, kernel_size, stride=(), padding=0, dilation=1,  # noqa: A002
               ceil_mode: bool = False) -> Tensor:  # fmt: skip
    """``torch.max_pool2d``: the maxima only (see :func:`pluggrad.nn.functional.max_pool2d`)."""
    return F.max_pool2d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


def max_pool3d(input, kernel_size, stride=(), padding=0, dilation=1,  # noqa: A002
               ceil_mode: bool = False) -> Tensor:  # fmt: skip
    """``torch.max_pool3d``: the maxima only (see :func:`pluggrad.nn.functional.max_pool3d`)."""
    return F.max_pool3d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


def avg_pool1d(input, kernel_size, stride=(), padding=0, ceil_mode: bool = False,  # noqa: A002
               count_include_pad: bool = True) -> Tensor:  # fmt: skip
    """``torch.avg_pool1d`` (see :func:`pluggrad.nn.functional.avg_pool1d`)."""
    return F.avg_pool1d(input, kernel_size, _stride(stride), padding, ceil_mode, count_include_pad)


def max_pool1d_with_indices(input, kernel_size, stride=(), padding=0, dilation=1,  # noqa: A002
                            ceil_mode: bool = False) -> tuple[Tensor, Tensor]:  # fmt: skip
    """``torch.max_pool1d_with_indices``: the maxima and their positions."""
    return F.max_pool1d_with_indices(input, kernel_size, _stride(stride), padding, dilation,
                                     ceil_mode)  # fmt: skip


def adaptive_max_pool1d(input, output_size) -> tuple[Tensor, Tensor]:  # noqa: A002
    """``torch.adaptive_max_pool1d``: the maxima and their indices, always both."""
    return F.adaptive_max_pool1d(input, output_size, return_indices=True)


def constant_pad_nd(input, pad, value=0) -> Tensor:  # noqa: A002
    """``torch.constant_pad_nd``: `input` padded with `value`, ``pad`` as
    :func:`pluggrad.nn.functional.pad` takes it (pairs from the last axis; negative amounts
    crop), with the operator's messages."""
    if len(pad) % 2:
        raise RuntimeError(f"Length of pad must be even but instead it equals {len(pad)}")
    if len(pad) > 2 * input.ndim:
        raise RuntimeError(
            "Length of pad should be no more than twice the number of dimensions of the input. "
            f"Pad length is {len(pad)}while the input has {input.ndim}dimensions."
        )
    return F.pad(input, list(pad), "constant", value)


# ---- losses: reduction as PyTorch's enum -----------------------------------------------------
# PyTorch's schemas give ``reduction=Mean``, but its Python bindings read that default as 0:
# ``torch.kl_div(a, b)`` is unreduced, ``torch.kl_div(a, b, 1)`` the mean (as PyTorch 2.13).
def _reduced(name: str, loss: Tensor, reduction, position: int) -> Tensor:
    """`loss` (elementwise) reduced as PyTorch's ``apply_loss_reduction`` does for the enum:
    1 the mean, 2 the sum, anything else unreduced."""
    if not isinstance(reduction, int) or isinstance(reduction, bool):
        raise TypeError(
            f"{name}(): argument 'reduction' (position {position}) must be int, not "
            f"{type(reduction).__name__}"
        )
    if reduction == 1:
        return _ops.mean(loss)
    return _ops.sum(loss) if reduction == 2 else loss


def kl_div(input, target, reduction: int = 0, *, log_target: bool = False) -> Tensor:  # noqa: A002
    """``torch.kl_div``: ``target (log target - input)`` elementwise, reduction 1 its mean
    over every element (no ``batchmean`` here, and no warning), 2 its sum."""
    loss = F.kl_div(input, target, reduction="none", log_target=log_target)
    return _reduced("kl_div", loss, reduction, 3)


def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None,  # noqa: A002
                                     reduction: int = 0) -> Tensor:  # fmt: skip
    """``torch.binary_cross_entropy_with_logits`` (see the functional)."""
    loss = F.binary_cross_entropy_with_logits(
        input, target, weight, reduction="none", pos_weight=pos_weight
    )
    return _reduced("binary_cross_entropy_with_logits", loss, reduction, 5)


def cosine_embedding_loss(input1, input2, target, margin: float = 0.0,
                          reduction: int = 0) -> Tensor:  # fmt: skip
    """``torch.cosine_embedding_loss`` (see the functional)."""
    loss = F.cosine_embedding_loss(input1, input2, target, margin, reduction="none")
    return _reduced("cosine_embedding_loss", loss, reduction, 5)


def hinge_embedding_loss(input, target, margin: float = 1.0, reduction: int = 0) -> Tensor:  # noqa: A002
    """``torch.hinge_embedding_loss`` (see the functional)."""
    loss = F.hinge_embedding_loss(input, target, margin, reduction="none")
    return _reduced("hinge_embedding_loss", loss, reduction, 4)


def margin_ranking_loss(input1, input2, target, margin: float = 0.0,
                        reduction: int = 0) -> Tensor:  # fmt: skip
    """``torch.margin_ranking_loss`` (see the functional)."""
    loss = F.margin_ranking_loss(input1, input2, target, margin, reduction="none")
    return _reduced("margin_ranking_loss", loss, reduction, 5)


def poisson_nll_loss(input, target, log_input: bool = _REQUIRED, full: bool = _REQUIRED,  # noqa: A002
                     eps: float = _REQUIRED, reduction: int = _REQUIRED) -> Tensor:  # fmt: skip
    """``torch.poisson_nll_loss``, every argument required (see the functional)."""
    _check_required("poisson_nll_loss", log_input=log_input, full=full, eps=eps,
                    reduction=reduction)  # fmt: skip
    loss = F.poisson_nll_loss(input, target, log_input, full, eps=eps, reduction="none")
    return _reduced("poisson_nll_loss", loss, reduction, 6)


def triplet_margin_loss(anchor, positive, negative, margin: float = 1.0, p: float = 2.0,
                        eps: float = 1e-6, swap: bool = False,
                        reduction: int = 0) -> Tensor:  # fmt: skip
    """``torch.triplet_margin_loss`` (see the functional)."""
    loss = F.triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap, reduction="none")
    return _reduced("triplet_margin_loss", loss, reduction, 8)


def _prelu_method(self, weight) -> Tensor:
    """``x.prelu(weight)``: :func:`pluggrad.prelu`."""
    return F.prelu(self, weight)


def _hardshrink_method(self, lambd: float = 0.5) -> Tensor:
    """``x.hardshrink(lambd)``: :func:`pluggrad.hardshrink`."""
    return F.hardshrink(self, lambd)


# methods that need nn.functional, a layer above the one the Tensor's table comes from
Tensor.prelu = _prelu_method  # type: ignore[attr-defined]
Tensor.hardshrink = _hardshrink_method  # type: ignore[attr-defined]
