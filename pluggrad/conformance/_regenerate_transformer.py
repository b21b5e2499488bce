"""The attention and Transformer runs compared with PyTorch, and the script that records
PyTorch's results for them in ``transformer_torch.json``.

Run by hand, with torch installed (pluggrad never needs it otherwise)::

    python -m pluggrad.conformance._regenerate_transformer

Each case builds a module (``MultiheadAttention``, an encoder or decoder layer or stack, a
``Transformer``) in float64 with :func:`run`'s library (the ``torch`` module or ``pluggrad``),
loads weights drawn from NumPy's ``default_rng`` (one per case) by ``state_dict`` key, calls it
on inputs and masks from the same generator, and records the output, the attention weights,
and the gradients of ``sum(output * r)`` (plus ``sum(weights * r')``) with respect to the
inputs and every parameter; and the module's ``repr`` and ``state_dict`` keys.
``test_nn_transformer`` replays the cases on every backend and compares.
"""

from __future__ import annotations

import json
import pathlib
from collections.abc import Callable
from typing import Any

import numpy as np

OUTPUT = pathlib.Path(__file__).with_name("transformer_torch.json")

E, HEADS, N, L, S = 4, 2, 2, 3, 5


def _bool(rng, shape, rate=0.3):
    """A random boolean mask whose first column stays False (no fully masked row, causal
    or not)."""
    mask = rng.uniform(size=shape) < rate
    mask[..., 0] = False
    return mask


def _causal(lib, size):
    return lib.nn.Transformer.generate_square_subsequent_mask(size, dtype=lib.float64)


# each case: (lib, rng, t) -> (module, positional inputs, keyword arguments); `t` makes a
# tensor of the library from a NumPy array, floating inputs requiring gradients
Case = Callable[[Any, Any, Callable], tuple[Any, tuple, dict]]


def _mha_self(lib, rng, t):
    x = t(rng.normal(size=(L, N, E)))
    return lib.nn.MultiheadAttention(E, HEADS), (x, x, x), {}


def _mha_batch_first_cross(lib, rng, t):
    q, kv = t(rng.normal(size=(N, L, E))), t(rng.normal(size=(N, S, E)))
    kwargs = {"key_padding_mask": t(_bool(rng, (N, S))), "average_attn_weights": False}
    return lib.nn.MultiheadAttention(E, HEADS, batch_first=True), (q, kv, kv), kwargs


def _mha_causal_no_weights(lib, rng, t):
    x = t(rng.normal(size=(L, N, E)))
    kwargs = {"attn_mask": _causal(lib, L), "need_weights": False, "is_causal": True}
    return lib.nn.MultiheadAttention(E, HEADS), (x, x, x), kwargs


def _mha_kdim_vdim(lib, rng, t):
    q, k, v = (t(rng.normal(size=(length, N, d))) for length, d in ((L, E), (S, 3), (S, 5)))
    kwargs = {"attn_mask": t(_bool(rng, (L, S))), "key_padding_mask": t(_bool(rng, (N, S)))}
    return lib.nn.MultiheadAttention(E, HEADS, kdim=3, vdim=5), (q, k, v), kwargs


def _mha_bias_kv_zero_attn(lib, rng, t):
    q, kv = t(rng.normal(size=(L, N, E))), t(rng.normal(size=(S, N, E)))
    kwargs = {"attn_mask": t(rng.normal(size=(L, S))), "average_attn_weights": False}
    module = lib.nn.MultiheadAttention(E, HEADS, add_bias_kv=True, add_zero_attn=True)
    return module, (q, kv, kv), kwargs


def _mha_bias_kv_padding(lib, rng, t):
    q, k, v = (t(rng.normal(size=(length, N, E))) for length in (L, S, S))
    kwargs = {"key_padding_mask": t(_bool(rng, (N, S))), "need_weights": False}
    module = lib.nn.MultiheadAttention(E, HEADS, add_bias_kv=True, add_zero_attn=True)
    return module, (q, k, v), kwargs


def _mha_unbatched_no_bias(lib, rng, t):
    q, kv = t(rng.normal(size=(L, E))), t(rng.normal(size=(S, E)))
    kwargs = {"attn_mask": t(rng.normal(size=(HEADS, L, S)))}
    return lib.nn.MultiheadAttention(E, HEADS, bias=False), (q, kv, kv), kwargs


def _mha_3d_mask_padding(lib, rng, t):
    q, kv = t(rng.normal(size=(N, L, E))), t(rng.normal(size=(N, S, E)))
    kwargs = {"attn_mask": t(_bool(rng, (N * HEADS, L, S))), "need_weights": False,
              "key_padding_mask": t(_bool(rng, (N, S)))}  # fmt: skip
    return lib.nn.MultiheadAttention(E, HEADS, batch_first=True), (q, kv, kv), kwargs


