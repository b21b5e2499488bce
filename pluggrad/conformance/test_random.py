"""Randomness as PyTorch users write it, on every backend: reproducible from one seed,
PyTorch's shapes, dtypes, node names and errors, and samples with the right distribution."""

from __future__ import annotations

import math

import numpy as np
import pytest

import pluggrad as pg


def _np(t):
    return np.asarray(t.detach().numpy())


def test_one_seed_gives_the_same_numbers(backend):
    pg.manual_seed(1234)
    first = [_np(pg.rand(5)), _np(pg.randn(2, 3)), _np(pg.randint(0, 9, (4,))), _np(pg.randperm(6))]
    pg.manual_seed(1234)
    second = [
        _np(pg.rand(5)),
        _np(pg.randn(2, 3)),
        _np(pg.randint(0, 9, (4,))),
        _np(pg.randperm(6)),
    ]
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    assert pg.initial_seed() == 1234


def test_generators_are_independent_streams(backend):
    g1 = pg.Generator().manual_seed(7)
    g2 = pg.Generator().manual_seed(7)
    a = pg.rand(4, generator=g1)
    pg.rand(100)  # the default generator does not disturb g2
    b = pg.rand(4, generator=g2)
    np.testing.assert_array_equal(_np(a), _np(b))
    assert not np.array_equal(_np(pg.rand(4, generator=g1)), _np(a))
    assert pg.Generator().initial_seed() == 67280421310721


def test_state_round_trip(backend):
    state = pg.get_rng_state()
    assert state.dtype is pg.uint8
    a = pg.randn(3)
    pg.set_rng_state(state)
    np.testing.assert_array_equal(_np(a), _np(pg.randn(3)))


@pytest.mark.parametrize(
    "make, shape, dtype",
    [
        (lambda: pg.rand(2, 3), (2, 3), "float32"),
        (lambda: pg.rand((2, 3)), (2, 3), "float32"),
        (lambda: pg.rand(size=(4,)), (4,), "float32"),
        (lambda: pg.randn(3, dtype=pg.float64), (3,), "float64"),
        (lambda: pg.randint(10, (2, 2)), (2, 2), "int64"),
        (lambda: pg.randint(3, 10, (5,), dtype=pg.int32), (5,), "int32"),
        (lambda: pg.randperm(7), (7,), "int64"),
        (lambda: pg.normal(0.0, 1.0, (2, 5)), (2, 5), "float32"),
        (lambda: pg.rand_like(pg.zeros(3, 2, dtype=pg.float64)), (3, 2), "float64"),
        (lambda: pg.randn_like(pg.zeros(4)), (4,), "float32"),
        (lambda: pg.randint_like(pg.zeros(2, 2), 5), (2, 2), "float32"),
    ],
)
def test_shapes_and_dtypes(backend, make, shape, dtype):
    t = make()
    assert tuple(t.shape) == shape
    assert t.dtype.name == dtype
    assert t.is_leaf and not t.requires_grad


def test_ranges_and_distributions(backend):
    pg.manual_seed(0)
    u = _np(pg.rand(20000, dtype=pg.float64))
    assert u.min() >= 0 and u.max() < 1 and abs(u.mean() - 0.5) < 0.02
    n = _np(pg.randn(20000, dtype=pg.float64))
    assert abs(n.mean()) < 0.05 and abs(n.std() - 1) < 0.05
    i = _np(pg.randint(-3, 4, (5000,)))
    assert set(np.unique(i)) == set(range(-3, 4))
    assert sorted(_np(pg.randperm(50)).tolist()) == list(range(50))
    e = _np(pg.empty(20000, dtype=pg.float64).exponential_(2.0))
    assert e.min() >= 0 and abs(e.mean() - 0.5) < 0.03
    b = _np(pg.bernoulli(pg.full((20000,), 0.25, dtype=pg.float64)))
    assert set(np.unique(b)) <= {0.0, 1.0} and abs(b.mean() - 0.25) < 0.02
    m = _np(pg.normal(pg.full((20000,), 3.0, dtype=pg.float64), 2.0))
    assert abs(m.mean() - 3) < 0.1 and abs(m.std() - 2) < 0.1


