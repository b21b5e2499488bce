"""Custom differentiable functions: subclass :class:`Function` with static ``forward`` and
``backward``, then call ``MyFunction.apply(...)``, as in PyTorch.

The ``ctx`` object that ``forward`` and ``backward`` receive is the graph node itself (named
``<ClassName>Backward``), as in PyTorch.  ``backward`` runs on Tensors; under
``create_graph=True`` it runs with grad mode on, so a backward written with pluggrad operations
is itself differentiable.
"""

from __future__ import annotations

import functools
from typing import Any

from .._core.grad_mode import (
    INFERENCE_SAVED_MESSAGE,
    grad_enabled,
    inference_enabled,
    no_grad,
    set_grad_enabled,
)
from .._core.graph import FREED_MESSAGE, Node, modified_by_inplace_error, rebase_history
from .._core.tensor import Tensor, _make
from ..ops.creation import zeros

__all__ = ["Function", "FunctionCtx", "once_differentiable"]


class FunctionCtx:
    """What ``forward`` can tell ``backward``: saved tensors and output properties."""

    def save_for_backward(self, *tensors) -> None:
        """Save tensors (or None) for ``backward``; read them back with ``saved_tensors``."""
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(
                    "save_for_backward can only save variables, but argument "
                    f"{tensors.index(t)} is of type {type(t).__name__}"
                )
            if t is not None and t._is_inference and not inference_enabled():
                raise RuntimeError(INFERENCE_SAVED_MESSAGE)
        self._to_save = tensors

    def mark_non_differentiable(self, *tensors) -> None:
        """Declare outputs that have no gradient (e.g. indices)."""
        self._non_differentiable = {id(t) for t in tensors}

    def mark_dirty(self, *tensors) -> None:
        """Declare inputs that ``forward`` modified in place (and returns as outputs).

        ``apply`` then makes each of them an output of this Function: its version counter goes
        up and its ``grad_fn`` becomes this node, as for PyTorch's in-place operations.  A leaf
        that requires grad cannot be modified this way.
        """
        self._dirty = {id(t) for t in tensors}

    def set_materialize_grads(self, value: bool) -> None:
        """Whether ``backward`` receives zeros (True, the default) or None for unused outputs."""
        self._materialize_grads = bool(value)

    @property
    def saved_tensors(self) -> tuple:
        """The tensors given to ``save_for_backward``, checked against in-place changes."""
        saved = self.__dict__.get("_saved")
        if saved is None:
            return tuple(getattr(self, "_to_save", ()))
        if saved is _RELEASED:
            raise RuntimeError(FREED_MESSAGE)
        out: list[Tensor | None] = []
        for entry in saved:
            if entry is None:
                out.append(None)
                continue
            t, counter, version = entry
            if counter[0] != version:
                raise modified_by_inplace_error(t, counter[0], version)
            out.append(t)
        return tuple(out)


_RELEASED = object()


