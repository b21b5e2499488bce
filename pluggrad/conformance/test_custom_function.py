"""Custom ``autograd.Function``: the ctx API, setup_context, non-tensor arguments, several
outputs, mark_dirty, once_differentiable, and gradcheck on custom Functions (behaviour checked
against PyTorch 2.13)."""

from __future__ import annotations

import re

import pytest

import pluggrad as pg

from .helpers import assert_values
from .scenarios.custom_function import Cube, Keep, MulConst, WrongCount
from .scenarios.mark_dirty import AddOneInplace
from .scenarios.once_differentiable import Square


def test_non_tensor_arguments_have_no_edge(backend, capsys):
    """``MulConst`` (x * k * y with a Python number k between two tensors) prints
    ``ctx.needs_input_grad`` in its forward."""
    x = pg.tensor([1.0, 2.0], requires_grad=True)
    y = pg.tensor([3.0, 4.0])
    out = MulConst.apply(x, 2.0, y)
    assert capsys.readouterr().out == "needs_input_grad (True, False, False)\n"
    assert out.grad_fn.name() == "MulConstBackward"
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
    x = pg.tensor([1.0], requires_grad=True)
    with pytest.raises(
        RuntimeError,
        match=r"^function WrongCountBackward returned an incorrect number of gradients "
        r"\(expected 2, got 1\)",
    ):
        WrongCount.apply(x, x).backward()


def test_mark_dirty_rebases_the_modified_input(backend):
    a = pg.tensor([1.0, 2.0], requires_grad=True)
    b = a * 2
    v = b._version
    c = AddOneInplace.apply(b)
    assert c is b
    assert b._version == v + 2  # the add_ and the dirty mark, as in PyTorch
    assert b.grad_fn.name() == "AddOneInplaceBackward"
    (b * b).sum().backward()
    assert_values(a.grad, [12, 20])
    with pytest.raises(
        RuntimeError, match="^a leaf Variable that requires grad has been used in an in-place"
    ):
        AddOneInplace.apply(a)


def test_once_differentiable(backend, capsys):
    """``Square``'s backward is marked ``@once_differentiable``; it prints whether grad mode is
    on inside it."""
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
    inside = capsys.readouterr().out.splitlines()
    assert len(inside) == 3  # one backward of Square per pass
    assert all(line.startswith("in backward: grad enabled False ") for line in inside)


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
    x = pg.tensor([2.0], requires_grad=True)
    (g,) = pg.autograd.grad(Cube.apply(x), x, create_graph=True)
    assert_values(g, [12])
    (gg,) = pg.autograd.grad(g, x)
    assert_values(gg, [12])
    x = pg.tensor([1.5, -0.5], dtype=pg.float64, requires_grad=True)
    assert pg.autograd.gradcheck(Cube.apply, (x,))
    assert pg.autograd.gradgradcheck(Cube.apply, (x,))


def test_saving_an_inference_tensor_raises(backend):
    class KeepOther(pg.autograd.Function):
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
        KeepOther.apply(x, other)


def test_saved_tensor_modified_in_place_error_names_the_tensor_as_torch(backend):
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
