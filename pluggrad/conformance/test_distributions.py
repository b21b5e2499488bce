"""``pluggrad.distributions`` against PyTorch's results (``_regenerate_distributions``, float64:
values and gradients of log_prob, cdf, icdf, entropy, moments, KL divergences, reparameterized
samples with PyTorch's noise, error messages), sample statistics of 10^5 draws, and the
behaviour of the base class (expand, validation switches, ``register_kl`` dispatch)."""

from __future__ import annotations

import json
import math
import pathlib
import warnings

import numpy as np
import pytest

import pluggrad as pg
from pluggrad import distributions as D
from pluggrad.conformance._regenerate_distributions import (
    CASES,
    ERROR_CASES,
    INDEPENDENT,
    KL_CASES,
    RSAMPLE_CASES,
    error_scope,
    run_case,
    run_kl,
    run_rsample,
)
from pluggrad.distributions import constraints, utils

EXPECTED = json.loads(
    pathlib.Path(__file__).with_name("distributions_torch.json").read_text(encoding="utf-8")
)
RTOL, ATOL = 1e-10, 1e-12
# PyTorch's trigamma (the derivative of digamma: entropies and KLs of Gamma and Beta) is off by
# up to ~1e-8 relative (trigamma(0.7) = 2.834049157862 against SciPy's and pluggrad's
# 2.834049156695)
TRIGAMMA_RTOL = 1e-7


def _grad_rtol(name: str) -> float:
    return TRIGAMMA_RTOL if "gamma" in name or "beta" in name else RTOL


ALL_CASES = {**CASES, "independent": {**INDEPENDENT, "base": "Normal"}}


# JAX compiles every operation for each new shape (~0.1 s each: a case of MultivariateNormal with
# its gradients compiles ~120 programs, ~20 s); the distributions only call pluggrad's operations,
# which the rest of the suite checks on JAX, so JAX runs a representative subset of the cases
# here (every kind of computation: scalar and matrix parameters, discrete, rejection sampling)
# and numpy and array_api_strict run them all, to keep this module within its CI time
JAX_SUBSET = {
    "cases": {"normal", "categorical_probs", "mvn_scale_tril"},
    "kl": {"normal|normal_q"},
    "rsample": {"normal"},
    "statistics": {"normal", "gamma", "categorical"},
}


def skip_unless_in_jax_subset(backend, group: str, name: str) -> None:
    if backend.name == "jax" and name not in JAX_SUBSET[group]:
        pytest.skip("JAX runs a subset of these cases (compilation time; see JAX_SUBSET)")


def assert_records(ours: dict, theirs: dict, where: str, grad_rtol: float = RTOL) -> None:
    """Equal values (NaN where PyTorch has NaN) and gradients, to RTOL."""
    if "shape" in theirs:
        assert ours["shape"] == theirs["shape"], f"{where}: shape"
    np.testing.assert_allclose(
        np.asarray(ours["value"], dtype=float), np.asarray(theirs["value"], dtype=float),
        rtol=RTOL, atol=ATOL, err_msg=where,
    )  # fmt: skip
    if "grads" not in theirs:
        return
    assert sorted(ours.get("grads", {})) == sorted(theirs["grads"]), f"{where}: gradients"
    for name, expected in theirs["grads"].items():
        got = ours["grads"][name]
        if expected is None:
            assert got is None or not np.any(got), f"{where}: d/d{name} should be absent"
            continue
        assert got is not None, f"{where}: no gradient for {name}"
        np.testing.assert_allclose(
            np.asarray(got, dtype=float), np.asarray(expected, dtype=float),
            rtol=grad_rtol, atol=ATOL, err_msg=f"{where}: d/d{name}",
        )  # fmt: skip


@pytest.mark.parametrize("name", sorted(ALL_CASES))
def test_case_equals_pytorchs(backend, name):
    skip_unless_in_jax_subset(backend, "cases", name)
    ours = run_case(pg, ALL_CASES[name])
    theirs = EXPECTED["cases"][name]
    assert ours["batch_shape"] == theirs["batch_shape"]
    assert ours["event_shape"] == theirs["event_shape"]
    for quantity in ALL_CASES[name]["quantities"]:
        assert_records(ours[quantity], theirs[quantity], f"{name}.{quantity}", _grad_rtol(name))


