"""``pluggrad.nn``'s attention and Transformer modules against PyTorch's stored results
(``_regenerate_transformer``: outputs, attention weights, gradients of inputs and every
parameter in float64, reprs and ``state_dict`` keys), finite-difference derivatives of
``MultiheadAttention`` (first and second order), dropout in training and evaluation, the
initialisation, and PyTorch's errors and warnings."""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pytest

import pluggrad as pg
from pluggrad import nn
from pluggrad.backends._random import CPUGenerator
from pluggrad.conformance._regenerate_transformer import (
    CASES,
    OUTPUT,
    run,
    run_eval_nested,
    run_seeded,
)
from pluggrad.ops.random import default_generator

RTOL = ATOL = 1e-10


@pytest.fixture(scope="module")
def stored():
    return json.loads(OUTPUT.read_text())


def _close(ours, theirs, where: str) -> None:
    np.testing.assert_allclose(ours, np.asarray(theirs), rtol=RTOL, atol=ATOL, err_msg=where)


@pytest.mark.parametrize("name", list(CASES))
def test_runs_equal_pytorchs(backend, stored, name):
    theirs = stored["runs"][name]
    with warnings.catch_warnings():
        # the cases mix a float attention mask with a boolean padding mask, as PyTorch's
        # tutorials do; the deprecation warning is checked below
        warnings.simplefilter("ignore")
        ours = run(pg, name)
    _close(ours["output"], theirs["output"], f"{name}: output")
    assert (ours["weights"] is None) == (theirs["weights"] is None)
    if theirs["weights"] is not None:
        _close(ours["weights"], theirs["weights"], f"{name}: weights")
    assert sorted(ours["grads"]) == sorted(theirs["grads"])
    for key, grad in theirs["grads"].items():
        _close(ours["grads"][key], grad, f"{name}: gradient of {key}")
    assert ours["repr"] == theirs["repr"]
    assert ours["keys"] == theirs["keys"]


def test_eval_without_gradients_zeroes_padded_positions_as_nested_tensors_do(backend, stored):
    out = run_eval_nested(pg)
    _close(out, stored["eval_nested"], "eval nested")


def test_seeded_initialisation_and_dropout_equal_pytorchs(backend, stored):
    source = default_generator.source(pg.backends.get_backend())
    if not isinstance(getattr(source, "engine", None), CPUGenerator):
        pytest.skip(f"{backend.name} draws from its own generator, not PyTorch's stream")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = run_seeded(pg)
    theirs = stored["seeded"]
    assert list(ours["state"]) == list(theirs["state"])
    for key, value in theirs["state"].items():
        np.testing.assert_array_equal(ours["state"][key], np.asarray(value), err_msg=key)
    for key in ("train", "mha_True", "mha_False"):
        _close(ours[key], theirs[key], key)


def _t(rng, *shape):
    return pg.tensor(rng.uniform(-1.0, 1.0, shape), dtype=pg.float64, requires_grad=True)


@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_first_and_second_derivatives(backend, need_weights):
    rng = np.random.default_rng(3)
    module = nn.MultiheadAttention(2, 2, add_bias_kv=True).double()
    mask = pg.tensor([[False, True], [False, False]])

    def fn(q, kv, w):
        original = module._parameters["in_proj_weight"]
        module._parameters["in_proj_weight"] = w
        try:
            out, weights = module(q, kv, kv, attn_mask=mask, need_weights=need_weights)
        finally:
            module._parameters["in_proj_weight"] = original
        return (out, weights) if need_weights else out

    inputs = (_t(rng, 2, 1, 2), _t(rng, 2, 1, 2), _t(rng, 6, 2))
    assert pg.autograd.gradcheck(fn, inputs)
    # second order through the weights' path (the other is scaled_dot_product_attention's)
    assert not need_weights or pg.autograd.gradgradcheck(fn, inputs)


def _mha(dropout, seed=0):
    pg.manual_seed(seed)
    return nn.MultiheadAttention(4, 2, dropout=dropout).double()


def _np(tensor):
    return tensor.detach().numpy()


def test_dropout_only_in_training(backend):
    rng = np.random.default_rng(1)
    x = pg.tensor(rng.normal(size=(3, 2, 4)))
    plain, dropped = _mha(0.0), _mha(0.5)
    dropped.eval()
    expected, expected_weights = plain(x, x, x)
    out, weights = dropped(x, x, x)
    np.testing.assert_array_equal(_np(out), _np(expected))
    np.testing.assert_array_equal(_np(weights), _np(expected_weights))
    dropped.train()
    _, weights = dropped(x, x, x, average_attn_weights=False)
    kept = _np(weights) != 0
    assert 0 < kept.mean() < 1
    probabilities = _np(plain(x, x, x, average_attn_weights=False)[1])
    np.testing.assert_allclose(_np(weights)[kept], 2 * probabilities[kept], rtol=1e-12)


def test_dropout_one_leaves_the_output_projections_bias(backend):
    module = _mha(1.0)
    pg.nn.init.uniform_(module.out_proj.bias)
    x = pg.ones(3, 2, 4, dtype=pg.float64)
    for need_weights in (True, False):
        out, _ = module(x, x, x, need_weights=need_weights)
        bias = np.broadcast_to(_np(module.out_proj.bias), (3, 2, 4))
        np.testing.assert_allclose(_np(out), bias, rtol=1e-12)


def test_encoder_layer_dropout_in_training_mode(backend):
    pg.manual_seed(0)
    layer = nn.TransformerEncoderLayer(4, 2, 6, dropout=0.5).double()
    x = pg.tensor(np.random.default_rng(2).normal(size=(3, 2, 4)))
    first, second = _np(layer(x)), _np(layer(x))
    assert not np.array_equal(first, second)
    layer.eval()
    np.testing.assert_array_equal(_np(layer(x)), _np(layer(x)))


