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

import numpy as np
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


# -- buffers reused without being shared ----------------------------------------------------------
# A backend may let `.grad` take the engine's gradient array, and an in-place update take its
# freshly computed array, when nothing else can see them (the NumPy backend counts references):
# these tests fail if an array ends up shared.
def _memory(t):
    return t.detach().numpy()


def test_gradients_handed_to_two_leaves_are_not_shared(backend):
    a = pg.ones(3, requires_grad=True)
    b = pg.ones(3, requires_grad=True)
    (a + b).sum().backward()  # AddBackward gives both the same gradient
    if backend.mutable:  # (immutable arrays may be shared: nothing can change them)
        assert not np.shares_memory(_memory(a.grad), _memory(b.grad))
    a.grad.add_(1)
    assert_values(b.grad, [1.0, 1.0, 1.0])


def test_a_gradient_kept_by_a_hook_is_not_changed_by_accumulation(backend):
    kept = []
    z = pg.ones(3, requires_grad=True)
    z.register_hook(kept.append)
    (z * 2).sum().backward()
    (z * 2).sum().backward()  # accumulates into z.grad in place
    assert_values(z.grad, [4.0, 4.0, 4.0])
    assert_values(kept[0], [2.0, 2.0, 2.0])


def test_in_place_updates_reach_views_and_exported_arrays(backend):
    x = pg.zeros(4)
    view = x[:2]
    with pg.no_grad():
        x.add_(1).mul_(3)
    assert_values(view, [3.0, 3.0])
    if backend.name == "numpy":  # its .numpy() shares the tensor's memory, as PyTorch's does
        exported = x.numpy()
        x.add_(1)
        assert exported.tolist() == [4.0, 4.0, 4.0, 4.0]
    y = pg.zeros(2)
    z = pg.ones(2)
    y.copy_(z)  # a result that is an argument is copied, never shared
    y.add_(1)
    assert_values(z, [1.0, 1.0])


def test_a_linear_layers_weight_gradient_is_row_major_as_its_weight(backend):
    # the weight enters its product transposed (column-major): its gradient is computed in that
    # layout, as PyTorch's mm_mat2_backward does, so that .grad takes it without a copy
    w = pg.tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
    x = pg.tensor(np.linspace(-1.0, 1.0, 8).reshape(2, 4), requires_grad=True)
    y = pg.nn.functional.linear(x, w)
    assert y.grad_fn._saved_other_sym_strides == (1, 4)  # PyTorch's _saved_mat2_sym_strides
    g = np.array([[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]])
    y.backward(pg.tensor(g))
    assert w.grad.stride() == (4, 1)
    assert_values(w.grad, g.T @ np.linspace(-1.0, 1.0, 8).reshape(2, 4))
    assert_values(x.grad, g @ np.arange(12.0).reshape(3, 4))


def test_a_transposed_gradient_kept_by_a_hook_is_not_adopted(backend):
    w = pg.ones(3, 4, requires_grad=True)
    kept = []
    wt = w.t()
    wt.register_hook(kept.append)  # holds the gradient the leaf's would be a view of
    (pg.ones(2, 4) @ wt).sum().backward()
    w.grad.add_(1)
    assert_values(kept[0], np.full((4, 3), 2.0))
    assert_values(w.grad, np.full((3, 4), 3.0))


@pytest.mark.parametrize("transposed", ["x1", "x2", "both"])
def test_products_of_transposed_matrices_have_their_derivatives(backend, transposed):
    rng = np.random.default_rng(0)
    a = pg.tensor(rng.standard_normal((4, 3)), requires_grad=True)
    b = pg.tensor(rng.standard_normal((4, 5)), requires_grad=True)

    def product(a, b):
        left = a.mT if transposed in ("x1", "both") else a.mT.contiguous()
        right = b.mT.mT if transposed == "x1" else b.mT.contiguous().mT
        return left @ right

    assert pg.autograd.gradcheck(product, (a, b))
    assert pg.autograd.gradgradcheck(product, (a, b))
