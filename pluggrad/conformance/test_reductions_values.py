"""Values of the statistical, utility, searching, sorting and set functions, on every backend:
forward values and dtypes of the non-differentiable ones, and PyTorch's values (written as
literals, from torch 2.13) at the points where derivatives need a convention: zeros in
``prod``/``cumprod``, ties in ``max``/``min``/``sort``, NaNs, a zero standard deviation."""

from __future__ import annotations

import math

import numpy as np
import pytest

import pluggrad as pg

from .helpers import assert_values, values

nan, inf = math.nan, math.inf


def leaf(data, dtype=None):
    return pg.tensor(data, dtype=dtype or pg.float64, requires_grad=True)


def grad_of(f, data, weights=None, create_graph=False):
    """The gradient of ``sum(f(x) * weights)`` at `data`, and ``f(x)``."""
    x = leaf(data)
    y = f(x)
    out = y if weights is None else y * pg.tensor(weights, dtype=pg.float64)
    (g,) = pg.autograd.grad(out.sum(), [x], create_graph=create_graph)
    return g, y


# ---- node names ----------------------------------------------------------------------------------

NODE_NAMES = [
    (lambda x: pg.prod(x), "ProdBackward0"),
    (lambda x: pg.prod(x, axis=1), "ProdBackward1"),
    (lambda x: x.prod(0, True), "ProdBackward1"),
    (lambda x: pg.var(x), "VarBackward0"),
    (lambda x: x.var(1), "VarBackward0"),
    (lambda x: pg.std(x, axis=0), "StdBackward0"),
    (lambda x: x.std(), "StdBackward0"),
    (lambda x: pg.max(x), "MaxBackward1"),
    (lambda x: x.max(), "MaxBackward1"),
    (lambda x: pg.max(x, axis=1), "AmaxBackward0"),
    (lambda x: pg.amax(x), "AmaxBackward0"),
    (lambda x: x.amax(1), "AmaxBackward0"),
    (lambda x: pg.max(x, 1).values, "MaxBackward0"),
    (lambda x: x.max(dim=0).values, "MaxBackward0"),
    (lambda x: pg.min(x), "MinBackward1"),
    (lambda x: pg.min(x, axis=0), "AminBackward0"),
    (lambda x: pg.amin(x, 0), "AminBackward0"),
    (lambda x: x.min(1).values, "MinBackward0"),
    (lambda x: pg.cumulative_sum(x, axis=1), "CumsumBackward0"),
    (lambda x: x.cumsum(0), "CumsumBackward0"),
    (lambda x: pg.cumulative_prod(x, axis=1), "CumprodBackward0"),
    (lambda x: pg.cumprod(x, 1), "CumprodBackward0"),
    (lambda x: pg.logsumexp(x, 1), "LogsumexpBackward0"),
    (lambda x: x.logsumexp(1), "LogsumexpBackward0"),
    (lambda x: pg.softmax(x, 1), "SoftmaxBackward0"),
    (lambda x: x.softmax(0), "SoftmaxBackward0"),
    (lambda x: pg.log_softmax(x, 1), "LogSoftmaxBackward0"),
    (lambda x: x.log_softmax(-1), "LogSoftmaxBackward0"),
    (lambda x: x.sort().values, "SortBackward0"),
    (lambda x: pg.sort(x, 1).values, "SortBackward0"),
    (lambda x: x.sort(1, stable=True).values, "SortBackward1"),
    (lambda x: pg.sort(x, axis=0), "SortBackward1"),
    (lambda x: x.topk(1).values, "TopkBackward0"),
    (lambda x: pg.sum(x), "SumBackward0"),
    (lambda x: pg.diff(x), "SubBackward0"),
]


@pytest.mark.parametrize("case", range(len(NODE_NAMES)))
def test_node_names(backend, case):
    f, name = NODE_NAMES[case]
    out = f(leaf([[1.0, 2.0, 5.0], [4.0, 3.0, 0.5]]))
    assert out.grad_fn.name() == name


# ---- prod and cumprod with zeros (PyTorch's values) ----------------------------------------------