def test_initialisation(backend):
    module = nn.MultiheadAttention(8, 2, add_bias_kv=True)
    bound = math.sqrt(6 / (8 + 24))  # Xavier-uniform of (3 E, E)
    weight = _np(module.in_proj_weight)
    assert np.abs(weight).max() <= bound and weight.std() > bound / 3
    assert not _np(module.in_proj_bias).any()
    assert not _np(module.out_proj.bias).any()
    assert module.bias_k.shape == (1, 1, 8) and _np(module.bias_v).std() > 0
    separate = nn.MultiheadAttention(8, 2, kdim=3, vdim=5, bias=False)
    assert separate.in_proj_weight is None and separate.in_proj_bias is None
    assert separate.k_proj_weight.shape == (8, 3) and separate.v_proj_weight.shape == (8, 5)
    assert separate.bias_k is None and list(separate.state_dict()) == [
        "q_proj_weight", "k_proj_weight", "v_proj_weight", "out_proj.weight",
    ]  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = nn.Transformer(8, 2, 1, 1, 16)
    linear1 = _np(model.encoder.layers[0].linear1.weight)
    assert np.abs(linear1).max() <= math.sqrt(6 / (8 + 16))  # Xavier, not Kaiming's 1/sqrt(8)
    assert np.abs(linear1).max() > 1 / math.sqrt(8)


def test_square_subsequent_mask(backend):
    mask = nn.Transformer.generate_square_subsequent_mask(3)
    assert mask.dtype == pg.get_default_dtype()
    expected = np.triu(np.full((3, 3), -np.inf), 1)
    np.testing.assert_array_equal(mask.numpy(), expected)


def test_errors(backend):
    with pytest.raises(AssertionError, match="embed_dim must be divisible by num_heads"):
        nn.MultiheadAttention(5, 2)
    with pytest.raises(ValueError, match="must be greater than 0, got embed_dim=0"):
        nn.MultiheadAttention(0, 2)
    module = nn.MultiheadAttention(4, 2)
    x = pg.zeros(3, 2, 4)
    with pytest.raises(RuntimeError, match="Need attn_mask if specifying the is_causal hint"):
        module(x, x, x, is_causal=True)
    with pytest.raises(RuntimeError, match=r"The shape of the 2D attn_mask is .*\(3, 3\)"):
        module(x, x, x, attn_mask=pg.zeros(3, 4))
    with pytest.raises(AssertionError, match="only bool and floating types of attn_mask"):
        module(x, x, x, attn_mask=pg.zeros(3, 3, dtype=pg.int64))
    with pytest.raises(AssertionError, match="expected `key` and `value` to be 3-D"):
        module(x, x[0], x[0])
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not tanh"):
        nn.TransformerEncoderLayer(4, 2, activation="tanh")
    model = nn.Transformer(4, 2, 1, 1, 8, batch_first=True)
    with pytest.raises(RuntimeError, match="the batch number of src and tgt must be equal"):
        model(pg.zeros(2, 3, 4), pg.zeros(1, 3, 4))
    with pytest.raises(RuntimeError, match="the feature number of src and tgt must be equal"):
        model(pg.zeros(2, 3, 4), pg.zeros(2, 3, 2))


def test_warnings(backend):
    x = pg.zeros(3, 2, 4)
    with pytest.warns(UserWarning, match="mismatched key_padding_mask and attn_mask"):
        nn.MultiheadAttention(4, 2)(x, x, x, key_padding_mask=pg.zeros(2, 3, dtype=pg.bool),
                                    attn_mask=pg.zeros(3, 3))  # fmt: skip
    layer = nn.TransformerEncoderLayer(4, 1, 8, batch_first=True)
    with pytest.warns(UserWarning, match=r"because encoder_layer.self_attn.num_heads is odd"):
        nn.TransformerEncoder(layer, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        encoder = nn.TransformerEncoder(layer, 1, enable_nested_tensor=False)
    assert encoder.use_nested_tensor is False


def test_compiled_encoder_with_a_causal_mask_equals_eager(backend):
    # is_causal=None with a mask reads no mask values: the stack traces
    pg.manual_seed(0)
    layer = nn.TransformerEncoderLayer(4, 2, 6, dropout=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        encoder = nn.TransformerEncoder(layer, 2).double()
    mask = nn.Transformer.generate_square_subsequent_mask(3, dtype=pg.float64)
    x = pg.tensor(np.random.default_rng(0).normal(size=(3, 2, 4)))
    compiled = pg.compile(lambda x: encoder(x, mask=mask))
    np.testing.assert_allclose(_np(compiled(x)), _np(encoder(x, mask=mask)), rtol=1e-12)


def test_functional_form_equals_the_module(backend):
    pg.manual_seed(1)
    module = nn.MultiheadAttention(4, 2, kdim=3, vdim=5, add_bias_kv=True).double()
    rng = np.random.default_rng(4)
    q, k, v = (pg.tensor(rng.normal(size=(3, 2, d))) for d in (4, 3, 5))
    expected, expected_weights = module(q, k, v)
    out, weights = nn.functional.multi_head_attention_forward(
        q, k, v, 4, 2, None, module.in_proj_bias, module.bias_k, module.bias_v, False, 0.0,
        module.out_proj.weight, module.out_proj.bias, use_separate_proj_weight=True,
        q_proj_weight=module.q_proj_weight, k_proj_weight=module.k_proj_weight,
        v_proj_weight=module.v_proj_weight,
    )  # fmt: skip
    np.testing.assert_array_equal(_np(out), _np(expected))
    np.testing.assert_array_equal(_np(weights), _np(expected_weights))