@pytest.mark.parametrize("pair", [f"{p}|{q}" for p, q in KL_CASES])
def test_kl_equals_pytorchs(backend, pair):
    skip_unless_in_jax_subset(backend, "kl", pair)
    ours = run_kl(pg, *pair.split("|"))
    assert_records(ours, EXPECTED["kl"][pair], f"kl {pair}", _grad_rtol(pair))


@pytest.mark.parametrize("name", sorted(RSAMPLE_CASES))
def test_rsample_with_pytorchs_noise(backend, name, monkeypatch):
    skip_unless_in_jax_subset(backend, "rsample", name)
    expected = EXPECTED["rsample"][name]
    kind = RSAMPLE_CASES[name][1]

    def noise(asked, shape, dtype, device):
        assert asked == kind
        assert list(shape) == list(np.shape(expected["noise"]))
        return pg.tensor(expected["noise"], dtype=dtype, device=device)

    monkeypatch.setattr(utils, "noise", noise)
    ours = run_rsample(pg, name)
    np.testing.assert_allclose(ours["sample"], expected["sample"], rtol=RTOL, atol=ATOL)
    assert_records(ours, expected, f"rsample {name}")


@pytest.mark.parametrize("name", sorted(ERROR_CASES))
def test_error_messages_are_pytorchs(backend, name):
    pg.set_default_dtype(pg.float64)  # PyTorch's run printed float64 tensors without a dtype
    kind, message = EXPECTED["errors"][name]
    expected = message.replace("torch.", "pluggrad.")
    with pytest.raises((ValueError, NotImplementedError)) as caught:
        eval(ERROR_CASES[name], error_scope(pg))
    assert type(caught.value).__name__ == kind
    assert str(caught.value) == expected


# -- sample statistics -------------------------------------------------------------------------
N = 100_000


def _f64(values):
    return pg.tensor(values, dtype=pg.float64)


STATISTICS = {
    "normal": lambda: D.Normal(_f64([0.5, -2.0]), _f64([1.5, 0.3])),
    "uniform": lambda: D.Uniform(_f64([-1.0, 2.0]), _f64([3.0, 2.5])),
    "exponential": lambda: D.Exponential(_f64([0.5, 4.0])),
    "laplace": lambda: D.Laplace(_f64([1.0, -1.0]), _f64([0.5, 2.0])),
    "gamma": lambda: D.Gamma(_f64([0.4, 1.0, 5.0]), _f64([1.0, 2.0, 0.5])),
    "beta": lambda: D.Beta(_f64([0.5, 2.0, 8.0]), _f64([0.7, 2.0, 3.0])),
    "bernoulli": lambda: D.Bernoulli(logits=_f64([-2.0, 0.0, 1.5])),
    "categorical": lambda: D.Categorical(probs=_f64([[0.1, 0.6, 0.3], [0.5, 0.25, 0.25]])),
    "one_hot_categorical": lambda: D.OneHotCategorical(logits=_f64([0.0, 1.0, -1.0])),
    "mvn": lambda: D.MultivariateNormal(
        _f64([1.0, -1.0]), covariance_matrix=_f64([[2.0, 0.6], [0.6, 0.5]])
    ),
}


def _check_moments(draws, mean, variance, where: str) -> None:
    """Mean and variance of `draws` (NumPy, samples along axis 0) within 5 standard errors."""
    centred = draws - draws.mean(0)
    fourth = (centred**4).mean(0)
    np.testing.assert_array_less(
        np.abs(draws.mean(0) - mean), 5 * np.sqrt(variance / len(draws)) + 1e-12, where
    )
    variance_error = np.sqrt(np.maximum(fourth - variance**2, 0) / len(draws))
    np.testing.assert_array_less(
        np.abs(draws.var(0) - variance), 5 * variance_error + 1e-12, f"{where}: variance"
    )


