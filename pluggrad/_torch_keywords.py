"""PyTorch's argument names and ``out=`` for pluggrad's public functions and Tensor methods.

pluggrad's operations take the array API's parameters (``add(x1, x2, /)``); PyTorch users also
write ``torch.add(input=a, other=b)``, ``a.add(other=b)`` and ``torch.add(a, b, out=c)``.  The
file ``_torch_keywords.json`` (written from PyTorch's operator schemas by
``tools/torch_keywords.py``) gives, for each public name, the position of each of PyTorch's
positional parameters and whether PyTorch takes ``out=``.  :func:`adapt` wraps a function so
that a keyword its own signature lacks goes to the parameter at PyTorch's position, and
``out=`` writes the result into the given tensor(s) as PyTorch does: checked before anything is
written (autograd, dtype), resized (with PyTorch's warning when it held elements), returned.

A call with only the function's own arguments goes straight through: the wrapper costs one
Python call and a dictionary test.
"""

from __future__ import annotations

import functools
import inspect
import json
import pathlib
import sys
import warnings
from collections.abc import Callable
from typing import Any

from ._core.grad_mode import is_grad_enabled, no_grad
from ._core.tensor import Tensor
from .backends import has_gpu
from .ops._torch_utilities import layout, memory_format, strided

_TABLE: dict[str, dict[str, list]] = json.loads(
    (pathlib.Path(__file__).with_name("_torch_keywords.json")).read_text()
)
# the prefix of a namespace's names in PyTorch's messages (``linalg_solve(): ...``)
_MESSAGE_PREFIX = {"torch": "", "linalg": "linalg_", "fft": "fft_", "special": "special_"}
_RESIZE_WARNING = (
    "An output with one or more elements was resized since it had shape {old}, which does not "
    "match the required output shape {new}. This behavior is deprecated, and in a future "
    "PyTorch release outputs will not be resized unless they have zero elements. You can "
    "explicitly reuse an out tensor t by resizing it, inplace, to zero elements with "
    "t.resize_(0)."
)


# how a PyTorch keyword reaches the function: under the function's own name for that position,
# as a positional argument, or spread into its ``*sizes``
_RENAME, _POSITIONAL, _SPREAD = "rename", "positional", "spread"
# ``*sizes``-style parameters that take PyTorch's one sequence (``x.permute(dims=(1, 0))``)
_SIZE_LIKE = frozenset({"size", "sizes", "shape", "dims"})


