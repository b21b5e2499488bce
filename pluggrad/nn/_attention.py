"""``multi_head_attention_forward`` and the mask helpers of PyTorch's attention modules.

Written to PyTorch's ``torch.nn.functional.multi_head_attention_forward``: sequence-first
inputs ``(L, N, E)`` (or unbatched ``(L, E)``), one packed in-projection or three separate ones,
``bias_k``/``bias_v`` appended to the keys and values, a zero key and value with
``add_zero_attn``, boolean masks turned into additive ``-inf`` masks, and the two ways PyTorch
computes the result: with ``need_weights`` the weights are formed (``baddbmm`` with the mask,
softmax, dropout) and returned averaged over the heads or per head; without, the heads go
through ``scaled_dot_product_attention`` (where ``is_causal`` may stand for the mask).
"""

from __future__ import annotations

import math
import warnings

from .. import _dtypes
from .. import ops as _ops
from .._core.tensor import Tensor
from ..ops._autocast import lower_precision
from ._resample import dropped_out, scaled_dot_product_attention

__all__ = ["multi_head_attention_forward"]


def _none_or_dtype(input):  # noqa: A002 - PyTorch's name
    if input is None:
        return None
    if isinstance(input, Tensor):
        return input.dtype
    raise RuntimeError("input to _none_or_dtype() must be None or torch.Tensor")


def _canonical_mask(mask, mask_name: str, other_type, other_name: str, target_type,
                    check_other: bool = True):  # fmt: skip
    """A boolean mask as an additive one (``-inf`` where True) of `target_type`; a float mask
    as it is."""
    if mask is None:
        return None
    is_float = mask.dtype.is_floating_point
    if mask.dtype != _dtypes.bool and not is_float:
        raise AssertionError(f"only bool and floating types of {mask_name} are supported")
    if check_other and other_type is not None and mask.dtype != other_type:
        warnings.warn(
            f"Support for mismatched {mask_name} and {other_name} is deprecated. "
            "Use same type for both instead.",
            stacklevel=3,
        )
    if is_float:
        return mask
    zeros = _ops.zeros(tuple(mask.shape), dtype=target_type, device=mask.device)
    return zeros.masked_fill(mask, -math.inf)


def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads: int) -> bool:
    """Whether the inputs are batched, with PyTorch's errors for inconsistent dimensions."""
    if query.dim() not in (2, 3):
        raise AssertionError(
            "query should be unbatched 2D or batched 3D tensor but received "
            f"{query.dim()}-D query tensor"
        )
    batched = query.dim() == 3
    kind = "batched (3-D)" if batched else "unbatched (2-D)"
    if key.dim() != query.dim() or value.dim() != query.dim():
        raise AssertionError(
            f"For {kind} `query`, expected `key` and `value` to be {query.dim()}-D"
            f" but found {key.dim()}-D and {value.dim()}-D tensors respectively"
        )
    if key_padding_mask is not None and key_padding_mask.dim() != query.dim() - 1:
        raise AssertionError(
            f"For {kind} `query`, expected `key_padding_mask` to be `None` or "
            f"{query.dim() - 1}-D but found {key_padding_mask.dim()}-D tensor instead"
        )
    if attn_mask is not None:
        if attn_mask.dim() not in (2, 3):
            raise AssertionError(
                f"For {kind} `query`, expected `attn_mask` to be `None`, 2-D or 3-D"
                f" but found {attn_mask.dim()}-D tensor instead"
            )
        expected = (num_heads, query.shape[0], key.shape[0])
        if not batched and attn_mask.dim() == 3 and tuple(attn_mask.shape) != expected:
            raise AssertionError(
                f"Expected `attn_mask` shape to be {expected} but got {attn_mask.shape}"
            )
    return batched


def _in_projection(query, key, value, in_proj_weight, in_proj_bias, separate):
    """q, k and v: the packed weight's three row blocks, or the three separate weights, with the
    packed bias's thirds."""
    weights = in_proj_weight.chunk(3) if separate is None else separate
    biases = (None,) * 3 if in_proj_bias is None else in_proj_bias.chunk(3)
    return tuple(
        _linear(x, w, b) for x, w, b in zip((query, key, value), weights, biases, strict=True)
    )


@lower_precision  # F.linear's policy, as PyTorch's projections are F.linear
def _linear(x, weight, bias):
    out = _ops.matmul(x, _ops.matrix_transpose(weight))
    return out if bias is None else out + bias


def _heads(x, length: int, groups: int, head_dim: int):
    """``(length, N, E)`` to ``(N * heads, length, head_dim)``."""
    return x.reshape(length, groups, head_dim).transpose(0, 1)


def _pad_mask(mask):
    """One more key column (for a bias or zero key), taking part in attention."""
    return None if mask is None else _ops.cat([mask, _ops.zeros_like(mask[..., :1])], -1)


