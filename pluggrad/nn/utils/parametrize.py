"""``pluggrad.nn.utils.parametrize``: a module's parameter or buffer computed by a module of
its own (PyTorch's ``torch.nn.utils.parametrize``).

:func:`register_parametrization` moves ``module.weight`` to
``module.parametrizations.weight.original`` and swaps the module's class for a subclass,
``Parametrized<Name>``, whose property ``weight`` returns ``parametrization(original)`` each time
it is read (once per :func:`cached` block) and whose setter calls the parametrization's
``right_inverse``.  Several parametrizations on one tensor are a :class:`ParametrizationList`,
applied in order; the state_dict keys, the repr, the error messages and the checks are
PyTorch's.
"""

from __future__ import annotations

import collections.abc
import copyreg
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from copy import deepcopy
from typing import Any

from ..._core.grad_mode import no_grad
from ..._core.tensor import Tensor
from ..modules.container import ModuleDict, ModuleList
from ..modules.module import Module
from ..parameter import Parameter

__all__ = [
    "cached", "ParametrizationList", "register_parametrization", "is_parametrized",
    "remove_parametrizations", "type_before_parametrizations",
    "transfer_parametrizations_and_params",
]  # fmt: skip

_cache_enabled = 0
_cache: dict[tuple[int, str], Tensor | None] = {}


@contextmanager
def cached() -> Iterator[None]:
    """Compute each parametrized tensor once inside the block and reuse it.

    A parametrized tensor is otherwise recomputed every time it is read; with caching, a
    weight used several times in a forward (an RNN's, a tied weight) is computed once.  The
    cache is emptied when the outermost ``cached()`` block exits.

    Examples
    --------
    >>> import pluggrad as torch
    >>> from pluggrad.nn.utils import parametrize as P
    >>> class Double(torch.nn.Module):
    ...     def forward(self, X):
    ...         return 2 * X
    >>> m = P.register_parametrization(torch.nn.Linear(2, 2), "weight", Double())
    >>> with P.cached():
    ...     m.weight is m.weight
    True
    """
    global _cache, _cache_enabled
    _cache_enabled += 1
    try:
        yield
    finally:
        _cache_enabled -= 1
        if not _cache_enabled:
            _cache = {}


def _register_parameter_or_buffer(module: Module, name: str, X: Tensor) -> None:
    if isinstance(X, Parameter):
        module.register_parameter(name, X)
    else:
        module.register_buffer(name, X)


def _maybe_set(dest: Tensor, src: Tensor) -> None:
    # PyTorch's ``dest.set_(src)``: `dest` (the same object, so an optimizer holding it keeps
    # working) takes `src`'s elements and shape
    if dest is not src:
        dest.data = src


