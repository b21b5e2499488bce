"""The gamma and beta distributions (``torch.distributions.Gamma``, ``.Beta``).

Their samples come from a gamma sampler written with pluggrad's public random functions
(Marsaglia and Tsang's squeeze-and-reject method, with Stuart's boost ``G(a) = G(a + 1) U^(1/a)``
below ``a = 1``).  PyTorch's ``rsample`` differentiates such draws by implicit
reparameterization, whose derivative with respect to the concentration needs the derivative of
the regularized incomplete gamma function in its first argument, which pluggrad lacks: these
distributions have ``has_rsample = False`` and raise on ``rsample``; `sample` is exact in
distribution (not in PyTorch's stream), `log_prob`, `entropy`, moments and `cdf` are
differentiable.
"""

from __future__ import annotations

from .. import _dtypes, ops, special
from .._core import grad_mode
from .._core.tensor import Tensor
from . import constraints
from .distribution import Distribution
from .normal import _batch_shape
from .utils import broadcast_all

__all__ = ["Beta", "Gamma", "standard_gamma"]


def standard_gamma(concentration):
    """Draws of Gamma(`concentration`, 1), one per element, without gradient."""
    with grad_mode.no_grad():
        alpha = concentration.detach()
        boost = alpha < 1
        a = ops.where(boost, alpha + 1, alpha)
        d = a - 1.0 / 3.0
        c = 1.0 / ops.sqrt(9.0 * d)
        result = ops.zeros_like(a)
        pending = ops.ones_like(a, dtype=_dtypes.bool)
        while bool(pending.any()):
            x = ops.randn_like(a)
            u = ops.rand_like(a)
            v = (1 + c * x) ** 3
            positive = v > 0
            log_v = ops.log(ops.where(positive, v, ops.ones_like(v)))
            accept = positive & (ops.log(u) < 0.5 * x * x + d - d * v + d * log_v)
            result = ops.where(pending & accept, d * v, result)
            pending = pending & ~accept
        u = ops.rand_like(a)
        result = ops.where(boost, result * u ** (1.0 / alpha), result)
        return result.clamp(min=ops.finfo(result.dtype).smallest_normal)


def _no_rsample(name: str):
    raise NotImplementedError(
        f"{name}.rsample needs the implicit reparameterization gradient of the gamma "
        "sampler, which pluggrad does not provide; use sample() (without gradient)"
    )


class Gamma(Distribution):
    """The gamma distribution with shape `concentration` and inverse scale `rate`.

    Parameters
    ----------
    concentration, rate : float or Tensor
        Shape and rate (broadcast together).
    validate_args : bool, optional
        See :class:`Distribution`.
    """

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative

    def __init__(self, concentration, rate, validate_args: bool | None = None) -> None:
        self.concentration, self.rate = broadcast_all(concentration, rate)
        batch = _batch_shape(self.concentration, concentration, rate)
        super().__init__(batch, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expanded(Gamma, batch_shape, _instance, ("concentration", "rate"))

    @property
    def mean(self):
        return self.concentration / self.rate

    @property
    def mode(self):
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self):
        return self.concentration / self.rate.pow(2)

    def sample(self, sample_shape=()):
        shape = tuple(self._extended_shape(sample_shape))
        with grad_mode.no_grad():
            draws = standard_gamma(self.concentration.expand(shape)) / self.rate.expand(shape)
            return draws.clamp(min=ops.finfo(draws.dtype).smallest_normal)

    def rsample(self, sample_shape=()):
        _no_rsample("Gamma")

    def log_prob(self, value):
        if isinstance(value, Tensor):
            value = value.to(self.rate.dtype)
        else:
            value = ops.tensor(value, dtype=self.rate.dtype, device=self.rate.device)
        if self._validate_args:
            self._validate_sample(value)
        return (
            ops.xlogy(self.concentration, self.rate)
            + ops.xlogy(self.concentration - 1, value)
            - self.rate * value
            - ops.lgamma(self.concentration)
        )

    def entropy(self):
        alpha = self.concentration
        return alpha - ops.log(self.rate) + ops.lgamma(alpha) + (1.0 - alpha) * ops.digamma(alpha)

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return special.gammainc(self.concentration, self.rate * value)


class Beta(Distribution):
    """The beta distribution on ``[0, 1]`` with concentrations `concentration1` (of 1) and
    `concentration0` (of 0).

    Parameters
    ----------
    concentration1, concentration0 : float or Tensor
        The two concentrations (broadcast together).
    validate_args : bool, optional
        See :class:`Distribution`.
    """

    arg_constraints = {
        "concentration1": constraints.positive,
        "concentration0": constraints.positive,
    }
    support = constraints.unit_interval

    def __init__(self, concentration1, concentration0, validate_args: bool | None = None) -> None:
        self.concentration1, self.concentration0 = broadcast_all(concentration1, concentration0)
        batch = _batch_shape(self.concentration1, concentration1, concentration0)
        super().__init__(batch, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        names = ("concentration1", "concentration0")
        return self._expanded(Beta, batch_shape, _instance, names)

    @property
    def mean(self):
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def mode(self):
        # PyTorch's (through Dirichlet): both below 1 puts the mode at 1
        above1 = (self.concentration1 - 1).clamp(min=0.0)
        above0 = (self.concentration0 - 1).clamp(min=0.0)
        both_below = (self.concentration1 < 1) & (self.concentration0 < 1)
        return ops.where(both_below, ops.ones_like(above1), above1 / (above1 + above0))

    @property
    def variance(self):
        total = self.concentration1 + self.concentration0
        return self.concentration1 * self.concentration0 / (total.pow(2) * (total + 1))

    def sample(self, sample_shape=()):
        shape = tuple(self._extended_shape(sample_shape))
        with grad_mode.no_grad():
            x = standard_gamma(self.concentration1.expand(shape))
            y = standard_gamma(self.concentration0.expand(shape))
            tiny = ops.finfo(x.dtype).smallest_normal
            return (x / (x + y)).clamp(min=tiny, max=1 - ops.finfo(x.dtype).eps)

    def rsample(self, sample_shape=()):
        _no_rsample("Beta")

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        a, b = self.concentration1, self.concentration0
        return (
            ops.xlogy(a - 1, value)
            + ops.xlogy(b - 1, 1.0 - value)
            + ops.lgamma(a + b)
            - ops.lgamma(a)
            - ops.lgamma(b)
        )

    def entropy(self):
        a, b = self.concentration1, self.concentration0
        total = a + b
        return (
            ops.lgamma(a)
            + ops.lgamma(b)
            - ops.lgamma(total)
            - (2 - total) * ops.digamma(total)
            - (a - 1) * ops.digamma(a)
            - (b - 1) * ops.digamma(b)
        )