@pytest.mark.parametrize("name", sorted(STATISTICS))
def test_sample_statistics(backend, name):
    skip_unless_in_jax_subset(backend, "statistics", name)
    pg.manual_seed(1)
    dist = STATISTICS[name]()
    methods = ["sample", "rsample"] if dist.has_rsample else ["sample"]
    for method in methods:
        draws = getattr(dist, method)((N,))
        assert tuple(draws.shape) == (N, *dist.batch_shape, *dist.event_shape)
        assert draws.requires_grad is False
        values = np.asarray(draws.tolist(), dtype=float)
        assert bool(dist.support.check(draws).all())
        if name == "categorical":  # frequencies of each category
            probs = np.asarray(dist.probs.tolist())
            for k in range(probs.shape[-1]):
                _check_moments(
                    values == k, probs[..., k], probs[..., k] * (1 - probs[..., k]), name
                )
            continue
        mean = np.asarray(dist.mean.tolist())
        variance = np.asarray(dist.variance.tolist())
        _check_moments(values, mean, variance, f"{name}.{method}")
        if name == "mvn":
            covariance = np.cov(values.T)
            np.testing.assert_allclose(
                covariance, np.asarray(dist.covariance_matrix.tolist()), atol=0.03
            )


def test_rsample_differentiates_and_sample_does_not(backend):
    loc = pg.tensor([0.0, 1.0], dtype=pg.float64, requires_grad=True)
    dist = D.Normal(loc, 2.0)
    assert dist.rsample((3,)).requires_grad
    assert not dist.sample((3,)).requires_grad
    dist.rsample((5,)).sum().backward()
    np.testing.assert_allclose(loc.grad.tolist(), [5.0, 5.0])


def test_gamma_and_beta_have_no_rsample(backend):
    for dist in (D.Gamma(2.0, 1.0), D.Beta(2.0, 3.0)):
        assert dist.has_rsample is False
        with pytest.raises(NotImplementedError, match="implicit reparameterization"):
            dist.rsample()


# -- the base class ----------------------------------------------------------------------------
def test_expand_shares_parameters(backend):
    if backend.name == "jax":
        pytest.skip("six distributions' log_prob: compilation time on JAX (see JAX_SUBSET)")
    cases = [
        (D.Normal(_f64([0.0, 1.0]), 1.0), _f64([0.5, 0.5])),
        (D.Bernoulli(probs=_f64([0.2, 0.7])), _f64([1.0, 0.0])),
        (D.Categorical(logits=_f64([[0.1, 0.2, 0.7], [1.0, 0.0, 0.0]])), pg.tensor([2, 0])),
        (D.MultivariateNormal(_f64([0.0, 1.0]), _f64([[1.0, 0.2], [0.2, 1.0]])), _f64([0.5, 0.5])),
        (D.Independent(D.Normal(pg.zeros(2, dtype=pg.float64), 1.0), 1), _f64([0.5, 0.5])),
        (D.OneHotCategorical(_f64([0.2, 0.8])), _f64([0.0, 1.0])),
    ]
    for dist, value in cases:
        batch = tuple(dist.batch_shape)
        expanded = dist.expand((3, *batch))
        assert type(expanded) is type(dist)
        assert tuple(expanded.batch_shape) == (3, *batch)
        assert expanded.event_shape == dist.event_shape
        got = np.asarray(expanded.log_prob(value).tolist())
        np.testing.assert_allclose(got, np.broadcast_to(dist.log_prob(value).tolist(), got.shape))


@pytest.mark.filterwarnings("ignore:invalid value encountered in log")  # NumPy's log(-1)
def test_validate_args_switches(backend):
    with pytest.raises(ValueError, match="Expected parameter scale"):
        D.Normal(0.0, -1.0)
    invalid = D.Normal(0.0, -1.0, validate_args=False)
    assert math.isnan(invalid.log_prob(_f64(0.0)).item())
    D.Distribution.set_default_validate_args(False)
    try:
        assert math.isnan(D.Normal(0.0, -1.0).log_prob(_f64(0.0)).item())
        assert D.Exponential(1.0).log_prob(_f64(-1.0)).item() == pytest.approx(1.0)
    finally:
        D.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError, match="Expected value argument"):
        D.Exponential(1.0).log_prob(_f64(-1.0))
    with pytest.raises(ValueError):
        D.Distribution.set_default_validate_args("yes")


