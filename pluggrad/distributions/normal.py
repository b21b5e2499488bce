"""The normal distribution (``torch.distributions.Normal``)."""

from __future__ import annotations

import math
import numbers

from .. import ops
from .._core import grad_mode
from . import constraints, utils
from .distribution import Distribution
from .utils import broadcast_all

__all__ = ["Normal"]


def _batch_shape(first, *values):
    """The empty shape when every parameter was given as a number, else the first's shape."""
    if all(isinstance(v, numbers.Number) for v in values):
        return ()
    return first.size()


class LocScale(Distribution):
    """A real-valued distribution of a location `loc` and a positive `scale` (broadcast
    together), with the location as its mean and mode: the base of Normal and Laplace."""

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc, scale, validate_args: bool | None = None) -> None:
        self.loc, self.scale = broadcast_all(loc, scale)
        super().__init__(_batch_shape(self.loc, loc, scale), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expanded(LocScale, batch_shape, _instance, ("loc", "scale"))

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc


class Normal(LocScale):
    """The normal distribution with mean `loc` and standard deviation `scale`.

    Parameters
    ----------
    loc, scale : float or Tensor
        Mean and standard deviation (broadcast together).
    validate_args : bool, optional
        See :class:`Distribution`.
    """

    @property
    def stddev(self):
        return self.scale

    @property
    def variance(self):
        return self.stddev.pow(2)

    def sample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        with grad_mode.no_grad():
            return ops.normal(self.loc.expand(shape), self.scale.expand(shape))

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        eps = utils.noise("normal", shape, self.loc.dtype, self.loc.device)
        return self.loc + eps * self.scale

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        variance = self.scale**2
        return (
            -((value - self.loc) ** 2) / (2 * variance)
            - self.scale.log()
            - math.log(math.sqrt(2 * math.pi))
        )

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return 0.5 * (1 + ops.erf((value - self.loc) * self.scale.reciprocal() / math.sqrt(2)))

    def icdf(self, value):
        return self.loc + self.scale * ops.erfinv(2 * value - 1) * math.sqrt(2)

    def entropy(self):
        return 0.5 + 0.5 * math.log(2 * math.pi) + ops.log(self.scale)