def _encoder_layer(shape=None, **options):
    def case(lib, rng, t):
        nonlocal shape
        shape = shape or ((N, L, E) if options.get("batch_first") else (L, N, E))
        # "tanh": the library's function, a callable activation
        tanh = options.get("activation") == "tanh"
        kwargs = dict(options, activation=lib.tanh) if tanh else options
        module = lib.nn.TransformerEncoderLayer(E, HEADS, 6, dropout=0.0, **kwargs)
        masks = {"src_mask": _causal(lib, L)} if shape[0] == L else {}
        if len(shape) == 3:
            masks["src_key_padding_mask"] = t(_bool(rng, (N, L)))
        return module, (t(rng.normal(size=shape)),), masks

    return case


def _encoder(lib, rng, t):
    layer = lib.nn.TransformerEncoderLayer(E, HEADS, 6, dropout=0.0, batch_first=True)
    module = lib.nn.TransformerEncoder(layer, 2, norm=lib.nn.LayerNorm(E))
    masks = {"mask": _causal(lib, L), "src_key_padding_mask": t(_bool(rng, (N, L)))}
    return module, (t(rng.normal(size=(N, L, E))),), masks


def _decoder_layer(**options):
    def case(lib, rng, t):
        bf = options.get("batch_first", False)
        module = lib.nn.TransformerDecoderLayer(E, HEADS, 6, dropout=0.0, **options)
        tgt = t(rng.normal(size=(N, L, E) if bf else (L, N, E)))
        memory = t(rng.normal(size=(N, S, E) if bf else (S, N, E)))
        masks = {"tgt_mask": _causal(lib, L), "memory_mask": t(rng.normal(size=(L, S))),
                 "tgt_key_padding_mask": t(_bool(rng, (N, L))),
                 "memory_key_padding_mask": t(_bool(rng, (N, S)))}  # fmt: skip
        return module, (tgt, memory), masks

    return case


def _decoder(lib, rng, t):
    layer = lib.nn.TransformerDecoderLayer(E, HEADS, 6, dropout=0.0, activation="gelu")
    module = lib.nn.TransformerDecoder(layer, 2, norm=lib.nn.LayerNorm(E))
    tgt, memory = t(rng.normal(size=(L, N, E))), t(rng.normal(size=(S, N, E)))
    masks = {"tgt_mask": _causal(lib, L), "memory_key_padding_mask": t(_bool(rng, (N, S)))}
    return module, (tgt, memory), masks


def _transformer(**options):
    def case(lib, rng, t):
        bf = options.get("batch_first", False)
        module = lib.nn.Transformer(E, HEADS, 2, 2, 6, dropout=0.0, **options)
        src = t(rng.normal(size=(N, S, E) if bf else (S, N, E)))
        tgt = t(rng.normal(size=(N, L, E) if bf else (L, N, E)))
        masks = {"tgt_mask": _causal(lib, L), "src_key_padding_mask": t(_bool(rng, (N, S))),
                 "memory_key_padding_mask": t(_bool(rng, (N, S)))}  # fmt: skip
        return module, (src, tgt), masks

    return case


CASES: dict[str, Case] = {
    "mha_self": _mha_self,
    "mha_batch_first_cross_padding_per_head": _mha_batch_first_cross,
    "mha_causal_float_mask_no_weights": _mha_causal_no_weights,
    "mha_kdim_vdim_bool_masks": _mha_kdim_vdim,
    "mha_bias_kv_zero_attn_float_mask": _mha_bias_kv_zero_attn,
    "mha_bias_kv_zero_attn_padding_no_weights": _mha_bias_kv_padding,
    "mha_unbatched_no_bias_3d_mask": _mha_unbatched_no_bias,
    "mha_3d_bool_mask_padding_no_weights": _mha_3d_mask_padding,
    "encoder_layer_relu": _encoder_layer(),
    "encoder_layer_gelu_norm_first_batch_first": _encoder_layer(
        activation="gelu", norm_first=True, batch_first=True
    ),
    "encoder_layer_callable_no_bias_unbatched": _encoder_layer(
        activation="tanh", bias=False, layer_norm_eps=1e-6, shape=(L, E)
    ),
    "encoder_two_layers_norm_causal_detected": _encoder,
    "decoder_layer_masks": _decoder_layer(),
    "decoder_layer_norm_first_batch_first_gelu": _decoder_layer(
        norm_first=True, batch_first=True, activation="gelu"
    ),
    "decoder_two_layers_norm": _decoder,
    "transformer": _transformer(),
    "transformer_batch_first_norm_first_gelu": _transformer(
        batch_first=True, norm_first=True, activation="gelu"
    ),
}


