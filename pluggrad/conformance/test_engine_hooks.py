"""Hooks and graph nodes against PyTorch 2.13's behaviour, on every backend:
``Tensor.register_hook``, ``next_functions``, node pre-hooks and hooks, and custom
Functions that give no gradient to an input.

Values, exception types and the first sentence of each message are PyTorch's, each scenario
run with real PyTorch first (``torch.`` spelled ``pluggrad.`` in reprs).
"""

from __future__ import annotations

import pluggrad as pg

from .helpers import assert_values, leaf, raises_runtime, values

# ---------------------------------------------------------------------------------------------
# Tensor.register_hook
# ---------------------------------------------------------------------------------------------


def test_hook_on_an_intermediate_receives_its_gradient(backend):
    x = leaf([1.0, 2.0])
    y = x * 3
    seen = []
    y.register_hook(seen.append)
    (y * y).sum().backward()
    assert len(seen) == 1
    assert_values(seen[0], [6.0, 12.0])
    assert_values(x.grad, [18.0, 36.0])


def test_hooks_chain_in_registration_order_and_replace_the_gradient(backend):
    """Each hook sees the previous one's replacement; the last one's result flows on."""
    x = leaf([1.0, 2.0])
    y = x * 3
    seen = []

    def record(name, result=None):
        def hook(grad):
            seen.append((name, values(grad).tolist()))
            return result(grad) if result else None

        return hook

    y.register_hook(record("a", lambda g: g * 2))
    y.register_hook(record("b", lambda g: g + 1))
    y.register_hook(record("c"))
    (y * y).sum().backward()
    assert seen == [("a", [6.0, 12.0]), ("b", [12.0, 24.0]), ("c", [13.0, 25.0])]
    assert_values(x.grad, [39.0, 75.0])


def test_removed_hook_is_not_called(backend):
    x = leaf([1.0, 2.0])
    y = x * 3
    calls = []
    handle = y.register_hook(lambda g: calls.append("removed"))
    y.register_hook(lambda g: calls.append("kept"))
    handle.remove()
    handle.remove()  # removing twice is harmless
    y.sum().backward()
    assert calls == ["kept"]


def test_hook_of_a_tensor_used_twice_runs_once_with_the_total(backend):
    x = leaf([1.0, 2.0])
    y = x * 2
    seen = []
    y.register_hook(seen.append)
    (y * y + y).sum().backward()
    assert len(seen) == 1
    assert_values(seen[0], [5.0, 9.0])  # 2y + 1


def test_hooks_run_on_every_backward_of_a_retained_graph(backend):
    x = leaf([1.0])
    y = x * 2
    calls = []
    y.register_hook(lambda g: calls.append(g.item()))
    z = (y * y).sum()
    z.backward(retain_graph=True)
    z.backward()
    assert calls == [4.0, 4.0]
    assert_values(x.grad, [16.0])


def test_hook_on_a_leaf_runs_before_accumulation(backend):
    """A leaf hook's replacement is what lands in ``.grad``; it sees only the new gradient."""
    x = leaf([1.0, 2.0])
    x.register_hook(lambda g: g * 10)
    (x * x).sum().backward()
    assert_values(x.grad, [20.0, 40.0])
    seen = []
    x.register_hook(seen.append)
    (x * x).sum().backward()
    assert len(seen) == 1
    assert_values(seen[0], [20.0, 40.0])
    assert_values(x.grad, [40.0, 80.0])


def test_hook_on_a_tensor_that_does_not_require_grad(backend):
    with raises_runtime("cannot register a hook on a tensor that doesn't require gradient"):
        pg.tensor([1.0, 2.0]).register_hook(lambda g: None)


# ---------------------------------------------------------------------------------------------
# graph nodes: next_functions and node hooks
# ---------------------------------------------------------------------------------------------


def test_next_functions_point_at_accumulate_grad_and_none(backend):
    x = leaf([1.0, 2.0])
    w = pg.tensor([3.0, 4.0])
    y = x * w
    (acc, acc_nr), (missing, missing_nr) = y.grad_fn.next_functions
    assert type(acc).__name__ == "AccumulateGrad"
    assert acc.variable is x
    assert acc.next_functions == ()
    assert acc_nr == 0
    assert (missing, missing_nr) == (None, 0)
    assert x.grad_fn is None


