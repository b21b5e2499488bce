"""``autograd.backward`` and ``autograd.grad``, PyTorch's two entry points into the engine
(and ``Tensor.backward``, attached to the Tensor by :mod:`pluggrad._tensor_methods`)."""

from __future__ import annotations

import warnings

from .._core.engine import Capture, run_backward
from .._core.tensor import Size, Tensor, _make
from ..ops.creation import zeros_like
from ..ops.manipulation import astype

__all__ = ["backward", "grad", "tensor_backward"]

CREATE_GRAPH_WARNING = (
    "Using backward() with create_graph=True will create a reference cycle between the "
    "parameter and its gradient which can cause a memory leak. We recommend using "
    "autograd.grad when creating the graph to avoid this. If you have to use this function, "
    "make sure to reset the .grad fields of your parameters to None after use to break the "
    "cycle and avoid the leak."
)


def _tensors_of(values) -> tuple:
    """Tensors given as one tensor, a sequence or None, as a tuple (empty for None)."""
    if values is None:
        return ()
    if isinstance(values, Tensor):
        return (values,)
    return tuple(values)


def _root_gradients(outputs: tuple, grad_outputs, create_graph: bool):
    """Check `outputs` and their gradients; return the root edges and gradients for the engine.

    Missing gradients are ones for one-element outputs (PyTorch's implicit gradient).
    """
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    grad_outputs = _tensors_of(grad_outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(f"got {len(outputs)} tensors and {len(grad_outputs)} gradients")
    grads = []
    for i, (out, grad) in enumerate(zip(outputs, grad_outputs)):
        if not isinstance(out, Tensor):
            raise TypeError(f"outputs must be Tensors, but element {i} is {type(out).__name__}")
        if grad is None:
            if out._requires_grad:
                if out.numel() != 1:
                    raise RuntimeError("grad can be implicitly created only for scalar outputs")
                if not out.dtype.is_floating_point:
                    raise RuntimeError(
                        "grad can be implicitly created only for real scalar outputs but got "
                        f"{out.dtype}"
                    )
            backend = out._backend  # ones of out's shape and dtype, made directly: this runs
            grad = _make(backend.xp.ones_like(out._data), backend)  # on every grad() call
        elif not isinstance(grad, Tensor):
            raise TypeError(
                f"gradients can be either Tensors or None, but got {type(grad).__name__}"
            )
        elif tuple(grad.shape) != tuple(out.shape):
            raise RuntimeError(
                f"Mismatch in shape: grad_output[{i}] has a shape of {Size(grad.shape)!r} and "
                f"output[{i}] has a shape of {Size(out.shape)!r}."
            )
        elif grad._backend is not out._backend:
            raise RuntimeError(
                f"grad_output[{i}] is on backend {grad._backend.name} but output[{i}] is on "
                f"backend {out._backend.name}"
            )
        if grad.dtype is not out.dtype:
            grad = astype(grad, out.dtype)
        grads.append(grad)

    edges = []
    for i, out in enumerate(outputs):
        edge = out._gradient_edge()
        if edge[0] is None:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn"
            )
        edges.append(edge)
    if not create_graph:
        grads = [g._data for g in grads]
    return edges, grads


def backward(
    tensors,
    grad_tensors=None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    grad_variables=None,
    inputs=None,
) -> None:
    """Accumulate the gradients of `tensors` w.r.t. the graph leaves into their ``.grad``.

    Parameters
    ----------
    tensors : Tensor or sequence of Tensor
        The outputs to differentiate.
    grad_tensors : Tensor or sequence of (Tensor or None), optional
        The vectors of the vector-Jacobian products; None means ones for one-element outputs.
    retain_graph : bool, optional
        Keep the graph's saved values for another backward (defaults to `create_graph`).
    create_graph : bool
        Record the backward pass so that the gradients can be differentiated again.
    grad_variables : optional
        Deprecated alias of `grad_tensors`.
    inputs : Tensor or sequence of Tensor, optional
        Accumulate only into these tensors.

    Notes
    -----
    With ``create_graph=True`` each leaf's ``.grad`` carries the graph of its computation, and
    that graph references the leaf: a reference cycle between the parameter and its gradient.
    pluggrad warns as PyTorch does, but the cycle costs less than in PyTorch, where it leaks
    until ``.grad`` is reset: every object in it is a Python object, so Python's cyclic
    garbage collector reclaims it once the leaf is unreachable, and nothing but the leaf holds
    the graph-carrying ``.grad``, so ``p.grad = None`` (or ``p.grad = p.grad.detach()``, which
    keeps the values) frees that graph at once, by reference counting.  ``autograd.grad(...,
    create_graph=True)`` makes no cycle at all and is the better tool for higher-order
    derivatives.
    """
    if grad_variables is not None:
        warnings.warn(
            "'grad_variables' is deprecated. Use 'grad_tensors' instead.",
            FutureWarning,
            stacklevel=2,
        )
        if grad_tensors is not None:
            raise RuntimeError(
                "'grad_tensors' and 'grad_variables' (deprecated) arguments both passed to "
                "backward(). Please only use 'grad_tensors'."
            )
        grad_tensors = grad_variables
    if inputs is not None:
        inputs = _tensors_of(inputs)
        if not inputs:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
        for t in inputs:
            t.retain_grad()  # as PyTorch: non-leaf inputs get their .grad; others must need it
    outputs = _tensors_of(tensors)
    if retain_graph is None:
        retain_graph = create_graph
    edges, grads = _root_gradients(outputs, grad_tensors, create_graph)
    if create_graph:
        warnings.warn(CREATE_GRAPH_WARNING, UserWarning, stacklevel=3)
    run_backward(
        edges, grads, retain_graph=retain_graph, create_graph=create_graph, restrict_to=inputs
    )


