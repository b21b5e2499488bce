"""The backward engine against PyTorch 2.13's behaviour, on every backend.

Each scenario was run with real PyTorch first; the values, exception types and the first
sentence of every message asserted here are what PyTorch gives (with ``torch.`` spelled
``pluggrad.`` in reprs).  Groups: freeing and retaining the graph, accumulation into ``.grad``,
errors of ``backward``, tensor hooks, node hooks and ``next_functions``, ``retain_grad``,
higher-order derivatives, ``autograd.grad``, ``backward(inputs=...)``, failed passes,
broadcasting and dtypes, very long graphs, and the tensor attributes that autograd relies on.
"""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pytest

import pluggrad as pg

from .helpers import assert_values, values

FREED = "Trying to backward through the graph a second time"
NON_LEAF_GRAD = "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed"


def leaf(data, dtype=None):
    """A leaf tensor on the active backend that requires grad."""
    return pg.tensor(data, dtype=dtype, requires_grad=True)


def raises_runtime(message_start: str):
    """``pytest.raises(RuntimeError)`` whose message must start with `message_start`."""
    return pytest.raises(RuntimeError, match="^" + re.escape(message_start))


def grad_of(tensor):
    """``tensor.grad`` read without the non-leaf warning (for tensors that may be non-leaves)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return tensor.grad


# ---------------------------------------------------------------------------------------------
# retain_graph
# ---------------------------------------------------------------------------------------------


def test_second_backward_through_freed_graph_raises(backend):
    """The saved tensors are freed by the first backward; the failed second one writes nothing."""
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward()
    with raises_runtime(FREED):
        y.backward()
    assert_values(x.grad, [2.0, 4.0])


def test_freed_graph_message_mentions_retain_graph(backend):
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="Specify retain_graph=True"):
        y.backward()


def test_autograd_grad_frees_the_graph_too(backend):
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    pg.autograd.grad(y, x)
    with raises_runtime(FREED):
        pg.autograd.grad(y, x)


def test_retain_graph_allows_a_second_backward_that_accumulates(backend):
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward(retain_graph=True)
    assert_values(x.grad, [2.0, 4.0])
    y.backward()
    assert_values(x.grad, [4.0, 8.0])


def test_graph_without_saved_tensors_can_be_backwarded_twice(backend):
    """``AddBackward0`` and ``SumBackward0`` save nothing, so there is nothing to free."""
    a = leaf([1.0])
    b = leaf([2.0])
    s = (a + b).sum()
    s.backward()
    s.backward()
    assert_values(a.grad, [2.0])
    assert_values(b.grad, [2.0])


# ---------------------------------------------------------------------------------------------
# accumulation into .grad
# ---------------------------------------------------------------------------------------------


def test_gradients_accumulate_across_backward_calls(backend):
    x = leaf([1.0, 2.0, 3.0])
    for i in range(1, 4):
        (x * x).sum().backward()
        assert_values(x.grad, [2.0 * i, 4.0 * i, 6.0 * i])


def test_accumulation_keeps_the_grad_tensor(backend):
    """A leaf's ``.grad`` is updated in place: a reference taken earlier sees the new values."""
    x = leaf([1.0, 2.0])
    (x * 3).sum().backward()
    g = x.grad
    assert_values(g, [3.0, 3.0])
    (x * 3).sum().backward()
    assert g is x.grad
    assert_values(g, [6.0, 6.0])


def test_grad_set_to_none_restarts_accumulation(backend):
    x = leaf([1.0, 2.0])
    (x * 3).sum().backward()
    x.grad = None
    (x * 5).sum().backward()
    assert_values(x.grad, [5.0, 5.0])


# ---------------------------------------------------------------------------------------------
# errors of backward()
# ---------------------------------------------------------------------------------------------


def test_non_scalar_backward_needs_a_gradient(backend):
    x = leaf([1.0, 2.0])
    with raises_runtime("grad can be implicitly created only for scalar outputs"):
        (x * 3).backward()


def test_gradient_of_the_wrong_shape_is_rejected(backend):
    x = leaf([1.0, 2.0])
    with raises_runtime(
        "Mismatch in shape: grad_output[0] has a shape of pluggrad.Size([3]) and output[0] has "
        "a shape of pluggrad.Size([2])."
    ):
        (x * 3).backward(pg.ones(3))


