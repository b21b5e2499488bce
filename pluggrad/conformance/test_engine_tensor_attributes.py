"""The tensor attributes that autograd relies on, against PyTorch 2.13's behaviour, on
every backend: constructors, ``requires_grad``, ``is_leaf``, ``detach``, ``item``,
``numpy()`` and reprs, and the SPEC's first example.

Values, exception types and the first sentence of each message are PyTorch's, each scenario
run with real PyTorch first (``torch.`` spelled ``pluggrad.`` in reprs).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import pluggrad as pg

from .helpers import assert_values, leaf, raises_runtime, values

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


def test_legacy_constructor_honours_its_device(backend):
    t = pg.Tensor([1.0, 2.0], device=pg.tensor([0.0]).device)
    assert t.device == pg.tensor([0.0]).device and t.dtype is pg.float32
    with pytest.raises(RuntimeError, match="Expected one of cpu, cuda"):
        pg.Tensor([1.0], device="no-such-device:7")
    with pytest.raises(RuntimeError, match="backend has no device 'mps'"):
        pg.Tensor([1.0], device="mps")