def grad(
    outputs,
    inputs,
    grad_outputs=None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    only_inputs: bool = True,
    allow_unused: bool | None = None,
    is_grads_batched: bool = False,
    materialize_grads: bool = False,
) -> tuple:
    """Return the gradients of `outputs` w.r.t. `inputs`, without touching any ``.grad``.

    Parameters
    ----------
    outputs : Tensor or sequence of Tensor
        The differentiated function's outputs.
    inputs : Tensor or sequence of Tensor
        The tensors to differentiate with respect to (leaves or intermediate results).
    grad_outputs : Tensor or sequence of (Tensor or None), optional
        The vectors of the vector-Jacobian products (ones for one-element outputs if None).
    retain_graph : bool, optional
        Keep the graph for another pass (defaults to `create_graph`).
    create_graph : bool
        Record the computation so that the result can be differentiated again.
    only_inputs : bool
        Deprecated and ignored, as in PyTorch.
    allow_unused : bool, optional
        Return None for inputs the outputs do not depend on instead of raising.
    materialize_grads : bool
        Return zeros instead of None for unused inputs.

    Returns
    -------
    tuple of Tensor
        One gradient per input, in order.
    """
    if is_grads_batched:
        raise ValueError("is_grads_batched=True is not supported by pluggrad.autograd.grad")
    if materialize_grads and allow_unused is False:
        raise ValueError(
            "Expected allow_unused to be True or not passed when materialize_grads=True, "
            "but got: allow_unused=False."
        )
    if allow_unused is None:
        allow_unused = materialize_grads
    outputs = _tensors_of(outputs)
    inputs = _tensors_of(inputs)
    if not inputs:
        raise RuntimeError("grad requires non-empty inputs.")
    for t in inputs:
        if not isinstance(t, Tensor):
            raise TypeError(f"inputs must be Tensors, got {type(t).__name__}")
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    if retain_graph is None:
        retain_graph = create_graph
    edges, grads = _root_gradients(outputs, grad_outputs, create_graph)
    captures = [Capture(*t._gradient_edge()) for t in inputs]
    run_backward(
        edges,
        grads,
        retain_graph=retain_graph,
        create_graph=create_graph,
        captures=captures,
        accumulate=False,
    )
    results = []
    for i, (t, capture) in enumerate(zip(inputs, captures)):
        g = capture.grad
        if g is None:
            if materialize_grads:
                g = zeros_like(t)
            elif not allow_unused:
                raise RuntimeError(
                    f"The differentiated Tensor at index {i} appears to not have been used in "
                    "the graph. Set allow_unused=True if this is the desired behavior."
                )
        elif not create_graph:
            g = _make(g, t._backend)
        results.append(g)
    return tuple(results)


def tensor_backward(
    self: Tensor, gradient=None, retain_graph=None, create_graph=False, inputs=None
) -> None:
    """Compute the gradient of this tensor w.r.t. the graph leaves and accumulate it.

    Parameters
    ----------
    gradient : Tensor, optional
        The vector in the vector-Jacobian product; needed unless the tensor has one element.
    retain_graph : bool, optional
        Keep the graph for another backward; defaults to `create_graph`.
    create_graph : bool
        Record the backward pass itself, for derivatives of higher order.  The leaves'
        ``.grad`` then reference the leaves (PyTorch's warned-about cycle); set them to
        None after use to free the graph at once (see :func:`pluggrad.autograd.backward`).
    inputs : Tensor or sequence of Tensor, optional
        Accumulate only into these tensors' ``.grad``.
    """
    backward(self, gradient, retain_graph, create_graph, inputs=inputs)