@pytest.mark.parametrize("create_graph", [False, True])
def test_prod_gradient_with_zeros(backend, create_graph):
    g, y = grad_of(pg.prod, [1.0, 2.0, 3.0], create_graph=create_graph)
    assert_values(y, 6.0)
    assert_values(g, [6.0, 3.0, 2.0])
    g, y = grad_of(pg.prod, [1.0, 0.0, 3.0], create_graph=create_graph)
    assert_values(y, 0.0)
    assert_values(g, [0.0, 3.0, 0.0])
    g, _ = grad_of(pg.prod, [1.0, 0.0, 3.0, 0.0], create_graph=create_graph)
    assert_values(g, [0.0, 0.0, 0.0, 0.0])
    data = [[1.0, 0.0, 3.0], [0.0, 0.0, 2.0], [1.0, 2.0, 3.0]]
    g, y = grad_of(lambda x: pg.prod(x, axis=1), data, create_graph=create_graph)
    assert_values(y, [0.0, 0.0, 6.0])
    assert_values(g, [[0.0, 3.0, 0.0], [0.0, 0.0, 0.0], [6.0, 3.0, 2.0]])
    g, _ = grad_of(lambda x: pg.prod(x, axis=0), data, create_graph=create_graph)
    assert_values(g, [[0.0, 0.0, 6.0], [1.0, 0.0, 9.0], [0.0, 0.0, 6.0]])
    g, _ = grad_of(lambda x: x.prod(1, keepdim=True), [[2.0, 0.0, 5.0]], create_graph=create_graph)
    assert_values(g, [[0.0, 10.0, 0.0]])


@pytest.mark.parametrize("create_graph", [False, True])
def test_cumprod_gradient_with_zeros(backend, create_graph):
    g, y = grad_of(lambda x: pg.cumprod(x, 0), [1.0, 2.0, 3.0], create_graph=create_graph)
    assert_values(y, [1.0, 2.0, 6.0])
    assert_values(g, [9.0, 4.0, 2.0])
    g, y = grad_of(lambda x: pg.cumprod(x, 0), [2.0, 0.0, 3.0, 4.0], create_graph=create_graph)
    assert_values(y, [2.0, 0.0, 0.0, 0.0])
    assert_values(g, [1.0, 32.0, 0.0, 0.0])
    g, _ = grad_of(lambda x: pg.cumprod(x, 0), [2.0, 0.0, 3.0, 0.0, 5.0],
                   create_graph=create_graph)  # fmt: skip
    assert_values(g, [1.0, 8.0, 0.0, 0.0, 0.0])
    g, _ = grad_of(lambda x: pg.cumulative_prod(x, axis=1),
                   [[2.0, 0.0, 3.0], [0.0, 1.0, 2.0]], create_graph=create_graph)  # fmt: skip
    assert_values(g, [[1.0, 8.0, 0.0], [4.0, 0.0, 0.0]])
    g, y = grad_of(lambda x: pg.cumulative_prod(x, include_initial=True), [2.0, 0.0, 3.0],
                   create_graph=create_graph)  # fmt: skip
    assert_values(y, [1.0, 2.0, 0.0, 0.0])
    assert_values(g, [1.0, 8.0, 0.0])


@pytest.mark.parametrize(
    "data",
    [[2.0, 0.0, 3.0, 4.0], [2.0, 0.0, 3.0, 0.0, 5.0], [0.0, 0.0, 2.0], [[1.5, 0.0], [0.0, 0.0]]],
)
def test_prod_and_cumprod_second_derivatives_with_zeros(backend, data):
    x = leaf(data)
    assert pg.autograd.gradcheck(lambda a: pg.cumulative_prod(a, axis=-1), (x,))
    assert pg.autograd.gradgradcheck(lambda a: pg.cumulative_prod(a, axis=-1), (x,))
    assert pg.autograd.gradgradcheck(lambda a: pg.prod(a), (x,))
    assert pg.autograd.gradgradcheck(lambda a: pg.prod(a, axis=0), (x,))


