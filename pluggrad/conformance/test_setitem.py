"""``Tensor.__setitem__`` with PyTorch's semantics (values checked against PyTorch 2.13):
``CopySlices`` / ``IndexPutBackward0``, gradients to the old value and to the written value,
every kind of key, broadcasting, dtypes, version counters and errors."""

from __future__ import annotations

import numpy as np
import pytest

import pluggrad as pg

from .helpers import assert_values, values


def test_clone_then_set_gives_zero_gradient_where_written(backend):
    x = pg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x.clone()
    y[0] = 5
    assert y._version == 1
    assert type(y.grad_fn).__name__ == "CopySlices"
    assert y.grad_fn.name() == "torch::autograd::CopySlices"
    assert [n.name() if n else None for n, _ in y.grad_fn.next_functions] == [
        "CloneBackward0",
        None,
    ]
    y.sum().backward()
    assert_values(y.detach(), [5, 2, 3])
    assert_values(x.grad, [0, 1, 1])


def test_value_that_requires_grad_gets_the_gradient(backend):
    x = pg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    v = pg.tensor([10.0, 20.0], requires_grad=True)
    y = x * 1
    y[1] = v * 2
    (y * y).sum().backward()
    assert_values(x.grad, [[2, 4], [0, 0]])
    assert_values(v.grad, [80, 160])


@pytest.mark.parametrize(
    "key, node, x_grad, value_grad",
    [
        ((slice(0, 2), 1), "CopySlices", [[1, 0, 1], [1, 0, 1], [1, 1, 1]], 2),
        ((Ellipsis, 0), "CopySlices", [[0, 1, 1], [0, 1, 1], [0, 1, 1]], 3),
        ((None, 1), "CopySlices", [[1, 1, 1], [0, 0, 0], [1, 1, 1]], 3),
        (-1, "CopySlices", [[1, 1, 1], [1, 1, 1], [0, 0, 0]], 3),
        ("ints", "IndexPutBackward0", [[0, 0, 0], [1, 1, 1], [0, 0, 0]], 6),
        ("pairs", "IndexPutBackward0", [[1, 0, 1], [1, 1, 1], [1, 1, 0]], 2),
        ("mask", "IndexPutBackward0", [[1, 1, 1], [1, 1, 0], [0, 0, 0]], 4),
        ("list", "IndexPutBackward0", [[0, 0, 0], [1, 1, 1], [0, 0, 0]], 6),
        ((1, slice(None, None, 2)), "CopySlices", [[1, 1, 1], [0, 1, 0], [1, 1, 1]], 2),
    ],
)
def test_keys(backend, key, node, x_grad, value_grad):
    base = pg.arange(9.0).reshape(3, 3)
    key = (
        {
            "ints": lambda: pg.tensor([0, 2]),
            "pairs": lambda: (pg.tensor([0, 2]), pg.tensor([1, 2])),
            "mask": lambda: base > 4.5,
            "list": lambda: [0, 2],
        }.get(key, lambda: key)()
        if isinstance(key, str)
        else key
    )
    x = base.clone().requires_grad_()
    y = x * 1
    value = pg.tensor(-1.0, requires_grad=True)
    y[key] = value
    assert type(y.grad_fn).__name__ == node
    y.sum().backward()
    assert_values(x.grad, x_grad)
    assert_values(value.grad, value_grad)
    expected = np.arange(9.0).reshape(3, 3)
    expected[np.asarray(x_grad) == 0] = -1
    assert_values(y.detach(), expected)


def test_value_broadcasts_and_its_gradient_is_summed(backend):
    x = pg.zeros(3, 4, requires_grad=True)
    y = x + 0
    row = pg.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    y[1:] = row
    (y * pg.arange(12.0).reshape(3, 4)).sum().backward()
    assert_values(y.detach(), [[0, 0, 0, 0], [1, 2, 3, 4], [1, 2, 3, 4]])
    assert_values(x.grad, [[0, 1, 2, 3], [0, 0, 0, 0], [0, 0, 0, 0]])
    assert_values(row.grad, [12, 14, 16, 18])


