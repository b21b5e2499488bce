"""Derivatives of the samplers: zero, as in PyTorch (a sample does not depend smoothly on the
tensors that parametrise it; the reparametrisation ``mean + std * randn(...)`` does)."""

from __future__ import annotations

from ._helpers import Entry


def _zeros(ns, g):
    return ns.zeros_like(g)


def _random_node(args, params) -> str:
    # random_(from, to), random_(to), random_(): PyTorch's three overloads
    return f"RandomBackward{2 - params['args'][2]}"


def _bernoulli_node(args, params) -> str:
    # bernoulli_(Tensor p) and bernoulli_(float p)
    return (
        "BernoulliBackward2"
        if isinstance(params["args"][0], (int, float))
        else "BernoulliBackward1"
    )


TABLE = {
    "normal": Entry(
        {"ts": "NormalBackward1", "st": "NormalBackward2", "tt": "NormalBackward3"},
        mean=_zeros,
        std=_zeros,
    ),
    "bernoulli": Entry("BernoulliBackward0", x=_zeros),
    "uniform_": Entry("UniformBackward0", x=_zeros),
    "normal_": Entry("NormalBackward0", x=_zeros),
    "exponential_": Entry("ExponentialBackward0", x=_zeros),
    "random_": Entry(_random_node, x=_zeros),
    "bernoulli_": Entry(_bernoulli_node, x=_zeros),
    "poisson": Entry("PoissonBackward0", x=_zeros),
    "cauchy_": Entry("CauchyBackward0", x=_zeros),
    "log_normal_": Entry("LogNormalBackward0", x=_zeros),
    "geometric_": Entry("GeometricBackward0", x=_zeros),
}

NONDIFFERENTIABLE: frozenset[str] = frozenset()