class ParametrizationList(ModuleList):
    """The parametrizations of one tensor of a module, applied in order, with the tensor it
    is computed from: ``original`` (or ``original0``, ``original1``... when the first
    parametrization's ``right_inverse`` returns several tensors).

    Made by :func:`register_parametrization`, not by hand.

    Parameters
    ----------
    modules : sequence of Module
        The parametrizations (at least one).
    original : Tensor or Parameter
        The tensor being parametrized; it is stored as ``original`` (the same object, its
        elements replaced by the parametrizations' ``right_inverse`` of them).
    unsafe : bool
        Skip the checks that the parametrization keeps the dtype and shape.

    Raises
    ------
    ValueError
        PyTorch's messages: no modules, a ``right_inverse`` returning something else than
        tensors or changing the dtype, a parametrization changing the dtype or shape.
    """

    original: Tensor
    unsafe: bool

    def __init__(
        self, modules: Sequence[Module], original: Tensor | Parameter, unsafe: bool = False
    ) -> None:
        if len(modules) == 0:
            raise ValueError("ParametrizationList requires one or more modules.")
        super().__init__(modules)
        self.unsafe = unsafe
        original_shape = original.shape
        original_dtype = original.dtype
        with no_grad():
            new: Any = original
            for module in reversed(self):  # type: ignore[call-overload]
                if hasattr(module, "right_inverse"):
                    try:
                        new = module.right_inverse(new)
                    except NotImplementedError:
                        pass
        if not isinstance(new, Tensor) and not isinstance(new, Sequence):
            raise ValueError(
                "'right_inverse' must return a Tensor or a Sequence of tensors (list, tuple...). "
                f"Got {type(new).__name__}"
            )
        self.is_tensor = isinstance(new, Tensor)
        self.ntensors = 1 if self.is_tensor else len(new)
        if isinstance(new, Tensor):
            self._store_single(original, new)
        else:
            self._store_several(original, new)
        if not self.unsafe:
            Z = self()
            if not isinstance(Z, Tensor):
                raise ValueError(f"A parametrization must return a tensor. Got {type(Z).__name__}.")
            if Z.dtype != original_dtype:
                raise ValueError(
                    "Registering a parametrization may not change the dtype of the tensor, "
                    "unless `unsafe` flag is enabled.\n"
                    f"unparametrized dtype: {original_dtype}\n"
                    f"parametrized dtype: {Z.dtype}"
                )
            if Z.shape != original_shape:
                raise ValueError(
                    "Registering a parametrization may not change the shape of the tensor, "
                    "unless `unsafe` flag is enabled.\n"
                    f"unparametrized shape: {original_shape}\n"
                    f"parametrized shape: {Z.shape}"
                )

    def _store_single(self, original: Tensor, new: Tensor) -> None:
        if original.dtype != new.dtype:
            raise ValueError(
                "When `right_inverse` outputs one tensor, it may not change the dtype.\n"
                f"original.dtype: {original.dtype}\n"
                f"right_inverse(original).dtype: {new.dtype}"
            )
        if original.device != new.device:
            raise ValueError(
                "When `right_inverse` outputs one tensor, it may not change the device.\n"
                f"original.device: {original.device}\n"
                f"right_inverse(original).device: {new.device}"
            )
        with no_grad():
            _maybe_set(original, new)
        _register_parameter_or_buffer(self, "original", original)

    def _store_several(self, original: Tensor, new: Sequence) -> None:
        for i, originali in enumerate(new):
            if not isinstance(originali, Tensor):
                raise ValueError(
                    "'right_inverse' must return a Tensor or a Sequence of tensors "
                    f"(list, tuple...). Got element {i} of the sequence with type "
                    f"{type(originali).__name__}."
                )
            # a parametrized parameter's originals are parameters (of its requires_grad)
            if isinstance(original, Parameter):
                originali = Parameter(originali, original.requires_grad)
            originali.requires_grad_(original.requires_grad)
            _register_parameter_or_buffer(self, f"original{i}", originali)

    def right_inverse(self, value: Tensor) -> None:
        """Set the originals so that the parametrized tensor becomes `value`: each
        parametrization's ``right_inverse``, last to first (what ``module.weight = value``
        calls).

        Raises
        ------
        RuntimeError
            If a parametrization has no ``right_inverse``.
        ValueError
            If the result is not a tensor (or sequence of them) of the originals' dtypes.
        """
        with no_grad():
            result: Any = value
            for module in reversed(self):  # type: ignore[call-overload]
                if hasattr(module, "right_inverse"):
                    result = module.right_inverse(result)
                else:
                    raise RuntimeError(
                        f"parametrization {type(module).__name__} does not implement right_inverse."
                    )
            if self.is_tensor:
                if not isinstance(result, Tensor):
                    raise ValueError(
                        f"`right_inverse` should return a tensor. Got {type(result).__name__}"
                    )
                if result.dtype != self.original.dtype:
                    raise ValueError(
                        f"The tensor returned by `right_inverse` has dtype {result.dtype} while "
                        f"`original` has dtype {self.original.dtype}"
                    )
                _maybe_set(self.original, result)
                return
            if not isinstance(result, collections.abc.Sequence):
                raise ValueError(
                    "'right_inverse' must return a sequence of tensors. "
                    f"Got {type(result).__name__}."
                )
            if len(result) != self.ntensors:
                raise ValueError(
                    "'right_inverse' must return a sequence of tensors of length "
                    f"{self.ntensors}. Got a sequence of length {len(result)}."
                )
            for i, tensor in enumerate(result):
                original_i = getattr(self, f"original{i}")
                if not isinstance(tensor, Tensor):
                    raise ValueError(
                        "'right_inverse' must return a sequence of tensors or reference-type "
                        f"opaques. Got element {i} of type {type(tensor).__name__}."
                    )
                if original_i.dtype != tensor.dtype:
                    raise ValueError(
                        f"Tensor {i} returned by `right_inverse` has dtype {tensor.dtype} while "
                        f"`original{i}` has dtype {original_i.dtype}"
                    )
                _maybe_set(original_i, tensor)

    def forward(self) -> Tensor:
        """The parametrized tensor: the parametrizations applied in order to the originals."""
        if self.is_tensor:
            x = self[0](self.original)
        else:
            originals = (getattr(self, f"original{i}") for i in range(self.ntensors))
            x = self[0](*originals)
        # not ``for m in self[1:]``: a parametrization may have been appended since
        curr_idx = 1
        while hasattr(self, str(curr_idx)):
            x = self[curr_idx](x)
            curr_idx += 1
        return x  # type: ignore[no-any-return]


