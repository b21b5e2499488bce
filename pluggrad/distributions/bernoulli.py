"""The Bernoulli distribution (``torch.distributions.Bernoulli``)."""

from __future__ import annotations

import math
import numbers

from .. import ops
from .._core import grad_mode
from ..nn import functional as F
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all, lazy_property, logits_to_probs, probs_to_logits

__all__ = ["Bernoulli"]


def check_one_of(probs, logits) -> None:
    """PyTorch's error when neither or both of `probs` and `logits` are given."""
    if (probs is None) == (logits is None):
        raise ValueError("Either `probs` or `logits` must be specified, but not both.")


def enumerate_values(values, batch_shape, expand: bool, event_shape=()):
    """`values` (one per row) viewed against the batch dimensions, expanded when `expand`."""
    n = values.shape[0]
    values = values.reshape((n,) + (1,) * len(batch_shape) + tuple(event_shape))
    if expand:
        values = values.expand((n,) + tuple(batch_shape) + tuple(event_shape))
    return values


class Bernoulli(Distribution):
    """The Bernoulli distribution: 1 with probability `probs` (or ``sigmoid(logits)``).

    Parameters
    ----------
    probs : float or Tensor, optional
        The probability of 1.
    logits : float or Tensor, optional
        The log-odds of 1 (give exactly one of `probs` and `logits`).
    validate_args : bool, optional
        See :class:`Distribution`.
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.boolean
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args: bool | None = None) -> None:
        check_one_of(probs, logits)
        given = probs if probs is not None else logits
        (param,) = broadcast_all(given)
        if probs is not None:
            self.probs = param
        else:
            self.logits = param
        self._param = param
        batch_shape = () if isinstance(given, numbers.Number) else param.size()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._expanded(Bernoulli, batch_shape, _instance, ("probs", "logits"))
        new._param = new.__dict__["probs"] if "probs" in self.__dict__ else new.logits
        return new

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits, is_binary=True)

    @property
    def param_shape(self):
        return self._param.size()

    @property
    def mean(self):
        return self.probs

    @property
    def mode(self):
        mode = (self.probs >= 0.5).to(self.probs.dtype)
        return ops.where(self.probs == 0.5, math.nan, mode)

    @property
    def variance(self):
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        with grad_mode.no_grad():
            return ops.bernoulli(self.probs.expand(shape))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        return -F.binary_cross_entropy_with_logits(logits, value, reduction="none")

    def entropy(self):
        return F.binary_cross_entropy_with_logits(self.logits, self.probs, reduction="none")

    def enumerate_support(self, expand: bool = True):
        values = ops.arange(2, dtype=self._param.dtype, device=self._param.device)
        return enumerate_values(values, self._batch_shape, expand)
