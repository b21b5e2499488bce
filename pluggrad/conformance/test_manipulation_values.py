"""Forward values of manipulation and indexing functions: index edge cases, out-of-range
errors on every backend, PyTorch's method semantics (``x.repeat`` is ``tile``, ``x.squeeze(d)``
skips axes of other lengths...) and node names, with PyTorch's values written as literals."""

from __future__ import annotations

import numpy as np
import pytest

import pluggrad as pg

from .helpers import assert_values, values


def _x(*shape, dtype=None, requires_grad=False):
    n = int(np.prod(shape))
    data = np.arange(n, dtype=np.float64).reshape(shape)
    return pg.tensor(data, dtype=dtype or pg.float64, requires_grad=requires_grad)


def _grad(y, x):
    (g,) = pg.autograd.grad(y.sum(), x)
    return g


# ---- PyTorch's method semantics ----------------------------------------------------------------
def test_tensor_repeat_is_tile_and_namespace_repeat_is_repeat_interleave(backend):
    x = pg.tensor([[1, 2], [3, 4]])
    assert_values(x.repeat(2, 1), [[1, 2], [3, 4], [1, 2], [3, 4]])
    assert x.repeat(2, 1, 3).shape == (2, 2, 6)
    assert_values(x.repeat((1, 2)), [[1, 2, 1, 2], [3, 4, 3, 4]])
    assert_values(pg.repeat(x, 2), [1, 1, 2, 2, 3, 3, 4, 4])
    assert_values(pg.repeat(x, 2, axis=0), [[1, 2], [1, 2], [3, 4], [3, 4]])
    assert_values(pg.repeat(x, pg.tensor([1, 0]), axis=1), [[1], [3]])
    assert_values(x.repeat_interleave(2, dim=1), [[1, 1, 2, 2], [3, 3, 4, 4]])
    assert_values(pg.repeat_interleave(pg.tensor([1, 2, 0, 3])), [0, 1, 1, 3, 3, 3])
    assert_values(pg.repeat_interleave(pg.tensor([0, 1, 2]), pg.tensor([2])), [0, 0, 1, 1, 2, 2])
    assert_values(x.tile(2), [[1, 2, 1, 2], [3, 4, 3, 4]])
    assert pg.tile(x, (2, 1, 1)).shape == (2, 2, 2)
    assert x.repeat(2, 1).dtype is pg.int64
    with pytest.raises(RuntimeError, match="can not be smaller"):
        x.repeat(2)
    with pytest.raises(RuntimeError, match="non-negative"):
        x.repeat_interleave(-1)
    with pytest.raises(RuntimeError, match="same size as input"):
        pg.repeat_interleave(pg.tensor([0, 1, 2]), pg.tensor([1, 2]))


def test_squeeze_torch_and_array_api(backend):
    x = _x(1, 3, 1)
    assert x.squeeze().shape == (3,)
    assert x.squeeze(0).shape == (3, 1)
    assert x.squeeze(1).shape == (1, 3, 1)  # PyTorch leaves axes of other lengths alone
    assert x.squeeze((0, 1, 2)).shape == (3,)
    assert pg.squeeze(x, -1).shape == (1, 3)
    assert pg.squeeze(x, axis=(0, 2)).shape == (3,)
    assert pg.squeeze(x, dim=1).shape == (1, 3, 1)
    with pytest.raises(ValueError):
        pg.squeeze(x, axis=1)  # the standard: only axes of length one
    with pytest.raises(IndexError, match=r"range of \[-3, 2\], but got 3"):
        x.squeeze(3)
    assert pg.tensor(1.0).squeeze(0).shape == ()
    assert pg.tensor(1.0).squeeze().shape == ()


def test_unsqueeze_and_expand_dims(backend):
    x = _x(2, 3)
    assert x.unsqueeze(0).shape == (1, 2, 3)
    assert x.unsqueeze(-1).shape == (2, 3, 1)
    assert pg.unsqueeze(x, -3).shape == (1, 2, 3)
    assert pg.expand_dims(x, axis=2).shape == (2, 3, 1)
    assert pg.tensor(1.0).unsqueeze(0).shape == (1,)
    with pytest.raises(IndexError, match=r"expected to be in range of \[-3, 2\], but got 3"):
        x.unsqueeze(3)


