"""Custom ``autograd.Function``: the ctx API, setup_context, non-tensor arguments, several
outputs, mark_dirty, once_differentiable, and gradcheck on custom Functions (behaviour checked
against PyTorch 2.13)."""

from __future__ import annotations

import re

import pytest

import pluggrad as pg
from pluggrad.autograd.function import once_differentiable

from .helpers import assert_values


class Scale(pg.autograd.Function):
    """x * k * y with a Python number k between two tensors."""

    @staticmethod
    def forward(ctx, x, k, y):
        ctx.k = k
        ctx.save_for_backward(x, y)
        ctx.seen_needs = ctx.needs_input_grad
        return x * y * k

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        gx = g * y * ctx.k if ctx.needs_input_grad[0] else None
        gy = g * x * ctx.k if ctx.needs_input_grad[2] else None
        return gx, None, gy


def test_non_tensor_arguments_have_no_edge(backend):
    x = pg.tensor([1.0, 2.0], requires_grad=True)
    y = pg.tensor([3.0, 4.0])
    out = Scale.apply(x, 2.0, y)
    assert out.grad_fn.seen_needs == (True, False, False)
    assert out.grad_fn.name() == "ScaleBackward"
    # one edge per tensor argument, as in PyTorch
    edges = out.grad_fn.next_functions
    assert [type(n).__name__ if n is not None else None for n, _ in edges] == [
        "AccumulateGrad",
        None,
    ]
    out.sum().backward()
    assert_values(x.grad, [6, 8])
    assert y.grad is None


def test_wrong_number_of_gradients(backend):
    class Two(pg.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            return a + b

        @staticmethod
        def backward(ctx, g):
            return g

    x = pg.tensor([1.0], requires_grad=True)
    with pytest.raises(
        RuntimeError,
        match=r"^function TwoBackward returned an incorrect number of gradients \(expected 2, "
        r"got 1\)",
    ):
        Two.apply(x, x).backward()


def test_mark_dirty_rebases_the_modified_input(backend):
    class AddOne(pg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.add_(1)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    a = pg.tensor([1.0, 2.0], requires_grad=True)
    b = a * 2
    v = b._version
    c = AddOne.apply(b)
    assert c is b
    assert b._version == v + 2  # the add_ and the dirty mark, as in PyTorch
    assert b.grad_fn.name() == "AddOneBackward"
    (b * b).sum().backward()
    assert_values(a.grad, [12, 20])
    with pytest.raises(
        RuntimeError, match="^a leaf Variable that requires grad has been used in an in-place"
    ):
        AddOne.apply(a)


def test_once_differentiable(backend):
    class Square(pg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @once_differentiable
        def backward(ctx, g):
            assert not pg.is_grad_enabled()
            (x,) = ctx.saved_tensors
            return 2 * x * g

    x = pg.tensor([3.0], requires_grad=True)
    Square.apply(x).backward()
    assert_values(x.grad, [6])
    x = pg.tensor([3.0], requires_grad=True)
    (g,) = pg.autograd.grad(Square.apply(x), x, create_graph=True)
    assert not g.requires_grad  # the incoming gradient did not require grad
    x = pg.tensor([3.0], requires_grad=True)
    y = Square.apply(x)
    with pytest.warns(UserWarning, match="reference cycle"):
        y.backward(pg.ones(1, requires_grad=True), create_graph=True)
    assert x.grad.requires_grad
    with pytest.raises(
        RuntimeError,
        match="^trying to differentiate twice a function that was marked with @once_differentiable",
    ):
        x.grad.sum().backward()


def test_materialize_grads(backend):
    class Pair(pg.autograd.Function):
        @staticmethod
        def forward(ctx, x, materialize):
            ctx.set_materialize_grads(materialize)
            return x.clone(), x.clone()

        @staticmethod
        def backward(ctx, g1, g2):
            ctx.got = (g1 is None, g2 is None)
            return (g1 if g2 is None else g1 + g2), None

    for materialize, got in ((True, (False, False)), (False, (False, True))):
        x = pg.tensor([1.0, 2.0], requires_grad=True)
        p, _ = Pair.apply(x, materialize)
        p.sum().backward()
        assert p.grad_fn.got == got
        assert_values(x.grad, [1, 1])


def test_setup_context_style_is_differentiable_twice_and_gradchecks(backend):
    class Cube(pg.autograd.Function):
        @staticmethod
        def forward(x):
            return x**3

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(inputs[0])

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * x**2 * g

    x = pg.tensor([2.0], requires_grad=True)
    (g,) = pg.autograd.grad(Cube.apply(x), x, create_graph=True)
    assert_values(g, [12])
    (gg,) = pg.autograd.grad(g, x)
    assert_values(gg, [12])
    x = pg.tensor([1.5, -0.5], dtype=pg.float64, requires_grad=True)
    assert pg.autograd.gradcheck(Cube.apply, (x,))
    assert pg.autograd.gradgradcheck(Cube.apply, (x,))


def test_saving_an_inference_tensor_raises(backend):
    class Keep(pg.autograd.Function):
        @staticmethod
        def forward(ctx, x, other):
            ctx.save_for_backward(other)
            return x * other

        @staticmethod
        def backward(ctx, g):
            return g, None

    with pg.inference_mode():
        other = pg.ones(2)
    x = pg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="^Inference tensors cannot be saved for backward"):
        Keep.apply(x, other)


def test_saved_tensor_modified_in_place_error_names_the_tensor_as_torch(backend):
    class Keep(pg.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a * 2

        @staticmethod
        def backward(ctx, g):
            (a,) = ctx.saved_tensors
            return g * a

    a = pg.ones(2, 3, dtype=pg.float64, requires_grad=True).exp()
    out = Keep.apply(a)
    with pg.no_grad():
        a.add_(1)
    message = (
        "one of the variables needed for gradient computation has been modified by an inplace "
        "operation: [torch.DoubleTensor [2, 3]], which is output 0 of Exp, is at version 1; "
        "expected version 0 instead."
    )
    with pytest.raises(RuntimeError, match="^" + re.escape(message)):
        out.sum().backward()


def test_vjp_is_the_other_name_of_backward(backend):
    class Double(pg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def vjp(ctx, g):
            return g * 2

    class Both(Double):
        @staticmethod
        def backward(ctx, g):
            return g

    x = pg.tensor([1.0, 3.0], requires_grad=True)
    Double.apply(x).sum().backward()
    assert_values(x.grad, [2, 2])
    with pytest.raises(RuntimeError, match="^Implementing both 'backward' and 'vjp'"):
        Both.apply(x).sum().backward()
