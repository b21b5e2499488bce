"""The backward engine: runs graph nodes in dependency order, without recursion.

The algorithm is PyTorch's:

1. Walk the graph from the roots (an explicit stack, so a chain of a million nodes is fine) and
   count, for every node, how many edges lead into it.
2. If only some inputs matter (``autograd.grad`` or ``backward(inputs=...)``), mark the nodes
   that lie on a path to them; the others are not run.
3. Run ready nodes (all incoming gradients summed), the most recently created first, leaf
   accumulators before anything else.  A node's gradients flow into the input buffers of its
   ``next_functions``; each buffer is ready when its dependency count reaches zero.

Without ``create_graph`` gradients are raw backend arrays and formulas run on them directly: no
Tensor and no graph is built.  With ``create_graph`` they are Tensors and grad mode is on, so
the backward pass is recorded.

Hooks run in PyTorch's order.  For a node: the hooks of its output tensors
(``Tensor.register_hook``), then ``retain_grad()`` storing their ``.grad``, then the node's
pre-hooks, the node itself and its hooks.  For a leaf's ``AccumulateGrad``: the tensor's hooks,
the node's pre-hooks, the accumulation into ``.grad``, the tensor's post-accumulate-grad hooks,
then the node's hooks.  ``.grad`` is written when the node runs, as in PyTorch, so hooks see
the gradients accumulated so far (and a backward that fails midway keeps what was written).
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence

from .anomaly import anomaly_detection, check_gradients
from .grad_mode import INFERENCE_SAVED_MESSAGE, inference_mode_use, set_grad_enabled
from .graph import AccumulateGrad, Node
from .tensor import Tensor, _make
from .views import store


class Capture:
    """Where ``autograd.grad`` reads the gradient of one of its inputs."""

    __slots__ = ("node", "output_nr", "grad")

    def __init__(self, node: Node, output_nr: int):
        self.node = node
        self.output_nr = output_nr
        self.grad = None


def run_backward(
    roots: Sequence[tuple[Node, int]],
    root_grads: Sequence,
    *,
    retain_graph: bool,
    create_graph: bool,
    captures: Sequence[Capture] = (),
    accumulate: bool = True,
    restrict_to: Sequence[Tensor] | None = None,
) -> None:
    """Backpropagate `root_grads` from the `roots` edges through the graph.

    Parameters
    ----------
    roots, root_grads
        Gradient edges ``(node, input_nr)`` of the outputs and the gradients flowing into them
        (raw arrays, or Tensors when `create_graph`).
    captures
        Gradients to read for ``autograd.grad``; only nodes leading to them run.
    accumulate
        Whether leaves accumulate into ``.grad`` (``backward``) or not (``autograd.grad``).
    restrict_to
        ``backward(inputs=...)``: accumulate only into these tensors (non-leaves among them
        must already retain their grad).
    """
    root_nodes = [node for node, _ in roots]
    selective = bool(captures) or restrict_to is not None
    dependencies, parents = _count_dependencies(root_nodes, want_parents=selective)

    capture_at: dict[Node, list[Capture]] = {}
    for capture in captures:
        capture_at.setdefault(capture.node, []).append(capture)
    # backward(inputs=...): leaves accumulate through their AccumulateGrad node; non-leaves were
    # made to retain their grad by the caller, which the retained-grad path below fills
    accumulate_into = {t._gradient_edge()[0] for t in restrict_to or ()}

    # With selected inputs, only ancestors of the targets run; a target with no target below
    # it only has its incoming gradient read.
    targets = set(capture_at) | accumulate_into
    runs = _ancestors(targets, parents) if selective else None

    # nodes gradients may flow into: all of them, or the ancestors and the targets
    wanted = None if runs is None else runs | targets

    buffers: dict[Node, list] = {}
    for (node, input_nr), grad in zip(roots, root_grads):
        _add_to_buffer(buffers, node, input_nr, grad)

    # The ready queue is a heap of (priority key, node); keys are unique (see Node), so nodes
    # themselves are never compared.
    ready: list = []
    push, pop = heapq.heappush, heapq.heappop
    for node in dict.fromkeys(root_nodes):
        if dependencies.get(node, 0) == 0 and (wanted is None or node in wanted):
            push(ready, (node._key, node))

    with set_grad_enabled(create_graph):
        while ready:
            node = pop(ready)[1]
            grads = buffers.pop(node, None) or [None] * node.num_outputs
            is_leaf = type(node) is AccumulateGrad
            if node._tensor_pre_hooks or is_leaf:
                grads = _call_tensor_hooks(node, grads, create_graph)
            if node._retained is not None:
                _retain_grads(node._retained, grads)
            if captures:
                for capture in capture_at.get(node, ()):
                    capture.grad = grads[capture.output_nr]
            if is_leaf:
                wanted_leaf = restrict_to is None or node in accumulate_into
                if accumulate and wanted_leaf:
                    _run_accumulate_grad(node, grads, create_graph)
                continue
            if runs is not None and node not in runs:
                continue
            if inference_mode_use.entered:
                _check_no_inference_saved(node)
            if node._pre_hooks or node._post_hooks or anomaly_detection.enabled or grads[0] is None:
                outputs = _run_node(node, grads, create_graph)
            else:  # the common case, inlined: no hooks, no anomaly checks, a gradient to pass
                outputs = node.apply(grads, create_graph)
            if not retain_graph:
                node.release()
            if type(outputs) is not list:  # OpNode returns a list; other nodes a tuple
                outputs = list(outputs)
            # each gradient leaves `outputs` as it goes into a buffer, so that the buffer holds
            # the only reference and a second gradient for the same input (x * x) can be summed
            # into it in place
            for k, (next_node, input_nr) in enumerate(node.next_functions):
                grad = outputs[k]
                outputs[k] = None
                if next_node is None or wanted is not None and next_node not in wanted:
                    continue
                if grad is not None:
                    buffer = buffers.get(next_node)
                    if buffer is None:
                        buffer = buffers[next_node] = [None] * next_node.num_outputs
                    if buffer[input_nr] is None:
                        buffer[input_nr] = grad
                    elif create_graph:
                        buffer[input_nr] = buffer[input_nr] + grad
                    else:  # the buffer's array may be reused (NumPy: when nothing else holds it;
                        # so no local name here refers to it)
                        buffer[input_nr] = node._backend.add_gradients(buffer, input_nr, grad)
                remaining = dependencies[next_node] - 1
                dependencies[next_node] = remaining
                if remaining == 0:
                    push(ready, (next_node._key, next_node))
            grad = None  # not kept alive while the next node runs


def _count_dependencies(root_nodes, want_parents: bool):
    """For each reachable node, the number of edges into it (and optionally its parents)."""
    dependencies: dict[Node, int] = {}
    parents: dict[Node, list[Node]] | None = {} if want_parents else None
    seen = set(root_nodes)
    stack = list(seen)
    while stack:
        node = stack.pop()
        for next_node, _ in node.next_functions:
            if next_node is None:
                continue
            dependencies[next_node] = dependencies.get(next_node, 0) + 1
            if parents is not None:
                parents.setdefault(next_node, []).append(node)
            if next_node not in seen:
                seen.add(next_node)
                stack.append(next_node)
    return dependencies, parents


def _ancestors(targets: set, parents: dict) -> set:
    """Every node with a path of at least one edge to one of the targets."""
    ancestors: set = set()
    stack = list(targets)
    while stack:
        for parent in parents.get(stack.pop(), ()):
            if parent not in ancestors:
                ancestors.add(parent)
                stack.append(parent)
    return ancestors


def _add_to_buffer(buffers: dict, node: Node, input_nr: int, grad) -> None:
    buffer = buffers.get(node)
    if buffer is None:
        buffer = buffers[node] = [None] * node.num_outputs
    current = buffer[input_nr]
    buffer[input_nr] = grad if current is None else current + grad


def _run_node(node: Node, grads: list, create_graph: bool) -> Sequence:
    """Apply `node` with its pre- and post-hooks; all-None input gives all-None output."""
    if node._pre_hooks:
        grads = _call_node_hooks(node, node._pre_hooks, grads, create_graph, (grads,))
    if grads[0] is None and all(g is None for g in grads):
        return (None,) * len(node.next_functions)
    outputs = node.apply(grads, create_graph)
    if node._post_hooks:  # hooks see a tuple, as in PyTorch
        outputs = tuple(outputs)
        outputs = _call_node_hooks(node, node._post_hooks, outputs, create_graph, (outputs, grads))
    if anomaly_detection.enabled and anomaly_detection.check_nan:
        check_gradients(node, outputs, node._backend, create_graph)
    return outputs


def _run_accumulate_grad(node: AccumulateGrad, grads: list, create_graph: bool) -> None:
    """Run a leaf's AccumulateGrad node: pre-hooks, accumulation, post-accumulate-grad hooks of
    the tensor, then the node's hooks (which receive ``()`` as the gradients it produced)."""
    if node._pre_hooks:
        grads = list(_call_node_hooks(node, node._pre_hooks, grads, create_graph, (grads,)))
    if grads[0] is None:
        return
    variable = node.variable
    _accumulate_leaf(variable, grads[0], create_graph)
    if variable._post_acc_hooks:
        for hook in list(variable._post_acc_hooks.values()):
            result = hook(variable)
            if result is not None:
                raise TypeError(f"expected Variable, but hook returned '{type(result).__name__}'")
    if node._post_hooks:
        _call_node_hooks(node, node._post_hooks, (), create_graph, ((), grads))