def test_transposes(backend):
    x = _x(2, 3, 4)
    assert x.transpose(0, 2).shape == (4, 3, 2)
    assert x.swapaxes(-1, 0).shape == (4, 3, 2)
    assert pg.swapdims(x, 1, 2).shape == (2, 4, 3)
    assert x.T.shape == (4, 3, 2)  # all axes reversed for any ndim
    assert x.mT.shape == (2, 4, 3)
    m = _x(2, 3)
    assert_values(m.t(), values(m).T)
    assert_values(m.T, values(m).T)
    assert pg.tensor([1.0, 2.0]).t().shape == (2,)
    assert pg.tensor(1.0).T.shape == ()
    with pytest.raises(RuntimeError, match="t\\(\\) expects a tensor with <= 2 dimensions"):
        x.t()
    assert x.permute(2, 0, 1).shape == (4, 2, 3)
    assert x.permute((2, 0, 1)).shape == (4, 2, 3)
    assert pg.permute(x, (-1, 0, 1)).shape == (4, 2, 3)
    with pytest.raises(RuntimeError, match="duplicate dims"):
        x.permute(0, 0, 1)
    with pytest.raises(RuntimeError, match="does not match the length"):
        x.permute(0, 1)
    assert x.movedim(0, -1).shape == (3, 4, 2)
    assert pg.movedim(x, (0, 1), (2, 0)).shape == (3, 4, 2)
    assert pg.moveaxis(x, -1, 0).shape == (4, 2, 3)


def test_flatten_and_views(backend):
    x = _x(2, 3, 4)
    assert x.flatten().shape == (24,)
    assert x.flatten(1).shape == (2, 12)
    assert x.flatten(0, -2).shape == (6, 4)
    assert pg.flatten(pg.tensor(1.0)).shape == (1,)
    v = _x(3, requires_grad=True)
    assert v.flatten() is v  # PyTorch returns the tensor itself
    with pytest.raises(RuntimeError, match="start_dim cannot come after end_dim"):
        x.flatten(2, 1)
    assert x.view(6, 4).shape == (6, 4)
    assert x.reshape(-1).shape == (24,)
    assert pg.reshape(x, shape=(4, 6)).shape == (4, 6)
    assert pg.reshape(x, (4, -1), copy=True).shape == (4, 6)
    with pytest.raises(RuntimeError, match="invalid for input of size 24"):
        x.reshape(5, -1)


def test_reshape_copy_is_independent(backend):
    if not backend.mutable:
        pytest.skip("immutable arrays")
    x = _x(2, 3)
    y = pg.reshape(x, (6,), copy=True)
    assert values(y).base is None or not np.shares_memory(values(y), values(x))


def test_expand(backend):
    x = pg.tensor([[1.0], [2.0], [3.0]])
    assert_values(x.expand(3, 2), [[1, 1], [2, 2], [3, 3]])
    assert x.expand(2, -1, 4).shape == (2, 3, 4)
    assert x.expand((2, 3, 1)).shape == (2, 3, 1)
    assert x.expand_as(_x(3, 5)).shape == (3, 5)
    with pytest.raises(RuntimeError, match="The expanded size of the tensor \\(5\\) must match"):
        pg.tensor([1.0, 2.0, 3.0]).expand(2, 5)
    with pytest.raises(RuntimeError, match="isn't allowed in a leading, non-existing dimension"):
        x.expand(-1, 3, 1)