def multi_head_attention_forward(query, key, value, embed_dim_to_check: int, num_heads: int,
                                 in_proj_weight, in_proj_bias, bias_k, bias_v,
                                 add_zero_attn: bool, dropout_p: float, out_proj_weight,
                                 out_proj_bias, training: bool = True, key_padding_mask=None,
                                 need_weights: bool = True, attn_mask=None,
                                 use_separate_proj_weight: bool = False, q_proj_weight=None,
                                 k_proj_weight=None, v_proj_weight=None, static_k=None,
                                 static_v=None, average_attn_weights: bool = True,
                                 is_causal: bool = False):  # fmt: skip
    """Multi-head attention of sequence-first `query`, `key` and `value` (PyTorch's function).

    Parameters
    ----------
    query, key, value : Tensor
        ``(L, N, E)``, ``(S, N, kdim)``, ``(S, N, vdim)``, or the same without ``N``.
    embed_dim_to_check, num_heads : int
        The embedding size `query` must have, and the number of heads it is split into.
    in_proj_weight, in_proj_bias : Tensor or None
        The packed ``(3E, E)`` projection and its ``(3E,)`` bias.
    bias_k, bias_v : Tensor or None
        ``(1, 1, E)`` key and value appended to every sequence.
    add_zero_attn : bool
        Append a zero key and value after the projections.
    dropout_p : float
        Dropout on the attention weights (only with ``training``).
    out_proj_weight, out_proj_bias : Tensor
        The output projection.
    key_padding_mask : Tensor, optional
        ``(N, S)``: True (or ``-inf``) for the keys to ignore.
    need_weights, average_attn_weights : bool
        Return the attention weights too, averaged over the heads or ``(N, heads, L, S)``.
    attn_mask : Tensor, optional
        ``(L, S)`` or ``(N * heads, L, S)``, boolean (True: masked) or added to the scores.
    use_separate_proj_weight : bool
        Project with `q_proj_weight`, `k_proj_weight` and `v_proj_weight`.
    static_k, static_v : Tensor, optional
        ``(N * heads, S, E / heads)`` keys and values used in place of the projections.
    is_causal : bool
        A hint that `attn_mask` is the causal mask.

    Returns
    -------
    tuple of Tensor
        The output ``(L, N, E)`` and the weights, or None without `need_weights`.
    """
    batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    dtype = query.dtype
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask",
                                       _none_or_dtype(attn_mask), "attn_mask", dtype)  # fmt: skip
    if is_causal and attn_mask is None:
        raise RuntimeError(
            "Need attn_mask if specifying the is_causal hint. You may use the Transformer "
            "module method `generate_square_subsequent_mask` to create this mask."
        )
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # scaled_dot_product_attention's is_causal stands for it
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", dtype, check_other=False)
        if key_padding_mask is not None:
            is_causal = False
    if embed_dim != embed_dim_to_check:
        raise AssertionError(
            f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}"
        )
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if tuple(key.shape[:2]) != tuple(value.shape[:2]):
            raise AssertionError(
                f"key's sequence and batch dims {key.shape[:2]} do not match value's "
                f"{value.shape[:2]}"
            )
        separate = (q_proj_weight, k_proj_weight, v_proj_weight)
    else:
        if tuple(key.shape) != tuple(value.shape):
            raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        separate = None
    q, k, v = _in_projection(query, key, value, in_proj_weight, in_proj_bias, separate)

    src_len = key.shape[0]
    if attn_mask is not None:
        if attn_mask.dim() == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError(
                    f"The shape of the 2D attn_mask is {attn_mask.shape}, but should be "
                    f"{(tgt_len, src_len)}."
                )
            attn_mask = attn_mask.unsqueeze(0)
        elif tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
            raise RuntimeError(
                f"The shape of the 3D attn_mask is {attn_mask.shape}, but should be "
                f"{(bsz * num_heads, tgt_len, src_len)}."
            )
    if (bias_k is None) != (bias_v is None):
        raise AssertionError("bias_k and bias_v must both be given or both be None")
    if bias_k is not None:
        if static_k is not None or static_v is not None:
            raise AssertionError("bias cannot be added to static key.")
        k = _ops.cat([k, bias_k.repeat(1, bsz, 1)])
        v = _ops.cat([v, bias_v.repeat(1, bsz, 1)])
        attn_mask, key_padding_mask = _pad_mask(attn_mask), _pad_mask(key_padding_mask)

    groups = bsz * num_heads
    q = _heads(q, tgt_len, groups, head_dim)
    k = _heads(k, k.shape[0], groups, head_dim) if static_k is None else static_k
    v = _heads(v, v.shape[0], groups, head_dim) if static_v is None else static_v
    if add_zero_attn:
        zero = _ops.zeros((groups, 1, head_dim), dtype=k.dtype, device=k.device)
        k, v = _ops.cat([k, zero], 1), _ops.cat([v, zero], 1)
        attn_mask, key_padding_mask = _pad_mask(attn_mask), _pad_mask(key_padding_mask)
    src_len = k.shape[1]

    if key_padding_mask is not None:
        if tuple(key_padding_mask.shape) != (bsz, src_len):
            raise AssertionError(
                f"Expected key_padded_mask.shape to be {(bsz, src_len)}, but got "
                f"{tuple(key_padding_mask.shape)}"
            )
        padding = key_padding_mask.reshape(bsz, 1, 1, src_len).expand(-1, num_heads, -1, -1)
        padding = padding.reshape(groups, 1, src_len)
        attn_mask = padding if attn_mask is None else attn_mask + padding
    if not training:
        dropout_p = 0.0

    if need_weights:
        scores = _ops.bmm(q * math.sqrt(1.0 / head_dim), k.transpose(-2, -1))
        if attn_mask is not None:
            scores = attn_mask + scores
        weights = _ops.softmax(scores, -1)
        if dropout_p > 0.0:
            weights = dropped_out(weights, dropout_p)
        output = _ops.bmm(weights, v).transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        weights = weights.reshape(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            weights = weights.mean(1)
    else:
        if attn_mask is not None:
            shape = (1, 1, tgt_len, src_len) if attn_mask.shape[0] == 1 else (bsz, num_heads)
            attn_mask = attn_mask.reshape(*shape[:2], -1, src_len)
        heads = (bsz, num_heads, -1, head_dim)
        output = scaled_dot_product_attention(q.reshape(heads), k.reshape(heads),
                                              v.reshape(heads), attn_mask, dropout_p,
                                              is_causal)  # fmt: skip
        output = output.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)
        weights = None
    output = _linear(output, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, -1)
    if not batched:
        output = output.squeeze(1)
        weights = None if weights is None else weights.squeeze(0)
    return output, weights
