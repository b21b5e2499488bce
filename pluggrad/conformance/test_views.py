"""Views with PyTorch's semantics on every backend: writes through any view reach the base and
every other view (NumPy's own views are the oracle for which elements), and in-place changes of
views are differentiated right, first and second order (gradcheck, gradgradcheck)."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pluggrad as pg

from .helpers import assert_values


def _writable(a: np.ndarray, view: np.ndarray) -> np.ndarray:
    """`view` (a read-only NumPy view of `a` starting at a's first element) made writable."""
    return np.lib.stride_tricks.as_strided(a, view.shape, view.strides, writeable=True)


# view steps, each written once for pluggrad and once for NumPy (whose views share memory)
STEPS = {
    "row": (lambda t: t[1], lambda a: a[1, ...]),
    "tail": (lambda t: t[1:], lambda a: a[1:]),
    "every_other": (lambda t: t[::2], lambda a: a[::2]),
    "last_axis": (lambda t: t[..., 1:], lambda a: a[..., 1:]),
    "transpose": (lambda t: t.transpose(0, -1), lambda a: a.swapaxes(0, -1)),
    "unsqueeze": (lambda t: t.unsqueeze(1), lambda a: a[:, None]),
    "flatten": (lambda t: t.flatten(), lambda a: a.reshape(-1)),
    "diagonal": (lambda t: t.diagonal(), lambda a: _writable(a, a.diagonal())),
    "narrow": (lambda t: t.narrow(0, 1, 1), lambda a: a[1:2]),
    "select": (lambda t: t.select(-1, 0), lambda a: a[..., 0]),
    "squeeze": (lambda t: t.squeeze(), lambda a: a.squeeze()),
}


def _applicable(name: str, shape: tuple) -> bool:
    if name in ("row", "tail", "every_other", "narrow", "unsqueeze"):
        return len(shape) >= 1 and shape[0] >= 2
    if name in ("last_axis", "select"):
        return len(shape) >= 1 and shape[-1] >= 2
    if name == "diagonal":
        return len(shape) >= 2
    if name == "flatten":  # a view only where no copy is needed: NumPy's reshape may copy
        return False
    return len(shape) >= 1


# the backend fixture only selects the backend: nothing in it changes between examples
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    shape=st.lists(st.integers(2, 4), min_size=2, max_size=3).map(tuple),
    names=st.lists(st.sampled_from(sorted(STEPS)), min_size=1, max_size=4),
    value=st.floats(-5, 5, allow_nan=False),
)
def test_a_write_through_any_chain_of_views_reaches_the_base(backend, shape, names, value):
    expected = np.arange(float(np.prod(shape))).reshape(shape)
    base = pg.tensor(expected.copy())
    sibling = base[0]  # another view, which must see the write too
    t, a = base, expected
    for name in names:
        if not _applicable(name, tuple(a.shape)):
            continue
        ours, numpys = STEPS[name]
        t, a = ours(t), numpys(a)
        assert tuple(t.shape) == a.shape
        # PyTorch's strides, where they matter (any stride fits an axis of length one)
        assert [s for n, s in zip(a.shape, t.stride()) if n > 1] == [
            s // 8 for n, s in zip(a.shape, a.strides) if n > 1
        ]
    t.add_(value)
    a += value
    assert_values(base, expected)
    assert_values(t, a)
    assert_values(sibling, expected[0])
    assert base._version == t._version == 1


def _write_into_column(x, w):
    b = x.clone()
    b[:, 1].mul_(w)
    b.t()[0] += w.sum()
    return b * b


def _setitem_on_a_view(x, w):
    b = x * 1
    v = b.view(-1)
    v[1:3] = w * w
    return b.exp()


def _base_changed_under_its_view(x, w):
    b = x + 0
    d = b.diagonal()
    b.mul_(w[0])
    return d * d


def _unsqueezed_transposed_chain(x, w):
    b = x.clone()
    b.unsqueeze(0).transpose(1, 2)[0, 2].sin_()
    b.narrow(1, 0, 1).copy_(w[:, None])
    return b


def _real_and_imag_views(x, w):
    c = x.to(pg.complex128)
    c.imag.copy_(x * w[0])
    c.real.mul_(w[1])
    return (c * c).abs()


@pytest.mark.parametrize(
    ("fn", "x_shape", "w_shape"),
    [
        (_write_into_column, (3, 3), (3,)),
        (_setitem_on_a_view, (3, 3), (2,)),
        (_base_changed_under_its_view, (3, 3), (2,)),
        (_unsqueezed_transposed_chain, (3, 3), (3,)),
        (_real_and_imag_views, (2, 2), (2,)),
    ],
    ids=lambda p: p.__name__.strip("_") if callable(p) else "",
)
def test_inplace_changes_of_views_pass_gradcheck_and_gradgradcheck(backend, fn, x_shape, w_shape):
    rng = np.random.default_rng(0)
    x = pg.tensor(rng.uniform(0.5, 1.5, x_shape), requires_grad=True)
    w = pg.tensor(rng.uniform(0.5, 1.5, w_shape), requires_grad=True)
    assert pg.autograd.gradcheck(fn, (x, w))
    assert pg.autograd.gradgradcheck(fn, (x, w))


def test_views_share_the_version_counter_and_storage(backend):
    x = pg.zeros(2, 3)
    v = x.t()
    assert v._base is x and v._is_view() and not x._is_view() and x._base is None
    v[0].fill_(1)
    assert x._version == v._version == 1
    assert v.data_ptr() == x.data_ptr() and x[1].data_ptr() == x.data_ptr() + 3 * 4
    d = x.detach()
    assert d._base is None and not d._is_view()
    d.add_(1)
    assert_values(x, [[2, 1, 1], [2, 1, 1]])
    assert x._version == 2


def test_a_view_keeps_its_base_and_detach_keeps_nothing_alive(backend):
    x = pg.ones(3, requires_grad=True)
    y = x * 2
    node = weakref.ref(y.grad_fn)
    v = y[1:]
    d = y.detach()
    del y
    gc.collect()
    assert node() is not None  # the view holds its base, whose history it is part of
    del v
    gc.collect()
    assert node() is None  # detach() shares the elements only
    assert_values(d, [2, 2, 2])


def test_reshape_copies_where_strides_cannot_express_it(backend):
    x = pg.arange(6.0).view(2, 3).clone()
    assert x.reshape(3, 2)._base is x
    flat = x.t().reshape(-1)
    assert flat._base is None and not flat._is_view()
    flat.zero_()
    assert x.sum().item() == 15
    with pytest.raises(RuntimeError, match="view size is not compatible"):
        x.t().view(-1)


def test_writes_into_an_expanded_view_raise_unless_they_touch_one_element(backend):
    x = pg.zeros(3)
    e = x.expand(2, 3)
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        e.add_(1)
    assert x._version == 0
    e[1, 2] = 5.0
    assert_values(x, [0, 0, 5])
    assert_values(e, [[0, 0, 5], [0, 0, 5]])
