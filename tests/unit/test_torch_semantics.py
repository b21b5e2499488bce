"""Where the array API standard and PyTorch give one function name two meanings, PyTorch's wins
while pluggrad stands for torch (``python -m pluggrad run``, ``pluggrad.as_torch``); and
PyTorch-only functions (``tril_indices``, ``cdist``, ``std_mean``) follow PyTorch always.
Expected values: PyTorch 2.13's, on the same inputs."""

from __future__ import annotations

import re

import numpy as np
import pytest

import pluggrad as pg
from pluggrad import _dtypes

X = [[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]]


@pytest.fixture
def as_torch():
    """The namespace standing for torch (what pluggrad.as_torch.install sets), then not."""
    _dtypes.show_as("torch")
    _dtypes.act_as_torch(True)
    try:
        yield
    finally:
        _dtypes.show_as("pluggrad")
        _dtypes.act_as_torch(False)


def test_pytorchs_meanings_while_standing_for_torch(as_torch):
    x = pg.tensor(X)
    values, indices = pg.sort(x[0])
    assert values.tolist() == [1.0, 2.0, 3.0] and indices.tolist() == [1, 2, 0]
    assert pg.sort(x, descending=True).indices.tolist() == [[0, 2, 1], [1, 2, 0]]
    assert pg.std(x).item() == pytest.approx(1.8708287, rel=1e-6)  # correction 1
    assert pg.var(x).item() == pytest.approx(3.5)
    assert pg.nonzero(x).tolist() == [[0, 0], [0, 1], [0, 2], [1, 1], [1, 2]]
    assert [g.numpy().tolist() for g in pg.nonzero(x, as_tuple=True)] == [
        [0, 0, 0, 1, 1],
        [0, 1, 2, 1, 2],
    ]
    with pytest.warns(UserWarning, match="required to pass the indexing argument"):
        grids = pg.meshgrid(pg.arange(2), pg.arange(3))
    assert [tuple(g.shape) for g in grids] == [(2, 3), (2, 3)]  # "ij"
    assert pg.equal(x, x) is True and pg.equal(x, x[:1]) is False
    assert pg.tensor([200, 100], dtype=pg.uint8).sum().dtype == pg.int64
    assert pg.cumsum(pg.tensor([2, 3], dtype=pg.uint32), 0).dtype == pg.int64
    assert repr(pg.max(x, 1)) == (
        "torch.return_types.max(\nvalues=tensor([3., 5.]),\nindices=tensor([0, 1]))"
    )
    assert repr(x.dtype) == "torch.float32" and repr(x.shape) == "torch.Size([2, 3])"


def test_the_standards_meanings_otherwise():
    x = pg.tensor(X)
    assert pg.sort(x[0]).tolist() == [1.0, 2.0, 3.0]
    assert pg.std(x).item() == pytest.approx(1.7078251, rel=1e-6)  # correction 0
    assert len(pg.nonzero(x)) == 2
    assert [tuple(g.shape) for g in pg.meshgrid(pg.arange(2), pg.arange(3))] == [(3, 2), (3, 2)]
    assert pg.equal(x, x).tolist() == [[True] * 3] * 2
    assert x.equal(x) is True  # the method: PyTorch's
    assert pg.tensor([200, 100], dtype=pg.uint8).sum().dtype == pg.uint64
    assert repr(pg.max(x, 1)).startswith("pluggrad.return_types.max(\nvalues=")


def test_pytorch_only_functions():
    x = pg.tensor(X)
    std, mean = pg.std_mean(x)  # correction 1 without dim too
    assert std.item() == pytest.approx(1.8708287, rel=1e-6) and mean.item() == 2.5
    assert pg.var_mean(x, unbiased=False)[0].item() == pytest.approx(2.9166667)
    assert pg.tril_indices(3, 3).tolist() == [[0, 1, 1, 2, 2, 2], [0, 0, 1, 0, 1, 2]]
    assert pg.triu_indices(3, 4, 1).tolist() == [[0, 0, 0, 1, 1, 2], [1, 2, 3, 2, 3, 3]]
    assert pg.tril_indices(4, 3, -1, dtype=pg.int32).dtype == pg.int32
    with pytest.raises(RuntimeError, match="row must be non-negative"):
        pg.tril_indices(-1, 3)