def test_backward_on_a_tensor_that_does_not_require_grad(backend):
    message = "element 0 of tensors does not require grad and does not have a grad_fn"
    with raises_runtime(message):
        pg.tensor([1.0]).backward()
    with raises_runtime(message):
        pg.tensor([1.0, 2.0]).sum().backward()


def test_gradient_of_another_float_dtype_is_cast(backend):
    """A float64 gradient for a float32 output is accepted; ``.grad`` keeps the leaf's dtype."""
    x = leaf([1.0, 2.0])
    x.sum().backward(pg.tensor(2.0, dtype=pg.float64))
    assert_values(x.grad, [2.0, 2.0], dtype=pg.float32)


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


# ---------------------------------------------------------------------------------------------
# retain_grad and the .grad of non-leaves
# ---------------------------------------------------------------------------------------------


def test_non_leaf_grad_is_none_with_a_warning(backend):
    x = leaf([1.0, 2.0])
    y = x * 2
    (y * 3).sum().backward()
    with pytest.warns(UserWarning, match=re.escape(NON_LEAF_GRAD)):
        assert y.grad is None


def test_retain_grad_fills_the_grad_of_a_non_leaf(backend):
    x = leaf([1.0, 2.0])
    y = x * 2
    y.retain_grad()
    assert y.retains_grad
    (y * 3).sum().backward()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_values(y.grad, [3.0, 3.0])
    assert_values(x.grad, [6.0, 6.0])


def test_retained_grad_accumulates_out_of_place(backend):
    """For a non-leaf, torch adds out of place: an earlier reference keeps the old values."""
    x = leaf([1.0, 2.0])
    y = x * 2
    y.retain_grad()
    z = (y * y).sum()
    z.backward(retain_graph=True)
    first = y.grad
    assert_values(first, [4.0, 8.0])
    z.backward()
    assert_values(y.grad, [8.0, 16.0])
    assert_values(first, [4.0, 8.0])


def test_retained_grad_is_the_gradient_after_hooks(backend):
    x = leaf([1.0, 2.0])
    y = x * 2
    y.retain_grad()
    y.register_hook(lambda g: g * 100)
    y.sum().backward()
    assert_values(y.grad, [100.0, 100.0])
    assert_values(x.grad, [200.0, 200.0])


def test_retain_grad_on_a_leaf_is_a_no_op(backend):
    x = leaf([1.0])
    x.retain_grad()
    assert not x.retains_grad
    (x * 2).sum().backward()
    assert_values(x.grad, [2.0])


def test_retain_grad_on_a_tensor_that_does_not_require_grad(backend):
    with raises_runtime("can't retain_grad on Tensor that has requires_grad=False"):
        pg.tensor([1.0]).retain_grad()


# ---------------------------------------------------------------------------------------------
# higher-order derivatives (create_graph)
# ---------------------------------------------------------------------------------------------


def _derivatives(f, x, order: int) -> list:
    """``[f'(x), f''(x), ...]`` up to `order`, each by ``autograd.grad(create_graph=True)``."""
    out = f(x)
    result = []
    for _ in range(order):
        (out,) = pg.autograd.grad(out.sum(), x, create_graph=True)
        result.append(out)
    return result


def test_x_to_the_fourth_up_to_third_order(backend):
    x = leaf(2.0)
    d1, d2, d3 = _derivatives(lambda t: t**4, x, 3)
    assert_values(d1, 32.0)
    assert_values(d2, 48.0)
    assert_values(d3, 48.0)
    assert d3.grad_fn is not None and d3.requires_grad
    assert x.grad is None  # autograd.grad writes no .grad


def test_sin_x_times_x_up_to_third_order_in_float64(backend):
    points = [0.3, 1.2, -0.7, 2.5]
    x = leaf(points, dtype=pg.float64)
    d1, d2, d3 = _derivatives(lambda t: pg.sin(t) * t, x, 3)
    p = np.array(points)
    assert_values(d1, np.sin(p) + p * np.cos(p), dtype=pg.float64, rtol=1e-12)
    assert_values(d2, 2 * np.cos(p) - p * np.sin(p), dtype=pg.float64, rtol=1e-12)
    assert_values(d3, -3 * np.sin(p) - p * np.cos(p), dtype=pg.float64, rtol=1e-12)


