"""``MultiheadAttention``, with PyTorch's parameters, their names and initialisation."""

from __future__ import annotations

from typing import Any

from ..._core.tensor import Tensor
from ...ops.creation import empty
from .. import init
from .._attention import _canonical_mask, _none_or_dtype, multi_head_attention_forward
from ..parameter import Parameter
from .linear import Linear
from .module import Module

__all__ = ["MultiheadAttention", "NonDynamicallyQuantizableLinear"]


class NonDynamicallyQuantizableLinear(Linear):
    """A :class:`Linear` under PyTorch's name for ``MultiheadAttention.out_proj`` (which
    PyTorch's dynamic quantisation leaves alone)."""


class MultiheadAttention(Module):
    """Attention of `query` to `key` and `value` in `num_heads` heads, then a linear projection.

    Parameters
    ----------
    embed_dim, num_heads : int
        The model's width and the number of heads (each ``embed_dim // num_heads`` wide).
    dropout : float
        Dropout on the attention weights in training (default 0).
    bias : bool
        Learn the input and output projections' biases (zeros at first).
    add_bias_kv : bool
        Learn a key and a value (``bias_k``, ``bias_v``) appended to every sequence.
    add_zero_attn : bool
        Append a zero key and value.
    kdim, vdim : int, optional
        The keys' and values' sizes (default `embed_dim`); when either differs the projections
        are ``q_proj_weight``, ``k_proj_weight`` and ``v_proj_weight`` instead of the packed
        ``in_proj_weight``.
    batch_first : bool
        Inputs and output are ``(N, L, E)`` instead of ``(L, N, E)``.
    device, dtype
        Where and in which dtype to make the parameters.

    Attributes
    ----------
    in_proj_weight : Parameter or None
        ``(3 * embed_dim, embed_dim)``, Xavier-uniform.
    in_proj_bias : Parameter or None
        ``(3 * embed_dim,)``.
    out_proj : NonDynamicallyQuantizableLinear
        The output projection.
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim: Any = None,
                 vdim: Any = None, batch_first: bool = False, device: Any = None,
                 dtype: Any = None) -> None:  # fmt: skip
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(
                f"embed_dim and num_heads must be greater than 0, got embed_dim={embed_dim} "
                f"and num_heads={num_heads} instead"
            )
        kwargs = {"device": device, "dtype": dtype}
        super().__init__()
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != embed_dim:
            raise AssertionError("embed_dim must be divisible by num_heads")
        separate = ("q_proj_weight", "k_proj_weight", "v_proj_weight")
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(empty((3 * embed_dim, embed_dim), **kwargs))
            for name in separate:
                self.register_parameter(name, None)
        else:
            for name, width in zip(separate, (embed_dim, self.kdim, self.vdim), strict=True):
                setattr(self, name, Parameter(empty((embed_dim, width), **kwargs)))
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(empty(3 * embed_dim, **kwargs))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias, **kwargs)
        if add_bias_kv:
            self.bias_k = Parameter(empty((1, 1, embed_dim), **kwargs))
            self.bias_v = Parameter(empty((1, 1, embed_dim), **kwargs))
        else:
            # plain attributes, as in PyTorch: they are no entries of the state_dict
            self.bias_k = self.bias_v = None  # type: ignore[assignment]
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
        if self.bias_v is not None:
            init.xavier_normal_(self.bias_v)

    def forward(self, query: Tensor, key: Tensor, value: Tensor, key_padding_mask: Any = None,
                need_weights: bool = True, attn_mask: Any = None,
                average_attn_weights: bool = True,
                is_causal: bool = False) -> tuple[Tensor, Tensor | None]:  # fmt: skip
        """Attend `query` ``(L, N, E)`` to `key` ``(S, N, kdim)`` and `value` ``(S, N, vdim)``
        (``(N, L, E)``... with `batch_first`; no ``N`` for one sequence).

        `key_padding_mask` ``(N, S)`` marks the keys to ignore (True or ``-inf``), `attn_mask`
        ``(L, S)`` or ``(N * num_heads, L, S)`` the pairs (True: masked; a float mask is added
        to the scores).  Returns the output and, with `need_weights`, the attention weights
        averaged over the heads ``(N, L, S)`` or per head ``(N, num_heads, L, S)``.
        """
        batched = query.dim() == 3
        key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask",
                                           _none_or_dtype(attn_mask), "attn_mask",
                                           query.dtype)  # fmt: skip
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype,
                                    check_other=False)  # fmt: skip
        if self.batch_first and batched:
            query, key, value = (x.transpose(1, 0) for x in (query, key, value))
        separate = not self._qkv_same_embed_dim
        output, weights = multi_head_attention_forward(
            query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight,
            self.in_proj_bias, self.bias_k, self.bias_v, self.add_zero_attn, self.dropout,
            self.out_proj.weight, self.out_proj.bias, training=self.training,
            key_padding_mask=key_padding_mask, need_weights=need_weights, attn_mask=attn_mask,
            use_separate_proj_weight=separate, q_proj_weight=self.q_proj_weight,
            k_proj_weight=self.k_proj_weight, v_proj_weight=self.v_proj_weight,
            average_attn_weights=average_attn_weights, is_causal=is_causal,
        )  # fmt: skip
        if self.batch_first and batched:
            output = output.transpose(1, 0)
        return output, weights