def test_flip_roll(backend):
    x = _x(3, 4)
    assert_values(x.flip(0), values(x)[::-1])
    assert_values(x.flip(0, 1), values(x)[::-1, ::-1])
    assert_values(x.flip([-1]), values(x)[:, ::-1])
    assert_values(pg.flip(x), values(x)[::-1, ::-1])
    assert_values(pg.flip(x, axis=1), values(x)[:, ::-1])
    with pytest.raises(RuntimeError, match="appears multiple times"):
        x.flip(0, 0)
    assert_values(
        x.roll((1, -1), (0, 1)),
        [[9, 10, 11, 8], [1, 2, 3, 0], [5, 6, 7, 4]],
    )
    assert_values(x.roll(1), [[11, 0, 1, 2], [3, 4, 5, 6], [7, 8, 9, 10]])
    assert_values(pg.roll(x, 1, 0), values(x)[[2, 0, 1]])
    assert_values(pg.roll(x, shift=-1, axis=1), values(x)[:, [1, 2, 3, 0]])
    with pytest.raises(RuntimeError, match="shifts and dimensions must align"):
        x.roll((1, 2), (0,))


def test_joining(backend):
    a, b = _x(2, 3), _x(1, 3)
    assert pg.cat([a, b]).shape == (3, 3)
    assert pg.cat([a, a], 1).shape == (2, 6)
    assert pg.cat([a, a], dim=-1).shape == (2, 6)
    assert pg.concat([a, b], axis=None).shape == (9,)
    assert pg.concatenate([a, b]).shape == (3, 3)
    # dtypes promote as in arithmetic
    assert pg.cat([pg.zeros(2, dtype=pg.float32), pg.zeros(2, dtype=pg.float64)]).dtype is (
        pg.float64
    )
    assert pg.cat([pg.zeros(2, dtype=pg.int64), pg.zeros(2, dtype=pg.int32)]).dtype is pg.int64
    with pytest.raises(RuntimeError, match="zero-dimensional tensor \\(at position 0\\)"):
        pg.cat([pg.tensor(1.0), pg.tensor(2.0)])
    with pytest.raises(RuntimeError, match="Sizes of tensors must match except in dimension 0"):
        pg.cat([a, _x(2, 4)])
    with pytest.raises(ValueError, match="non-empty list"):
        pg.cat([])
    assert pg.stack([a, a]).shape == (2, 2, 3)
    assert pg.stack([a, a], 2).shape == (2, 3, 2)
    assert pg.stack([a, a], axis=-1).shape == (2, 3, 2)
    assert pg.stack([pg.tensor(True), pg.tensor(False)]).dtype is pg.bool
    with pytest.raises(RuntimeError, match="stack expects each tensor to be equal size"):
        pg.stack([a, b])
    assert_values(pg.hstack([pg.tensor(1.0), pg.tensor(2.0)]), [1, 2])
    assert_values(pg.vstack([pg.tensor(1.0), pg.tensor(2.0)]), [[1], [2]])
    assert pg.hstack([a, a]).shape == (2, 6)
    assert pg.vstack([pg.tensor([1.0, 2.0]), pg.tensor([3.0, 4.0])]).shape == (2, 2)
    many = [pg.tensor([float(i)]) for i in range(200)]
    assert_values(pg.cat(many), np.arange(200.0))
    assert pg.stack(many).shape == (200, 1)
    out = pg.broadcast_arrays(_x(2, 1), _x(3))
    assert isinstance(out, tuple) and [o.shape for o in out] == [(2, 3), (2, 3)]
    out = pg.broadcast_tensors(_x(2, 1), _x(3))
    assert isinstance(out, tuple)


