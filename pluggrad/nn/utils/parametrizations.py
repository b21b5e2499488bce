"""``pluggrad.nn.utils.parametrizations``: weight normalization, spectral normalization and
orthogonal matrices as parametrizations (PyTorch's ``torch.nn.utils.parametrizations``).

Each function registers a module of its own with
:func:`~pluggrad.nn.utils.parametrize.register_parametrization`, so the weight becomes
``module.parametrizations.weight.original`` (``original0``/``original1`` for weight
normalization) and is recomputed when read.
"""

from __future__ import annotations

from typing import Any

from ... import ops as _ops
from ..._core.grad_mode import no_grad
from ..._core.tensor import Tensor
from .. import functional as F
from ..modules.module import Module
from . import parametrize

# _OrthMaps: PyTorch's module has the name too
from ._orthogonal import _OrthMaps, _Orthogonal, _orthogonal_map_of  # noqa: F401
from .spectral_norm import _output_dim

__all__ = ["orthogonal", "spectral_norm", "weight_norm"]


def orthogonal(
    module: Module,
    name: str = "weight",
    orthogonal_map: str | None = None,
    *,
    use_trivialization: bool = True,
) -> Module:
    """Make ``module.<name>`` an orthogonal (unitary, if complex) matrix or batch of matrices.

    An ``m x n`` matrix ``Q`` has orthonormal columns if ``m >= n`` and orthonormal rows
    otherwise.  ``"matrix_exp"`` and ``"cayley"`` map a skew-symmetric matrix built from the
    original's lower triangle through the exponential or the Cayley map; ``"householder"``
    multiplies Householder reflectors.  With `use_trivialization` (the default) the result is
    multiplied by a stored orthogonal matrix ``module.parametrizations.<name>[0].base``.

    The initial value is the tensor itself if it is orthogonal and its orthogonalization by
    QR otherwise (unless it was already parametrized, or ``use_trivialization=False`` with a
    map other than householder).

    Parameters
    ----------
    module : Module
        The module.
    name : str
        The tensor to make orthogonal.
    orthogonal_map : {"matrix_exp", "cayley", "householder"}, optional
        Default: ``"matrix_exp"`` if the matrix is square or complex, ``"householder"``
        otherwise.
    use_trivialization : bool
        Use the dynamic trivialization framework (the stored ``base``).

    Returns
    -------
    Module
        `module`, parametrized.

    Raises
    ------
    ValueError
        If `module` has no such tensor, it has fewer than 2 dimensions, or the map is unknown.

    Examples
    --------
    >>> import pluggrad as torch
    >>> from pluggrad.nn.utils.parametrizations import orthogonal
    >>> m = orthogonal(torch.nn.Linear(3, 5, dtype=torch.float64))
    >>> Q = m.weight
    >>> bool(torch.allclose(Q.T @ Q, torch.eye(3, dtype=torch.float64)))
    True
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    # the maps on the sphere would do for vectors, but would more likely surprise
    if weight.ndim < 2:
        raise ValueError(
            f"Expected a matrix or batch of matrices. Got a tensor of {weight.ndim} dimensions."
        )
    orth_enum = _orthogonal_map_of(weight, orthogonal_map)
    orth = _Orthogonal(weight, orth_enum, use_trivialization=use_trivialization)
    parametrize.register_parametrization(module, name, orth, unsafe=True)
    return module


def _weight_norm(v: Tensor, g: Tensor, dim: int) -> Tensor:
    """``torch._weight_norm``: ``v * g / ||v||`` with the norm over every dimension of `v`
    but `dim` (over all of them if `dim` is -1)."""
    return v * (g / _ops.norm_except_dim(v, 2, dim))  # type: ignore[no-any-return]


class _WeightNorm(Module):
    """The weight-normalization parametrization: ``(g, v) -> g * v / ||v||``."""

    def __init__(self, dim: int | None = 0) -> None:
        super().__init__()
        if dim is None:
            dim = -1
        self.dim = dim

    def forward(self, weight_g: Tensor, weight_v: Tensor) -> Tensor:
        """The weight of magnitude `weight_g` and direction `weight_v`."""
        return _weight_norm(weight_v, weight_g, self.dim)

    def right_inverse(self, weight: Tensor) -> tuple[Tensor, Tensor]:
        """``(g, v)``: the norm of `weight` along ``dim``, and `weight` itself."""
        weight_g = _ops.norm_except_dim(weight, 2, self.dim)
        return weight_g, weight


def weight_norm(module: Module, name: str = "weight", dim: int | None = 0) -> Module:
    """Weight normalization: ``w = g * v / ||v||``, the magnitude ``g`` and the direction
    ``v`` two parameters, ``module.parametrizations.<name>.original0`` and ``.original1``.

    Parameters
    ----------
    module : Module
        The module.
    name : str
        The weight's name.
    dim : int or None
        The dimension kept by the norm (one magnitude per slice along it, per output channel
        with the default 0); None for one magnitude of the whole tensor.

    Returns
    -------
    Module
        `module`, parametrized.

    Examples
    --------
    >>> import pluggrad as torch
    >>> from pluggrad.nn.utils.parametrizations import weight_norm
    >>> m = weight_norm(torch.nn.Linear(20, 40))
    >>> m.parametrizations.weight.original0.size(), m.parametrizations.weight.original1.size()
    (pluggrad.Size([40, 1]), pluggrad.Size([40, 20]))
    """
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)

    def _weight_norm_compat_hook(
        state_dict: Any, prefix: str, local_metadata: Any, strict: bool,
        missing_keys: list, unexpected_keys: list, error_msgs: list,
    ) -> None:  # fmt: skip
        # a checkpoint of the old hook (``<name>_g``, ``<name>_v``) loads into the originals
        g_key = f"{prefix}{name}_g"
        v_key = f"{prefix}{name}_v"
        if g_key in state_dict and v_key in state_dict:
            original0 = state_dict.pop(g_key)
            original1 = state_dict.pop(v_key)
            state_dict[f"{prefix}parametrizations.{name}.original0"] = original0
            state_dict[f"{prefix}parametrizations.{name}.original1"] = original1

    module._register_load_state_dict_pre_hook(_weight_norm_compat_hook)
    return module


class _SpectralNorm(Module):
    """The spectral-normalization parametrization: the weight divided by its largest singular
    value, estimated by power iteration on the buffers ``_u`` and ``_v``."""

    def __init__(
        self, weight: Tensor, n_power_iterations: int = 1, dim: int = 0, eps: float = 1e-12
    ) -> None:
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError(
                "Dimension out of range (expected to be in range of "
                f"[-{ndim}, {ndim - 1}] but got {dim})"
            )
        if n_power_iterations <= 0:
            raise ValueError(
                "Expected n_power_iterations to be positive, but "
                f"got n_power_iterations={n_power_iterations}"
            )
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            # a vector's norm is exact (see forward): nothing to estimate
            self.n_power_iterations = n_power_iterations
            weight_mat = self._reshape_weight_to_matrix(weight)
            h, w = weight_mat.size()
            u = weight_mat.new_empty(h).normal_(0, 1)
            v = weight_mat.new_empty(w).normal_(0, 1)
            self.register_buffer("_u", F.normalize(u, dim=0, eps=self.eps))
            self.register_buffer("_v", F.normalize(v, dim=0, eps=self.eps))
            # start from reasonable singular vectors
            self._power_method(weight_mat, 15)

    def _reshape_weight_to_matrix(self, weight: Tensor) -> Tensor:
        if weight.ndim <= 1:
            raise AssertionError(
                f"Expected weight to have more than 1 dimension, got {weight.ndim}"
            )
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.dim()) if d != self.dim))
        return weight.flatten(1)

    def _power_method(self, weight_mat: Tensor, n_power_iterations: int) -> None:
        # u and v are updated in place (as PyTorch's out=), so that replicas sharing the
        # buffers see the update; forward clones them before use, so two forwards can be
        # backpropagated through (a GAN's D(real) - D(fake))
        if weight_mat.ndim <= 1:
            raise AssertionError(
                f"Expected weight_mat to have more than 1 dimension, got {weight_mat.ndim}"
            )
        with no_grad():
            for _ in range(n_power_iterations):
                # sigma = u^T W v with u, v the first left and right singular vectors
                self._u.copy_(F.normalize(_ops.mv(weight_mat, self._v), dim=0, eps=self.eps))
                self._v.copy_(F.normalize(_ops.mv(weight_mat.mH, self._u), dim=0, eps=self.eps))

    def forward(self, weight: Tensor) -> Tensor:
        """`weight` divided by its spectral norm (power iterations first, in training mode)."""
        if weight.ndim == 1:
            # faster and exact
            return F.normalize(weight, dim=0, eps=self.eps)
        weight_mat = self._reshape_weight_to_matrix(weight)
        if self.training:
            self._power_method(weight_mat, self.n_power_iterations)
        u = self._u.clone()
        v = self._v.clone()
        sigma = _ops.vdot(u, _ops.mv(weight_mat, v))
        return weight / sigma  # type: ignore[no-any-return]

    def right_inverse(self, value: Tensor) -> Tensor:
        """`value` itself (assigning a weight stores it as the original)."""
        return value


def spectral_norm(
    module: Module,
    name: str = "weight",
    n_power_iterations: int = 1,
    eps: float = 1e-12,
    dim: int | None = None,
) -> Module:
    """Spectral normalization: the weight divided by its largest singular value ``sigma``,
    estimated by `n_power_iterations` steps of the power method each time the weight is read
    in training mode (none in evaluation mode).

    The singular vectors start from 15 power iterations on normal random vectors (drawn from
    the default generator, as PyTorch draws them), kept in the buffers
    ``module.parametrizations.<name>[0]._u`` and ``._v``.  A weight of more than two
    dimensions is reshaped to ``(size(dim), -1)``; a vector is divided by its norm.

    Parameters
    ----------
    module : Module
        The module.
    name : str
        The weight's name.
    n_power_iterations : int
        Power iterations per read in training mode.
    eps : float
        Added stability of the norms.
    dim : int, optional
        The output dimension: 1 for ``ConvTranspose1d/2d/3d``, 0 otherwise.

    Returns
    -------
    Module
        `module`, parametrized.

    Raises
    ------
    ValueError
        If `module` has no tensor `name`, or `n_power_iterations` is not positive.

    Examples
    --------
    >>> import pluggrad as torch
    >>> from pluggrad.nn.utils.parametrizations import spectral_norm
    >>> m = spectral_norm(torch.nn.Linear(20, 40, dtype=torch.float64))
    >>> sigma = torch.linalg.matrix_norm(m.weight, 2)
    >>> bool(abs(sigma - 1) < 0.1)
    True
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        dim = _output_dim(module)
    parametrize.register_parametrization(
        module, name, _SpectralNorm(weight, n_power_iterations, dim, eps)
    )
    return module
