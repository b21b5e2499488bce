"""The parts of the ``torch.*`` aliases, windows and Tensor extras that the torch-comparison
scenarios (``api_nn_aliases``, ``api_tensor_utilities``) cannot print: where PyTorch itself
fails (``vander``'s backward), PyTorch's keyword names through the namespace adapter, and the
layout object's identity."""

from __future__ import annotations

import pickle

import pytest

import pluggrad as pg
from pluggrad.autograd import gradcheck, gradgradcheck


def test_vander_is_differentiable_every_order(backend):
    # PyTorch 2.13's vander raises in backward (its in-place copy_ invalidates cumprod's saved
    # input); pluggrad's, made of concat and cumulative_prod, has gradients of every order
    x = pg.tensor([1.5, -2.0, 0.5], dtype=pg.float64, requires_grad=True)
    assert gradcheck(lambda a: pg.vander(a, 4), [x])
    assert gradgradcheck(lambda a: pg.vander(a, 4, increasing=True), [x])
    (g,) = pg.autograd.grad(pg.vander(x).sum(), x)
    assert g.tolist() == [2 * 1.5 + 1, 2 * -2.0 + 1, 2 * 0.5 + 1]


def test_windows_and_index_reduce_gradients(backend):
    w = pg.hann_window(5, dtype=pg.float64, requires_grad=True)
    assert w.is_leaf and w.requires_grad and w.grad_fn is None
    base = pg.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=pg.float64, requires_grad=True)
    src = pg.tensor([[2.0, -1.0], [0.5, 3.0], [1.5, 2.5]], dtype=pg.float64, requires_grad=True)
    index = pg.tensor([1, 0, 1])
    pg.set_warn_always(True)  # index_reduce warns once per process, as PyTorch, otherwise
    with pytest.warns(UserWarning, match="index_reduce"):
        for reduce in ("prod", "mean", "amax", "amin"):

            def f(b, s, reduce=reduce):
                return pg.index_reduce(b, 0, index, s, reduce)

            assert gradcheck(f, [base, src])
    pg.set_warn_always(False)


def test_torch_keyword_names_reach_the_aliases(backend):
    x = pg.tensor([[0.5, -1.5], [2.0, -0.25]])
    assert pg.dropout(input=x, p=0.5, train=False) is x
    assert pg.pdist(input=x, p=1.0).tolist() == [pytest.approx(2.75)]
    assert pg.hann_window(window_length=3, periodic=False).tolist() == [0.0, 1.0, 0.0]
    assert pg.kl_div(x, x.exp(), reduction=2, log_target=True).shape == ()


def test_strided_is_one_object_through_pickle():
    assert pickle.loads(pickle.dumps(pg.strided)) is pg.strided
    assert pg.ones(2).layout is pg.strided and repr(pg.strided) == "pluggrad.strided"


def test_top_level_inplace_functions_follow_the_methods():
    names = [n for n in pg.ops._torch_utilities.__all__ if n.endswith("_")]
    assert all(hasattr(pg.Tensor, n) for n in names), [
        n for n in names if not hasattr(pg.Tensor, n)
    ]
    assert pg.sqrt_.__name__ == "sqrt_" and pg.clamp_(pg.tensor([3.0]), max=1.0).tolist() == [1.0]