def test_splitting(backend):
    x = pg.arange(5)
    assert [tuple(c.shape) for c in x.chunk(3)] == [(2,), (2,), (1,)]
    assert [tuple(c.shape) for c in pg.arange(6).chunk(4)] == [(2,), (2,), (2,)]
    assert [tuple(c.shape) for c in pg.zeros(0).chunk(3)] == [(0,), (0,), (0,)]
    assert [c.tolist() for c in x.split(2)] == [[0, 1], [2, 3], [4]]
    assert [c.tolist() for c in x.split([1, 4])] == [[0], [1, 2, 3, 4]]
    assert [tuple(c.shape) for c in pg.zeros(0).split(2)] == [(0,)]
    assert [tuple(c.shape) for c in _x(2, 6).split(4, dim=1)] == [(2, 4), (2, 2)]
    assert [tuple(c.shape) for c in pg.split(_x(2, 6), [1, 5], -1)] == [(2, 1), (2, 5)]
    with pytest.raises(RuntimeError, match="split_with_sizes expects split_sizes to sum exactly"):
        x.split([1, 1])
    assert [c.tolist() for c in _x(2, 2).unbind(1)] == [[0.0, 2.0], [1.0, 3.0]]
    assert [c.tolist() for c in pg.unstack(_x(2, 2))] == [[0.0, 1.0], [2.0, 3.0]]
    assert isinstance(pg.unstack(_x(1, 2)), tuple) and len(pg.unstack(_x(1, 2))) == 1
    assert pg.unbind(pg.zeros((0, 2))) == ()
    assert_values(_x(3, 4).narrow(1, -2, 2), [[2, 3], [6, 7], [10, 11]])
    assert_values(pg.narrow(_x(3, 4), 0, pg.tensor(1), 2), values(_x(3, 4))[1:3])
    with pytest.raises(RuntimeError, match=r"start \(2\) \+ length \(3\) exceeds dimension size"):
        _x(3, 4).narrow(1, 2, 3)


def test_splits_pass_zero_gradients_for_unused_outputs(backend):
    x = _x(3, 4, requires_grad=True)
    first, _, last = x.unbind(0)
    assert_values(_grad(last * 2, x), [[0] * 4, [0] * 4, [2] * 4])
    a, b = x.split([1, 3], dim=1)
    assert_values(_grad(b, x), [[0, 1, 1, 1]] * 3)
    (c,) = x.chunk(1)
    assert_values(_grad(c, x), np.ones((3, 4)))


# ---- indexing ------------------------------------------------------------------------------------
def test_getitem_basic_edge_cases(backend):
    x = _x(3, 4)
    assert x[True].shape == (1, 3, 4)
    assert x[False].shape == (0, 3, 4)
    assert x[..., None].shape == (3, 4, 1)
    assert x[None, ..., None].shape == (1, 3, 4, 1)
    assert x[1:, -1].tolist() == [7.0, 11.0]
    assert x[5:].shape == (0, 4)
    assert x[:, ::-1][0].tolist() == [3.0, 2.0, 1.0, 0.0]
    assert pg.tensor(5.0)[...].shape == ()
    assert pg.tensor(5.0)[None].shape == (1,)
    assert x[np.int64(2), np.int64(1)].item() == 9.0
    assert x[pg.tensor(2)].tolist() == [8.0, 9.0, 10.0, 11.0]


def test_getitem_integer_arrays(backend):
    x = _x(3, 4)
    assert_values(x[[0, 2, 0]], values(x)[[0, 2, 0]])
    assert_values(x[pg.tensor([-1, 0])], values(x)[[2, 0]])
    assert_values(x[pg.tensor([0, 2]), pg.tensor([1, 3])], [1.0, 11.0])
    assert_values(x[pg.tensor([[0], [2]]), pg.tensor([1, 3])], [[1.0, 3.0], [9.0, 11.0]])
    assert_values(x[:, [3, 3]], values(x)[:, [3, 3]])
    assert_values(x[np.array([1, 2]), 0], [4.0, 8.0])
    assert x[pg.tensor([], dtype=pg.int64)].shape == (0, 4)
    y = _x(2, 3, 4)
    # integer arrays separated by a slice: the advanced axes go first (NumPy and PyTorch)
    assert y[pg.tensor([0, 1]), :, pg.tensor([1, 2])].shape == (2, 3)
    assert y[:, pg.tensor([0, 1]), pg.tensor([1, 2])].shape == (2, 2)
    assert y[1, :, [0, 0, 3]].shape == (3, 3)
    assert y[..., pg.tensor([1, 1])].shape == (2, 3, 2)
    assert_values(y[:, pg.tensor([0, 1]), pg.tensor([1, 2])], values(y)[:, [0, 1], [1, 2]])