def test_prod_over_one_zero_factor_gives_the_gradient_itself(backend):
    """As PyTorch's ``prod_safe_zeros_backward``: a product of one factor that is zero passes
    ``grad`` on unchanged, so a constant ``grad`` gives a gradient outside the graph, while a
    nonzero factor's gradient (``grad * result / x``) is in it (checked in PyTorch 2.13)."""
    ones = pg.ones(3, dtype=pg.float64)
    for data, in_graph in (([[0.0, 0.0, 0.0]], False), ([[1.0, 2.0, 0.0]], False),
                           ([[1.0, 2.0, 3.0]], True)):  # fmt: skip
        x = leaf(data)
        (g,) = pg.autograd.grad(x.prod(0), x, ones, create_graph=True)
        assert g.requires_grad is in_graph
        assert_values(g, [[1.0, 1.0, 1.0]])
    for data, in_graph in (([0.0], False), ([[0.0, 1.0, 2.0]], True)):
        x = leaf(data)
        (g,) = pg.autograd.grad(x.prod(), x, create_graph=True)
        assert g.requires_grad is in_graph


# ---- max and min: ties and NaNs ------------------------------------------------------------------


def test_max_min_share_ties_evenly(backend):
    for f in (pg.max, lambda x: x.max(), lambda x: pg.amax(x, 0), lambda x: pg.max(x, axis=0),
              pg.amax):  # fmt: skip
        g, y = grad_of(f, [1.0, 3.0, 3.0])
        assert_values(y, 3.0)
        assert_values(g, [0.0, 0.5, 0.5])
    for f in (pg.min, lambda x: pg.amin(x, 0), lambda x: x.amin()):
        g, y = grad_of(f, [1.0, 1.0, 3.0])
        assert_values(y, 1.0)
        assert_values(g, [0.5, 0.5, 0.0])
    g, _ = grad_of(lambda x: pg.max(x, axis=1), [[1.0, 2.0, 2.0], [5.0, 5.0, 5.0]])
    assert_values(g, [[0.0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])


def test_max_with_dim_sends_the_gradient_to_the_index(backend):
    g, out = grad_of(lambda x: pg.max(x, 0).values, [1.0, 3.0, 3.0])
    assert_values(g, [0.0, 1.0, 0.0])
    g, _ = grad_of(lambda x: pg.min(x, 0).values, [1.0, 1.0, 3.0])
    assert_values(g, [1.0, 0.0, 0.0])
    x = leaf([[1.0, 2.0], [3.0, 4.0]])
    out = pg.max(x, 1, keepdim=True)
    assert type(out).__name__ == "max" and out._fields == ("values", "indices")
    assert_values(out.values, [[2.0], [4.0]])
    assert_values(out.indices, [[1], [1]], dtype=pg.int64)
    assert out.values.requires_grad and not out.indices.requires_grad
    out = x.min(dim=0)
    assert type(out).__name__ == "min"
    assert_values(out.values, [1.0, 2.0])
    assert_values(out.indices, [0, 0])
    out = pg.max(pg.tensor(5.0), 0)
    assert_values(out.values, 5.0)
    assert_values(out.indices, 0)


def test_max_with_nan(backend):
    data = [1.0, nan, 2.0, nan]
    g, y = grad_of(pg.max, data)  # torch.max(x): shared among the NaNs
    assert math.isnan(y.item())
    assert_values(g, [0.0, 0.5, 0.0, 0.5])
    with np.errstate(invalid="ignore", divide="ignore"):
        g, _ = grad_of(lambda x: pg.amax(x, 0), data)  # torch.amax: NaN everywhere
    assert np.isnan(values(g)).all()
    g, out = grad_of(lambda x: pg.max(x, 0).values, data)
    assert_values(g, [0.0, 1.0, 0.0, 0.0])
    assert pg.max(pg.tensor(data), 0).indices.item() == 1
    assert pg.argmax(pg.tensor(data)).item() == 1
    assert pg.argmin(pg.tensor(data)).item() == 1


def test_max_min_of_two_tensors(backend):
    g, y = grad_of(lambda x: pg.max(x, pg.tensor([3.0, 3.0, 3.0], dtype=pg.float64)),
                   [1.0, 3.0, 4.0])  # fmt: skip
    assert_values(y, [3.0, 3.0, 4.0])
    assert_values(g, [0.0, 0.5, 1.0])
    y = pg.tensor([1.0, 5.0]).min(pg.tensor([2.0, 2.0]))
    assert_values(y, [1.0, 2.0])


# ---- var and std ------------------------------------------------------------------------------


def test_var_std_values_and_gradients(backend):
    g, y = grad_of(lambda x: x.var(), [1.0, 2.0, 4.0])
    assert_values(y, 2.333333333333333)
    assert_values(g, [-1.3333333333333335, -0.3333333333333335, 1.6666666666666665])
    g, y = grad_of(lambda x: x.std(), [1.0, 2.0, 4.0])
    assert_values(y, 1.5275252316519465)
    assert_values(g, [-0.43643578047198484, -0.10910894511799625, 0.5455447255899809])
    g, y = grad_of(lambda x: pg.std(x, dim=0, correction=0), [1.0, 1.0, 1.0])
    assert_values(y, 0.0)
    assert_values(g, [0.0, 0.0, 0.0])


def test_var_std_corrections(backend):
    x = pg.tensor([[1.0, 2.0], [3.0, 5.0]], dtype=pg.float64)
    assert_values(pg.var(x), 2.1875)  # the standard: correction=0
    assert_values(x.var(), 2.9166666666666665)  # PyTorch: correction=1
    assert_values(pg.var(x, dim=(0, 1)), 2.9166666666666665)
    assert_values(pg.std(x, unbiased=False), math.sqrt(2.1875))
    assert_values(x.std(0, True, True), [[1.4142135623730951, 2.1213203435596424]])
    assert_values(pg.var(x, axis=1, correction=1, keepdims=True), [[0.5], [2.0]])
    assert_values(x.var(correction=2), 4.375)
    assert pg.std(x, axis=0, keepdims=True).shape == (1, 2)
    with pytest.raises(RuntimeError):
        pg.var(pg.tensor([1, 2]))


# ---- sort and topk ---------------------------------------------------------------------------


def test_sort_ties_and_gradients(backend):
    g, out = grad_of(lambda x: x.sort(stable=True).values, [3.0, 1.0, 3.0, 1.0], [1, 2, 3, 4])
    assert_values(out, [1.0, 1.0, 3.0, 3.0])
    assert_values(g, [3.0, 1.0, 4.0, 2.0])
    x = pg.tensor([3.0, 1.0, 3.0, 1.0])
    assert_values(x.sort(stable=True).indices, [1, 3, 0, 2], dtype=pg.int64)
    assert_values(x.sort(descending=True, stable=True).indices, [0, 2, 1, 3])
    assert_values(pg.sort(x, descending=True), [3.0, 3.0, 1.0, 1.0])
    g, _ = grad_of(lambda x: pg.sort(x, 0, True).values, [3.0, 1.0, 2.0], [1, 2, 3])
    assert_values(g, [1.0, 3.0, 2.0])
    g, _ = grad_of(lambda x: pg.sort(x, axis=0), [[2.0, 0.0], [1.0, 5.0]], [[1, 2], [3, 4]])
    assert_values(g, [[3.0, 2.0], [1.0, 4.0]])


def test_sort_nan_last_ascending_first_descending(backend):
    y = pg.tensor([1.0, nan, 3.0, nan, 0.0])
    out = y.sort()
    np.testing.assert_array_equal(values(out.values), [0.0, 1.0, 3.0, nan, nan])
    assert_values(out.indices, [4, 0, 2, 1, 3])
    out = y.sort(descending=True)
    np.testing.assert_array_equal(values(out.values), [nan, nan, 3.0, 1.0, 0.0])
    assert_values(out.indices, [1, 3, 2, 0, 4])
    assert_values(pg.argsort(y), [4, 0, 2, 1, 3])


def test_topk(backend):
    g, out = grad_of(lambda x: pg.topk(x, 2).values, [1.0, 3.0, 2.0])
    assert_values(out, [3.0, 2.0])
    assert_values(g, [0.0, 1.0, 1.0])
    out = pg.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 4.0]]).topk(2, dim=1, largest=False)
    assert type(out).__name__ == "topk"
    assert_values(out.values, [[1.0, 2.0], [0.0, 4.0]])
    assert_values(out.indices, [[0, 2], [1, 2]], dtype=pg.int64)
    out = pg.topk(pg.tensor([1.0, 3.0, 2.0]), 2, 0)
    assert_values(out.indices, [1, 2])