def test_next_functions_chain_the_operations(backend):
    x = leaf([1.0, 2.0])
    y = x * 2
    z = y.sum()
    assert z.grad_fn.name() == "SumBackward0"
    assert z.grad_fn.next_functions == ((y.grad_fn, 0),)
    assert y.grad_fn.name() == "MulBackward0"


def test_a_leaf_has_one_accumulator_while_the_graph_lives(backend):
    x = leaf([1.0])
    square = x * x
    triple = x * 3
    acc = square.grad_fn.next_functions[0][0]
    assert square.grad_fn.next_functions[1][0] is acc
    assert triple.grad_fn.next_functions[0][0] is acc


def test_node_prehook_and_hook(backend):
    """``register_prehook(fn(grad_outputs))`` runs before the node, ``register_hook(fn(grad_inputs,
    grad_outputs))`` after it; both may return a tuple replacing their first argument."""
    x = leaf([1.0, 2.0])
    w = pg.tensor([3.0, 4.0])
    y = x * w
    log = []

    def prehook(grad_outputs):
        log.append(("pre", [values(g).tolist() for g in grad_outputs]))
        return (grad_outputs[0] * 2,)

    def hook(grad_inputs, grad_outputs):
        log.append(
            (
                "post",
                [None if g is None else values(g).tolist() for g in grad_inputs],
                [values(g).tolist() for g in grad_outputs],
            )
        )
        return (grad_inputs[0] + 1, grad_inputs[1])

    y.grad_fn.register_prehook(prehook)
    y.grad_fn.register_hook(hook)
    y.sum().backward()
    assert log == [
        ("pre", [[1.0, 1.0]]),
        ("post", [[6.0, 8.0], None], [[2.0, 2.0]]),
    ]
    assert_values(x.grad, [7.0, 9.0])


def test_node_hook_returning_none_gradients_leaves_the_leaf_without_grad(backend):
    """A post-hook may replace a gradient with None: that leaf then gets no ``.grad``."""
    x = leaf([1.0, 2.0])
    w = leaf([3.0, 4.0])
    y = x * w
    y.grad_fn.register_hook(lambda grad_inputs, grad_outputs: (None, grad_inputs[1]))
    y.sum().backward()
    assert x.grad is None
    assert_values(w.grad, [1.0, 2.0])


def test_node_prehook_returning_none_stops_the_gradient(backend):
    x = leaf([1.0, 2.0])
    w = leaf([3.0, 4.0])
    y = x * w
    y.grad_fn.register_prehook(lambda grad_outputs: (None,))
    y.sum().backward()
    assert x.grad is None
    assert w.grad is None


class _FirstInputOnly(pg.autograd.Function):
    """``a * b`` whose backward gives a gradient to `a` only (None for `b`)."""

    @staticmethod
    def forward(ctx, a, b):
        return a * b

    @staticmethod
    def backward(ctx, grad):
        return grad * 2, None


def test_function_returning_none_for_an_input_that_requires_grad(backend):
    a = leaf([1.0, 2.0])
    b = leaf([3.0, 4.0])
    _FirstInputOnly.apply(a, b).sum().backward()
    assert_values(a.grad, [2.0, 2.0])
    assert b.grad is None


def test_grad_of_an_input_a_function_gives_none(backend):
    a = leaf([1.0, 2.0])
    b = leaf([3.0, 4.0])
    ga, gb = pg.autograd.grad(_FirstInputOnly.apply(a, b).sum(), [a, b], allow_unused=True)
    assert_values(ga, [2.0, 2.0])
    assert gb is None


def test_node_hook_handles_remove(backend):
    x = leaf([1.0, 2.0])
    y = x * 2
    calls = []
    pre = y.grad_fn.register_prehook(lambda go: calls.append("pre"))
    post = y.grad_fn.register_hook(lambda gi, go: calls.append("post"))
    pre.remove()
    post.remove()
    y.sum().backward()
    assert calls == []
    assert_values(x.grad, [2.0, 2.0])