def test_value_with_leading_ones_and_other_dtype(backend):
    x = pg.zeros(2, 3).clone()
    x[0] = pg.ones(1, 1, 3)
    assert_values(x, [[1, 1, 1], [0, 0, 0]])
    y = pg.zeros(3, requires_grad=True).clone()
    v = pg.tensor(2.0, dtype=pg.float64, requires_grad=True)
    y[0] = v
    assert y.dtype is pg.float32
    y.sum().backward()
    assert v.grad.dtype is pg.float64
    assert_values(v.grad, 1.0)


def test_integer_tensors_and_python_values(backend):
    t = pg.zeros(2, 3, dtype=pg.int64)
    t[0, 1] = 7
    t[1] = pg.tensor([1, 2, 3])
    t[0, 2] = 2.7  # cast to the tensor's dtype
    assert_values(t, [[0, 7, 2], [1, 2, 3]])
    assert t.dtype is pg.int64 and t._version == 3
    assert not t.requires_grad and t.grad_fn is None
    b = pg.zeros(3, dtype=pg.bool)
    b[pg.tensor([0, 2])] = pg.tensor([True, True])
    assert values(b).tolist() == [True, False, True]


def test_repeated_indices_last_value_wins(backend):
    x = pg.zeros(4)
    x[pg.tensor([0, 0])] = pg.tensor([1.0, 2.0])
    assert_values(x, [2, 0, 0, 0])


def test_setting_a_leaf_that_requires_grad_raises(backend):
    leaf = pg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="^a view of a leaf Variable that requires grad"):
        leaf[0] = 1.0
    with pytest.raises(RuntimeError, match="^a leaf Variable that requires grad is being used"):
        leaf[pg.tensor([0])] = 1.0
    assert leaf._version == 0
    with pg.no_grad():
        leaf[0] = 9.0
    assert leaf.is_leaf and leaf.requires_grad and leaf._version == 1
    assert_values(leaf.detach(), [9, 2])


def test_setting_a_tensor_saved_for_backward_fails_backward(backend):
    a = pg.tensor([1.0, 2.0], requires_grad=True)
    b = a * 1
    c = b * b  # saves b
    b[0] = 0
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        c.sum().backward()
    e = a.exp()  # saves its result
    e[1] = 3.0
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        (e * 1).sum().backward()


def test_shape_mismatch_raises_torch_error(backend):
    x = pg.zeros(3, 4)
    with pytest.raises(RuntimeError, match=r"^The expanded size of the tensor \(4\) must match"):
        x[0] = pg.ones(3)
    with pytest.raises(RuntimeError, match=r"the number of sizes provided \(1\) must be greater"):
        x[0, 1:2] = pg.ones(2, 3)
    with pytest.raises(IndexError):
        x[5] = 1.0
    assert x._version == 0


def test_second_order_through_setitem(backend):
    x = pg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * x
    y[1] = x[0] ** 3
    (g,) = pg.autograd.grad(y.sum(), x, create_graph=True)
    assert_values(g, [5, 0, 6])
    (gg,) = pg.autograd.grad(g.sum(), x)
    assert_values(gg, [8, 0, 2])


def test_gradcheck_through_setitem(backend):
    def f(x, v):
        y = x * 1
        y[pg.tensor([0, 2])] = v.sin()
        y[1, 1:] = v[0] * v[1]
        return y * x

    x = pg.tensor(np.linspace(-1, 1, 9).reshape(3, 3), requires_grad=True)
    v = pg.tensor([0.3, -0.7, 1.1], dtype=pg.float64, requires_grad=True)
    assert pg.autograd.gradcheck(f, (x, v))
    assert pg.autograd.gradgradcheck(f, (x, v))


def test_detached_alias_sees_the_write_on_mutable_backends(backend):
    x = pg.tensor([1.0, 2.0])
    d = x.detach()
    x[0] = 7.0
    assert d._version == x._version == 1
    if backend.name == "numpy":  # one memory, as in PyTorch (other backends replace the array)
        assert_values(d, [7, 2])


def test_hooks_on_the_overwritten_tensor_still_run(backend):
    x = pg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    seen = []
    y.register_hook(lambda g: seen.append(values(g).tolist()))
    y[0] = 0.0
    y.sum().backward()
    # the hook belongs to y's value before the write: it receives the gradient of that value
    assert seen == [[0.0, 1.0, 1.0]]
    assert_values(x.grad, [0, 2, 2])
