"""In-place operations with PyTorch's semantics: version counters, the leaf rule, graph
rewiring, optimizer-style updates under no_grad, and errors in PyTorch's words."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import pluggrad as pg

from .helpers import assert_values


def test_inplace_on_a_leaf_that_requires_grad_raises(backend):
    x = pg.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used"):
        x.add_(1)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        x += 1
    assert x._version == 0


def test_modifying_a_saved_tensor_makes_backward_raise(backend):
    x = pg.ones(3, requires_grad=True)
    y = x * 2
    z = y * y
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation.*version 1; expected"):
        z.sum().backward()


def test_inplace_result_is_differentiated(backend):
    x = pg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    same = y.mul_(3)
    assert same is y and y._version == 1
    assert y.grad_fn.name() == "MulBackward0"
    y.sum().backward()
    assert_values(x.grad, [6, 6, 6])


def test_augmented_assignment_keeps_the_tensor(backend):
    x = pg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    before = id(y)
    y += x
    y *= 2
    assert id(y) == before and y._version == 2
    y.sum().backward()
    assert_values(x.grad, [4, 4])


@pytest.mark.parametrize(
    ("method", "node"), [("zero_", "ZeroBackward0"), ("fill_", "FillBackward2")]
)
def test_zero_and_fill_cut_the_gradient(backend, method, node):
    x = pg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    getattr(y, method)(*(() if method == "zero_" else (3.0,)))
    assert y.grad_fn.name() == node
    (y + x).sum().backward()
    assert_values(x.grad, [1, 1])


def test_copy_broadcasts_casts_and_differentiates(backend):
    x = pg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    src = pg.tensor([5.0, 6.0], dtype=pg.float64, requires_grad=True)
    y = x * 1
    y.copy_(src)
    assert y.grad_fn.name() == "torch::autograd::CopyBackwards" and y.dtype is pg.float32
    (y * 3).sum().backward()
    assert_values(x.grad, [[0, 0], [0, 0]])
    assert_values(src.grad, [6, 6], dtype=pg.float64)


def test_optimizer_step_under_no_grad_keeps_the_leaf(backend):
    w = pg.tensor([1.0, 1.0], requires_grad=True)
    (w * w).sum().backward()
    with pg.no_grad():
        w -= 0.1 * w.grad
    assert w.is_leaf and w.requires_grad and w._version == 1
    assert_values(w, [0.8, 0.8])
    w.grad.zero_()
    assert_values(w.grad, [0, 0])
    (w * w).sum().backward()
    assert_values(w.grad, [1.6, 1.6])


def test_dtype_and_shape_errors(backend):
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired"):
        pg.ones(3, dtype=pg.int64).add_(1.5)
    with pytest.raises(RuntimeError, match=r"output with shape \[3\] doesn't match the broadcast"):
        pg.ones(3).add_(pg.ones(2, 3))


def test_detached_tensors_share_inplace_writes_on_mutable_backends(backend):
    w = pg.tensor([1.0, 2.0], requires_grad=True)
    d = w.detach()
    d.mul_(2)
    if backend.name == "numpy":
        assert_values(w, [2, 4])  # PyTorch's aliasing: one storage
    else:
        assert_values(d, [2, 4])  # arrays replaced functionally (JAX) or not aliased
    assert d._version == w._version == 1  # one version counter, as in PyTorch


def test_unary_inplace_methods(backend):
    x = pg.tensor([0.5, 1.0], requires_grad=True)
    y = x * 1
    y.neg_().exp_()
    y.sum().backward()
    assert_values(x.grad, [-0.60653066, -0.36787944], rtol=1e-5)


def test_modifying_a_saved_result_in_place_fails_backward(backend):
    # exp_ saves its result, which is the tensor itself: neg_ changes it (PyTorch raises too)
    x = pg.tensor([0.5, 1.0], requires_grad=True)
    y = x * 1
    y.exp_().neg_()
    assert y._version == 2
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_retain_grad_follows_the_tensor_and_hooks_stay_with_the_old_value(backend):
    x = pg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    seen = []
    y.register_hook(lambda g: seen.append(g.tolist()))
    y.mul_(3)
    y.sum().backward()
    assert_values(y.grad, [1, 1])  # the gradient of the new value, as in PyTorch
    assert seen == [[3.0, 3.0]]  # the gradient of the value the hook was registered on
    assert_values(x.grad, [6, 6])


# -- every in-place method against its out-of-place form ------------------------------------------
_RANDOM = {"bernoulli_", "cauchy_", "exponential_", "geometric_", "log_normal_", "normal_",
           "random_", "uniform_"}  # fmt: skip
_INPLACE_METHODS = sorted(
    name
    for name in dir(pg.Tensor)
    if name.endswith("_") and not name.startswith("_") and hasattr(pg.Tensor, name[:-1])
    and name not in _RANDOM
)  # fmt: skip


@pytest.mark.parametrize("name", _INPLACE_METHODS)
def test_in_place_method_equals_out_of_place(backend, name):
    """``y.f_(...)`` on a non-leaf gives the values and gradients of ``y.f(...)`` (composite
    in-place methods included: a node inside them may have saved the input)."""
    rng = np.random.default_rng(0)
    base, other = rng.uniform(0.2, 0.9, (3, 4)), rng.uniform(0.3, 1.2, (3, 4))

    def run(inplace: bool, args: tuple):
        a = pg.asarray(base).requires_grad_()
        b = pg.asarray(other).requires_grad_()
        y = a * 1.5
        method = getattr(y, name if inplace else name[:-1])
        z = method(*(b if x == "o" else x for x in args))
        if z.requires_grad:
            (z * pg.asarray(other)).sum().backward()
        return [None if v is None else v.detach().numpy() for v in (z, a.grad, b.grad)]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for args in ((), ("o",)):
            try:
                expected = run(False, args)
            except (TypeError, RuntimeError, ValueError, IndexError):
                continue
            if expected[1] is None:  # not differentiable: PyTorch's in-place forms differ per
                pytest.skip(f"{name[:-1]} is not differentiable")  # op (zeros, errors, none)
            got = run(True, args)
            for e, g in zip(expected, got):
                assert (e is None) == (g is None)
                if e is not None:
                    np.testing.assert_allclose(g, e, rtol=1e-12, equal_nan=True)
            return
    pytest.skip(f"{name} takes other arguments than none or one tensor")