def test_more_distributions(backend):
    pg.manual_seed(0)
    c = _np(pg.empty(20000, dtype=pg.float64).cauchy_(1.5, 0.5))
    assert abs(np.median(c) - 1.5) < 0.05  # the median and quartiles are median -+ sigma
    assert abs(np.quantile(c, 0.75) - np.quantile(c, 0.25) - 1.0) < 0.06
    ln = np.log(_np(pg.empty(20000, dtype=pg.float64).log_normal_(0.5, 0.25)))
    assert abs(ln.mean() - 0.5) < 0.02 and abs(ln.std() - 0.25) < 0.02
    g = _np(pg.empty(20000, dtype=pg.float64).geometric_(0.25))
    assert g.min() >= 1 and (g == np.round(g)).all() and abs(g.mean() - 4) < 0.15
    rates = pg.tensor([0.0, 0.5, 3.0], dtype=pg.float64).repeat(5000)
    p = _np(pg.poisson(rates)).reshape(5000, 3)
    assert (p[:, 0] == 0).all() and abs(p[:, 1].mean() - 0.5) < 0.05
    assert abs(p[:, 2].mean() - 3) < 0.1
    trials = pg.full((20000,), 10.0, dtype=pg.float64)
    b = _np(pg.binomial(trials, pg.tensor(0.3, dtype=pg.float64)))
    assert b.min() >= 0 and b.max() <= 10 and abs(b.mean() - 3) < 0.05
    assert not pg.binomial(trials.requires_grad_(), pg.tensor(0.3)).requires_grad


def test_poisson_rates_get_a_zero_gradient(backend):
    rates = pg.tensor([1.0, 2.0], requires_grad=True)
    y = pg.poisson(rates * 3)
    assert type(y.grad_fn).__name__ == "PoissonBackward0"
    y.sum().backward()
    np.testing.assert_array_equal(_np(rates.grad), np.zeros(2))


def test_multinomial(backend):
    pg.manual_seed(0)
    probs = pg.tensor([0.0, 10.0, 30.0, 60.0])
    draws = _np(pg.multinomial(probs, 4000, replacement=True))
    assert draws.dtype == np.int64 and 0 not in draws
    assert abs((draws == 3).mean() - 0.6) < 0.05
    rows = pg.tensor([[1.0, 1.0, 1.0, 1.0], [0.0, 1.0, 1.0, 0.0]])
    picks = _np(pg.multinomial(rows, 2))
    assert picks.shape == (2, 2)
    assert len(set(picks[0])) == 2 and set(picks[1]) == {1, 2}
    with pytest.raises(RuntimeError, match="without replacement"):
        pg.multinomial(probs, 5)


def test_in_place_samplers_record_pytorch_nodes_with_zero_gradients(backend):
    expected = {
        "uniform_": ((), "UniformBackward0"),
        "normal_": ((), "NormalBackward0"),
        "exponential_": ((), "ExponentialBackward0"),
        "random_": ((), "RandomBackward2"),
        "bernoulli_": ((), "BernoulliBackward2"),
        "cauchy_": ((), "CauchyBackward0"),
        "log_normal_": ((), "LogNormalBackward0"),
        "geometric_": ((0.5,), "GeometricBackward0"),
    }
    for name, (args, node) in expected.items():
        x = pg.ones(3, requires_grad=True)
        y = x.clone()
        getattr(y, name)(*args)
        assert type(y.grad_fn).__name__ == node
        assert type(y.grad_fn.next_functions[0][0]).__name__ == "CloneBackward0"
        (y * 2).sum().backward()
        np.testing.assert_array_equal(_np(x.grad), np.zeros(3))
    y = pg.ones(3, requires_grad=True).clone()
    assert type(y.random_(0, 5).grad_fn).__name__ == "RandomBackward0"
    assert type(y.random_(5).grad_fn).__name__ == "RandomBackward1"
    assert type(y.bernoulli_(pg.rand(3)).grad_fn).__name__ == "BernoulliBackward1"


