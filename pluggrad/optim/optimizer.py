"""The ``Optimizer`` base class: parameter groups, per-parameter state, ``zero_grad``, step hooks
and ``state_dict`` / ``load_state_dict`` in PyTorch's format.

A subclass gives its defaults (every hyper-parameter, PyTorch's keys included, so that
``state_dict()["param_groups"]`` has the keys PyTorch's has) and a ``step``.  The state is a
``defaultdict(dict)`` keyed by the parameter tensors themselves (a Tensor hashes by identity),
and ``state_dict`` replaces them by their index in the order of the groups, as PyTorch does.

When a step returns it has happened: on a lazy backend (Dask) its results, the parameters,
their gradients, the state and the closure's loss, go to the backend's ``finish_step`` together
(:func:`finish_step`), which persists them, so the next step's graph starts from their values.
"""

from __future__ import annotations

import functools
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable
from copy import deepcopy
from itertools import chain
from typing import Any

from .. import _dtypes
from .._core.grad_mode import enable_grad, no_grad
from .._core.hooks import RemovableHandle
from .._core.tensor import Tensor
from .._core.views import refresh_aliases
from .._stateful import Scalar
from .._trace.record import active_recorder

__all__ = ["Optimizer", "required"]

StateDict = dict[str, Any]


class _RequiredParameter:
    """The default of a hyper-parameter that every group must give (PyTorch's ``required``)."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


def typename(obj) -> str:
    """The type's name as ``torch.typename`` writes it in error messages."""
    if isinstance(obj, Tensor):
        return obj.type()
    cls = type(obj)
    module = cls.__module__
    if module in (None, "builtins"):
        return cls.__qualname__
    return f"{module}.{cls.__qualname__}"


def scalar_dtype():
    """The dtype of ``state["step"]``: float64 when the default dtype is, else float32 (as
    PyTorch's ``_get_scalar_dtype``)."""
    default = _dtypes.get_default_dtype()
    return _dtypes.float64 if default is _dtypes.float64 else _dtypes.float32


def tensors_in(value: Any) -> list[Tensor]:
    """The Tensors in `value` (a tensor, or dicts, lists and tuples of them), in order."""
    found: list[Tensor] = []
    _collect(value, found)
    return found


def _collect(value: Any, found: list[Tensor]) -> None:
    if isinstance(value, Tensor):
        found.append(value)
    elif isinstance(value, dict):
        for item in value.values():
            _collect(item, found)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _collect(item, found)


def finish_step(tensors: Iterable[Tensor]) -> None:
    """Hand the arrays of `tensors`, a step's results, to their backend's
    :meth:`~pluggrad.backends.Backend.finish_step` (one call per backend, each array once) and
    store what it returns in the tensors, where lazy backends are concerned: on Dask the
    arrays are persisted.  The values stay the same, so versions are not bumped; a tensor
    that shares its elements with others (a view, a Parameter made of a tensor) hands over
    its storage's array, and every alias of the storage then reads its elements from the new
    one."""
    holders: dict[int, Tensor] = {}
    for t in tensors:
        if t._backend.lazy:
            holder = t if t._view is None else t._view.root
            holders.setdefault(id(holder), holder)
    by_backend: dict[int, list[Tensor]] = {}
    for holder in holders.values():
        by_backend.setdefault(id(holder._backend), []).append(holder)
    for group in by_backend.values():
        backend = group[0]._backend
        if active_recorder(backend) is not None:
            continue  # pluggrad.compile is tracing: the program computes nothing until it runs
        arrays = backend.finish_step([t._data for t in group])
        for t, array in zip(group, arrays):
            if array is not t._data:
                t._data = array
                refresh_aliases(t, written_in_place=False)


def _with_step_hooks(step):
    """`step` running the optimizer's pre-hooks before it and its post-hooks after it."""

    @functools.wraps(step)
    def hooked(self, *args, **kwargs):
        for pre_hook in list(self._optimizer_step_pre_hooks.values()):
            result = pre_hook(self, args, kwargs)
            if result is not None:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError(
                        f"{step} must return None or a tuple of (new_args, new_kwargs), but "
                        f"got {result}."
                    )
                args, kwargs = result
        # (a subclass's step calling its parent's: the outermost one finishes the step)
        depth = self.__dict__.get("_step_depth", 0)
        self._step_depth = depth + 1
        try:
            out = step(self, *args, **kwargs)
        finally:
            self._step_depth = depth
        if depth == 0:
            self._finish_step(out)
        for post_hook in list(self._optimizer_step_post_hooks.values()):
            post_hook(self, args, kwargs)
        return out

    hooked._hooked = True  # type: ignore[attr-defined]
    return hooked