def build(torch, name: str) -> tuple[Any, tuple, dict, dict]:
    """Case `name`'s module (weights loaded, float64), inputs, keyword arguments and the NumPy
    state dict it was given."""
    rng = np.random.default_rng(sum(map(ord, name)))

    def t(array):
        array = np.asarray(array)
        if array.dtype == bool:
            return torch.tensor(array)
        return torch.tensor(array, dtype=torch.float64, requires_grad=True)

    module, inputs, kwargs = CASES[name](torch, rng, t)
    module = module.double()
    state = {k: rng.uniform(-0.7, 0.7, tuple(v.shape)) for k, v in module.state_dict().items()}
    module.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
    return module, inputs, kwargs, state


def _numpy(tensor) -> Any:
    return np.asarray(tensor.detach().cpu().numpy())


def run(torch, name: str) -> dict[str, Any]:
    """Case `name` with `torch` (the ``torch`` module, or ``pluggrad``): the output, the
    weights (or None), and the gradients by input position and parameter name."""
    module, inputs, kwargs, _ = build(torch, name)
    result = module(*inputs, **kwargs)
    output, weights = result if isinstance(result, tuple) else (result, None)
    rng = np.random.default_rng(7)
    loss = (output * torch.tensor(rng.normal(size=tuple(output.shape)))).sum()
    if weights is not None:
        loss = loss + (weights * torch.tensor(rng.normal(size=tuple(weights.shape)))).sum()
    loss.backward()
    grads = {f"input{i}": _numpy(x.grad) for i, x in enumerate(inputs) if x.grad is not None}
    grads.update({k: _numpy(p.grad) for k, p in module.named_parameters()})
    return {
        "output": _numpy(output),
        "weights": None if weights is None else _numpy(weights),
        "grads": grads,
        "repr": repr(module),
        "keys": list(module.state_dict()),
    }


def run_eval_nested(torch) -> Any:
    """An encoder in ``eval()`` mode without gradients and a left-aligned padding mask: PyTorch
    runs nested tensors and returns zeros at the padded positions (before the final norm)."""
    layer = torch.nn.TransformerEncoderLayer(E, HEADS, 6, batch_first=True)
    module = torch.nn.TransformerEncoder(layer, 2, norm=torch.nn.LayerNorm(E)).double().eval()
    rng = np.random.default_rng(11)
    state = {k: rng.uniform(-0.7, 0.7, tuple(v.shape)) for k, v in module.state_dict().items()}
    module.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
    src = torch.tensor(rng.normal(size=(N, 4, E)))
    padding = torch.tensor(np.array([[False, False, True, True], [False, False, False, True]]))
    with torch.no_grad():
        return _numpy(module(src, src_key_padding_mask=padding))


def run_seeded(torch) -> dict[str, Any]:
    """PyTorch's random stream at work: a ``Transformer`` made after ``manual_seed(0)`` (its
    initialisation), then run in training mode with dropout 0.3 after ``manual_seed(1)``; and
    ``MultiheadAttention`` with dropout 0.5 on the weights, with and without `need_weights`."""
    torch.manual_seed(0)
    model = torch.nn.Transformer(E, HEADS, 1, 1, 6, dropout=0.3).double()
    rng = np.random.default_rng(12)
    src, tgt = torch.tensor(rng.normal(size=(S, N, E))), torch.tensor(rng.normal(size=(L, N, E)))
    torch.manual_seed(1)
    result = {"state": {k: _numpy(v) for k, v in model.state_dict().items()},
              "train": _numpy(model(src, tgt))}  # fmt: skip
    attention = torch.nn.MultiheadAttention(E, HEADS, dropout=0.5).double()
    for need_weights in (True, False):
        torch.manual_seed(2)
        result[f"mha_{need_weights}"] = _numpy(
            attention(tgt, src, src, need_weights=need_weights)[0]
        )
    return result


def encode(value) -> Any:
    """`value` in JSON's terms (arrays as nested lists)."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    return value


def main() -> None:
    import torch  # noqa: PLC0415 - only regenerating the file needs torch

    results = {name: encode(run(torch, name)) for name in CASES}
    data = {"torch": torch.__version__, "runs": results,
            "eval_nested": encode(run_eval_nested(torch)),
            "seeded": encode(run_seeded(torch))}  # fmt: skip
    text = json.dumps(data, separators=(",", ":"))
    OUTPUT.write_text(text + "\n")
    print(f"{OUTPUT.name}: {len(results)} runs, torch {torch.__version__}, {len(text)} bytes")


if __name__ == "__main__":
    main()