def test_normal_with_tensor_parameters(backend):
    mean = pg.zeros(3, requires_grad=True)
    std = pg.ones(3, requires_grad=True)
    assert type(pg.normal(mean, 1.0).grad_fn).__name__ == "NormalBackward1"
    assert type(pg.normal(0.0, std).grad_fn).__name__ == "NormalBackward2"
    z = pg.normal(mean, std)
    assert type(z.grad_fn).__name__ == "NormalBackward3"
    z.sum().backward()
    np.testing.assert_array_equal(_np(mean.grad), np.zeros(3))
    np.testing.assert_array_equal(_np(std.grad), np.zeros(3))


def test_in_place_sampling_is_refused_on_a_leaf_that_requires_grad(backend):
    w = pg.empty(2, 2, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        w.uniform_()
    with pg.no_grad():  # what nn.init does
        w.uniform_(-0.1, 0.1)
    values = _np(w)
    assert values.min() >= -0.1 and values.max() < 0.1 and w.is_leaf and w.requires_grad


def test_in_place_sampling_bumps_the_version_and_breaks_saved_uses(backend):
    x = pg.ones(3, requires_grad=True)
    y = x.clone()
    z = (y * y).sum()
    version = y._version
    with pg.no_grad():
        y.normal_()
    assert y._version == version + 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.backward()


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: pg.rand(3, dtype=pg.int64), "not implemented for 'Long'"),
        (lambda: pg.randint(5, 5, (2,)), "expects 'from' to be less than 'to'"),
        (lambda: pg.randperm(-1), "n must be non-negative"),
        (lambda: pg.ones(2).normal_(0, -1), "normal expects std >= 0.0"),
        (lambda: pg.ones(2).uniform_(1, 0), r"\[from, to\) range"),
        (lambda: pg.ones(2).exponential_(0), "lambda > 0.0"),
        (lambda: pg.ones(2).cauchy_(0, 0), "cauchy_ expects sigma > 0.0, but found sigma=0"),
        (
            lambda: pg.ones(2, dtype=pg.int64).cauchy_(),
            "dtype must be a floating point but you specified long int",
        ),
        (lambda: pg.ones(2).log_normal_(1, 0), "log_normal_ expects std > 0.0, but found std=0"),
        (lambda: pg.ones(2).geometric_(1.5), r"geometric_ expects p to be in \(0, 1\)"),
        (lambda: pg.poisson(pg.tensor([-1.0])), "expected rate to be non-negative"),
        (lambda: pg.multinomial(pg.tensor([-1.0, 2.0]), 1), "element < 0"),
        (lambda: pg.rand(2, generator=object()), "generator must be a pluggrad.Generator"),
    ],
)
def test_errors(backend, call, message):
    with pytest.raises((RuntimeError, TypeError), match=message):
        call()


def test_random_fills_integers_the_dtype_holds(backend):
    pg.manual_seed(0)
    x = pg.zeros(1000, dtype=pg.uint8).random_()
    values = _np(x)
    assert values.max() > 200 and values.min() < 50
    f = _np(pg.zeros(1000, dtype=pg.float32).random_())
    assert (f == np.round(f)).all() and f.max() <= 2**24 and f.max() > 2**20
    assert math.isfinite(float(f.max()))


def test_in_place_samplers_take_pytorchs_keywords(backend):
    x = pg.zeros(4, dtype=pg.float64)
    np.testing.assert_array_equal(_np(x.normal_(mean=1.5, std=0.0)), np.full(4, 1.5))
    np.testing.assert_array_equal(_np(x.uniform_(2.0, to=2.0)), np.full(4, 2.0))
    np.testing.assert_array_equal(_np(x.bernoulli_(p=1.0)), np.ones(4))
    assert (_np(x.exponential_(lambd=4.0)) >= 0).all()
    g = pg.Generator().manual_seed(3)
    a = _np(pg.zeros(3).normal_(0.0, 2.0, generator=g))
    b = _np(pg.zeros(3).normal_(std=2.0, generator=pg.Generator().manual_seed(3)))
    np.testing.assert_array_equal(a, b)