def test_cdist_matches_pytorch_and_its_errors():
    a = pg.tensor(X, dtype=pg.float64, requires_grad=True)
    b = pg.tensor([[3.0, 1.0, 2.0], [1.0, 1.0, 1.0]], dtype=pg.float64, requires_grad=True)
    d = pg.cdist(a, b)
    np.testing.assert_allclose(d.detach().numpy(), [[0.0, 2.2360680], [5.3851648, 5.0990195]], 1e-7)
    d.sum().backward()  # the zero distance contributes a zero gradient, as PyTorch's
    np.testing.assert_allclose(
        a.grad.numpy(), [[0.8944272, 0.0, 0.4472136], [-0.7532021, 1.5272459, 0.9597391]], 1e-6
    )
    with pytest.raises(RuntimeError, match="cdist only supports at least 2D tensors, X1 got: 1D"):
        pg.cdist(a[0], b)
    with pytest.raises(RuntimeError, match="X1 and X2 must have the same number of columns"):
        pg.cdist(a, b[:, :2])
    with pytest.raises(RuntimeError, match="non-negative p values"):
        pg.cdist(a, b, -1.0)


def test_scatter_keeps_the_tensors_dtype():
    t = pg.zeros(4, dtype=pg.int64)
    assert t.scatter_(0, pg.tensor([3, 2, 1, 0]), pg.arange(4)).tolist() == [3, 2, 1, 0]
    assert t.scatter(0, pg.tensor([3, 2]), 1.7).tolist() == [3, 2, 1, 1]  # a value: cast
    with pytest.raises(RuntimeError, match="Expected self.dtype to be equal to src.dtype"):
        t.scatter(0, pg.tensor([0]), pg.tensor([1.0]))


# PyTorch 2.13's errors for products of two dtypes, by the kernel matmul reduces to
_MIXED_PRODUCTS = {
    "a @ b": "expected m1 and m2 to have the same dtype, but got: float != double",
    "a @ w": "addmv input tensors must have the same dtype, but got Double, Float, and Double",
    "v @ w": "dot : expected both vectors to have same dtype, but found Float and Double",
    "a[None] @ b[None]": "expected scalar type Float but found Double",
    "a[None] @ b": "expected m1 and m2 to have the same dtype, but got: float != double",
    "a @ pg.ones(2, 2, dtype=pg.int64)": (
        "expected m1 and m2 to have the same dtype, but got: float != long int"
    ),
    "a @ pg.ones(2, 2, dtype=pg.complex64)": (
        "expected m1 and m2 to have the same dtype, but got: float != c10::complex<float>"
    ),
    "pg.ones(2, 2, dtype=pg.int32) @ v": (
        "addmv input tensors must have the same dtype, but got Float, Int, and Float"
    ),
}


@pytest.mark.parametrize("code", sorted(_MIXED_PRODUCTS))
def test_products_of_two_dtypes_raise_pytorchs_errors_while_standing_for_torch(as_torch, code):
    scope = {"pg": pg, "a": pg.ones(2, 2), "b": pg.ones(2, 2, dtype=pg.float64),
             "v": pg.ones(2), "w": pg.ones(2, dtype=pg.float64)}  # fmt: skip
    with pytest.raises(RuntimeError, match=f"^{re.escape(_MIXED_PRODUCTS[code])}$"):
        eval(code, scope)  # the table above


def test_products_of_two_dtypes_promote_otherwise_but_not_torchs_own():
    a, b = pg.ones(2, 2), pg.ones(2, 2, dtype=pg.float64)
    assert (a @ b).dtype is pg.float64  # the array API standard's matmul promotes
    with pytest.raises(RuntimeError, match="expected m1 and m2 to have the same dtype"):
        pg.mm(a, b)  # a PyTorch-only name: PyTorch's rule
    with pytest.raises(RuntimeError, match="expected scalar type Float but found Double"):
        pg.bmm(a[None], b[None])
    with pytest.raises(RuntimeError, match="dot : expected both vectors to have same dtype"):
        pg.dot(a[0], b[0])