def test_argsort(backend):
    x = pg.tensor([[3, 1, 2], [1, 1, 0]])
    assert_values(pg.argsort(x), [[1, 2, 0], [2, 0, 1]], dtype=pg.int64)
    assert_values(pg.argsort(x, axis=0), [[1, 0, 1], [0, 1, 0]])
    assert_values(pg.argsort(pg.tensor([2, 1, 2, 1]), descending=True), [0, 2, 1, 3])
    assert_values(x.argsort(dim=1, descending=True), [[0, 2, 1], [0, 1, 2]])
    assert_values(pg.argsort(pg.tensor(4.0)), 0)


# ---- cumulative sums, logsumexp, softmax -----------------------------------------------------


def test_cumulative_sum(backend):
    g, y = grad_of(lambda x: pg.cumsum(x, 0), [1.0, 2.0, 3.0])
    assert_values(y, [1.0, 3.0, 6.0])
    assert_values(g, [3.0, 2.0, 1.0])
    g, y = grad_of(lambda x: pg.cumulative_sum(x, include_initial=True), [1.0, 2.0], [1, 2, 3])
    assert_values(y, [0.0, 1.0, 3.0])
    assert_values(g, [5.0, 3.0])
    x = pg.tensor([[1, 2], [3, 4]], dtype=pg.int32)
    assert_values(pg.cumulative_sum(x, axis=0), [[1, 2], [4, 6]], dtype=pg.int64)
    assert_values(x.cumprod(1), [[1, 2], [3, 12]], dtype=pg.int64)
    assert_values(pg.cumsum(pg.tensor([True, True]), 0), [1, 2], dtype=pg.int64)
    assert_values(pg.cumulative_sum(pg.tensor([1, 2], dtype=pg.uint8)), [1, 3], dtype=pg.uint64)
    assert_values(pg.cumulative_sum(x, axis=1, dtype=pg.float64), [[1, 3], [3, 7]],
                  dtype=pg.float64)  # fmt: skip
    with pytest.raises(TypeError):
        pg.cumulative_sum(x)  # axis is required beyond one dimension


