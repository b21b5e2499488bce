"""Op-database records: Indexing."""

from __future__ import annotations

import numpy as np

import pluggrad as pg

from ._base import OpRecord, Sample, rand

_I = np.array  # integer index arrays become int64 tensors (no grad)


def _gather_ref(xp, x, dim, index):
    # PyTorch's gather: index may be shorter than x along the other axes
    key = tuple(slice(None) if d == dim else slice(0, n) for d, n in enumerate(index.shape))
    return xp.take_along_axis(x[key], index, axis=dim)


def _put_along_axis_add_ref(xp, values, indices, axis, shape):
    axis %= len(shape)
    key = []
    for d, n in enumerate(indices.shape):
        if d == axis:
            key.append(indices)
        else:
            key.append(np.arange(n).reshape((1,) * d + (n,) + (1,) * (indices.ndim - d - 1)))
    if xp is np:
        out = np.zeros(shape)
        np.add.at(out, tuple(key), values)
        return out
    return xp.zeros(shape, dtype=values.dtype).at[tuple(key)].add(values)


def _as_strided_ref(xp, x, size, stride, offset):
    flat = np.full(size, offset, dtype=np.int64)
    for d, (n, s) in enumerate(zip(size, stride)):
        flat += (np.arange(n) * s).reshape((n,) + (1,) * (len(size) - d - 1))
    return xp.reshape(xp.take(xp.reshape(x, (-1,)), xp.asarray(flat.reshape(-1)), axis=0), size)


