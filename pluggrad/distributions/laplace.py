"""The Laplace and exponential distributions (``torch.distributions.Laplace``,
``torch.distributions.Exponential``)."""

from __future__ import annotations

from .. import ops
from . import constraints, utils
from .distribution import Distribution
from .normal import LocScale, _batch_shape
from .utils import broadcast_all

__all__ = ["Exponential", "Laplace"]


class Laplace(LocScale):
    """The Laplace distribution with location `loc` and scale `scale`.

    Parameters
    ----------
    loc, scale : float or Tensor
        Location and scale (broadcast together).
    validate_args : bool, optional
        See :class:`Distribution`.
    """

    @property
    def variance(self):
        return 2 * self.scale.pow(2)

    @property
    def stddev(self):
        return (2**0.5) * self.scale

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        u = utils.noise("laplace", shape, self.loc.dtype, self.loc.device)
        return self.loc - self.scale * u.sign() * ops.log1p(-u.abs())

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return -ops.log(2 * self.scale) - ops.abs(value - self.loc) / self.scale

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        centred = value - self.loc
        return 0.5 - 0.5 * centred.sign() * ops.expm1(-centred.abs() / self.scale)

    def icdf(self, value):
        term = value - 0.5
        return self.loc - self.scale * term.sign() * ops.log1p(-2 * term.abs())

    def entropy(self):
        return 1 + ops.log(2 * self.scale)


class Exponential(Distribution):
    """The exponential distribution with rate `rate`.

    Parameters
    ----------
    rate : float or Tensor
        The rate (inverse scale).
    validate_args : bool, optional
        See :class:`Distribution`.
    """

    arg_constraints = {"rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, rate, validate_args: bool | None = None) -> None:
        (self.rate,) = broadcast_all(rate)
        super().__init__(_batch_shape(self.rate, rate), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expanded(Exponential, batch_shape, _instance, ("rate",))

    @property
    def mean(self):
        return self.rate.reciprocal()

    @property
    def mode(self):
        return ops.zeros_like(self.rate)

    @property
    def stddev(self):
        return self.rate.reciprocal()

    @property
    def variance(self):
        return self.rate.pow(-2)

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        draws = utils.noise("exponential", shape, self.rate.dtype, self.rate.device)
        return draws / self.rate

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return self.rate.log() - self.rate * value

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return 1 - ops.exp(-self.rate * value)

    def icdf(self, value):
        return -ops.log1p(-value) / self.rate

    def entropy(self):
        return 1.0 - ops.log(self.rate)