def test_backward_of_a_create_graph_gradient(backend):
    """d/dx of dy/dx by ``backward`` on the first-order result: 12 x**2 at x=2 is 48."""
    x = leaf([2.0])
    (g,) = pg.autograd.grad(x**4, x, create_graph=True)
    g.backward()
    assert_values(x.grad, [48.0])


# ---------------------------------------------------------------------------------------------
# autograd.grad
# ---------------------------------------------------------------------------------------------


def test_grad_of_an_unused_input_raises_without_allow_unused(backend):
    a = leaf([1.0, 2.0])
    b = leaf([3.0])
    out = (a * 2).sum()
    with raises_runtime(
        "The differentiated Tensor at index 1 appears to not have been used in the graph."
    ):
        pg.autograd.grad(out, [a, b])


def test_allow_unused_returns_none_and_materialize_grads_zeros(backend):
    a = leaf([1.0, 2.0])
    b = leaf([3.0])
    out = (a * 2).sum()
    ga, gb = pg.autograd.grad(out, [a, b], allow_unused=True, retain_graph=True)
    assert_values(ga, [2.0, 2.0])
    assert gb is None
    ga, gb = pg.autograd.grad(out, [a, b], materialize_grads=True)
    assert_values(ga, [2.0, 2.0])
    assert_values(gb, [0.0], dtype=pg.float32)
    assert tuple(gb.shape) == (1,)


def test_grad_with_respect_to_an_intermediate(backend):
    a = leaf([1.0, 2.0])
    h = a * a
    (gh,) = pg.autograd.grad((h * 3).sum(), h)
    assert_values(gh, [3.0, 3.0])


def test_grad_with_grad_outputs(backend):
    a = leaf([1.0, 2.0])
    (g,) = pg.autograd.grad(a * a, a, grad_outputs=pg.tensor([1.0, 10.0]))
    assert_values(g, [2.0, 40.0])


def test_grad_of_several_outputs_sums_their_contributions(backend):
    a = leaf([1.0, 2.0])
    (g,) = pg.autograd.grad([(a * 2).sum(), (a**2).sum()], a)
    assert_values(g, [4.0, 6.0])
    (g,) = pg.autograd.grad([a * 2, a**2], [a], grad_outputs=[pg.ones(2), pg.tensor([1.0, 0.0])])
    assert_values(g, [4.0, 2.0])


def test_grad_of_several_inputs_keeps_their_order(backend):
    a = leaf([1.0, 2.0])
    b = leaf([3.0, 5.0])
    gb, ga = pg.autograd.grad((a * b).sum(), [b, a])
    assert_values(gb, [1.0, 2.0])
    assert_values(ga, [3.0, 5.0])


def test_grad_writes_no_dot_grad_of_leaves(backend):
    a = leaf([1.0, 2.0])
    b = leaf([3.0])
    pg.autograd.grad((a * b * a).sum(), [a, b])
    assert a.grad is None
    assert b.grad is None


def test_grad_still_fills_a_retained_grad(backend):
    """As in torch, ``retain_grad()`` of a non-leaf on the path is honoured by autograd.grad."""
    a = leaf([1.0, 2.0])
    b = leaf([3.0])
    h = a * b
    h.retain_grad()
    pg.autograd.grad((h * h).sum(), [a, b])
    assert a.grad is None
    assert_values(h.grad, [6.0, 12.0])


def test_grad_of_an_output_that_does_not_require_grad(backend):
    a = leaf([1.0])
    with raises_runtime("element 0 of tensors does not require grad and does not have a grad_fn"):
        pg.autograd.grad(pg.tensor([1.0, 2.0]).sum(), a)


def test_grad_with_retain_graph_then_backward(backend):
    a = leaf([1.0, 2.0])
    y = (a * a).sum()
    (g,) = pg.autograd.grad(y, a, retain_graph=True)
    y.backward()
    assert_values(g, [2.0, 4.0])
    assert_values(a.grad, [2.0, 4.0])