class BackwardCFunction(Node, FunctionCtx):
    """Graph node of a custom Function; subclasses are named ``<Function>Backward``."""

    _forward_cls: type[Function]
    # set by Function.apply when it records the node
    _tensor_positions: tuple[int, ...]  # where the Tensor arguments are among forward's arguments
    _input_shapes: tuple[Any, ...]  # per argument: a Tensor's shape (a tuple), else None
    _output_meta: tuple[tuple | None, ...]  # per output: (shape, dtype) to make zeros, or None

    def apply(self, grad_outputs: list, create_graph: bool) -> tuple:
        backend = self._backend
        materialize = getattr(self, "_materialize_grads", True)
        grads = []
        for g, meta in zip(grad_outputs, self._output_meta):
            if g is None:
                if materialize and meta is not None:
                    g = zeros(*meta[0], dtype=meta[1])
            elif not create_graph:
                g = _make(g, backend)
            grads.append(g)
        user_fn = self._forward_cls._backward_function()
        with set_grad_enabled(create_graph):
            result = user_fn(self, *grads)
        if not isinstance(result, tuple):
            result = (result,)
        expected = len(self._input_shapes)
        if len(result) > expected and all(r is None for r in result[expected:]):
            result = result[:expected]
        if len(result) != expected:
            raise RuntimeError(
                f"function {self.name()} returned an incorrect number of gradients (expected "
                f"{expected}, got {len(result)})"
            )
        out: list = []
        for (next_node, _), i in zip(self.next_functions, self._tensor_positions):
            g = result[i]
            if next_node is None or g is None:
                out.append(None)
                continue
            if not isinstance(g, Tensor):
                raise TypeError(
                    f"function {self.name()} returned a gradient of type {type(g).__name__} "
                    f"at index {i}; expected a Tensor or None"
                )
            shape = self._input_shapes[i]
            if tuple(g.shape) != shape:
                raise RuntimeError(
                    f"Function {self.name()} returned an invalid gradient at index {i} - got "
                    f"{list(g.shape)} but expected shape compatible with {list(shape)}"
                )
            out.append(g if create_graph else g._data)
        return tuple(out)

    def release(self) -> None:
        if self.__dict__.get("_saved") is not None:
            self._saved = _RELEASED


class DelayedError(Node):
    """Node whose backward raises: what :func:`once_differentiable` puts after a backward that
    ran with ``create_graph=True``, so that differentiating it again fails."""

    def __init__(self, message: str, inputs: list) -> None:
        self._init_node(tuple(t._gradient_edge() for t in inputs))
        self._backend = inputs[0]._backend
        self.num_outputs = len(inputs)
        self._message = message

    def apply(self, grad_outputs: list, create_graph: bool) -> tuple:
        raise RuntimeError(self._message)


ONCE_DIFFERENTIABLE_ERROR = (
    "trying to differentiate twice a function that was marked with @once_differentiable"
)


def once_differentiable(fn):
    """Decorate a custom Function's ``backward`` that is not itself differentiable.

    ``backward`` then runs with grad mode off.  Under ``create_graph=True`` with gradients that
    require grad, its results are connected to a node that raises PyTorch's error
    ("trying to differentiate twice a function that was marked with @once_differentiable") if
    a later backward reaches it.

    Examples
    --------
    >>> class Exp(pluggrad.autograd.Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         y = x.exp()
    ...         ctx.save_for_backward(y)
    ...         return y
    ...     @staticmethod
    ...     @once_differentiable
    ...     def backward(ctx, g):
    ...         (y,) = ctx.saved_tensors
    ...         return g * y
    """

    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with no_grad():
            outputs = fn(ctx, *args)
        if not grad_enabled():
            return outputs
        if not any(isinstance(a, Tensor) and a._requires_grad for a in args):
            return outputs
        is_tuple = isinstance(outputs, tuple)
        outs = outputs if is_tuple else (outputs,)
        fakes = []
        for o in outs:
            if isinstance(o, Tensor):
                o = o.detach()
                o._requires_grad = True
            fakes.append(o)
        tensors = [o for o in fakes if isinstance(o, Tensor)]
        if not tensors:
            return outputs
        node = DelayedError(ONCE_DIFFERENTIABLE_ERROR, tensors)
        wrapped, nr = [], 0
        for o in fakes:
            if isinstance(o, Tensor):
                o = _make(o._data, o._backend, True, node, nr)
                nr += 1
            wrapped.append(o)
        return tuple(wrapped) if is_tuple else wrapped[0]

    return wrapper


class _FunctionMeta(type):
    """Gives every Function subclass its own node class, ``<Name>Backward``."""

    def __init__(cls, name, bases, namespace):
        cls._backward_cls = type(name + "Backward", (BackwardCFunction,), {"_forward_cls": cls})
        super().__init__(name, bases, namespace)


