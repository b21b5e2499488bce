"""``pluggrad.distributions``: the probability distributions of ``torch.distributions`` that
programs use (VAEs, policy gradients, Bayesian models), differentiable through pluggrad's
autograd and sampling from its random generator.

Each :class:`Distribution` has PyTorch's parameters, shapes (``batch_shape``, ``event_shape``),
broadcasting, argument validation and error messages; ``rsample`` is a reparameterized
(differentiable) sample where PyTorch has one; :func:`kl_divergence` dispatches on the pair of
types, extended with :func:`register_kl`.
"""

from __future__ import annotations

from . import constraints
from .bernoulli import Bernoulli
from .categorical import Categorical, OneHotCategorical, OneHotCategoricalStraightThrough
from .distribution import Distribution
from .gamma import Beta, Gamma
from .independent import Independent
from .kl import kl_divergence, register_kl
from .laplace import Exponential, Laplace
from .multivariate_normal import MultivariateNormal
from .normal import Normal
from .uniform import Uniform

__all__ = [
    "Bernoulli", "Beta", "Categorical", "Distribution", "Exponential", "Gamma", "Independent",
    "Laplace", "MultivariateNormal", "Normal", "OneHotCategorical",
    "OneHotCategoricalStraightThrough", "Uniform", "constraints", "kl_divergence",
    "register_kl",
]  # fmt: skip