def test_grad_of_an_input_that_does_not_require_grad(backend):
    a = leaf([1.0, 2.0])
    with raises_runtime("One of the differentiated Tensors does not require grad"):
        pg.autograd.grad((a * 2).sum(), [a, pg.tensor([1.0])])


# ---------------------------------------------------------------------------------------------
# backward(inputs=...)
# ---------------------------------------------------------------------------------------------


def test_backward_inputs_accumulates_only_into_the_listed_tensors(backend):
    a = leaf([1.0, 2.0])
    b = leaf([3.0])
    (a * b).sum().backward(inputs=[a])
    assert_values(a.grad, [3.0, 3.0])
    assert b.grad is None
    (a * b).sum().backward(inputs=b)  # a single tensor is accepted too
    assert_values(a.grad, [3.0, 3.0])
    assert_values(b.grad, [3.0])


def test_backward_inputs_with_a_non_leaf_retains_its_grad(backend):
    """torch calls ``retain_grad()`` on a non-leaf input: its ``.grad`` is read without warning."""
    a = leaf([1.0, 2.0])
    b = leaf([3.0])
    h = a * b
    h.sum().backward(inputs=[h])
    assert a.grad is None
    assert h.retains_grad
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_values(h.grad, [1.0, 1.0])


def test_autograd_backward_of_several_outputs(backend):
    a = leaf([1.0, 2.0])
    pg.autograd.backward([a * 2, a**2], [pg.ones(2), pg.tensor([1.0, 0.0])])
    assert_values(a.grad, [4.0, 2.0])


def test_backward_inputs_that_do_not_require_grad(backend):
    x = leaf([1.0, 2.0])
    with raises_runtime("can't retain_grad on Tensor that has requires_grad=False"):
        (x * x).sum().backward(inputs=[pg.tensor([1.0])])


def test_backward_inputs_must_not_be_empty(backend):
    a = leaf([1.0])
    with raises_runtime("`inputs` argument to `backward()` cannot be empty."):
        (a * 2).sum().backward(inputs=[])


# ---------------------------------------------------------------------------------------------
# a failed backward
# ---------------------------------------------------------------------------------------------


def test_backward_failing_in_a_hook_leaves_grad_unchanged(backend):
    x = leaf([1.0, 2.0])
    (x * 2).sum().backward()
    y = x * 3

    def boom(grad):
        raise ValueError("boom")

    y.register_hook(boom)
    with pytest.raises(ValueError, match="boom"):
        (y * y + x).sum().backward()
    assert_values(x.grad, [2.0, 2.0])


def test_hook_returning_the_wrong_shape_fails(backend):
    x = leaf([1.0, 2.0])
    y = x * 3

    def wrong_shape(grad):
        return pg.ones(3)

    y.register_hook(wrong_shape)
    with raises_runtime("hook 'wrong_shape' has changed the size of value"):
        y.sum().backward()
    assert x.grad is None


# ---------------------------------------------------------------------------------------------
# broadcasting and dtypes
# ---------------------------------------------------------------------------------------------


def test_broadcast_gradients_have_their_input_shapes(backend):
    a = pg.ones(3, 1, requires_grad=True)
    b = pg.ones(1, 4, requires_grad=True)
    (a + b).sum().backward()
    assert a.grad.shape == pg.Size([3, 1])
    assert b.grad.shape == pg.Size([1, 4])
    assert_values(a.grad, np.full((3, 1), 4.0))
    assert_values(b.grad, np.full((1, 4), 3.0))


def test_broadcast_gradients_sum_over_the_broadcast_axes(backend):
    a = pg.ones(3, 1, requires_grad=True)
    b = pg.ones(4, requires_grad=True)
    c = pg.arange(12.0).reshape(3, 4)
    (a * b * c).sum().backward()
    assert_values(a.grad, [[6.0], [22.0], [38.0]])
    assert_values(b.grad, [12.0, 15.0, 18.0, 21.0])


def test_zero_dim_input_broadcast_gets_a_zero_dim_grad(backend):
    s = leaf(2.0)
    v = leaf([1.0, 2.0, 3.0])
    (s * v).sum().backward()
    assert s.grad.shape == pg.Size([])
    assert_values(s.grad, 6.0)
    assert_values(v.grad, [2.0, 2.0, 2.0])