def _check_no_inference_saved(node: Node) -> None:
    """Raise PyTorch's error if an operation saved an inference tensor for its backward."""
    for entry in getattr(node, "_kept_tensors", None) or ():
        saved = entry[1]
        if isinstance(saved, Tensor) and saved._is_inference:
            raise RuntimeError(INFERENCE_SAVED_MESSAGE)


def _wrap(grad, backend, create_graph: bool):
    if grad is None or create_graph:
        return grad
    return _make(grad, backend)


def _unwrap(grad, create_graph: bool):
    if grad is None or create_graph:
        return grad
    return grad._data


def _call_node_hooks(node: Node, hooks: dict, values, create_graph: bool, hook_args: tuple):
    """Run node pre/post hooks; each may return a tuple replacing `values`."""
    backend = node._backend
    wrapped_args = tuple(tuple(_wrap(v, backend, create_graph) for v in arg) for arg in hook_args)
    current = wrapped_args[0]
    for hook in list(hooks.values()):
        result = hook(*((current,) + wrapped_args[1:]))
        if result is not None:
            result = tuple(result)
            if len(result) != len(current):
                raise RuntimeError(
                    f"hook '{_hook_name(hook)}' has returned an incorrect number of values "
                    f"(got {len(result)}, but expected {len(current)})"
                )
            current = result
    return tuple(_unwrap(v, create_graph) for v in current)