def test_getitem_boolean_masks(backend):
    x = _x(3, 4)
    assert_values(x[x > 8.0], [9.0, 10.0, 11.0])
    assert x[x > 100.0].shape == (0,)
    assert_values(x[pg.tensor([True, False, True])], values(x)[[0, 2]])
    assert_values(x[:, pg.tensor([False, True, True, False])], values(x)[:, 1:3])
    assert x[pg.tensor(True)].shape == (1, 3, 4)
    assert_values(x[[True, False, False]], values(x)[:1])
    y = _x(2, 3, 4)
    assert y[1, values(y[0]) > 5].shape == (6,)


def test_indexing_gradients_accumulate_repeated_indices(backend):
    x = _x(4, requires_grad=True)
    assert_values(_grad(x[pg.tensor([0, 0, 3, 0])], x), [3, 0, 0, 1])
    assert_values(_grad(pg.take(x, pg.tensor([1, 1])), x), [0, 2, 0, 0])
    m = _x(2, 3, requires_grad=True)
    assert_values(_grad(m.gather(1, pg.tensor([[2, 2], [0, 2]])), m), [[0, 0, 2], [1, 0, 1]])
    assert_values(_grad(m.index_select(0, pg.tensor([1, 1, 1])), m), [[0, 0, 0], [3, 3, 3]])
    assert_values(
        _grad(pg.take_along_axis(m, pg.tensor([[0], [0]]), axis=1), m), [[1, 0, 0], [1, 0, 0]]
    )
    assert_values(_grad(m[m > 2.0], m), [[0, 0, 0], [1, 1, 1]])


@pytest.mark.parametrize(
    "key",
    [
        3,
        -4,
        (0, 4),
        [0, 3],
        (slice(None), [4]),
        ([0, -4],),
        ([0, 1], [0, 7]),
        (Ellipsis, [9]),
    ],
    ids=str,
)
def test_getitem_out_of_range_raises_index_error(backend, key):
    x = _x(3, 4)
    if isinstance(key, list):
        key = pg.tensor(key)
    elif isinstance(key, tuple):
        key = tuple(pg.tensor(k) if isinstance(k, list) else k for k in key)
    with pytest.raises(IndexError, match="is out of bounds for dimension"):
        values(x[key])  # a lazy backend (Dask) checks the indices when the values are computed


def test_getitem_invalid_keys(backend):
    x = _x(3, 4)
    with pytest.raises(IndexError, match="too many indices for tensor of dimension 2"):
        x[0, 0, 0]
    with pytest.raises(IndexError, match=r"The shape of the mask \[2\] at index 0 does not match"):
        x[pg.tensor([True, False])]
    with pytest.raises(IndexError, match=r"mask \[2\] at index 1 does not match"):
        x[:, pg.tensor([True, False])]
    with pytest.raises(IndexError, match="tensors used as indices must be long, int, byte or bool"):
        x[pg.tensor([0.0, 1.0])]


def test_take_functions_out_of_range(backend):
    if backend.lazy:
        pytest.skip("lazy arrays: PyTorch's eager index checks run when the graph is computed, "
                    "with the indexing's message")  # fmt: skip
    x = _x(3, 4)
    with pytest.raises(IndexError, match="out of range: tried to access index 12 on a tensor"):
        x.take(pg.tensor([12]))
    with pytest.raises(IndexError, match="out of bounds for dimension 1 with size 4"):
        pg.take(x, pg.tensor([0, 4]), axis=1)
    with pytest.raises(IndexError, match="out of bounds for dimension 0 with size 3"):
        pg.take(x, pg.tensor([-4]), axis=0)
    with pytest.raises(IndexError, match="index out of range in self"):
        x.index_select(0, pg.tensor([-1]))
    with pytest.raises(IndexError, match="index out of range in self"):
        x.index_select(0, pg.tensor([3]))
    with pytest.raises(IndexError, match="Index is supposed to be a vector"):
        x.index_select(0, pg.tensor([[1]]))
    with pytest.raises(RuntimeError, match="index 3 is out of bounds for dimension 0 with size 3"):
        x.gather(0, pg.tensor([[3]]))
    with pytest.raises(RuntimeError, match="index -1 is out of bounds for dimension 0 with size 3"):
        x.gather(0, pg.tensor([[-1]]))
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        x.gather(0, pg.tensor([1]))
    with pytest.raises(RuntimeError, match="Size does not match at dimension 1"):
        x.gather(0, pg.tensor([[1, 1, 1, 1, 1]]))
    with pytest.raises(IndexError, match="out of bounds for dimension 1 with size 4"):
        pg.take_along_axis(x, pg.tensor([[4]]), axis=1)
    with pytest.raises(IndexError, match="out of bounds"):
        pg.ops.put_along_axis_add(pg.ones(2), pg.tensor([0, 2]), 0, (2,))