def test_float32_stays_float32_through_backward(backend):
    x = leaf([1.0, 2.0])
    y = pg.exp(x * x).sum()
    assert y.dtype is pg.float32
    y.backward()
    assert_values(x.grad, 2 * np.array([1.0, 2.0]) * np.exp([1.0, 4.0]), rtol=1e-6)
    assert x.grad.dtype is pg.float32


def test_mixed_float32_float64_gives_each_input_its_own_dtype(backend):
    f = leaf([1.0, 2.0])
    d = leaf([3.0, 4.0], dtype=pg.float64)
    out = f * d
    assert out.dtype is pg.float64
    out.sum().backward()
    assert_values(f.grad, [3.0, 4.0], dtype=pg.float32)
    assert_values(d.grad, [1.0, 2.0], dtype=pg.float64)


# ---------------------------------------------------------------------------------------------
# very long graphs
# ---------------------------------------------------------------------------------------------


def _chain(x, length: int):
    """``x * 1.0`` applied `length` times: a graph `length` nodes deep."""
    y = x
    for _ in range(length):
        y = y * 1.0
    return y


@pytest.mark.slow
def test_a_chain_of_a_million_ops_backpropagates(backend):
    """The engine does not recurse: a 1e6-node chain needs no deep Python stack."""
    if backend.name != "numpy":
        pytest.skip("one backend is enough for the 1e6-node chain (the engine is shared)")
    x = leaf([2.0])
    y = _chain(x, 1_000_000)
    y.sum().backward()
    assert_values(x.grad, [1.0])


def test_deleting_a_long_graph_does_not_crash(backend):
    """Freeing 200,000 nested nodes must not overflow the C stack (or hit RecursionError)."""
    x = leaf([2.0])
    y = _chain(x, 200_000)
    del y
    y = _chain(x, 1_000)  # the leaf is still usable afterwards
    y.sum().backward()
    assert_values(x.grad, [1.0])


# ---------------------------------------------------------------------------------------------
# tensor attributes that autograd relies on
# ---------------------------------------------------------------------------------------------


def test_legacy_constructor_is_float32_and_tensor_infers(backend):
    assert pg.Tensor([5]).dtype is pg.float32
    assert_values(pg.Tensor([5]), [5.0])
    assert pg.tensor([1, 2, 3]).dtype is pg.int64
    assert pg.tensor([1.0, 2.0]).dtype is pg.float32


def test_requires_grad_is_settable_on_leaves(backend):
    x = pg.Tensor([5])
    assert not x.requires_grad
    x.requires_grad = True
    assert x.requires_grad and x.is_leaf
    (x**2).backward()
    assert_values(x.grad, [10.0])
    x.requires_grad = False
    assert not x.requires_grad


def _set_requires_grad(t):
    t.requires_grad = True


@pytest.mark.parametrize(
    "ask, message",
    [
        (
            _set_requires_grad,
            "only Tensors of floating point and complex dtype can require gradients",
        ),
        (
            lambda t: t.requires_grad_(),
            "only Tensors of floating point dtype can require gradients",
        ),
        (
            lambda t: pg.tensor(values(t), requires_grad=True),
            "Only Tensors of floating point and complex dtype can require gradients",
        ),
    ],
    ids=["setter", "requires_grad_", "factory"],
)
def test_requires_grad_on_an_integer_tensor(ask, message, backend):
    """torch words the error differently for each way of asking (case included)."""
    t = pg.tensor([1, 2])
    with raises_runtime(message):
        ask(t)
    assert not t.requires_grad


def test_requires_grad_of_a_non_leaf_cannot_be_set(backend):
    """The setter refuses both values on a non-leaf; ``requires_grad_()`` allows True only."""
    y = leaf([1.0, 2.0]) * 2
    with raises_runtime("you can only change requires_grad flags of leaf variables."):
        y.requires_grad = False
    with raises_runtime("you can only change requires_grad flags of leaf variables."):
        y.requires_grad = True
    assert y.requires_grad_() is y
    with raises_runtime("you can only change requires_grad flags of leaf variables."):
        y.requires_grad_(False)
    assert y.requires_grad


