"""PyTorch's Transformer: encoder and decoder layers, their stacks, and ``Transformer``."""

from __future__ import annotations

import copy
import math
import warnings
from typing import Any

from ... import _dtypes
from ..._core.grad_mode import is_grad_enabled
from ..._core.tensor import Tensor
from ...ops.creation import full, triu
from .. import functional as F
from .. import init
from .._attention import _canonical_mask, _none_or_dtype
from .activation import GELU, ReLU
from .activation_attention import MultiheadAttention
from .container import ModuleList
from .dropout import Dropout
from .linear import Linear
from .module import Module
from .normalization import LayerNorm

__all__ = [
    "Transformer", "TransformerEncoder", "TransformerDecoder", "TransformerEncoderLayer",
    "TransformerDecoderLayer",
]  # fmt: skip


def _generate_square_subsequent_mask(sz: int, device: Any = None, dtype: Any = None) -> Tensor:
    dtype = _dtypes.get_default_dtype() if dtype is None else dtype
    return triu(full((sz, sz), -math.inf, dtype=dtype, device=device), diagonal=1)


def _get_activation_fn(activation: str):
    if activation == "relu":
        return F.relu
    if activation == "gelu":
        return F.gelu
    raise RuntimeError(f"activation should be relu/gelu, not {activation}")


def _get_clones(module: Module, n: int) -> ModuleList:
    return ModuleList([copy.deepcopy(module) for _ in range(n)])


def _detect_is_causal_mask(mask: Any, is_causal: Any = None) -> bool:
    """`is_causal` as a bool.

    PyTorch, given None and a mask, compares the mask with the causal one value by value and
    passes the hint on; the hint only lets the attention drop the mask for the causal
    ``scaled_dot_product_attention``, which computes the same values.  Not reading the mask
    keeps the stacks free of a data-dependent branch (``pluggrad.compile`` traces them).
    """
    return is_causal is True


class _FeedForward(Module):
    """What the encoder and decoder layers share: the feed-forward block's parts and the
    attention and feed-forward blocks."""

    def _feed_forward_parts(self, d_model: int, dim_feedforward: int, dropout: float,
                            bias: bool, kwargs: dict) -> None:  # fmt: skip
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, **kwargs)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, **kwargs)

    def _ff_block(self, x: Tensor, dropout: Module) -> Tensor:
        return dropout(self.linear2(self.dropout(self.activation(self.linear1(x)))))

    def _attention_block(self, attention: Module, dropout: Module, x: Tensor, memory: Tensor,
                         attn_mask: Any, key_padding_mask: Any,
                         is_causal: bool) -> Tensor:  # fmt: skip
        out = attention(x, memory, memory, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                        need_weights=False, is_causal=is_causal)[0]  # fmt: skip
        return dropout(out)


class TransformerEncoderLayer(_FeedForward):
    """Self-attention and a feed-forward network, each with a residual connection and a
    layer norm (after it, or before it with `norm_first`).

    Parameters
    ----------
    d_model, nhead : int
        The model's width and the attention's heads.
    dim_feedforward : int
        The feed-forward network's hidden width (default 2048).
    dropout : float
        Dropout after the attention, inside and after the feed-forward network (default 0.1).
    activation : str or callable
        ``"relu"`` (default), ``"gelu"`` or a function or module.
    layer_norm_eps : float
        The layer norms' epsilon.
    batch_first, norm_first, bias : bool
        ``(N, S, E)`` inputs; normalise before each block; learn the additive biases.
    """

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation: Any = F.relu, layer_norm_eps: float = 1e-5,
                 batch_first: bool = False, norm_first: bool = False, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:  # fmt: skip
        super().__init__()
        kwargs = {"device": device, "dtype": dtype}
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias,
                                            batch_first=batch_first, **kwargs)  # fmt: skip
        self._feed_forward_parts(d_model, dim_feedforward, dropout, bias, kwargs)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **kwargs)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **kwargs)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        if isinstance(activation, str):
            activation = _get_activation_fn(activation)
        if activation is F.relu or isinstance(activation, ReLU):
            self.activation_relu_or_gelu = 1
        elif activation is F.gelu or isinstance(activation, GELU):
            self.activation_relu_or_gelu = 2
        else:
            self.activation_relu_or_gelu = 0
        self.activation = activation

    def forward(self, src: Tensor, src_mask: Any = None, src_key_padding_mask: Any = None,
                is_causal: bool = False) -> Tensor:  # fmt: skip
        """`src` ``(S, N, E)`` through the layer; `src_mask` ``(S, S)`` or ``(N * nhead, S, S)``,
        `src_key_padding_mask` ``(N, S)`` as in :class:`MultiheadAttention`."""
        src_key_padding_mask = _canonical_mask(src_key_padding_mask, "src_key_padding_mask",
                                               _none_or_dtype(src_mask), "src_mask",
                                               src.dtype)  # fmt: skip
        src_mask = _canonical_mask(src_mask, "src_mask", None, "", src.dtype, check_other=False)
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            return x + self._ff_block(self.norm2(x), self.dropout2)
        x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
        return self.norm2(x + self._ff_block(x, self.dropout2))

    def _sa_block(self, x: Tensor, attn_mask: Any, key_padding_mask: Any,
                  is_causal: bool = False) -> Tensor:  # fmt: skip
        return self._attention_block(self.self_attn, self.dropout1, x, x, attn_mask,
                                     key_padding_mask, is_causal)  # fmt: skip


