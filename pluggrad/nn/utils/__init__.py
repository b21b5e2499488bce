"""``pluggrad.nn.utils``: gradient clipping, flattening parameters into one vector, padding
or packing variable-length sequences (:mod:`.rnn`), parametrizations (:mod:`.parametrize`,
:mod:`.parametrizations`), the weight- and spectral-normalization hooks, folding batch
normalization into the layer before it (:mod:`.fusion`) and ``skip_init``; pruning is
:mod:`pluggrad.nn.utils.prune`, imported by name as in PyTorch."""

from __future__ import annotations

from . import parametrizations, parametrize, rnn, stateless
from .clip_grad import (
    clip_grad_norm,
    clip_grad_norm_,
    clip_grad_value_,
    clip_grads_with_norm_,
    get_total_norm,
)
from .convert_parameters import parameters_to_vector, vector_to_parameters
from .fusion import (
    fuse_conv_bn_eval,
    fuse_conv_bn_weights,
    fuse_linear_bn_eval,
    fuse_linear_bn_weights,
)
from .init import skip_init
from .spectral_norm import remove_spectral_norm, spectral_norm
from .weight_norm import remove_weight_norm, weight_norm

__all__ = [
    "clip_grad_norm", "clip_grad_norm_", "clip_grads_with_norm_", "clip_grad_value_",
    "get_total_norm", "parameters_to_vector",
    "vector_to_parameters", "rnn", "fuse_conv_bn_eval", "fuse_conv_bn_weights",
    "fuse_linear_bn_eval", "fuse_linear_bn_weights", "parametrizations", "parametrize",
    "remove_spectral_norm", "remove_weight_norm", "skip_init", "spectral_norm", "weight_norm",
    "stateless",
]  # fmt: skip