def test_is_leaf_rules(backend):
    x = leaf([1.0])
    assert x.is_leaf
    assert pg.tensor([1.0]).is_leaf
    assert not (x * 2).is_leaf
    assert (pg.tensor([1.0]) * 2).is_leaf  # no input requires grad: no graph
    with pg.no_grad():
        assert (x * 2).is_leaf
    assert (x * 2).detach().is_leaf


def test_detach_gives_a_leaf_with_the_same_values(backend):
    y = leaf([1.0, 2.0]) * 2
    d = y.detach()
    assert not d.requires_grad
    assert d.grad_fn is None
    assert_values(d, [2.0, 4.0])
    assert y.requires_grad  # the original is untouched


def test_requires_grad_underscore_returns_the_tensor(backend):
    x = pg.tensor([1.0])
    assert x.requires_grad_() is x
    assert x.requires_grad
    assert x.requires_grad_(False) is x
    assert not x.requires_grad


def test_item_and_tolist(backend):
    assert pg.tensor([1.5]).item() == 1.5
    assert isinstance(pg.tensor([3]).item(), int)
    assert pg.tensor(2.5, requires_grad=True).item() == 2.5
    assert pg.tensor([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]
    assert pg.tensor([1.5, 2.0]).tolist() == [1.5, 2.0]
    with raises_runtime("a Tensor with 2 elements cannot be converted to Scalar"):
        pg.tensor([1.0, 2.0]).item()


def test_numpy_of_a_tensor_that_requires_grad(backend):
    x = leaf([1.0, 2.0])
    message = (
        "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."
    )
    with raises_runtime(message):
        x.numpy()
    with raises_runtime(message):
        np.asarray(x)
    np.testing.assert_array_equal(np.asarray(x.detach()), [1.0, 2.0])
    np.testing.assert_array_equal(x.detach().numpy(), [1.0, 2.0])


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda: pg.Tensor([10]), "tensor([10.])"),
        (lambda: pg.tensor([1.0, 2.0], requires_grad=True), "tensor([1., 2.], requires_grad=True)"),
        (lambda: pg.tensor([1, 2, 3]), "tensor([1, 2, 3])"),
        (lambda: pg.tensor(2.0), "tensor(2.)"),
        (
            lambda: pg.tensor([1150.1683], requires_grad=True).sum(),
            "tensor(1150.1683, grad_fn=<SumBackward0>)",
        ),
        (
            lambda: pg.tensor([1.0, 2.0], dtype=pg.float64),
            "tensor([1., 2.], dtype=pluggrad.float64)",
        ),
        (
            lambda: pg.tensor(1.5, dtype=pg.float64, requires_grad=True) * 2,
            "tensor(3., dtype=pluggrad.float64, grad_fn=<MulBackward0>)",
        ),
        (
            lambda: pg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True),
            "tensor([[1., 2.],\n        [3., 4.]], requires_grad=True)",
        ),
    ],
    ids=["legacy", "requires_grad", "int64", "scalar", "grad_fn", "float64", "float64_fn", "2d"],
)
def test_repr(make, expected, backend):
    assert repr(make()) == expected


def test_grad_of_x_squared_is_2x(backend):
    """The SPEC's first example: ``Tensor([5])``, y = x**2, dy/dx = 10."""
    x = pg.Tensor([5])
    x.requires_grad = True
    y = x**2
    assert y.grad_fn.name() == "PowBackward0"
    y.backward()
    assert repr(x.grad) == "tensor([10.])"
    assert math.isclose(x.grad.item(), 10.0)


def test_gradients_summed_in_a_buffer_never_change_an_alias_held_elsewhere(backend):
    # add's backward hands the same array (made by the * 1.0 node's backward) to both inputs:
    # y's buffer and x's. y's buffer then receives a second gradient (from y * 5, whose node
    # runs later because it was made earlier); summing it in place would change x's too
    # (NumPy reuses a buffer's array only when nothing else refers to it).
    x = pg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1.0
    t = (y * 5.0).sum()
    s = ((y + x) * 1.0).sum()
    out = s + t
    out.backward()
    assert values(x.grad).tolist() == [7.0, 7.0]