class TransformerDecoderLayer(_FeedForward):
    """Self-attention, attention to the encoder's output (`memory`) and a feed-forward
    network, each with a residual connection and a layer norm (after, or before with
    `norm_first`); the parameters are :class:`TransformerEncoderLayer`'s."""

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation: Any = F.relu, layer_norm_eps: float = 1e-5,
                 batch_first: bool = False, norm_first: bool = False, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:  # fmt: skip
        super().__init__()
        kwargs = {"device": device, "dtype": dtype}
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout,
                                            batch_first=batch_first, bias=bias,
                                            **kwargs)  # fmt: skip
        self.multihead_attn = MultiheadAttention(d_model, nhead, dropout=dropout,
                                                 batch_first=batch_first, bias=bias,
                                                 **kwargs)  # fmt: skip
        self._feed_forward_parts(d_model, dim_feedforward, dropout, bias, kwargs)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **kwargs)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **kwargs)
        self.norm3 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **kwargs)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.dropout3 = Dropout(dropout)
        self.activation = (
            _get_activation_fn(activation) if isinstance(activation, str) else activation
        )

    def forward(self, tgt: Tensor, memory: Tensor, tgt_mask: Any = None, memory_mask: Any = None,
                tgt_key_padding_mask: Any = None, memory_key_padding_mask: Any = None,
                tgt_is_causal: bool = False, memory_is_causal: bool = False) -> Tensor:  # fmt: skip
        """`tgt` ``(T, N, E)`` attending to itself (`tgt_mask`, `tgt_key_padding_mask`) and to
        `memory` ``(S, N, E)`` (`memory_mask`, `memory_key_padding_mask`)."""
        x = tgt
        sa, mha = self.self_attn, self.multihead_attn
        tgt_masks = (tgt_mask, tgt_key_padding_mask, tgt_is_causal)
        memory_masks = (memory_mask, memory_key_padding_mask, memory_is_causal)
        if self.norm_first:
            y = self.norm1(x)
            x = x + self._attention_block(sa, self.dropout1, y, y, *tgt_masks)
            x = x + self._attention_block(mha, self.dropout2, self.norm2(x), memory, *memory_masks)
            return x + self._ff_block(self.norm3(x), self.dropout3)
        x = self.norm1(x + self._attention_block(sa, self.dropout1, x, x, *tgt_masks))
        x = self.norm2(x + self._attention_block(mha, self.dropout2, x, memory, *memory_masks))
        return self.norm3(x + self._ff_block(x, self.dropout3))