RECORDS: list[OpRecord] = [
    # ---- as_strided: windows that overlap (their gradients add up) ----------------------------
    OpRecord(
        "as_strided",
        lambda x, size, stride, offset: pg.as_strided(x, size, stride, offset),
        _as_strided_ref,
        [
            Sample((rand(3, 4), (2, 2), (4, 1), 1)),
            Sample((rand(6), (4, 3), (1, 1), 0)),
            Sample((rand(2, 3), (3, 2), (1, 3), 0)),
            Sample((rand(5), (2, 3), (0, 2), 0)),
        ],
        ("as_strided", "put_along_axis_add"),
    ),
    # ---- x[key] -------------------------------------------------------------------------------
    OpRecord(
        "getitem",
        lambda x, key: x[key],
        lambda xp, x, key: x[key],
        [
            Sample((rand(4, 3), 1)),
            Sample((rand(4, 3), (slice(1, 3), 0))),
            Sample((rand(4, 3), (Ellipsis, None, slice(None, None, 2)))),
            Sample((rand(4, 3), (-1, slice(None)))),
            Sample((rand(4, 3), (slice(None, None, -1), slice(-2, None)))),
            Sample((rand(2, 3, 4), (Ellipsis, 1))),
            Sample((rand(2, 3, 4), (0, Ellipsis, None, -1))),
            Sample((rand(), None)),
            Sample((rand(), Ellipsis)),
            Sample((rand(4, 3), (slice(5, 9),))),
        ],
        ("getitem", "scatter_add"),
    ),
    OpRecord(
        "getitem_integer_array",
        lambda x, idx: x[idx],
        lambda xp, x, idx: xp.take(x, idx, axis=0),
        [Sample((rand(4, 3), _I([0, 2, 0, 3]))), Sample((rand(4, 3), _I([[-1, 0], [-1, -1]])))],
        ("getitem", "scatter_add"),
        functions=("getitem",),
    ),
    OpRecord(
        "getitem_advanced",
        lambda x, key: x[key] * x[key],
        lambda xp, x, key: x[key] * x[key],
        [
            # several integer arrays, broadcast together, with repeats
            Sample((rand(4, 3), (_I([0, 2, 0]), _I([1, 1, 1])))),
            Sample((rand(4, 3), (_I([[0], [3]]), _I([0, 2, 2])))),
            # mixed with slices, ints, None and an ellipsis
            Sample((rand(4, 3), (slice(None), _I([2, 0, 2])))),
            Sample((rand(2, 3, 4), (_I([1, 1]), slice(None), _I([0, 3])))),
            Sample((rand(2, 3, 4), (slice(None), _I([0, 2, 0]), _I([1, 2, 1])))),
            Sample((rand(2, 3, 4), (Ellipsis, _I([-1, 0, -1])))),
            Sample((rand(2, 3, 4), (1, _I([2, 2]), slice(1, 3)))),
            Sample((rand(2, 3, 4), (None, _I([1, 0]), Ellipsis))),
            Sample((rand(4, 3), (_I([0, 0, 1]), 2))),
        ],
        ("getitem", "scatter_add", "multiply"),
        functions=("getitem",),
    ),
    OpRecord(
        "getitem_boolean_mask",
        lambda x, mask: x[mask] ** 2,
        lambda xp, x, mask: x[mask] ** 2,
        [
            Sample((rand(4, 3), rand(4, 3) > 0)),
            Sample((rand(4, 3), np.array([True, False, True, True]))),
            Sample((rand(2, 3, 4), rand(2, 3) > 0)),
            Sample((rand(4, 3), np.zeros((4, 3), dtype=bool))),
            Sample((rand(3), np.array(True))),
        ],
        ("getitem", "scatter_add", "pow"),
        functions=("getitem",),
    ),
    OpRecord(
        "getitem_mask_mixed",
        lambda x, key: x[key],
        lambda xp, x, key: x[key],
        [
            Sample((rand(4, 3), (slice(None), np.array([True, False, True])))),
            Sample((rand(2, 3, 4), (1, rand(3, 4) > 0))),
            Sample((rand(2, 3, 4), (Ellipsis, np.array([False, True, True, False])))),
        ],
        ("getitem", "scatter_add"),
        functions=("getitem",),
    ),
    # ---- take -----------------------------------------------------------------------------------
    OpRecord(
        "take",
        lambda x, idx, **kw: pg.take(x, idx, **kw),
        lambda xp, x, idx, **kw: xp.take(x, idx, **kw),
        [
            Sample((rand(5), _I([0, 4, 4, 1, 0]))),
            Sample((rand(4, 3), _I([2, 0, 2])), {"axis": 0}),
            Sample((rand(4, 3), _I([-1, 1, -1, 0])), {"axis": -1}),
            Sample((rand(2, 4, 3), _I([[1, 1], [3, 0]])), {"axis": 1}),
            Sample((rand(4, 3), _I([5, 5, 11, 0]))),
            Sample((rand(4, 3), _I(2)), {"axis": 1}),
            Sample((rand(4, 3), _I([], dtype=np.int64)), {"axis": 0}),
        ],
        ("take", "put_along_axis_add"),
    ),
    OpRecord(
        "index_select",
        lambda x, dim, idx: pg.index_select(x, dim, idx) + x.index_select(dim, idx),
        lambda xp, x, dim, idx: 2 * xp.take(x, xp.reshape(idx, (-1,)), axis=dim),
        [
            Sample((rand(4, 3), 0, _I([3, 0, 3]))),
            Sample((rand(4, 3), -1, _I([1, 1]))),
            Sample((rand(4, 3), 1, _I(2))),
        ],
        ("take", "put_along_axis_add", "add"),
    ),
    OpRecord(
        "Tensor.take",
        lambda x, idx: x.take(idx),
        lambda xp, x, idx: xp.take(xp.reshape(x, (-1,)), idx, axis=0),
        [Sample((rand(3, 4), _I([[0, 11], [-1, 0]]))), Sample((rand(), _I([0, 0])))],
        ("take", "put_along_axis_add"),
        functions=(),
    ),
    # ---- take_along_axis, gather, and their scatter-add ---------------------------------------
    OpRecord(
        "take_along_axis",
        lambda x, idx, **kw: pg.take_along_axis(x, idx, **kw),
        lambda xp, x, idx, **kw: xp.take_along_axis(x, idx, **kw),
        [
            Sample((rand(3, 4), _I([[0, 0, 3], [1, 2, 1], [3, 3, 3]]))),
            Sample((rand(3, 4), _I([[2, 2, 0, 1], [0, 0, 0, 0]])), {"axis": 0}),
            Sample((rand(3, 4), _I([[1], [-1], [0]])), {"axis": -1}),
            Sample((rand(3, 1), _I([[0, 0]])), {"axis": 1}),  # both broadcast
            Sample((rand(2, 3, 4), _I([[[1]], [[2]]])), {"axis": 1}),
            Sample((rand(5), _I([4, 0, 4])), {"axis": 0}),
        ],
        ("take_along_axis", "put_along_axis_add", "broadcast_to"),
    ),
    OpRecord(
        "gather",
        lambda x, dim, idx: pg.gather(x, dim, idx) * x.gather(dim, idx),
        lambda xp, x, dim, idx: _gather_ref(xp, x, dim, idx) ** 2,
        [
            Sample((rand(3, 4), 0, _I([[2, 0, 1, 1], [2, 2, 2, 0]]))),
            Sample((rand(3, 4), 1, _I([[3, 3], [0, 1]]))),  # shorter along axis 0
            Sample((rand(3, 4), -1, _I([[0, 1, 2, 3, 3, 3]] * 3))),
            Sample((rand(2, 3, 4), 2, _I([[[0]], [[3]]]))),
        ],
        ("take_along_axis", "put_along_axis_add", "multiply"),
    ),
    OpRecord(
        "take_along_dim",
        lambda x, idx, dim=None: pg.take_along_dim(x, idx, dim) + x.take_along_dim(idx, dim),
        lambda xp, x, idx, dim=None: (
            2
            * (
                xp.take_along_axis(x, idx, axis=dim)
                if dim is not None
                else xp.take(xp.reshape(x, (-1,)), xp.reshape(idx, (-1,)), axis=0)
            )
        ),
        [
            Sample((rand(3, 4), _I([[0, 5], [11, 11]]))),
            Sample((rand(3, 4), _I([[0, 3]]), 1)),
        ],
        ("take_along_axis", "put_along_axis_add", "reshape", "broadcast_to", "add"),
    ),
    OpRecord(
        "put_along_axis_add",
        lambda values, idx, axis, shape: pg.ops.put_along_axis_add(values, idx, axis, shape) ** 2,
        lambda xp, values, idx, axis, shape: (
            _put_along_axis_add_ref(xp, values, idx, axis, shape) ** 2
        ),
        [
            Sample((rand(2, 3), _I([[0, 0, 3], [1, 3, 3]]), 1, (2, 4))),
            Sample((rand(3, 2), _I([[1, 1], [1, 0], [-1, 0]]), 0, (2, 3))),
            Sample((rand(1, 2), _I([[2, 2]]), 0, (3, 4))),  # shorter along axis 1
            Sample((rand(4), _I([0, 0, 0, 1]), -1, (2,))),
        ],
        ("put_along_axis_add", "take_along_axis", "pow"),
    ),
]