def test_logsumexp_softmax_values(backend):
    g, y = grad_of(lambda x: pg.logsumexp(x, 0), [1.0, 2.0, 3.0])
    assert_values(y, 3.4076059644443806)
    assert_values(g, [0.09003057317038043, 0.24472847105479759, 0.6652409557748217])
    g, y = grad_of(lambda x: pg.softmax(x, 0), [1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
    assert_values(g, [-0.1418170936098121, -0.14077035746962996, 0.28258745107944266])
    g, y = grad_of(lambda x: pg.log_softmax(x, 0), [1.0, 2.0, 3.0])
    assert_values(y, [-2.4076059644443806, -1.4076059644443804, -0.4076059644443804])
    assert_values(g, [0.7299082804888587, 0.2658145868356071, -0.9957228673244654])
    big = pg.tensor([1000.0, 1000.0], dtype=pg.float64)
    assert_values(pg.logsumexp(big, 0), 1000.0 + math.log(2.0))
    assert_values(pg.softmax(big, 0), [0.5, 0.5])
    assert_values(pg.log_softmax(big, 0), [-math.log(2.0)] * 2)
    with np.errstate(divide="ignore"):  # log(0), as NumPy warns
        assert pg.logsumexp(pg.tensor([-inf, -inf]), 0).item() == -inf
    assert pg.logsumexp(pg.tensor([inf, inf]), 0).item() == inf
    assert pg.softmax(pg.tensor([1, 2]), 0).dtype is pg.float32
    assert pg.softmax(pg.tensor([1.0, 2.0]), 0, dtype=pg.float64).dtype is pg.float64
    assert_values(pg.softmax(pg.tensor(3.0), 0), 1.0)
    with pytest.raises(TypeError):
        pg.softmax(pg.tensor([1.0, 2.0]))  # dim is required, as in torch.softmax
    assert pg.logsumexp(pg.ones(2, 3), 1, keepdim=True).shape == (2, 1)


# ---- prod, sum, mean: dtypes and PyTorch forms -------------------------------------------------


def test_reduction_dtypes(backend):
    assert_values(pg.prod(pg.tensor([1, 2, 3], dtype=pg.int32)), 6, dtype=pg.int64)
    assert_values(pg.sum(pg.tensor([1, 2], dtype=pg.int8)), 3, dtype=pg.int64)
    assert_values(pg.sum(pg.tensor([1, 2], dtype=pg.uint8)), 3, dtype=pg.uint64)
    assert_values(pg.prod(pg.tensor([True, True])), 1, dtype=pg.int64)
    assert pg.prod(pg.ones(2, dtype=pg.float32)).dtype is pg.float32
    assert pg.prod(pg.ones(2, dtype=pg.float32), dtype=pg.float64).dtype is pg.float64
    x = pg.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert_values(pg.prod(x, 1), [2.0, 12.0])
    assert_values(x.prod(0, True), [[3.0, 8.0]])
    assert_values(pg.sum(x, 0, True), [[4.0, 6.0]])
    assert_values(x.mean(1), [1.5, 3.5])


# ---- diff --------------------------------------------------------------------------------------


def test_diff(backend):
    x = pg.tensor([1.0, 3.0, 2.0, 4.0])
    assert_values(pg.diff(x), [2.0, -1.0, 2.0])
    assert_values(pg.diff(x, n=2), [-3.0, 3.0])
    assert_values(pg.diff(x, n=0), [1.0, 3.0, 2.0, 4.0])
    assert_values(pg.diff(x, prepend=pg.tensor([0.0]), append=pg.tensor([10.0])),
                  [1.0, 2.0, -1.0, 2.0, 6.0])  # fmt: skip
    assert_values(pg.diff(x, prepend=0.0), [1.0, 2.0, -1.0, 2.0])
    assert_values(x.diff(1, 0), [2.0, -1.0, 2.0])
    m = pg.tensor([[1, 4], [2, 8]])
    assert_values(pg.diff(m, axis=0), [[1, 4]], dtype=pg.int64)
    assert_values(pg.diff(pg.tensor([True, False, False])), [True, False], dtype=pg.bool)
    g, _ = grad_of(pg.diff, [1.0, 3.0, 2.0, 4.0])
    assert_values(g, [-1.0, 0.0, 0.0, 1.0])


# ---- all and any -------------------------------------------------------------------------------


def test_all_any(backend):
    x = pg.tensor([[1, 0], [1, 1]])
    assert_values(pg.all(x), False, dtype=pg.bool)
    assert_values(pg.all(x, axis=1), [False, True], dtype=pg.bool)
    assert_values(x.all(1), [False, True])
    assert_values(pg.any(x, axis=0, keepdims=True), [[True, True]])
    assert_values(pg.any(pg.tensor([0.0, 0.0])), False)
    assert_values(x.any(dim=1, keepdim=True), [[True], [True]])
    assert_values(pg.all(pg.tensor(2.0)), True)
    assert pg.all(pg.tensor([nan])).item() is True
    assert not pg.any(leaf([1.0, 0.0])).requires_grad


# ---- searching ---------------------------------------------------------------------------------


def test_argmax_argmin(backend):
    x = pg.tensor([[1, 3, 3], [4, 0, 4]])
    assert_values(pg.argmax(x), 3, dtype=pg.int64)
    assert_values(pg.argmax(x, axis=1), [1, 0], dtype=pg.int64)
    assert_values(pg.argmin(x, axis=0, keepdims=True), [[0, 1, 0]], dtype=pg.int64)
    assert_values(x.argmax(1, True), [[1], [0]])
    assert_values(x.argmin(dim=1), [0, 1])
    assert_values(pg.argmax(x, 0), [1, 0, 1])
    assert_values(pg.argmax(pg.tensor(2.0)), 0)
    assert_values(pg.argmax(pg.ones(2, 3), keepdims=True), [[0]])
    assert not pg.argmax(leaf([1.0, 2.0])).requires_grad


def test_nonzero_argwhere_count_nonzero(backend):
    x = pg.tensor([[1, 0], [1, 1]])
    rows, cols = pg.nonzero(x)
    assert_values(rows, [0, 1, 1], dtype=pg.int64)
    assert_values(cols, [0, 0, 1], dtype=pg.int64)
    assert_values(x.nonzero(), [[0, 0], [1, 0], [1, 1]], dtype=pg.int64)
    assert_values(pg.argwhere(x), [[0, 0], [1, 0], [1, 1]])
    assert_values(pg.nonzero(x, as_tuple=False), [[0, 0], [1, 0], [1, 1]])
    (only,) = pg.nonzero(pg.tensor([0.0, 2.0, 0.0, 3.0]))
    assert_values(only, [1, 3])
    (only,) = pg.nonzero(pg.tensor(5), as_tuple=True)  # PyTorch's: 0-d as 1-d
    assert_values(only, [0])
    with pytest.raises(ValueError, match="not defined for 0-d arrays"):  # the standard's
        pg.nonzero(pg.tensor(5))
    assert pg.tensor(5).nonzero().shape == (1, 0)
    assert_values(pg.count_nonzero(x), 3, dtype=pg.int64)
    assert_values(pg.count_nonzero(x, axis=0), [2, 1], dtype=pg.int64)
    assert_values(pg.count_nonzero(x, 1), [1, 2])
    assert_values(x.count_nonzero(dim=1), [1, 2])
    assert_values(pg.count_nonzero(x, axis=(0, 1), keepdims=True), [[3]])


def test_searchsorted(backend):
    s = pg.tensor([1, 2, 2, 3])
    assert_values(pg.searchsorted(s, pg.tensor([2, 5])), [1, 4], dtype=pg.int64)
    assert_values(pg.searchsorted(s, pg.tensor([2, 5]), side="right"), [3, 4])
    assert_values(pg.searchsorted(s, pg.tensor([2, 5]), right=True), [3, 4])
    assert_values(pg.searchsorted(s, 2), 1, dtype=pg.int64)
    assert_values(pg.searchsorted(pg.tensor([1.0, 2.0, 3.0]), 2.5), 2)
    assert_values(pg.searchsorted(s, 1.5), 1)
    assert_values(pg.searchsorted(s, pg.tensor([2]), out_int32=True), [1], dtype=pg.int32)
    unsorted = pg.tensor([3.0, 1.0, 2.0])
    assert_values(pg.searchsorted(unsorted, pg.tensor([2.5, 0.0]), sorter=pg.argsort(unsorted)),
                  [2, 0])  # fmt: skip
    batched = pg.tensor([[1, 2, 2, 3], [0, 0, 1, 1]])
    assert_values(pg.searchsorted(batched, pg.tensor([[2], [1]])), [[1], [2]])
    assert_values(pg.searchsorted(batched, pg.tensor([[2], [1]]), right=True), [[3], [4]])
    with pytest.raises(ValueError):
        pg.searchsorted(s, 1, side="middle")


# ---- sets --------------------------------------------------------------------------------------


def test_unique_functions(backend):
    x = pg.tensor([[3, 1], [3, 2]])
    out = pg.unique_all(x)
    assert out._fields == ("values", "indices", "inverse_indices", "counts")
    assert_values(out.values, [1, 2, 3], dtype=pg.int64)
    assert_values(out.indices, [1, 3, 0], dtype=pg.int64)
    assert_values(out.inverse_indices, [[2, 0], [2, 1]], dtype=pg.int64)
    assert_values(out.counts, [1, 1, 2], dtype=pg.int64)
    out = pg.unique_counts(x)
    assert out._fields == ("values", "counts")
    assert_values(out.counts, [1, 1, 2])
    out = pg.unique_inverse(x)
    assert out._fields == ("values", "inverse_indices")
    assert_values(out.inverse_indices, [[2, 0], [2, 1]])
    assert_values(pg.unique_values(x), [1, 2, 3])
    values_, inverse, counts = pg.unique(pg.tensor([1.0, 2.0, 1.0]), return_inverse=True,
                                         return_counts=True)  # fmt: skip
    assert_values(values_, [1.0, 2.0])
    assert_values(inverse, [0, 1, 0])
    assert_values(counts, [2, 1])
    assert_values(pg.tensor([2, 2, 0]).unique(), [0, 2])
    u = pg.unique_values(leaf([1.0, 2.0, 1.0]))
    assert not u.requires_grad  # PyTorch's unique has no derivative


def test_unique_nans_are_distinct(backend):
    u = values(pg.unique_values(pg.tensor([nan, nan, 1.0])))
    assert u.shape == (3,) and u[0] == 1.0 and np.isnan(u[1:]).all()
