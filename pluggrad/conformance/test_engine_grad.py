"""Gradients other than a leaf's ``.grad`` against PyTorch 2.13's behaviour, on every
backend: ``retain_grad`` and the ``.grad`` of non-leaves, higher-order derivatives
(``create_graph``), ``autograd.grad`` and ``backward(inputs=...)``.

Values, exception types and the first sentence of each message are PyTorch's, each scenario
run with real PyTorch first (``torch.`` spelled ``pluggrad.`` in reprs).
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

import pluggrad as pg

from .helpers import assert_values, leaf, raises_runtime

NON_LEAF_GRAD = "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed"


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