class TransformerEncoder(Module):
    """`num_layers` copies of `encoder_layer` in turn, then `norm` if given.

    ``enable_nested_tensor`` keeps PyTorch's meaning where it shows: in ``eval()`` mode,
    without gradients, with a left-aligned `src_key_padding_mask` and no `mask`, PyTorch runs
    the unpadded sequences (nested tensors) and returns zeros at the padded positions (before
    `norm`); so does this encoder.
    """

    def __init__(self, encoder_layer: Module, num_layers: int, norm: Any = None,
                 enable_nested_tensor: bool = True, mask_check: bool = True) -> None:  # fmt: skip
        super().__init__()
        self.layers = _get_clones(encoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm
        self.enable_nested_tensor = enable_nested_tensor
        self.use_nested_tensor = enable_nested_tensor
        self.mask_check = mask_check
        why_not = _why_not_nested(encoder_layer)
        if enable_nested_tensor and why_not:
            warnings.warn(
                "enable_nested_tensor is True, but self.use_nested_tensor is False because "
                f"{why_not}",
                stacklevel=2,
            )
            self.use_nested_tensor = False

    def forward(self, src: Tensor, mask: Any = None, src_key_padding_mask: Any = None,
                is_causal: Any = None) -> Tensor:  # fmt: skip
        """`src` through the layers, each with `mask` and `src_key_padding_mask`; `is_causal`:
        a hint that `mask` is the causal mask (None: no hint, the same values)."""
        src_key_padding_mask = _canonical_mask(src_key_padding_mask, "src_key_padding_mask",
                                               _none_or_dtype(mask), "mask", src.dtype)  # fmt: skip
        mask = _canonical_mask(mask, "mask", None, "", src.dtype, check_other=False)
        padded = self._nested_padding(src, mask, src_key_padding_mask)
        is_causal = _detect_is_causal_mask(mask, is_causal)
        output = src
        for layer in self.layers:
            output = layer(output, src_mask=mask, is_causal=is_causal,
                           src_key_padding_mask=src_key_padding_mask)  # fmt: skip
        if padded is not None:
            output = output.masked_fill(padded.unsqueeze(-1), 0.0)
        if self.norm is not None:
            output = self.norm(output)
        return output

    def _nested_padding(self, src: Tensor, mask: Any, padding: Any) -> Any:
        """The padded positions ``(N, S)`` where PyTorch would run nested tensors, else None."""
        first = self.layers[0]
        if (not getattr(self, "use_nested_tensor", False) or first.training or src.dim() != 3
                or padding is None or mask is not None):  # fmt: skip
            return None
        attn = first.self_attn
        tensors = (src, attn.in_proj_weight, attn.in_proj_bias, attn.out_proj.weight,
                   attn.out_proj.bias, first.norm1.weight, first.norm1.bias, first.norm2.weight,
                   first.norm2.bias, first.linear1.weight, first.linear1.bias,
                   first.linear2.weight, first.linear2.bias)  # fmt: skip
        if is_grad_enabled() and any(t is not None and t.requires_grad for t in tensors):
            return None
        padded = padding != 0.0  # the canonical mask: -inf where padded
        # left-aligned: no kept position after a padded one
        if self.mask_check and bool((padded[:, :-1] & ~padded[:, 1:]).any()):
            return None
        return padded


def _why_not_nested(layer: Module) -> str:
    """Why PyTorch's encoder would not use nested tensors with this layer ('' if it would)."""
    name = "encoder_layer"
    if not isinstance(layer, TransformerEncoderLayer):
        return f"{name} was not TransformerEncoderLayer"
    attn = layer.self_attn
    reasons = (
        (layer.norm_first, f"{name}.norm_first was True"),
        (not attn.batch_first, f"{name}.self_attn.batch_first was not True"
                               "(use batch_first for better inference performance)"),
        (not attn._qkv_same_embed_dim, f"{name}.self_attn._qkv_same_embed_dim was not True"),
        (attn.in_proj_bias is None, f"{name}.self_attn was passed bias=False"),
        (not layer.activation_relu_or_gelu, f"{name}.activation_relu_or_gelu was not True"),
        (layer.norm1.eps != layer.norm2.eps,
         f"{name}.norm1.eps was not equal to {name}.norm2.eps"),
        (attn.num_heads % 2 == 1, f"{name}.self_attn.num_heads is odd"),
    )  # fmt: skip
    return next((reason for failed, reason in reasons if failed), "")


class TransformerDecoder(Module):
    """`num_layers` copies of `decoder_layer` in turn, then `norm` if given."""

    def __init__(self, decoder_layer: Module, num_layers: int, norm: Any = None) -> None:
        super().__init__()
        self.layers = _get_clones(decoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm

    def forward(self, tgt: Tensor, memory: Tensor, tgt_mask: Any = None, memory_mask: Any = None,
                tgt_key_padding_mask: Any = None, memory_key_padding_mask: Any = None,
                tgt_is_causal: Any = None, memory_is_causal: bool = False) -> Tensor:  # fmt: skip
        """`tgt` through the layers, each attending to `memory` (the masks as in
        :class:`TransformerDecoderLayer`)."""
        tgt_is_causal = _detect_is_causal_mask(tgt_mask, tgt_is_causal)
        output = tgt
        for layer in self.layers:
            output = layer(output, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                           tgt_key_padding_mask=tgt_key_padding_mask,
                           memory_key_padding_mask=memory_key_padding_mask,
                           tgt_is_causal=tgt_is_causal,
                           memory_is_causal=memory_is_causal)  # fmt: skip
        if self.norm is not None:
            output = self.norm(output)
        return output


class Transformer(Module):
    """An encoder and a decoder of `d_model` width (PyTorch's ``nn.Transformer``), every
    matrix parameter drawn again Xavier-uniform.

    Parameters
    ----------
    d_model, nhead, num_encoder_layers, num_decoder_layers, dim_feedforward : int
        Width, heads, the two depths and the feed-forward width (512, 8, 6, 6, 2048).
    dropout, activation, layer_norm_eps, batch_first, norm_first, bias
        As in :class:`TransformerEncoderLayer`.
    custom_encoder, custom_decoder : Module, optional
        Used in place of the encoder or decoder made from the other arguments.
    """

    def __init__(self, d_model: int = 512, nhead: int = 8, num_encoder_layers: int = 6,
                 num_decoder_layers: int = 6, dim_feedforward: int = 2048, dropout: float = 0.1,
                 activation: Any = F.relu, custom_encoder: Any = None, custom_decoder: Any = None,
                 layer_norm_eps: float = 1e-5, batch_first: bool = False,
                 norm_first: bool = False, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:  # fmt: skip
        super().__init__()
        kwargs = {"device": device, "dtype": dtype}
        layer_args = (d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps,
                      batch_first, norm_first, bias)  # fmt: skip
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            layer = TransformerEncoderLayer(*layer_args, **kwargs)
            norm = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **kwargs)
            self.encoder = TransformerEncoder(layer, num_encoder_layers, norm)
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            decoder_layer = TransformerDecoderLayer(*layer_args, **kwargs)
            norm = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **kwargs)
            self.decoder = TransformerDecoder(decoder_layer, num_decoder_layers, norm)
        self._reset_parameters()
        self.d_model = d_model
        self.nhead = nhead
        self.batch_first = batch_first

    def forward(self, src: Tensor, tgt: Tensor, src_mask: Any = None, tgt_mask: Any = None,
                memory_mask: Any = None, src_key_padding_mask: Any = None,
                tgt_key_padding_mask: Any = None, memory_key_padding_mask: Any = None,
                src_is_causal: Any = None, tgt_is_causal: Any = None,
                memory_is_causal: bool = False) -> Tensor:  # fmt: skip
        """Encode `src` ``(S, N, E)``, then decode `tgt` ``(T, N, E)`` attending to it."""
        batched = src.dim() == 3
        batch = 0 if self.batch_first else 1
        if batched and src.shape[batch] != tgt.shape[batch]:
            raise RuntimeError("the batch number of src and tgt must be equal")
        if src.shape[-1] != self.d_model or tgt.shape[-1] != self.d_model:
            raise RuntimeError("the feature number of src and tgt must be equal to d_model")
        memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask,
                              is_causal=src_is_causal)  # fmt: skip
        return self.decoder(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                            tgt_key_padding_mask=tgt_key_padding_mask,
                            memory_key_padding_mask=memory_key_padding_mask,
                            tgt_is_causal=tgt_is_causal,
                            memory_is_causal=memory_is_causal)  # fmt: skip

    @staticmethod
    def generate_square_subsequent_mask(sz: int, device: Any = None, dtype: Any = None) -> Tensor:
        """``(sz, sz)``: ``-inf`` above the diagonal, zeros elsewhere (the causal mask)."""
        return _generate_square_subsequent_mask(sz, device=device, dtype=dtype)

    def _reset_parameters(self) -> None:
        for p in self.parameters():
            if p.dim() > 1:
                init.xavier_uniform_(p)
