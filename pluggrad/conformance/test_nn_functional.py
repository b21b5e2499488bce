"""``pluggrad.nn.functional``: first and second derivatives by finite differences (float64,
every backend), and dropout's sampling.  The ``nn_functional`` scenario compares values and
gradients with PyTorch's, non-smooth points included."""

from __future__ import annotations

import numpy as np
import pytest

import pluggrad as pg
from pluggrad.nn import functional as F

from .helpers import values

_rng = np.random.default_rng(7)


def _t(*shape, low=-2.0, high=2.0):
    return pg.asarray(_rng.uniform(low, high, shape)).requires_grad_()


LABELS = [2, 0, 3]
CASES = {
    "linear": (lambda x, w, b: F.linear(x, w, b), lambda: (_t(3, 4), _t(2, 4), _t(2))),
    "bilinear": (lambda a, b, w: F.bilinear(a, b, w), lambda: (_t(2, 3), _t(2, 4), _t(5, 3, 4))),
    "gelu": (F.gelu, lambda: (_t(3, 4),)),
    "gelu_tanh": (lambda x: F.gelu(x, approximate="tanh"), lambda: (_t(3, 4),)),
    "silu": (F.silu, lambda: (_t(3, 4),)),
    "logsigmoid": (F.logsigmoid, lambda: (_t(3, 4),)),
    "softplus": (lambda x: F.softplus(x, beta=1.5, threshold=2.0), lambda: (_t(3, 4),)),
    "elu": (lambda x: F.elu(x, alpha=0.7), lambda: (_t(3, 4),)),
    "softmax": (lambda x: F.softmax(x, dim=1), lambda: (_t(3, 4),)),
    "log_softmax": (lambda x: F.log_softmax(x, dim=0), lambda: (_t(3, 4),)),
    "normalize": (F.normalize, lambda: (_t(3, 4),)),
    "layer_norm": (lambda x, g, b: F.layer_norm(x, (4,), g, b), lambda: (_t(3, 4), _t(4), _t(4))),
    "batch_norm": (
        lambda x, g, b: F.batch_norm(x, None, None, g, b, training=True),
        lambda: (_t(3, 4, 2), _t(4), _t(4)),
    ),
    "group_norm": (lambda x, g, b: F.group_norm(x, 2, g, b), lambda: (_t(2, 4, 3), _t(4), _t(4))),
    "instance_norm": (
        lambda x, g, b: F.instance_norm(x, weight=g, bias=b),
        lambda: (_t(2, 3, 4), _t(3), _t(3)),
    ),
    "rms_norm": (lambda x, g: F.rms_norm(x, (3, 4), g), lambda: (_t(2, 3, 4), _t(3, 4))),
    "local_response_norm": (lambda x: F.local_response_norm(x, 3, k=2.0), lambda: (_t(2, 4, 3),)),
    "unfold": (lambda x: F.unfold(x, 2, padding=1, stride=(1, 2)), lambda: (_t(1, 2, 3, 3),)),
    "fold": (lambda c: F.fold(c, (3, 4), 2, stride=(1, 2)), lambda: (_t(1, 8, 4),)),
    "cosine_similarity": (F.cosine_similarity, lambda: (_t(3, 4), _t(3, 4))),
    "pad_reflect": (lambda x: F.pad(x, (2, 1), mode="reflect"), lambda: (_t(2, 4),)),
    "pad_constant": (lambda x: F.pad(x, (1, 1, 0, 2), value=0.5), lambda: (_t(2, 4),)),
    "embedding": (
        lambda w: F.embedding(pg.tensor([[0, 2], [2, 2]]), w),
        lambda: (_t(3, 4),),
    ),  # fmt: skip
    "embedding_bag": (
        lambda w, p: (
            F.embedding_bag(pg.tensor([0, 2, 2, 1, 3]), w, pg.tensor([0, 3]), padding_idx=1)
            + F.embedding_bag(pg.tensor([[0, 3], [2, 2]]), w, mode="max")
            * F.embedding_bag(pg.tensor([[0, 3], [2, 2]]), w, mode="sum", per_sample_weights=p)
        ),
        lambda: (_t(4, 3), _t(2, 2)),
    ),
    "mse_loss": (F.mse_loss, lambda: (_t(3, 4), _t(3, 4))),
    "huber_loss": (lambda a, b: F.huber_loss(a, b, delta=0.5), lambda: (_t(3, 4), _t(3, 4))),
    "bce": (
        lambda p, t: F.binary_cross_entropy(p, t),
        lambda: (_t(3, 4, low=0.1, high=0.9), _t(3, 4, low=0.0, high=1.0)),
    ),  # fmt: skip
    "bce_logits": (
        lambda x, t, w: F.binary_cross_entropy_with_logits(x, t, pos_weight=w),
        lambda: (_t(3, 4), _t(3, 4, low=0.0, high=1.0), _t(4, low=0.5, high=2.0)),
    ),
    "nll_loss": (
        lambda x, w: F.nll_loss(x, pg.tensor(LABELS), weight=w),
        lambda: (_t(3, 4), _t(4, low=0.5, high=2.0)),
    ),  # fmt: skip
    "cross_entropy": (
        lambda x: F.cross_entropy(x, pg.tensor(LABELS), label_smoothing=0.1),
        lambda: (_t(3, 4),),
    ),  # fmt: skip
    "cross_entropy_probs": (
        lambda x, p: F.cross_entropy(x, F.softmax(p, 1)),
        lambda: (_t(3, 4), _t(3, 4)),
    ),  # fmt: skip
    "kl_div": (
        lambda x, p: F.kl_div(F.log_softmax(x, 1), F.softmax(p, 1), reduction="batchmean"),
        lambda: (_t(3, 4), _t(3, 4)),
    ),  # fmt: skip
    "celu": (lambda x: F.celu(x, alpha=0.7), lambda: (_t(3, 4),)),
    "selu": (F.selu, lambda: (_t(3, 4),)),
    "mish": (F.mish, lambda: (_t(3, 4),)),
    "softsign": (F.softsign, lambda: (_t(3, 4, low=0.2, high=2.0),)),
    "tanhshrink": (F.tanhshrink, lambda: (_t(3, 4),)),
    "glu": (lambda x: F.glu(x, 1), lambda: (_t(3, 4),)),
    "hardswish": (F.hardswish, lambda: (_t(3, 4),)),
    "prelu": (F.prelu, lambda: (_t(3, 2, 2, low=0.2, high=2.0), _t(2))),
    "soft_margin_loss": (lambda x, t: F.soft_margin_loss(x, t), lambda: (_t(3, 4), _t(3, 4))),
    "multilabel_soft_margin": (
        lambda x, t: F.multilabel_soft_margin_loss(x, t),
        lambda: (_t(3, 4), _t(3, 4, low=0.0, high=1.0)),
    ),
    "cosine_embedding_loss": (
        lambda a, b: F.cosine_embedding_loss(a, b, pg.tensor([1, -1, 1]), margin=-1.0),
        lambda: (_t(3, 4), _t(3, 4)),
    ),
    "poisson_nll_loss": (
        lambda x: F.poisson_nll_loss(x, pg.asarray([[0.0, 1.0, 2.0, 3.0]] * 3), full=True),
        lambda: (_t(3, 4),),
    ),
    "gaussian_nll_loss": (
        lambda x, t, v: F.gaussian_nll_loss(x, t, v, full=True),
        lambda: (_t(3, 4), _t(3, 4), _t(3, 4, low=0.5, high=2.0)),
    ),
    "triplet_margin_loss": (
        lambda a, p, n: F.triplet_margin_loss(a, p, n, margin=20.0),
        lambda: (_t(3, 4), _t(3, 4), _t(3, 4)),
    ),
    "pairwise_distance": (F.pairwise_distance, lambda: (_t(3, 4), _t(3, 4))),
    "pixel_shuffle": (lambda x: F.pixel_shuffle(x, 2), lambda: (_t(1, 4, 2, 3),)),
    "interpolate_bilinear": (
        lambda x: F.interpolate(x, scale_factor=1.5, mode="bilinear"),
        lambda: (_t(1, 2, 3, 3),),
    ),
    "interpolate_linear_corners": (
        lambda x: F.interpolate(x, size=5, mode="linear", align_corners=True),
        lambda: (_t(2, 1, 3),),
    ),
    "grid_sample_zeros": (
        lambda x, g: F.grid_sample(x, g, align_corners=False),
        lambda: (_t(2, 2, 3, 4), _t(2, 3, 2, 2, low=-1.2, high=1.2)),
    ),
    "grid_sample_reflection": (
        lambda x, g: F.grid_sample(x, g, padding_mode="reflection", align_corners=True),
        lambda: (_t(1, 2, 3, 3), _t(1, 2, 3, 2, low=-1.5, high=1.5)),
    ),
    "affine_grid": (
        lambda theta: F.affine_grid(theta, (2, 1, 3, 2), align_corners=False),
        lambda: (_t(2, 2, 3),),
    ),
    "scaled_dot_product_attention": (
        lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True),
        lambda: (_t(2, 3, 4), _t(2, 3, 4), _t(2, 3, 2)),
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_first_and_second_derivatives(backend, name):
    fn, make = CASES[name]
    inputs = make()
    assert pg.autograd.gradcheck(fn, inputs)
    assert pg.autograd.gradgradcheck(fn, inputs)


def test_dropout(backend):
    pg.manual_seed(0)
    x = pg.ones(20000, dtype=pg.float64, requires_grad=True)
    y = F.dropout(x, p=0.25)
    kept = y.detach().numpy() != 0
    assert abs(kept.mean() - 0.75) < 0.02
    np.testing.assert_allclose(y.detach().numpy()[kept], 1 / 0.75)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.where(kept, 1 / 0.75, 0.0))
    assert F.dropout(x, p=0.25, training=False) is x
    assert float(F.dropout(x, p=1.0).sum()) == 0.0
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
        F.dropout(x, p=1.5)