class Optimizer:
    """Base class for all optimizers.

    Parameters
    ----------
    params : iterable
        The tensors to optimize, or dicts that each define a parameter group (``"params"`` and
        hyper-parameters that override `defaults`).  The order must be deterministic: sets are
        refused, as in PyTorch.
    defaults : dict
        The default value of each hyper-parameter, for the groups that do not give it.
    """

    def __init_subclass__(cls, **kwargs) -> None:
        # Every subclass's own step runs the step hooks (PyTorch patches the class the same way).
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "_hooked", False):
            cls.step = _with_step_hooks(step)  # type: ignore[method-assign]

    def __init__(self, params, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self._optimizer_step_pre_hooks: dict[int, Callable] = {}
        self._optimizer_step_post_hooks: dict[int, Callable] = {}
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or "
                "dicts, but got " + typename(params)
            )
        self.state: defaultdict[Any, Any] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    def __getstate__(self) -> dict[str, Any]:
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.__dict__.setdefault("_optimizer_step_pre_hooks", {})
        self.__dict__.setdefault("_optimizer_step_post_hooks", {})
        self.defaults.setdefault("differentiable", False)

    def _compile_state(self) -> list:
        # pluggrad.compile threads optimizers through compiled steps (see pluggrad._stateful):
        # per group, its settings (as pairs, in order), its parameters, and their states
        # (a float learning rate goes in as a tensor: a schedule changing it traces no more)
        return [
            [
                [
                    (k, Scalar(v, group["params"][0]) if k == "lr" and type(v) is float else v)
                    for k, v in group.items()
                    if k != "params"
                ],
                list(group["params"]),
                [list(self.state[p].items()) if p in self.state else [] for p in group["params"]],
            ]
            for group in self.param_groups
        ]

    def _step_results(self) -> list[Tensor]:
        """The tensors a step may have changed: the parameters, their gradients, the state."""
        found: list[Tensor] = []
        for group in self.param_groups:
            for p in group["params"]:
                found.append(p)
                if p.grad is not None:
                    found.append(p.grad)
        _collect(list(self.state.values()), found)
        return found

    def _finish_step(self, out: Any = None) -> None:
        """Make the step that returned `out` (the closure's loss, or None) happen now on a lazy
        backend: its results, `out` included, are computed together and held in memory
        (:func:`finish_step`), so that later steps start from their values."""
        if not any(p._backend.lazy for group in self.param_groups for p in group["params"][:1]):
            return  # eager arrays: the step has happened (a group's tensors share a backend)
        results = self._step_results()
        _collect(out, results)
        finish_step(results)

    def _load_compile_state(self, state: list) -> None:
        self.state = defaultdict(dict)
        for group, (settings, params, states) in zip(self.param_groups, state):
            # the same dicts: schedulers hold them
            group.update((k, v.value if type(v) is Scalar else v) for k, v in settings)
            group["params"] = list(params)
            for p, pairs in zip(params, states):
                if pairs:
                    self.state[p] = dict(pairs)
        # a compiled step's results (or a trace's stand-ins, which finish_step leaves alone)
        self._finish_step()

    def __repr__(self) -> str:
        text = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"

    # ---- hooks -----------------------------------------------------------------------------------
    def register_step_pre_hook(self, hook: Callable) -> RemovableHandle:
        """Register ``hook(optimizer, args, kwargs)``, called before each ``step``; it may return
        ``(new_args, new_kwargs)`` to replace the step's arguments."""
        handle = RemovableHandle(self._optimizer_step_pre_hooks)
        self._optimizer_step_pre_hooks[handle.id] = hook
        return handle

    def register_step_post_hook(self, hook: Callable) -> RemovableHandle:
        """Register ``hook(optimizer, args, kwargs)``, called after each ``step``."""
        handle = RemovableHandle(self._optimizer_step_post_hooks)
        self._optimizer_step_post_hooks[handle.id] = hook
        return handle

    # ---- state_dict ------------------------------------------------------------------------------
    def state_dict(self) -> StateDict:
        """The optimizer's state as PyTorch writes it.

        Returns
        -------
        dict
            ``"state"``: each parameter's state (not copied: the tensors are the optimizer's
            own, as in PyTorch), keyed by the parameter's index in the order of the groups;
            ``"param_groups"``: each group's hyper-parameters, with ``"params"`` the list of
            its parameters' indices.
        """
        index_of: dict[int, int] = {}
        start = 0

        def pack(group: dict[str, Any]) -> dict[str, Any]:
            nonlocal start
            packed = {k: v for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start):
                index_of.setdefault(id(p), i)
            packed["params"] = [index_of[id(p)] for p in group["params"]]
            start += len(packed["params"])
            return packed

        param_groups = [pack(g) for g in self.param_groups]
        state = {
            (index_of[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()
        }
        return {"state": state, "param_groups": param_groups}

    @staticmethod
    def _cast_state_tensor(param: Tensor, value: Tensor, key, group: dict | None) -> Tensor:
        """A loaded state tensor as PyTorch keeps it: cast to a floating parameter's dtype,
        except ``step`` (kept as saved unless the group is capturable or fused)."""
        if key == "step":
            if group is not None and (group.get("capturable") or group.get("fused")):
                return value.to(dtype=_dtypes.float32)
            return value
        if param.is_floating_point():
            return value.to(dtype=param.dtype)
        return value

    def load_state_dict(self, state_dict: StateDict) -> None:
        """Load a state written by :meth:`state_dict` (of an optimizer of the same parameter
        layout): the groups' hyper-parameters are replaced, the state is matched to this
        optimizer's parameters by position.

        Raises
        ------
        ValueError
            When the number of groups, or of parameters in a group, differs.
        """
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError(
                "loaded state dict contains a parameter group that doesn't match the size of "
                "optimizer's group"
            )
        id_map = dict(
            zip(
                chain.from_iterable(g["params"] for g in saved_groups),
                chain.from_iterable(g["params"] for g in groups),
            )
        )
        group_of = {i: g for g in state_dict["param_groups"] for i in g["params"]}

        def cast(param, value, group, key=None):
            if isinstance(value, Tensor):
                return self._cast_state_tensor(param, value, key, group)
            if isinstance(value, dict):
                return {k: cast(param, v, group, k) for k, v in value.items()}
            if isinstance(value, Iterable) and not isinstance(value, (str, bytes)):
                return type(value)(cast(param, v, group) for v in value)  # type: ignore[call-arg]
            return value

        state: defaultdict[Any, Any] = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                state[id_map[k]] = cast(id_map[k], v, group_of.get(k))
            else:  # state that belongs to no parameter is kept as it is, as in PyTorch
                state[k] = v

        def update_group(group: dict[str, Any], new_group: dict[str, Any]) -> dict[str, Any]:
            new_group["params"] = group["params"]
            if "param_names" in group and "param_names" not in new_group:
                new_group["param_names"] = group["param_names"]
            return new_group

        param_groups = [update_group(g, ng) for g, ng in zip(groups, saved_groups)]
        self.__setstate__({"state": state, "param_groups": param_groups})

    # ---- gradients and steps ---------------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of the parameters: to ``None`` (the default), or to zeros in
        place (``set_to_none=False``; a gradient that has a history is detached first)."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    if p.grad.grad_fn is not None:
                        p.grad.detach_()
                    else:
                        p.grad.requires_grad_(False)
                    p.grad.zero_()

    def step(self, closure=None):
        """Perform one optimization step (subclasses define it)."""
        raise NotImplementedError

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters, with hyper-parameters that override the defaults.

        Raises
        ------
        TypeError
            For a group that is not a dict, parameters given as a set, or a parameter that is
            not a Tensor.
        ValueError
            For a non-leaf parameter, a required hyper-parameter the group does not give, or a
            parameter already in another group.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs. Please use a list "
                "instead."
            )
        else:
            param_group["params"] = list(params)
        tensors, names = [], []
        for param in param_group["params"]:
            if isinstance(param, tuple):  # (name, tensor) pairs, as named_parameters() gives
                names.append(param[0])
                tensors.append(param[1])
            else:
                tensors.append(param)
        param_group["params"] = tensors
        if names:
            if len(names) != len(tensors):
                raise ValueError(
                    "all optimizer params should be with/without names. Some param names are "
                    "missing"
                )
            param_group["param_names"] = names
        for param in tensors:
            if not isinstance(param, Tensor):
                raise TypeError(
                    "optimizer can only optimize Tensors, but one of the params is "
                    + typename(param)
                )
            if not self.defaults.get("differentiable", None) and not (
                param.is_leaf or param.retains_grad
            ):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(
                    "parameter group didn't specify a value of required optimization "
                    f"parameter {name}"
                )
            param_group.setdefault(name, default)
        if len(tensors) != len({id(p) for p in tensors}):
            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; in future, "
                "this will cause an error; see github.com/pytorch/pytorch/issues/40967 for more "
                "information",
                stacklevel=3,
            )
        taken: set[int] = set()
        for group in self.param_groups:
            taken.update(id(p) for p in group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError(
                    "all optimizer param groups should be with/without names. cannot add "
                    f"param group {which} to the optimizer"
                )
        if not taken.isdisjoint(id(p) for p in tensors):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)


class ParameterwiseOptimizer(Optimizer):
    """An optimizer whose step updates each parameter that has a gradient on its own, as the
    single-tensor (``foreach=False``) paths of PyTorch's optimizers do: subclasses define
    ``_update(p, group)`` and the defaults a group unpickled from an older version lacks."""

    _setstate_defaults: dict[str, Any] = {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            for key, value in self._setstate_defaults.items():
                group.setdefault(key, value)

    def step(self, closure=None):
        """Perform one step; `closure` (re-evaluating the loss, run with grad enabled) is called
        first and its loss returned."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        self._update(p, group)
        return loss

    def _update(self, p: Tensor, group: dict[str, Any]) -> None:
        raise NotImplementedError