class _Plan:
    """How to call `function` with PyTorch's keywords: worked out at its first such call."""

    __slots__ = ("accepted", "capacity", "named_at", "targets", "takes_out")

    def __init__(self, function: Callable, positions: dict[str, int], *, method: bool):
        kinds = inspect.Parameter
        try:
            parameters = list(inspect.signature(function).parameters.values())
        except (TypeError, ValueError):  # no signature: arguments go through as given
            parameters = [inspect.Parameter("args", kinds.VAR_POSITIONAL)]
        named = (kinds.POSITIONAL_OR_KEYWORD, kinds.KEYWORD_ONLY)
        self.accepted = frozenset(p.name for p in parameters if p.kind in named)
        self.takes_out = "out" in self.accepted
        # the function's parameter at each position; after a ``*args``, only positions
        positional: list[inspect.Parameter] = []
        for parameter in parameters:
            if parameter.kind in (kinds.POSITIONAL_ONLY, kinds.POSITIONAL_OR_KEYWORD):
                positional.append(parameter)
            elif parameter.kind is kinds.VAR_POSITIONAL:
                positional.append(parameter)
                break
        offset = 1 if method else 0  # a method's positions count after self
        # positional arguments beyond the function's own (``matrix_norm(A, 2)``: the array
        # API's ``ord`` is keyword-only) are PyTorch's parameters at those positions
        if any(p.kind is kinds.VAR_POSITIONAL for p in positional):
            self.capacity = sys.maxsize
        else:
            self.capacity = len(positional)
        self.named_at = {index + offset: name for name, index in positions.items()}
        # PyTorch's name -> (how it is passed, the function's name for it, the position)
        self.targets: dict[str, tuple[str, str, int]] = {}
        last = positional[-1] if positional else None
        star = last if last is not None and last.kind is kinds.VAR_POSITIONAL else None
        for name, index in positions.items():
            position = index + offset
            if name in self.accepted:
                continue
            if position < len(positional) and positional[position] is not star:
                parameter = positional[position]
                how = _RENAME if parameter.kind is kinds.POSITIONAL_OR_KEYWORD else _POSITIONAL
                self.targets[name] = (how, parameter.name, position)
            elif star is not None:  # a position at or after *args
                spread = position == len(positional) - 1 and star.name in _SIZE_LIKE
                self.targets[name] = (_SPREAD if spread else _POSITIONAL, name, position)

    def name_extra(self, name: str, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
        """`args` past the function's positional parameters as keywords, under PyTorch's
        names for those positions (left positional where PyTorch has none: the function's
        own error follows)."""
        kept, extra = args[: self.capacity], args[self.capacity :]
        for position, value in enumerate(extra, self.capacity):
            key = self.named_at.get(position)
            if key is None:
                return args, kwargs
            if key in kwargs:
                raise TypeError(f"{name}() got multiple values for argument '{key}'")
            kwargs[key] = value
        return kept, kwargs

    def translate(self, name: str, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
        """`args` and `kwargs` with PyTorch's keywords in the function's own terms.

        A keyword whose position is not reached by the arguments before it stays a keyword
        (the function, or the one it forwards to, may take it so).
        """
        placed: dict[int, tuple[str, Any]] = {}
        spread: list = []
        for key in [k for k in kwargs if k in self.targets]:
            how, own_name, position = self.targets[key]
            if how == _RENAME:
                if own_name in kwargs:
                    raise TypeError(f"{name}() got multiple values for argument '{key}'")
                kwargs[own_name] = kwargs.pop(key)
            elif how == _SPREAD:
                value = kwargs.pop(key)
                spread = list(value) if isinstance(value, (tuple, list)) else [value]
            else:
                placed[position] = (key, kwargs[key])
        if not (placed or spread):
            return args, kwargs
        arguments = list(args)
        for position in sorted(placed):
            key, value = placed[position]
            if position < len(arguments):
                raise TypeError(f"{name}() got multiple values for argument '{key}'")
            if position == len(arguments):
                arguments.append(kwargs.pop(key))
        return (*arguments, *spread), kwargs


def _requires_grad(values) -> bool:
    for value in values:
        if isinstance(value, Tensor) and value.requires_grad:
            return True
        if isinstance(value, (list, tuple)) and _requires_grad(value):
            return True
    return False


def _can_cast(source, target) -> bool:
    """PyTorch's ``canCast``: no complex to real, float to integer, or number to bool."""
    if source.is_complex and not target.is_complex:
        return False
    if source.is_floating_point and not (target.is_floating_point or target.is_complex):
        return False
    return not (source.name != "bool" and target.name == "bool")


def _check_out(name: str, result, out) -> list[tuple[Tensor, Tensor]]:
    """Pairs (result, out tensor), after PyTorch's checks of `out` (nothing written yet)."""
    if isinstance(result, tuple):
        if not isinstance(out, (tuple, list)) or len(out) != len(result):
            raise TypeError(f"{name}(): argument 'out' must be tuple of {len(result)} Tensors")
        pairs = list(zip(result, out))
    else:
        pairs = [(result, out)]
    for value, target in pairs:
        if not isinstance(target, Tensor):
            raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(target).__name__}")
        if isinstance(value, Tensor) and not _can_cast(value.dtype, target.dtype):
            raise RuntimeError(
                f"result type {value.dtype.torch_name} can't be cast to the desired output "
                f"type {target.dtype.torch_name}"
            )
    return pairs


def _write_out(name: str, result, out):
    pairs = _check_out(name, result, out)
    with no_grad():
        for value, target in pairs:
            shape = tuple(value.shape) if isinstance(value, Tensor) else ()
            if tuple(target.shape) != shape:
                if target.numel():
                    old, new = list(target.shape), list(shape)
                    warnings.warn(
                        _RESIZE_WARNING.format(old=old, new=new), UserWarning, stacklevel=3
                    )
                target.data = target.new_empty(shape)
            target.copy_(value)
    outs = [target for _, target in pairs]
    if not isinstance(result, tuple):
        return outs[0]
    return type(result)(*outs) if hasattr(result, "_fields") else tuple(outs)


_NO_PINNED_MEMORY = (
    "pin_memory=True requires a CUDA or other accelerator backend; no pinned memory allocator "
    "is available on this system."
)


def _take_storage_options(name: str, kwargs: dict, options: frozenset) -> None:
    """Check and remove the storage options PyTorch's `name` takes and the function does not:
    pluggrad's arrays are dense and row-major, so ``layout`` is ``strided``, every
    ``memory_format`` gives the same values, and memory is pinned only where there is an
    accelerator to pin it for (its arrays are the backend's)."""
    for key in options & kwargs.keys():
        value = kwargs.pop(key)
        if key == "pin_memory":
            if value and not has_gpu():
                raise RuntimeError(_NO_PINNED_MEMORY)
            continue
        kind = memory_format if key == "memory_format" else layout
        if value is not None and not isinstance(value, kind):
            raise TypeError(
                f"{name}(): argument '{key}' must be torch.{kind.__name__}, not "
                f"{type(value).__name__}"
            )
        if key == "layout" and value is not None and value is not strided:
            raise RuntimeError(f"{name}(): pluggrad's tensors are strided, not {value}")


def _takes_keywords(function: Callable, names) -> bool:
    """Whether `function` takes each of `names` as a keyword itself."""
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False
    named = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return all(n in parameters and parameters[n].kind in named for n in names)


def adapt(function: Callable, namespace: str, name: str, *, method: bool = False) -> Callable:
    """`function` also taking PyTorch's keyword names and ``out=`` (see the module's text).

    Parameters
    ----------
    function : callable
        A public function (or Tensor method when `method`) of pluggrad.
    namespace : str
        ``"torch"``, ``"linalg"``, ``"fft"``, ``"special"`` or ``"Tensor"``: where PyTorch has
        it under `name`.
    name : str
        Its PyTorch name.

    Returns
    -------
    callable
        `function` itself when PyTorch's table has nothing for it, else a wrapper.
    """
    record = _TABLE.get(namespace, {}).get(name)
    if record is None:
        return function
    positions: dict[str, int] = record[0]
    has_out = len(record) > 1 and bool(record[1]) and not method
    options = frozenset(record[2]) if len(record) > 2 else frozenset()
    if not (has_out or options) and _takes_keywords(function, positions):
        return function  # PyTorch's names are its own already (``nn.functional``'s aliases)
    message_name = _MESSAGE_PREFIX.get(namespace, "") + name
    plan: _Plan | None = None

    @functools.wraps(function)
    def with_torch_keywords(*args, **kwargs):
        nonlocal plan
        if plan is None:
            plan = _Plan(function, positions, method=method)
        if len(args) > plan.capacity:
            args, kwargs = plan.name_extra(message_name, args, dict(kwargs))
        if not kwargs:
            return function(*args)
        if kwargs.keys() <= plan.accepted:  # the function's own keywords (``out=`` included)
            return function(*args, **kwargs)
        if options:
            _take_storage_options(message_name, kwargs, options - plan.accepted)
        out = kwargs.pop("out", None) if has_out and not plan.takes_out else None
        args, kwargs = plan.translate(message_name, args, kwargs)
        if out is None:
            return function(*args, **kwargs)
        if is_grad_enabled() and (
            _requires_grad(args) or _requires_grad(kwargs.values()) or _requires_grad([out])
        ):
            raise RuntimeError(
                f"{message_name}(): functions with out=... arguments don't support automatic "
                "differentiation, but one of the arguments requires grad."
            )
        return _write_out(message_name, function(*args, **kwargs), out)

    return with_torch_keywords


def adapt_namespace(names: dict[str, Any], namespace: str) -> None:
    """Adapt, in place, every function of the module globals `names` that PyTorch has, but
    ``nn.functional``'s: PyTorch's ``torch.<name>`` aliases of them are the same objects."""
    for name in _TABLE.get(namespace, {}):
        function = names.get(name)
        if callable(function) and not isinstance(function, type):
            if getattr(function, "__module__", "").startswith("pluggrad.nn."):
                continue
            names[name] = adapt(function, namespace, name)