def _call_tensor_hooks(node: Node, grads: list, create_graph: bool) -> list:
    """Run ``Tensor.register_hook`` hooks of the tensors whose gradients `node` receives."""
    per_output: dict[int, dict] | None
    if type(node) is AccumulateGrad:
        hooks = node.variable._backward_hooks
        if not hooks:
            return grads
        per_output = {0: hooks}
    else:
        per_output = node._tensor_pre_hooks
        if not per_output:
            return grads
    grads = list(grads)
    for output_nr, hooks in per_output.items():
        grad = grads[output_nr]
        if grad is None or not hooks:
            continue
        current = _wrap(grad, node._backend, create_graph)
        for hook in list(hooks.values()):
            result = hook(current)
            if result is not None:
                _check_hook_result(result, current, hook)
                current = result
        grads[output_nr] = _unwrap(current, create_graph)
    return grads


def _hook_name(hook) -> str:
    return getattr(hook, "__name__", repr(hook))


def _check_hook_result(result, grad: Tensor, hook) -> None:
    if not isinstance(result, Tensor):
        raise TypeError(f"expected Variable, but hook returned '{type(result).__name__}'")
    if tuple(result.shape) != tuple(grad.shape):
        raise RuntimeError(f"hook '{_hook_name(hook)}' has changed the size of value")


def _retain_grads(retained: dict, grads: list) -> None:
    for output_nr, ref in retained.items():
        tensor = ref()
        if tensor is not None and grads[output_nr] is not None:
            _retain_grad(tensor, grads[output_nr])


def _accumulate_leaf(tensor: Tensor, grad, create_graph: bool) -> None:
    """Add `grad` into a leaf's ``.grad`` as PyTorch's AccumulateGrad does.

    Without create_graph the first gradient is stored as a copy (so ``.grad`` never aliases
    another tensor's data) and later ones are added in place, keeping the ``.grad`` object.
    With create_graph the first is stored through a recorded copy (``CopyBackwards``) and later
    ones are added out of place, so the result stays differentiable (the copy is an operation
    of the backend's differentiable namespace, as in a derivative formula).
    """
    backend = tensor._backend
    old = tensor._grad
    if not create_graph:
        if old is None:
            tensor._grad = _make(backend.adopt_gradient(grad), backend)
        else:
            if old._view is None:
                old._data = backend.accumulate(old._data, grad)
            else:  # .grad shares its elements (a view was taken of it): they all see the sum
                store(old, backend.accumulate(old._data, grad))
            old._vc[0] += 1
    elif old is None:
        if grad._requires_grad:
            tensor._grad = backend.tensor_ns.accumulation_copy(grad)
        else:
            tensor._grad = _detached_copy(grad)
    else:
        tensor._grad = old + grad


def _retain_grad(tensor: Tensor, grad) -> None:
    """Store the gradient of a non-leaf that called ``retain_grad()``: a clone at first, then
    the out-of-place sum (a new tensor each time, as in PyTorch)."""
    backend = tensor._backend
    old = tensor._grad
    if not isinstance(grad, Tensor):
        grad = _make(grad, backend)
    if old is None:
        tensor._grad = (
            backend.tensor_ns.clone(grad) if grad._requires_grad else _detached_copy(grad)
        )
    else:
        tensor._grad = old + grad


def _detached_copy(t: Tensor) -> Tensor:
    return _make(t._backend.copy(t._data), t._backend)