def test_take_functions_values(backend):
    x = _x(3, 4)
    assert_values(x.take(pg.tensor([[0, 11], [-1, 5]])), [[0, 11], [11, 5]])
    assert_values(pg.take(x, pg.tensor([-1, 0]), axis=1), values(x)[:, [3, 0]])
    assert_values(x.index_select(0, pg.tensor(1)), [[4, 5, 6, 7]])
    assert_values(pg.index_select(pg.tensor(5.0), 0, pg.tensor([0])), 5.0)
    assert_values(x.gather(0, pg.tensor([[0, 1, 2, 0]])), [[0, 5, 10, 3]])
    assert_values(x.gather(1, pg.tensor([[3], [0]])), [[3], [4]])  # shorter index
    assert_values(pg.take_along_dim(x, pg.tensor([0, 11])), [0, 11])
    assert_values(x.take_along_dim(pg.tensor([[0, 1]]), 1), [[0, 1], [4, 5], [8, 9]])
    assert_values(pg.take_along_axis(x, pg.tensor([[-1], [0], [1]]), axis=-1), [[3], [4], [9]])
    assert_values(
        pg.ops.put_along_axis_add(pg.tensor([1.0, 2.0, 3.0]), pg.tensor([2, 0, 2]), 0, (3,)),
        [2, 0, 4],
    )
    assert_values(
        pg.ops.put_along_axis_add(pg.ones((1, 2)), pg.tensor([[1, 1]]), 0, (2, 3)),
        [[0, 0, 0], [1, 1, 0]],
    )
    assert pg.take(pg.arange(4), pg.tensor([1, 1])).dtype is pg.int64


def test_masked_fill(backend):
    x = _x(3, 4)
    assert_values(
        x.masked_fill(pg.tensor([True, False, True, False]), -1.0),
        [[-1, 1, -1, 3], [-1, 5, -1, 7], [-1, 9, -1, 11]],
    )
    out = pg.arange(3).masked_fill(pg.tensor([True, False, True]), 1.7)
    assert out.dtype is pg.int64
    assert_values(out, [1, 1, 1])
    f32 = _x(2, dtype=pg.float32)
    out = f32.masked_fill(f32 > 0.0, pg.tensor(1.5, dtype=pg.float64))
    assert out.dtype is pg.float32
    assert_values(out, [0.0, 1.5])
    with pytest.raises(RuntimeError, match="only supports boolean masks"):
        x.masked_fill(x, 0.0)
    with pytest.raises(RuntimeError, match="only supports a 0-dimensional value tensor"):
        x.masked_fill(x > 3.0, pg.tensor([1.0]))
    v = pg.tensor(2.0, dtype=pg.float64, requires_grad=True)
    xg = _x(2, 2, requires_grad=True)
    y = xg.masked_fill(pg.tensor([[True, False], [True, True]]), v)
    gx, gv = pg.autograd.grad(y.sum(), (xg, v))
    assert_values(gx, [[0, 1], [0, 0]])
    assert_values(gv, 3.0)