def test_logits_and_probs_are_computed_lazily(backend):
    dist = D.Categorical(probs=_f64([1.0, 3.0]))
    assert "logits" not in dist.__dict__
    np.testing.assert_allclose(dist.logits.tolist(), np.log([0.25, 0.75]))
    assert "logits" in dist.__dict__
    bernoulli = D.Bernoulli(logits=_f64(0.0))
    assert bernoulli.batch_shape == () and bernoulli.probs.item() == 0.5
    assert math.isnan(bernoulli.mode.item())


def test_register_kl_dispatches_to_the_most_specific_pair(backend):
    class MyNormal(D.Normal):
        pass

    p, q = MyNormal(0.0, 1.0), D.Normal(1.0, 2.0)
    expected = D.kl_divergence(D.Normal(0.0, 1.0), q).item()
    assert D.kl_divergence(p, q).item() == pytest.approx(expected)

    @D.register_kl(MyNormal, D.Normal)
    def _mine(p, q):
        return pg.tensor(42.0)

    try:
        assert D.kl_divergence(p, q).item() == 42.0
        # the reversed pair is still Normal's
        reversed_kl = D.kl_divergence(q, D.Normal(0.0, 1.0)).item()
        assert D.kl_divergence(q, p).item() == pytest.approx(reversed_kl)

        class Other(D.Normal):
            pass

        @D.register_kl(D.Normal, Other)
        def _other(p, q):
            return pg.tensor(7.0)

        with pytest.warns(RuntimeWarning, match="Ambiguous kl_divergence"):
            assert D.kl_divergence(p, Other(0.0, 1.0)).item() == 42.0
    finally:
        D.kl._KL_REGISTRY.pop((MyNormal, D.Normal), None)
        D.kl._KL_REGISTRY.pop((D.Normal, Other), None)
        D.kl._KL_MEMOIZE.clear()
    with pytest.raises(TypeError, match="Distribution subclass"):
        D.register_kl(int, D.Normal)


def test_constraints(backend):
    assert repr(constraints.positive) == "GreaterThan(lower_bound=0.0)"
    assert repr(constraints.interval(0, 2)) == "Interval(lower_bound=0, upper_bound=2)"
    assert repr(constraints.independent(constraints.real, 1)) == "IndependentConstraint(Real(), 1)"
    assert constraints.real_vector.event_dim == 1
    assert constraints.is_dependent(D.Uniform.support)
    assert D.Uniform.support.event_dim == 0 and D.Categorical.support.is_discrete
    assert constraints.simplex.check(_f64([[0.2, 0.8], [0.5, 0.6]])).tolist() == [True, False]
    assert constraints.lower_cholesky.check(_f64([[1.0, 0.0], [2.0, 1.0]])).item()
    assert not constraints.lower_cholesky.check(_f64([[1.0, 1.0], [0.0, 1.0]])).item()
    assert constraints.positive_definite.check(_f64([[2.0, 0.5], [0.5, 1.0]])).item()
    assert not constraints.positive_definite.check(_f64([[1.0, 2.0], [2.0, 1.0]])).item()
    assert constraints.integer_interval(0, 3).check(_f64([0.0, 3.0, 1.5, 4.0])).tolist() == [
        True, True, False, False,
    ]  # fmt: skip
    with pytest.raises(ValueError, match="dependent constraint"):
        constraints.dependent.check(_f64(0.0))


def test_distribution_extras(backend):
    dist = D.Independent(D.Bernoulli(probs=_f64([[0.2, 0.5]])), 1)
    assert dist.has_enumerate_support is False and dist.has_rsample is False
    assert repr(dist.support) == "IndependentConstraint(Boolean(), 1)"
    with pytest.raises(NotImplementedError, match="cartesian product"):
        dist.enumerate_support()
    normal = D.Normal(0.0, 1.0)
    assert normal.perplexity().item() == pytest.approx(math.exp(normal.entropy().item()))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert tuple(normal.sample_n(3).shape) == (3,)
    assert any(w.category is FutureWarning for w in caught)
    assert pg.distributions is D
    straight = D.OneHotCategoricalStraightThrough(logits=pg.zeros(3, requires_grad=True))
    assert straight.rsample((2,)).requires_grad
