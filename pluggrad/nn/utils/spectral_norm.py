"""``pluggrad.nn.utils.spectral_norm``: spectral normalization as a forward pre-hook
(PyTorch's ``torch.nn.utils.spectral_norm``;
:func:`~pluggrad.nn.utils.parametrizations.spectral_norm` is the parametrization version).

The weight moves to the parameter ``<name>_orig``; the buffers ``<name>_u`` and ``<name>_v``
hold the power iteration's singular vectors, and before each forward ``module.<name>`` is
recomputed as ``<name>_orig / sigma`` (a plain tensor attribute).
"""

from __future__ import annotations

from typing import Any, TypeVar

from ... import ops as _ops
from ..._core.grad_mode import no_grad
from ..._core.tensor import Tensor
from ...ops._composite_linalg import multi_dot
from .. import functional as F
from ..modules.conv import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from ..modules.module import Module
from ..parameter import Parameter, UninitializedParameter

__all__ = [
    "SpectralNorm", "SpectralNormLoadStateDictPreHook", "SpectralNormStateDictHook",
    "spectral_norm", "remove_spectral_norm",
]  # fmt: skip


class SpectralNorm:
    """The forward pre-hook of :func:`spectral_norm`.

    Parameters
    ----------
    name : str
        The weight's name.
    n_power_iterations : int
        Power iterations per forward in training mode.
    dim : int
        The output dimension (moved first before the weight is flattened to a matrix).
    eps : float
        Added stability of the norms.
    """

    _version: int = 1
    name: str
    dim: int
    n_power_iterations: int
    eps: float

    def __init__(
        self, name: str = "weight", n_power_iterations: int = 1, dim: int = 0, eps: float = 1e-12
    ) -> None:
        self.name = name
        self.dim = dim
        if n_power_iterations <= 0:
            raise ValueError(
                "Expected n_power_iterations to be positive, but "
                f"got n_power_iterations={n_power_iterations}"
            )
        self.n_power_iterations = n_power_iterations
        self.eps = eps

    def reshape_weight_to_matrix(self, weight: Tensor) -> Tensor:
        """`weight` as a ``(size(dim), -1)`` matrix."""
        weight_mat = weight
        if self.dim != 0:
            # permute dim to front
            weight_mat = weight_mat.permute(
                self.dim, *[d for d in range(weight_mat.dim()) if d != self.dim]
            )
        height = weight_mat.size(0)
        return weight_mat.reshape(height, -1)

    def compute_weight(self, module: Module, do_power_iteration: bool) -> Tensor:
        """``<name>_orig / sigma``, after `n_power_iterations` updates of ``u`` and ``v`` in
        place if `do_power_iteration`."""
        weight = getattr(module, self.name + "_orig")
        u = getattr(module, self.name + "_u")
        v = getattr(module, self.name + "_v")
        weight_mat = self.reshape_weight_to_matrix(weight)
        if do_power_iteration:
            # in place (PyTorch's out=): module replicas share the buffers; the clones let
            # two forwards be backpropagated through
            with no_grad():
                for _ in range(self.n_power_iterations):
                    v.copy_(F.normalize(_ops.mv(weight_mat.t(), u), dim=0, eps=self.eps))
                    u.copy_(F.normalize(_ops.mv(weight_mat, v), dim=0, eps=self.eps))
                u = u.clone()
                v = v.clone()
        sigma = _ops.dot(u, _ops.mv(weight_mat, v))
        return weight / sigma  # type: ignore[no-any-return]

    def remove(self, module: Module) -> None:
        """Turn ``module.<name>`` back into a parameter of the current normalized weight."""
        with no_grad():
            weight = self.compute_weight(module, do_power_iteration=False)
        delattr(module, self.name)
        delattr(module, self.name + "_u")
        delattr(module, self.name + "_v")
        delattr(module, self.name + "_orig")
        module.register_parameter(self.name, Parameter(weight.detach()))

    def __call__(self, module: Module, inputs: Any) -> None:
        setattr(module, self.name, self.compute_weight(module, module.training))

    @staticmethod
    def apply(
        module: Module, name: str, n_power_iterations: int, dim: int, eps: float
    ) -> SpectralNorm:
        """Register the hook on `module` (see :func:`spectral_norm`).

        Raises
        ------
        RuntimeError
            If `name` already has a spectral_norm hook.
        ValueError
            If the parameter is None or uninitialized.
        """
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, SpectralNorm) and hook.name == name:
                raise RuntimeError(
                    f"Cannot register two spectral_norm hooks on the same parameter {name}"
                )
        fn = SpectralNorm(name, n_power_iterations, dim, eps)
        weight = module._parameters[name]
        if weight is None:
            raise ValueError(f"`SpectralNorm` cannot be applied as parameter `{name}` is None")
        if isinstance(weight, UninitializedParameter):
            raise ValueError(
                "The module passed to `SpectralNorm` can't have uninitialized parameters. "
                "Make sure to run the dummy forward before applying spectral normalization"
            )
        with no_grad():
            weight_mat = fn.reshape_weight_to_matrix(weight)
            h, w = weight_mat.size()
            # random u and v (from the default generator, as PyTorch draws them)
            u = F.normalize(weight.new_empty(h).normal_(0, 1), dim=0, eps=fn.eps)
            v = F.normalize(weight.new_empty(w).normal_(0, 1), dim=0, eps=fn.eps)
        delattr(module, fn.name)
        module.register_parameter(fn.name + "_orig", weight)
        # a plain attribute until the first forward (so that it is no parameter or buffer)
        setattr(module, fn.name, weight.data)
        module.register_buffer(fn.name + "_u", u)
        module.register_buffer(fn.name + "_v", v)
        module.register_forward_pre_hook(fn)
        module._register_state_dict_hook(SpectralNormStateDictHook(fn))
        module._register_load_state_dict_pre_hook(SpectralNormLoadStateDictPreHook(fn))
        return fn

    def _solve_v_and_rescale(self, weight_mat: Tensor, u: Tensor, target_sigma: Tensor) -> Tensor:
        # a v with u^T W v = target_sigma (and W^T W v ∝ W^T u, the power iteration's fixed
        # point), so that a checkpoint without v computes the weight it was saved with
        v = multi_dot(
            [weight_mat.t().mm(weight_mat).pinverse(), weight_mat.t(), u.unsqueeze(1)]
        ).squeeze(1)
        return v.mul_(target_sigma / _ops.dot(u, _ops.mv(weight_mat, v)))  # type: ignore[no-any-return]