class Function(metaclass=_FunctionMeta):
    """Base class of custom differentiable operations.

    Subclasses define ``forward(ctx, *args)`` and ``backward(ctx, *grad_outputs)`` as static
    methods (or ``forward(*args)`` plus ``setup_context(ctx, inputs, output)``), and are called
    through ``apply``.

    Examples
    --------
    >>> class Square(pluggrad.autograd.Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x * x
    ...     @staticmethod
    ...     def backward(ctx, g):
    ...         (x,) = ctx.saved_tensors
    ...         return 2 * x * g
    >>> x = pluggrad.tensor([3.0], requires_grad=True)
    >>> Square.apply(x).backward()
    >>> x.grad
    tensor([6.])
    """

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError(
            "You must implement the forward function for custom autograd.Function."
        )

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your custom "
            "autograd.Function to use it with backward mode AD."
        )

    vjp = backward  # PyTorch's other name: a Function defines one of the two

    @classmethod
    def _backward_function(cls):
        """The user's ``backward`` or ``vjp``, refusing a Function that defines both."""
        backward_fn, vjp_fn = cls.backward, cls.vjp
        if backward_fn is not Function.backward and vjp_fn is not Function.vjp:
            raise RuntimeError(
                "Implementing both 'backward' and 'vjp' for a custom Function is not allowed. "
                "You should only implement one of them."
            )
        return vjp_fn if vjp_fn is not Function.vjp else backward_fn

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not overridden")

    @classmethod
    def _uses_setup_context(cls) -> bool:
        return cls.setup_context is not Function.setup_context

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run ``forward`` and connect its outputs to the graph."""
        ctx = cls._backward_cls()
        needs = tuple(isinstance(a, Tensor) and a._requires_grad for a in args)
        ctx.needs_input_grad = needs
        with no_grad():
            if cls._uses_setup_context():
                outputs = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, outputs)
            else:
                outputs = cls.forward(ctx, *args, **kwargs)
        is_tuple = isinstance(outputs, tuple)
        outs = outputs if is_tuple else (outputs,)
        dirty = getattr(ctx, "_dirty", ())
        for a in args:
            if isinstance(a, Tensor) and id(a) in dirty:
                if a._requires_grad and a._grad_fn is None and grad_enabled():
                    raise RuntimeError(
                        "a leaf Variable that requires grad has been used in an in-place operation."
                    )
                a._vc[0] += 1
        if not (any(needs) and grad_enabled()):
            return outputs
        positions = tuple(i for i, a in enumerate(args) if isinstance(a, Tensor))
        ctx._init_node(tuple(args[i]._gradient_edge() for i in positions))
        ctx._tensor_positions = positions
        tensors = [args[i] for i in positions] + [o for o in outs if isinstance(o, Tensor)]
        ctx._backend = tensors[0]._backend
        ctx._input_shapes = tuple(tuple(a.shape) if isinstance(a, Tensor) else None for a in args)
        ctx.num_outputs = len(outs)
        non_differentiable = getattr(ctx, "_non_differentiable", set())
        input_ids = {id(a) for a in args}
        wrapped, meta = [], []
        for i, o in enumerate(outs):
            if not isinstance(o, Tensor):
                wrapped.append(o)
                meta.append(None)
                continue
            meta.append((tuple(o.shape), o.dtype))
            if id(o) in non_differentiable or not o.dtype.is_differentiable:
                wrapped.append(o)
                continue
            if id(o) in input_ids and id(o) not in dirty:
                o = _make(o._data, o._backend)  # an input returned as is: a new tensor
            rebase_history(o, ctx, i)
            wrapped.append(o)
        ctx._output_meta = tuple(meta)
        to_save = getattr(ctx, "_to_save", ())
        ctx._saved = tuple(None if t is None else (t, t._vc, t._vc[0]) for t in to_save)
        ctx._to_save = ()
        return tuple(wrapped) if is_tuple else wrapped[0]