def test_one_hot_errors(backend):
    with pytest.raises(RuntimeError, match="Class values must be smaller than num_classes"):
        F.one_hot(pg.tensor([0, 3]), 3)
    with pytest.raises(RuntimeError, match="only applicable to index tensor"):
        F.one_hot(pg.tensor([0.0, 1.0]))
    assert F.one_hot(pg.tensor([], dtype=pg.int64), 2).shape == (0, 2)


def test_bce_with_logits_is_one_operation(backend):
    """PyTorch's node, and its input gradient ``(sigmoid(x) - t) * weight / n``; a weight
    that requires grad (which PyTorch refuses) still gets its gradient."""
    rng = np.random.default_rng(17)
    x = pg.asarray(rng.uniform(-30.0, 30.0, (3, 4))).requires_grad_()
    t = pg.asarray(rng.uniform(0.0, 1.0, (3, 4))).requires_grad_()
    weight = pg.asarray(rng.uniform(0.5, 2.0, (4,)))
    loss = F.binary_cross_entropy_with_logits(x, t, weight=weight)
    assert type(loss.grad_fn).__name__ == "BinaryCrossEntropyWithLogitsBackward0"
    assert loss.grad_fn._saved_reduction == "mean"
    loss.backward()
    xs, ts, ws = (np.asarray(a.detach().numpy()) for a in (x, t, weight))
    expected = (1 / (1 + np.exp(-xs)) - ts) * ws / xs.size
    np.testing.assert_allclose(values(x.grad), expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(values(t.grad), -xs * ws / xs.size, rtol=1e-12, atol=1e-15)
    weight.requires_grad_()
    F.binary_cross_entropy_with_logits(x, t, weight=weight, reduction="sum").backward()
    log_sigmoid = np.minimum(xs, 0) - np.log1p(np.exp(-np.abs(xs)))
    expected = ((1 - ts) * xs - log_sigmoid).sum(axis=0)
    np.testing.assert_allclose(values(weight.grad), expected, rtol=1e-12)


def test_max_pool_with_indices_is_max_pool_returning_indices(backend):
    x = pg.asarray(_rng.uniform(-1, 1, (2, 3, 5, 4)))
    for with_indices, pool, planes in [
        (F.max_pool2d_with_indices, F.max_pool2d, x),
        (F.max_pool1d_with_indices, F.max_pool1d, x[:, :, 0]),
    ]:
        values, indices = with_indices(planes, 2, stride=1, padding=1)
        expected_values, expected_indices = pool(planes, 2, 1, 1, return_indices=True)
        np.testing.assert_array_equal(values.numpy(), expected_values.numpy())
        np.testing.assert_array_equal(indices.numpy(), expected_indices.numpy())


def test_bce_is_one_operation_finite_at_0_and_1(backend):
    """PyTorch's nodes and values where the input is exactly 1 or 0 (a saturated sigmoid):
    the input gradient ``(x - t) / max((1 - x) x, eps) * weight / n`` is finite there (made of
    the clamped logarithms' derivatives it would be ``0 * inf = nan``); under
    ``create_graph=True`` it is one operation whose second derivative is PyTorch's.  The
    expected numbers are PyTorch 2.13's (float64)."""
    x = pg.tensor([1.0, 0.0, 0.3, 1.0, 0.0], dtype=pg.float64, requires_grad=True)
    t = pg.tensor([1.0, 0.0, 0.5, 0.5, 0.2], dtype=pg.float64)
    loss = F.binary_cross_entropy(x, t, reduction="sum")
    assert type(loss.grad_fn).__name__ == "BinaryCrossEntropyBackward0"
    np.testing.assert_allclose(values(loss), 70.78032387413234, rtol=1e-14)
    loss.backward()
    expected = [0.0, 0.0, -0.9523809523809524, 500000001997.9014, -200000000799.16058]
    np.testing.assert_allclose(values(x.grad), expected, rtol=1e-14)
    weight = pg.tensor([1.0, 2.0, 3.0, 4.0, 5.0], dtype=pg.float64)
    loss = F.binary_cross_entropy(x, t, weight=weight)
    (g,) = pg.autograd.grad(loss, x, create_graph=True)
    assert type(g.grad_fn).__name__ == "BinaryCrossEntropyBackwardBackward0"
    (gg,) = pg.autograd.grad(g[2], x)
    np.testing.assert_allclose(values(gg), [0.0, 0.0, 3.9455782312549417, 0.0, 0.0], rtol=1e-13)


def test_weighted_losses_reduce_as_pytorch(backend):
    """A `weight` of the input's shape multiplies the loss; PyTorch 2.13 divides the weighted
    mean by the sum of the weights for mse_loss and l1_loss, by the element count for
    huber_loss (the numbers are PyTorch's), and refuses another shape or reduction."""
    x = pg.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=pg.float64)
    t = pg.tensor([[0.0, 2.5], [1.0, 1.0]], dtype=pg.float64)
    w = pg.tensor([[1.0, 2.0], [3.0, 0.5]], dtype=pg.float64)
    expected = {
        F.mse_loss: (2.769230769230769, 18.0, [[1.0, 0.5], [12.0, 4.5]]),
        F.l1_loss: (1.4615384615384615, 9.5, [[1.0, 1.0], [6.0, 1.5]]),
        F.huber_loss: (1.625, 6.5, [[0.5, 0.25], [4.5, 1.25]]),
    }
    for loss, (mean, total, each) in expected.items():
        np.testing.assert_allclose(values(loss(x, t, weight=w)), mean, rtol=1e-15)
        np.testing.assert_allclose(values(loss(x, t, weight=w, reduction="sum")), total)
        np.testing.assert_allclose(values(loss(x, t, weight=w, reduction="none")), each)
        with pytest.raises(ValueError, match="Weights and input must have the same size."):
            loss(x, t, weight=w[0])
        with pytest.raises(ValueError, match="Invalid reduction mode: avg. Expected one of"):
            loss(x, t, weight=w, reduction="avg")


def test_mse_loss_is_one_operation(backend):
    """PyTorch's nodes: MseLossBackward0 (the name a printed loss shows), and under
    ``create_graph=True`` MseLossBackwardBackward0 for both gradients."""
    x = pg.asarray(_rng.uniform(-1, 1, (3, 4))).requires_grad_()
    t = pg.asarray(_rng.uniform(-1, 1, (3, 4))).requires_grad_()
    loss = F.mse_loss(x, t)
    assert type(loss.grad_fn).__name__ == "MseLossBackward0"
    gx, gt = pg.autograd.grad(loss, (x, t), create_graph=True)
    assert type(gx.grad_fn).__name__ == type(gt.grad_fn).__name__ == "MseLossBackwardBackward0"
    expected = 2 * (values(x) - values(t)) / 12
    np.testing.assert_allclose(values(gx), expected, rtol=1e-14)
    np.testing.assert_allclose(values(gt), -expected, rtol=1e-14)