# ---- node names --------------------------------------------------------------------------------
def test_node_names_match_pytorch(backend):
    x = _x(3, 4, requires_grad=True)
    y = _x(3, 1, 4, requires_grad=True)
    v = _x(5, requires_grad=True)
    i = pg.tensor([0, 2, 0])
    cases = {
        "CatBackward0": [pg.cat([x, x]), pg.hstack([x, x]), pg.vstack([v, v])],
        "StackBackward0": [pg.stack([x, x])],
        "PermuteBackward0": [x.permute(1, 0), y.movedim(0, 2), y.T, x.T],
        "SqueezeBackward0": [y.squeeze()],
        "SqueezeBackward1": [y.squeeze(1), y.squeeze(0)],
        "SqueezeBackward2": [y.squeeze((1,))],
        "UnsqueezeBackward0": [x.unsqueeze(-1), x[None]],
        "TransposeBackward0": [x.transpose(0, 1), x.swapaxes(0, 1), x.mT],
        "TBackward0": [x.t(), v.t()],
        "ViewBackward0": [y.flatten(), x.repeat_interleave(2, dim=0), x.reshape(4, 3)],
        "ExpandBackward0": [y.expand(2, -1, 5, -1), pg.broadcast_tensors(x, y)[0]],
        "FlipBackward0": [x.flip(0)],
        "RollBackward0": [x.roll(1, 0), x.roll(1)],
        "RepeatBackward0": [x.repeat(2, 1), x.tile(2)],
        "IndexSelectBackward0": [
            x.index_select(0, i),
            x.repeat_interleave(pg.tensor([1, 2, 0]), dim=0),
        ],
        "TakeBackward0": [x.take(i)],
        "GatherBackward0": [
            x.gather(0, pg.tensor([[0, 1, 2, 0]])),
            pg.take_along_dim(x, pg.tensor([[0], [1], [2]]), 1),
        ],
        "MaskedFillBackward0": [x.masked_fill(x > 0, 0.0)],
        "MaskedFillBackward1": [x.masked_fill(x > 0, pg.tensor(1.0, dtype=pg.float64))],
        "SliceBackward0": [x.narrow(1, 1, 2), x[1:], x[0, 1:]],
        "SplitBackward0": [x.chunk(2)[0], x.split(2)[0]],
        "SplitWithSizesBackward0": [x.split([1, 2])[0]],
        "UnbindBackward0": [x.unbind(0)[0], pg.unstack(x)[1]],
        "SelectBackward0": [x[1], x[1, 2], x[1:, 0]],
        "IndexBackward0": [x[i], x[x > 0]],
        "AliasBackward0": [x[...]],
    }
    for name, outputs in cases.items():
        for out in outputs:
            assert out.grad_fn.name() == name


def test_scatter_add_second_order(backend):
    # put_along_axis_add's derivative is the gather, whose derivative is put_along_axis_add
    x = _x(3, 2, requires_grad=True)
    idx = pg.tensor([[0, 1], [0, 0], [2, 2]])
    y = x.gather(0, idx)
    (g,) = pg.autograd.grad((y * y).sum(), x, create_graph=True)
    assert g.grad_fn.name() == "ScatterAddBackward0"
    (gg,) = pg.autograd.grad(g.sum(), x)
    assert_values(g, [[0, 2], [0, 6], [8, 10]])
    assert_values(gg, [[4, 2], [0, 2], [2, 2]])


def test_index_copy_and_index_add_take_a_0d_index(backend):
    # PyTorch 2.13: a 0-d index is one index; the source keeps a slice of length 1 along `dim`
    source = pg.tensor([[1.0], [2.0]], requires_grad=True)
    out = pg.zeros(2, 3).index_copy(1, pg.tensor(2), source)
    assert_values(out, [[0, 0, 1], [0, 0, 2]])
    (out * pg.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])).sum().backward()
    assert_values(source.grad, [[3], [6]])
    assert_values(pg.zeros(3).index_add(0, pg.tensor(1), pg.ones(1), alpha=2), [0, 2, 0])