def _inject_new_class(module: Module) -> None:
    """Swap `module`'s class for a new subclass ``Parametrized<Name>`` (the properties of the
    parametrized tensors go on it, not on the class every instance shares)."""
    cls = module.__class__

    def default_deepcopy(self: Any, memo: dict) -> Any:
        obj = memo.get(id(self), None)
        if obj is not None:
            return obj
        replica = self.__new__(self.__class__)
        memo[id(self)] = replica
        replica.__dict__ = deepcopy(self.__dict__, memo)
        for slot in copyreg._slotnames(self.__class__):  # type: ignore[attr-defined]
            if hasattr(self, slot):
                setattr(replica, slot, deepcopy(getattr(self, slot), memo))
        return replica

    def getstate(self: Any) -> Any:
        raise RuntimeError(
            "Serialization of parametrized modules is only supported through state_dict(). "
            "See:\nhttps://pytorch.org/tutorials/beginner/saving_loading_models.html"
            "#saving-loading-a-general-checkpoint-for-inference-and-or-resuming-training"
        )

    dct: dict[str, Any] = {"__getstate__": getstate}
    if not hasattr(cls, "__deepcopy__"):
        dct["__deepcopy__"] = default_deepcopy
    module.__class__ = type(f"Parametrized{cls.__name__}", (cls,), dct)


def _inject_property(module: Module, tensor_name: str) -> None:
    """Make ``module.<tensor_name>`` a property computing the parametrized tensor."""
    if hasattr(module, tensor_name):
        raise AssertionError(f"Module already has an attribute named '{tensor_name}'")

    def get_cached_parametrization(parametrization: Module) -> Tensor:
        key = (id(module), tensor_name)
        tensor = _cache.get(key)
        if tensor is None:
            tensor = parametrization()
            _cache[key] = tensor
        return tensor

    def get_parametrized(self: Any) -> Tensor:
        parametrization = self.parametrizations[tensor_name]
        if _cache_enabled:
            return get_cached_parametrization(parametrization)
        return parametrization()  # type: ignore[no-any-return]

    def set_original(self: Any, value: Tensor) -> None:
        self.parametrizations[tensor_name].right_inverse(value)

    setattr(module.__class__, tensor_name, property(get_parametrized, set_original))


