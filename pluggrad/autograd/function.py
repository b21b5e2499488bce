"""Custom differentiable functions: subclass :class:`Function` with static ``forward`` and
``backward``, then call ``MyFunction.apply(...)``, as in PyTorch.

The ``ctx`` object that ``forward`` and ``backward`` receive is the graph node itself (named
``<ClassName>Backward``), as in PyTorch.  ``backward`` runs on Tensors; under
``create_graph=True`` it runs with grad mode on, so a backward written with pluggrad operations
is itself differentiable.
"""

from __future__ import annotations

from .._tensor import Tensor, _make
from .grad_mode import grad_enabled, no_grad, set_grad_enabled
from .graph import FREED_MESSAGE, Node

__all__ = ["Function", "FunctionCtx"]


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
        self._to_save = tensors

    def mark_non_differentiable(self, *tensors) -> None:
        """Declare outputs that have no gradient (e.g. indices)."""
        self._non_differentiable = {id(t) for t in tensors}

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
        out = []
        for entry in saved:
            if entry is None:
                out.append(None)
                continue
            t, counter, version = entry
            if counter[0] != version:
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by "
                    f"an inplace operation: [tensor of shape {list(t.shape)}], which is saved by "
                    f"{self.name()}, is at version {counter[0]}; expected version {version} "
                    "instead."
                )
            out.append(t)
        return tuple(out)


_RELEASED = object()


class BackwardCFunction(Node, FunctionCtx):
    """Graph node of a custom Function; subclasses are named ``<Function>Backward``."""

    _forward_cls: type

    def apply(self, grad_outputs: list, create_graph: bool) -> tuple:
        backend = self._backend
        materialize = getattr(self, "_materialize_grads", True)
        grads = []
        for g, meta in zip(grad_outputs, self._output_meta):
            if g is None:
                if materialize and meta is not None:
                    from ..ops.creation import zeros

                    g = zeros(*meta[0], dtype=meta[1])
            elif not create_graph:
                g = _make(g, backend)
            grads.append(g)
        with set_grad_enabled(create_graph):
            result = self._forward_cls.backward(self, *grads)
        if not isinstance(result, tuple):
            result = (result,)
        expected = len(self.next_functions)
        if len(result) > expected and all(r is None for r in result[expected:]):
            result = result[:expected]
        if len(result) != expected:
            raise RuntimeError(
                f"function {self.name()} returned an incorrect number of gradients (expected "
                f"{expected}, got {len(result)})"
            )
        out = []
        for i, ((next_node, _), g) in enumerate(zip(self.next_functions, result)):
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
        if not (any(needs) and grad_enabled()):
            return outputs
        is_tuple = isinstance(outputs, tuple)
        outs = outputs if is_tuple else (outputs,)
        ctx._init_node(
            tuple(a._gradient_edge() if isinstance(a, Tensor) else (None, 0) for a in args)
        )
        tensors = [a for a in args if isinstance(a, Tensor)] + [
            o for o in outs if isinstance(o, Tensor)
        ]
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
            if id(o) in input_ids:  # an input returned as is: the output is a new tensor
                o = _make(o._data, o._backend)
            o._requires_grad = True
            o._grad_fn = ctx
            o._output_nr = i
            wrapped.append(o)
        ctx._output_meta = tuple(meta)
        to_save = getattr(ctx, "_to_save", ())
        ctx._saved = tuple(None if t is None else (t, t._vc, t._vc[0]) for t in to_save)
        ctx._to_save = ()
        return tuple(wrapped) if is_tuple else wrapped[0]
