"""Memory: what backward frees, checkpointing, and the parameter/gradient reference cycle of
``backward(create_graph=True)``.

PyTorch's engine frees the tensors a node saved for backward as soon as the node ran (unless
``retain_graph``); pluggrad does too.  ``backward(create_graph=True)`` makes ``p.grad`` carry a
graph that references ``p``: PyTorch warns that this cycle leaks until ``p.grad`` is reset.  In
pluggrad the graph is made of Python objects, so the cycle is collected by Python's cyclic
garbage collector, and resetting ``p.grad`` (to None, or to ``p.grad.detach()``) frees the
graph at once, by reference counting alone.
"""

from __future__ import annotations

import gc
import warnings
import weakref

import pytest

import pluggrad as pg
from pluggrad.utils.checkpoint import checkpoint

from .helpers import assert_values


class Box:
    """What the pack hook stores instead of a tensor: an object we can hold weakly."""

    def __init__(self, tensor):
        self.tensor = tensor


@pytest.fixture
def no_gc():
    """Run with the cyclic garbage collector off: only reference counting frees objects."""
    gc.collect()
    gc.disable()
    yield
    gc.enable()


def _saving(fn):
    boxes = []

    def pack(t):
        box = Box(t)
        boxes.append(weakref.ref(box))
        return box

    with pg.autograd.graph.saved_tensors_hooks(pack, lambda box: box.tensor):
        out = fn()
    return out, boxes


def test_saved_tensors_are_freed_by_backward(backend, no_gc):
    x = pg.tensor([1.0, 2.0], requires_grad=True)
    out, boxes = _saving(lambda: (x.exp() * x).sin().sum())
    assert boxes and all(b() is not None for b in boxes)
    out.backward()
    assert all(b() is None for b in boxes)


def test_retain_graph_keeps_them_until_the_graph_goes(backend, no_gc):
    x = pg.tensor([1.0, 2.0], requires_grad=True)
    out, boxes = _saving(lambda: (x.exp() * x).sum())
    out.backward(retain_graph=True)
    assert all(b() is not None for b in boxes)
    out.backward()
    assert_values(x.grad, 2 * (x.detach().exp() * (x.detach() + 1)), rtol=1e-5)
    assert all(b() is None for b in boxes)


def test_custom_function_saved_tensors_are_released(backend, no_gc):
    class Mul(pg.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return a * b

        @staticmethod
        def backward(ctx, g):
            a, b = ctx.saved_tensors
            return g * b, g * a

    x = pg.tensor([1.0, 2.0], requires_grad=True)
    other = pg.tensor([3.0, 4.0])
    out = Mul.apply(x, other * 1)
    saved = weakref.ref(out.grad_fn.saved_tensors[1])
    out.sum().backward()
    assert saved() is None


def test_checkpoint_frees_intermediates_and_gives_the_same_grads(backend):
    w = pg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)

    def block(x):
        return (x @ w).tanh() * x

    x = pg.tensor([[0.5, -0.25]], requires_grad=True)
    block(x).sum().backward()
    expected = (x.grad, w.grad)
    x.grad = w.grad = None
    for reentrant in (False, True):
        checkpoint(block, x, use_reentrant=reentrant).sum().backward()
        assert_values(x.grad, expected[0].detach(), rtol=1e-6)
        assert_values(w.grad, expected[1].detach(), rtol=1e-6)
        x.grad = w.grad = None


def _create_graph_backward(x):
    with pytest.warns(UserWarning, match="reference cycle between the parameter and its grad"):
        (x**3).sum().backward(create_graph=True)


def test_resetting_grad_frees_the_graph_at_once(backend, no_gc):
    x = pg.tensor([1.0, 2.0], requires_grad=True)
    _create_graph_backward(x)
    grad, node = weakref.ref(x.grad), weakref.ref(x.grad.grad_fn)
    assert x.grad.requires_grad
    x.grad = None
    assert grad() is None and node() is None


def test_detaching_grad_frees_the_graph_and_keeps_the_values(backend, no_gc):
    x = pg.tensor([1.0, 2.0], requires_grad=True)
    _create_graph_backward(x)
    node = weakref.ref(x.grad.grad_fn)
    x.grad = x.grad.detach()
    assert node() is None
    assert_values(x.grad, [3, 12])


def test_forgotten_cycle_is_collected_by_the_garbage_collector(backend):
    x = pg.tensor([1.0, 2.0], requires_grad=True)
    _create_graph_backward(x)
    leaf, grad = weakref.ref(x), weakref.ref(x.grad)
    del x
    gc.collect()
    assert leaf() is None and grad() is None


def test_autograd_grad_makes_no_cycle(backend, no_gc):
    x = pg.tensor([1.0, 2.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no reference-cycle warning either
        (g,) = pg.autograd.grad((x**3).sum(), x, create_graph=True)
    leaf = weakref.ref(x)
    del x, g
    assert leaf() is None