class SpectralNormLoadStateDictPreHook:
    """The load_state_dict pre-hook of :func:`spectral_norm`: a checkpoint of version 0 (the
    normalized ``<name>`` saved, no ``<name>_v``) gets the ``<name>_v`` that reproduces it.

    Parameters
    ----------
    fn : SpectralNorm
        The module's spectral_norm hook.
    """

    def __init__(self, fn: SpectralNorm) -> None:
        self.fn = fn

    def __call__(
        self, state_dict: Any, prefix: str, local_metadata: Any, strict: bool,
        missing_keys: list, unexpected_keys: list, error_msgs: list,
    ) -> None:  # fmt: skip
        fn = self.fn
        version = local_metadata.get("spectral_norm", {}).get(fn.name + ".version", None)
        if version is not None and version >= 1:
            return
        weight_key = prefix + fn.name
        if (
            version is None
            and all(weight_key + s in state_dict for s in ("_orig", "_u", "_v"))
            and weight_key not in state_dict
        ):
            # a version-1 checkpoint without metadata
            return
        has_missing_keys = False
        for suffix in ("_orig", "", "_u"):
            key = weight_key + suffix
            if key not in state_dict:
                has_missing_keys = True
                if strict:
                    missing_keys.append(key)
        if has_missing_keys:
            return
        with no_grad():
            weight_orig = state_dict[weight_key + "_orig"]
            weight = state_dict.pop(weight_key)
            sigma = (weight_orig / weight).mean()
            weight_mat = fn.reshape_weight_to_matrix(weight_orig)
            u = state_dict[weight_key + "_u"]
            state_dict[weight_key + "_v"] = fn._solve_v_and_rescale(weight_mat, u, sigma)


