"""The multivariate normal distribution (``torch.distributions.MultivariateNormal``)."""

from __future__ import annotations

import math

from .. import linalg, ops
from .._core.tensor import Size
from . import constraints, utils
from .distribution import Distribution
from .utils import lazy_property

__all__ = ["MultivariateNormal"]


def batch_mv(matrix, vector):
    """Batched matrix times vector, broadcasting the batch dimensions."""
    return ops.matmul(matrix, vector.unsqueeze(-1)).squeeze(-1)


def batch_mahalanobis(scale_tril, x):
    """``x^T (L L^T)^{-1} x`` over the last dimension of `x`, batch dimensions broadcast."""
    n = x.shape[-1]
    batch = ops.broadcast_shapes(tuple(scale_tril.shape[:-2]), tuple(x.shape[:-1]))
    lower = scale_tril.expand(tuple(batch) + (n, n))
    column = x.expand(tuple(batch) + (n,)).unsqueeze(-1)
    solved = linalg.solve_triangular(lower, column, upper=False)
    return solved.squeeze(-1).pow(2).sum(-1)


def precision_to_scale_tril(precision):
    """The lower Cholesky factor of the inverse of `precision`, without inverting it: the
    flipped Cholesky factor of the flipped matrix is an upper factor ``U`` with
    ``P = U^T U``... inverted triangularly."""
    flipped = linalg.cholesky(ops.flip(precision, (-2, -1)))
    inverse_lower = ops.transpose(ops.flip(flipped, (-2, -1)), -2, -1)
    identity = ops.eye(precision.shape[-1], dtype=precision.dtype, device=precision.device)
    return linalg.solve_triangular(inverse_lower, identity, upper=False)


class MultivariateNormal(Distribution):
    """The multivariate normal distribution with mean `loc` and one of `covariance_matrix`,
    `precision_matrix` or `scale_tril` (the lower Cholesky factor of the covariance).

    Parameters
    ----------
    loc : Tensor
        Mean, of shape ``batch_shape + (n,)``.
    covariance_matrix, precision_matrix, scale_tril : Tensor, optional
        Give exactly one, of shape ``batch_shape + (n, n)``.
    validate_args : bool, optional
        See :class:`Distribution`.
    """

    arg_constraints = {
        "loc": constraints.real_vector,
        "covariance_matrix": constraints.positive_definite,
        "precision_matrix": constraints.positive_definite,
        "scale_tril": constraints.lower_cholesky,
    }
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc, covariance_matrix=None, precision_matrix=None, scale_tril=None,
                 validate_args: bool | None = None) -> None:  # fmt: skip
        if loc.dim() < 1:
            raise ValueError("loc must be at least one-dimensional.")
        given = {
            "scale_tril": scale_tril,
            "covariance_matrix": covariance_matrix,
            "precision_matrix": precision_matrix,
        }
        given = {k: v for k, v in given.items() if v is not None}
        if len(given) != 1:
            raise ValueError(
                "Exactly one of covariance_matrix or precision_matrix or scale_tril may be "
                "specified."
            )
        ((name, matrix),) = given.items()
        if matrix.dim() < 2:
            what = "scale_tril matrix" if name == "scale_tril" else name
            raise ValueError(
                f"{what} must be at least two-dimensional, with optional leading batch dimensions"
            )
        batch_shape = ops.broadcast_shapes(tuple(matrix.shape[:-2]), tuple(loc.shape[:-1]))
        setattr(self, name, matrix.expand(tuple(batch_shape) + (-1, -1)))
        self.loc = loc.expand(tuple(batch_shape) + (-1,))
        super().__init__(batch_shape, self.loc.shape[-1:], validate_args=validate_args)
        if name == "scale_tril":
            self._unbroadcasted_scale_tril = matrix
        elif name == "covariance_matrix":
            self._unbroadcasted_scale_tril = linalg.cholesky(matrix)
        else:
            self._unbroadcasted_scale_tril = precision_to_scale_tril(matrix)

    def expand(self, batch_shape, _instance=None):
        names = ("covariance_matrix", "scale_tril", "precision_matrix")
        event = tuple(self._event_shape)
        new = self._expanded(MultivariateNormal, batch_shape, _instance, names, event + event)
        new.loc = self.loc.expand(tuple(batch_shape) + event)
        new._unbroadcasted_scale_tril = self._unbroadcasted_scale_tril
        return new

    def _matrix_shape(self) -> tuple:
        return tuple(self._batch_shape) + tuple(self._event_shape) * 2

    @lazy_property
    def scale_tril(self):
        return self._unbroadcasted_scale_tril.expand(self._matrix_shape())

    @lazy_property
    def covariance_matrix(self):
        lower = self._unbroadcasted_scale_tril
        return ops.matmul(lower, lower.mT).expand(self._matrix_shape())

    @lazy_property
    def precision_matrix(self):
        # PyTorch's cholesky_inverse differentiates its factor as a full matrix (its upper
        # triangle gets a gradient too); pluggrad's, made of triangular solves, does not, so the
        # inverse is solved from the full product here to give PyTorch's gradients
        lower = self._unbroadcasted_scale_tril
        identity = ops.eye(lower.shape[-1], dtype=lower.dtype, device=lower.device)
        return linalg.solve(ops.matmul(lower, lower.mT), identity).expand(self._matrix_shape())

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        variance = self._unbroadcasted_scale_tril.pow(2).sum(-1)
        return variance.expand(tuple(self._batch_shape) + tuple(self._event_shape))

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        eps = utils.noise("normal", shape, self.loc.dtype, self.loc.device)
        return self.loc + batch_mv(self._unbroadcasted_scale_tril, eps)

    def _half_log_det(self):
        return self._unbroadcasted_scale_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        distance = batch_mahalanobis(self._unbroadcasted_scale_tril, value - self.loc)
        n = self._event_shape[0]
        return -0.5 * (n * math.log(2 * math.pi) + distance) - self._half_log_det()

    def entropy(self):
        n = self._event_shape[0]
        entropy = 0.5 * n * (1.0 + math.log(2 * math.pi)) + self._half_log_det()
        if len(self._batch_shape) == 0:
            return entropy
        return entropy.expand(tuple(Size(self._batch_shape)))