def register_parametrization(
    module: Module, tensor_name: str, parametrization: Module, *, unsafe: bool = False
) -> Module:
    """Make ``module.<tensor_name>`` the output of `parametrization` applied to a stored
    original (PyTorch's ``torch.nn.utils.parametrize.register_parametrization``).

    The first registration on a tensor moves it to
    ``module.parametrizations[tensor_name].original`` (the same Parameter object, so the
    parameter stays in ``module.parameters()`` and its gradients flow there), swaps the module's
    class for ``Parametrized<Name>`` and adds a property computing the tensor.  If
    `parametrization` has a ``right_inverse``, the original is initialised with it (it may
    return several tensors: ``original0``, ``original1``...), and assigning
    ``module.<tensor_name> = value`` calls it.  A second registration on the same tensor is
    appended to its :class:`ParametrizationList`.  The parametrization's own parameters and
    buffers become the module's.

    Parameters
    ----------
    module : Module
        The module whose parameter or buffer is parametrized.
    tensor_name : str
        The parameter's or buffer's name.
    parametrization : Module
        The parametrization: ``forward`` maps the original(s) to the tensor; optionally
        ``right_inverse`` maps a tensor back.
    unsafe : bool
        Do not check that the parametrization keeps the tensor's dtype and shape.

    Returns
    -------
    Module
        `module`.

    Raises
    ------
    ValueError
        If `module` has no parameter, buffer or parametrized tensor `tensor_name`, or (unless
        `unsafe`) the parametrization changes the dtype or shape; PyTorch's messages.

    Examples
    --------
    >>> import pluggrad as torch
    >>> from pluggrad.nn.utils import parametrize as P
    >>> class Symmetric(torch.nn.Module):
    ...     def forward(self, X):
    ...         return X.triu() + X.triu(1).transpose(-1, -2)
    >>> m = P.register_parametrization(torch.nn.Linear(3, 3), "weight", Symmetric())
    >>> type(m).__name__, list(m.state_dict())
    ('ParametrizedLinear', ['bias', 'parametrizations.weight.original'])
    >>> bool((m.weight == m.weight.T).all())
    True
    """
    parametrization.train(module.training)
    if is_parametrized(module, tensor_name):
        if not unsafe:
            _check_stacked(module, tensor_name, parametrization)
        parametrizations: Any = module.parametrizations
        parametrizations[tensor_name].append(parametrization)
        parametrizations[tensor_name].unsafe |= unsafe
    elif tensor_name in module._buffers or tensor_name in module._parameters:
        original = getattr(module, tensor_name)
        plist = ParametrizationList([parametrization], original, unsafe=unsafe)
        delattr(module, tensor_name)
        if not is_parametrized(module):
            _inject_new_class(module)
            module.parametrizations = ModuleDict()
        _inject_property(module, tensor_name)
        module.parametrizations[tensor_name] = plist  # type: ignore[index]
    else:
        raise ValueError(
            f"Module '{module}' does not have a parameter, a buffer, or a parametrized element "
            f"with name '{tensor_name}'"
        )
    return module


def _check_stacked(module: Module, tensor_name: str, parametrization: Module) -> None:
    """PyTorch's checks of a parametrization added on top of others: it keeps the dtype and
    shape, and so does its ``right_inverse`` (if it has a working one)."""
    Y = getattr(module, tensor_name)
    X = parametrization(Y)
    if not isinstance(X, Tensor):
        raise ValueError(f"A parametrization must return a tensor. Got {type(X).__name__}.")
    if X.dtype != Y.dtype:
        raise ValueError(
            "Registering a parametrization may not change the dtype of the tensor, unless the "
            "`unsafe` flag is enabled.\n"
            f"module.{tensor_name}.dtype: {Y.dtype}\n"
            f"parametrization(module.{tensor_name}).dtype: {X.dtype}"
        )
    if X.shape != Y.shape:
        raise ValueError(
            "Registering a parametrization may not change the shape of the tensor, unless the "
            "`unsafe` flag is enabled.\n"
            f"module.{tensor_name}.shape: {Y.shape}\n"
            f"parametrization(module.{tensor_name}).shape: {X.shape}"
        )
    if not hasattr(parametrization, "right_inverse"):
        return
    try:
        Z = parametrization.right_inverse(X)
    except NotImplementedError:
        return
    if not isinstance(Z, Tensor):
        raise ValueError(
            f"parametrization.right_inverse must return a tensor. Got: {type(Z).__name__}"
        )
    if Z.dtype != Y.dtype:
        raise ValueError(
            "The tensor returned by parametrization.right_inverse must have the same dtype as "
            f"module.{tensor_name}, unless the `unsafe` flag is enabled.\n"
            f"module.{tensor_name}.dtype: {Y.dtype}\n"
            f"returned dtype: {Z.dtype}"
        )
    if Z.shape != Y.shape:
        raise ValueError(
            "The tensor returned by parametrization.right_inverse must have the same shape as "
            f"module.{tensor_name}, unless the `unsafe` flag is enabled.\n"
            f"module.{tensor_name}.shape: {Y.shape}\n"
            f"returned shape: {Z.shape}"
        )