class SpectralNormStateDictHook:
    """The state_dict hook of :func:`spectral_norm`: records the format's version in the
    metadata (``local_metadata["spectral_norm"]["<name>.version"]``).

    Parameters
    ----------
    fn : SpectralNorm
        The module's spectral_norm hook.
    """

    def __init__(self, fn: SpectralNorm) -> None:
        self.fn = fn

    def __call__(self, module: Module, state_dict: Any, prefix: str, local_metadata: Any) -> None:
        if "spectral_norm" not in local_metadata:
            local_metadata["spectral_norm"] = {}
        key = self.fn.name + ".version"
        if key in local_metadata["spectral_norm"]:
            raise RuntimeError(f"Unexpected key in metadata['spectral_norm']: {key}")
        local_metadata["spectral_norm"][key] = self.fn._version


T_module = TypeVar("T_module", bound=Module)


def spectral_norm(
    module: T_module,
    name: str = "weight",
    n_power_iterations: int = 1,
    eps: float = 1e-12,
    dim: int | None = None,
) -> T_module:
    """Spectral normalization by a forward pre-hook: before each forward, ``module.<name>``
    becomes ``<name>_orig / sigma``, sigma the largest singular value estimated by
    `n_power_iterations` power-method steps (in training mode; none in evaluation mode) on
    the buffers ``<name>_u`` and ``<name>_v``.

    Parameters
    ----------
    module : Module
        The module.
    name : str
        The weight's name.
    n_power_iterations : int
        Power iterations per forward in training mode.
    eps : float
        Added stability of the norms.
    dim : int, optional
        The output dimension: 1 for ``ConvTranspose1d/2d/3d``, 0 otherwise.

    Returns
    -------
    Module
        `module`, with the hook.

    Examples
    --------
    >>> import pluggrad as torch
    >>> m = torch.nn.utils.spectral_norm(torch.nn.Linear(20, 40))
    >>> [name for name, _ in m.named_parameters()], [name for name, _ in m.named_buffers()]
    (['bias', 'weight_orig'], ['weight_u', 'weight_v'])
    """
    if dim is None:
        dim = _output_dim(module)
    SpectralNorm.apply(module, name, n_power_iterations, dim, eps)
    return module


def _output_dim(module: Module) -> int:
    # a transposed convolution's weight is (in, out, ...): its outputs are dimension 1
    transposed = (ConvTranspose1d, ConvTranspose2d, ConvTranspose3d)
    return 1 if isinstance(module, transposed) else 0


def _remove_hook(module: Module, kind: Any, name: str, what: str) -> None:
    """Undo and unregister `module`'s forward pre-hook of class `kind` on `name`."""
    for k, hook in module._forward_pre_hooks.items():
        if isinstance(hook, kind) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            return
    raise ValueError(f"{what} of '{name}' not found in {module}")


def remove_spectral_norm(module: T_module, name: str = "weight") -> T_module:
    """Remove the spectral-normalization hook of ``module.<name>``; the weight becomes a
    parameter of its current normalized value.

    Parameters
    ----------
    module : Module
        The module.
    name : str
        The weight's name.

    Returns
    -------
    Module
        `module`.

    Raises
    ------
    ValueError
        If `module` has no spectral_norm hook on `name`.
    """
    _remove_hook(module, SpectralNorm, name, "spectral_norm")
    for hooks, kind in (
        (module._state_dict_hooks, SpectralNormStateDictHook),
        (module._load_state_dict_pre_hooks, SpectralNormLoadStateDictPreHook),
    ):
        for k, hook in hooks.items():
            if isinstance(hook, kind) and hook.fn.name == name:
                del hooks[k]
                break
    return module