def is_parametrized(module: Module, tensor_name: str | None = None) -> bool:
    """Whether `module` has a parametrization (on `tensor_name`, if given).

    Parameters
    ----------
    module : Module
        The module.
    tensor_name : str, optional
        A tensor's name; without it, whether any tensor of `module` is parametrized.

    Returns
    -------
    bool
    """
    parametrizations = getattr(module, "parametrizations", None)
    if parametrizations is None or not isinstance(parametrizations, ModuleDict):
        return False
    if tensor_name is None:
        return len(parametrizations) > 0
    return tensor_name in parametrizations


def remove_parametrizations(
    module: Module, tensor_name: str, leave_parametrized: bool = True
) -> Module:
    """Remove the parametrizations of ``module.<tensor_name>``; it becomes a plain parameter
    (or buffer) again.

    With `leave_parametrized`, the tensor keeps its current parametrized value (written into
    the original Parameter object, so optimizers holding it are unaffected); otherwise it
    becomes the original.  When the last parametrization of the module goes, the module gets
    its class back.

    Parameters
    ----------
    module : Module
        The module.
    tensor_name : str
        The parametrized tensor's name.
    leave_parametrized : bool
        Keep the parametrized value (default) instead of the original.

    Returns
    -------
    Module
        `module`.

    Raises
    ------
    ValueError
        If `tensor_name` is not parametrized, or `leave_parametrized` is False for a tensor
        parametrized by several originals.
    """
    if not is_parametrized(module, tensor_name):
        raise ValueError(f"Module {module} does not have a parametrization on {tensor_name}")
    parametrizations: Any = module.parametrizations[tensor_name]  # type: ignore[index]
    if parametrizations.is_tensor:
        original = parametrizations.original
        if leave_parametrized:
            with no_grad():
                t = getattr(module, tensor_name)
            with no_grad():
                _maybe_set(original, t)
    elif leave_parametrized:
        t = getattr(module, tensor_name)
        original = Parameter(t) if t.requires_grad else t
    else:
        raise ValueError(
            "Cannot leave unparametrized (`leave_parametrized=False`) a tensor that is "
            "parametrized in terms of a sequence of tensors."
        )
    delattr(module.__class__, tensor_name)
    del module.parametrizations[tensor_name]  # type: ignore[attr-defined]
    _register_parameter_or_buffer(module, tensor_name, original)
    if not is_parametrized(module):
        delattr(module, "parametrizations")
        module.__class__ = module.__class__.__bases__[0]
    return module


def type_before_parametrizations(module: Module) -> type:
    """The class of `module` before it was parametrized (its class if it is not).

    Parameters
    ----------
    module : Module

    Returns
    -------
    type
    """
    if is_parametrized(module):
        return module.__class__.__bases__[0]
    return type(module)


def transfer_parametrizations_and_params(
    from_module: Module, to_module: Module, tensor_name: str | None = None
) -> Module:
    """Give `to_module` the parametrizations of `from_module` (all, or those of
    `tensor_name`), sharing the same parametrization modules and original tensors.

    A tensor `to_module` lacks is first created from `from_module`'s parametrized value.

    Parameters
    ----------
    from_module : Module
        The parametrized module.
    to_module : Module
        The module receiving the parametrizations.
    tensor_name : str, optional
        Only this tensor's parametrizations.

    Returns
    -------
    Module
        `to_module`.
    """
    if not is_parametrized(from_module):
        return to_module
    source: Any = from_module.parametrizations
    names = list(source) if tensor_name is None else [tensor_name]
    for parameter_name in names:
        if not hasattr(to_module, parameter_name):
            setattr(to_module, parameter_name, Parameter(getattr(from_module, parameter_name)))
        for param_func in source[parameter_name]:
            register_parametrization(to_module, parameter_name, param_func)
        target: Any = to_module.parametrizations[parameter_name]  # type: ignore[index]
        if hasattr(source[parameter_name], "original"):
            target.original = source[parameter_name].original
        else:
            num = 0
            while hasattr(source[parameter_name], f"original{num}"):
                setattr(target, f"original{num}", getattr(source[parameter_name], f"original{num}"))
                num += 1
    return to_module
