"""Op-database records: Shape manipulation, dtype conversion and copies."""

from __future__ import annotations

import numpy as np

import pluggrad as pg

from ._base import OpRecord, Sample, rand


def _move_in_place(x):
    """x moved onto its own device through the move primitive (to_device skips that)."""
    here = x._backend.device_of(x._data)
    return pg.ops._devices.apply(pg.ops._devices._MOVE, (x,), {"native": here, "x_device": here})


def _squeeze_ref(xp, x, axis=None, dim=None):
    axis = dim if axis is None else axis
    if axis is None:
        axis = tuple(i for i, n in enumerate(x.shape) if n == 1)
    elif dim is not None:  # PyTorch's dim= leaves axes of other lengths alone
        dims = dim if isinstance(dim, tuple) else (dim,)
        axis = tuple(d for d in dims if x.shape[d] == 1)
    return xp.squeeze(x, axis=axis)


def _weighted(outputs):
    """One tensor from several outputs, each weighted differently (unused ones get no grad)."""
    return sum((i + 1.0) * o for i, o in enumerate(outputs))


def _weighted_ref(xp, outputs):
    return sum((i + 1.0) * o for i, o in enumerate(outputs))


def _flip_ref(xp, x, axis=None, dims=None):
    axis = axis if dims is None else dims
    return xp.flip(x, axis=tuple(axis) if isinstance(axis, list) else axis)


def _expand_ref(xp, x, *sizes):
    if len(sizes) == 1 and isinstance(sizes[0], tuple):
        sizes = sizes[0]
    lead = len(sizes) - x.ndim
    return xp.broadcast_to(
        x, tuple(x.shape[i - lead] if n == -1 else n for i, n in enumerate(sizes))
    )


def _narrow_ref(xp, x, dim, start, length):
    dim, start = dim % x.ndim, start % x.shape[dim]
    return x[(slice(None),) * dim + (slice(start, start + length),)]


def _last_split_ref(xp, x, size, dim=0):
    dim %= x.ndim
    start = (x.shape[dim] - 1) // size * size
    return x[(slice(None),) * dim + (slice(start, None),)] * 3


def _repeat_ref(xp, x, repeats, axis=None):
    if axis is None:
        x, axis = xp.reshape(x, (-1,)), 0
    index = np.repeat(np.arange(x.shape[axis]), np.asarray(repeats))
    return xp.take(x, xp.asarray(index), axis=axis)


def _split_ref(xp, x, sizes, axis):
    bounds = np.cumsum((0,) + tuple(sizes))
    key = (slice(None),) * axis
    return [x[key + (slice(int(a), int(b)),)] for a, b in zip(bounds[:-1], bounds[1:])]


def _masked_fill_ref(xp, x, mask, value):
    return xp.where(mask, value, x)


RECORDS: list[OpRecord] = [
    # ---- shape --------------------------------------------------------------------------------
    OpRecord(
        "reshape",
        lambda x: pg.reshape(x, (3, -1)),
        lambda xp, x: xp.reshape(x, (3, -1)),
        [Sample((rand(2, 3),)), Sample((rand(6),))],
        ("reshape",),
    ),  # fmt: skip
    OpRecord(
        "reshape_variants",
        lambda x, **kw: pg.reshape(x, **kw) * pg.reshape(x, **kw),
        lambda xp, x, **kw: xp.reshape(x, kw["shape"]) ** 2,
        [
            Sample((rand(2, 3),), {"shape": (3, 2), "copy": True}),
            Sample((rand(2, 3),), {"shape": (-1,)}),
            Sample((rand(),), {"shape": (1, 1)}),
            Sample((rand(1, 1),), {"shape": ()}),
            Sample((rand(2, 3, 4),), {"shape": (4, -1, 2)}),
        ],
        ("reshape", "multiply"),
        functions=("reshape",),
    ),
    OpRecord(
        "flatten",
        lambda x, *a: pg.flatten(x, *a),
        lambda xp, x, *a: xp.reshape(x, _flat_shape(x.shape, *a)),
        [
            Sample((rand(2, 3, 4),)),
            Sample((rand(2, 3, 4), 1)),
            Sample((rand(2, 3, 4), 0, -2)),
            Sample((rand(2, 3, 4, 2), -3, 2)),
            Sample((rand(),)),
        ],
        ("reshape",),
    ),
    OpRecord(
        "expand_dims",
        lambda x, **kw: pg.expand_dims(x, **kw),
        lambda xp, x, **kw: xp.expand_dims(x, axis=kw.get("axis", 0)),
        [
            Sample((rand(2, 3),), {"axis": 1}),
            Sample((rand(2, 3),), {"axis": -1}),
            Sample((rand(2, 3),), {"axis": -3}),
            Sample((rand(2, 3),)),
            Sample((rand(),), {"axis": 0}),
        ],
        ("expand_dims",),
    ),
    OpRecord(
        "unsqueeze",
        lambda x, dim: pg.unsqueeze(x, dim),
        lambda xp, x, dim: xp.expand_dims(x, axis=dim),
        [Sample((rand(2, 3), 2)), Sample((rand(2, 3), -2)), Sample((rand(), -1))],
        ("expand_dims",),
    ),
    OpRecord(
        "squeeze",
        lambda x, **kw: pg.squeeze(x, **kw),
        _squeeze_ref,
        [
            Sample((rand(2, 1, 3),), {"axis": 1}),
            Sample((rand(1, 3, 1),), {"axis": (0, -1)}),
            Sample((rand(1, 3, 1),), {"axis": -1}),
            Sample((rand(1, 3, 1),)),
            Sample((rand(1, 3, 1),), {"dim": 1}),
            Sample((rand(1, 3, 1),), {"dim": (0, 1)}),
            Sample((rand(1, 1),)),
            Sample((rand(),)),
        ],
        ("squeeze",),
    ),
    OpRecord(
        "broadcast_to",
        lambda x: pg.broadcast_to(x, (2, 3, 4)),
        lambda xp, x: xp.broadcast_to(x, (2, 3, 4)),
        [Sample((rand(3, 1),)), Sample((rand(4),)), Sample((rand(),))],
        ("broadcast_to",),
    ),  # fmt: skip
    OpRecord(
        "Tensor.expand",
        lambda x, *sizes: x.expand(*sizes),
        _expand_ref,
        [
            Sample((rand(3, 1), 2, -1, 4)),
            Sample((rand(3, 1), (3, 5))),
            Sample((rand(), 2, 2)),
        ],
        ("broadcast_to",),
        functions=(),
    ),
    OpRecord(
        "broadcast_arrays",
        lambda *xs: _weighted(pg.broadcast_arrays(*xs)) ** 2,
        lambda xp, *xs: _weighted_ref(xp, xp.broadcast_arrays(*xs)) ** 2,
        [
            Sample((rand(2, 1), rand(1, 3))),
            Sample((rand(3), rand(2, 1, 1), rand())),
            Sample((rand(2, 3),)),
        ],
        ("broadcast_to",),
        functions=("broadcast_arrays",),
    ),
    OpRecord(
        "broadcast_tensors",
        lambda *xs: _weighted(pg.broadcast_tensors(*xs)),
        lambda xp, *xs: _weighted_ref(xp, xp.broadcast_arrays(*xs)),
        [Sample((rand(4, 1), rand(3)))],
        ("broadcast_to",),
    ),
    # ---- axis order -------------------------------------------------------------------------
    OpRecord(
        "permute_dims",
        lambda x, axes: pg.permute_dims(x, axes),
        lambda xp, x, axes: xp.permute_dims(x, tuple(a % x.ndim for a in axes)),
        [
            Sample((rand(2, 3, 4), (2, 0, 1))),
            Sample((rand(2, 3, 4), (-1, 0, -2))),
            Sample((rand(), ())),
        ],
        ("permute_dims",),
    ),  # fmt: skip
    OpRecord(
        "permute",
        lambda x, dims: pg.permute(x, dims) + x.permute(*dims),
        lambda xp, x, dims: 2 * xp.permute_dims(x, dims),
        [Sample((rand(2, 3, 4), (1, 2, 0)))],
        ("permute_dims", "add"),
    ),
    OpRecord(
        "Tensor.T",
        lambda x: x.T,
        lambda xp, x: xp.permute_dims(x, tuple(range(x.ndim - 1, -1, -1))),
        [Sample((rand(2, 3),)), Sample((rand(2, 3, 4),)), Sample((rand(3),)), Sample((rand(),))],
        ("permute_dims",),
        functions=(),
    ),
    OpRecord(
        "moveaxis",
        lambda x, s, d: pg.moveaxis(x, s, d),
        lambda xp, x, s, d: xp.moveaxis(x, s, d),
        [
            Sample((rand(2, 3, 4), 0, 2)),
            Sample((rand(2, 3, 4), -1, 0)),
            Sample((rand(2, 3, 4, 5), (0, 1), (3, -4))),
        ],
        ("permute_dims",),
        functions=("moveaxis", "movedim"),
    ),
    OpRecord(
        "transpose",
        lambda x, a, b: pg.transpose(x, a, b),
        lambda xp, x, a, b: xp.swapaxes(x, a, b),
        [Sample((rand(2, 3, 4), 0, 2)), Sample((rand(2, 3), -1, 0)), Sample((rand(2, 3), 1, 1))],
        ("transpose",),
        functions=("transpose", "swapaxes", "swapdims"),
    ),
    OpRecord(
        "t",
        lambda x: pg.t(x),
        lambda xp, x: xp.permute_dims(x, tuple(range(x.ndim - 1, -1, -1))),
        [Sample((rand(2, 3),)), Sample((rand(3),)), Sample((rand(),))],
        ("t",),
    ),
    OpRecord(
        "flip",
        lambda x, **kw: pg.flip(x, **kw),
        _flip_ref,
        [
            Sample((rand(2, 3, 4),)),
            Sample((rand(2, 3, 4),), {"axis": 1}),
            Sample((rand(2, 3, 4),), {"axis": (0, -1)}),
            Sample((rand(2, 3),), {"dims": [-1]}),
            Sample((rand(),)),
        ],
        ("flip",),
    ),
    OpRecord(
        "roll",
        lambda x, **kw: pg.roll(x, **kw),
        lambda xp, x, **kw: xp.roll(
            x, shift=kw.get("shift", kw.get("shifts")), axis=kw.get("axis", kw.get("dims"))
        ),
        [
            Sample((rand(3, 4),), {"shift": 2}),
            Sample((rand(3, 4),), {"shift": -1, "axis": 0}),
            Sample((rand(3, 4),), {"shift": (1, -3), "axis": (-1, 0)}),
            Sample((rand(3, 4),), {"shifts": 5, "dims": 1}),
            Sample((rand(3, 4),), {"shift": (1, 2), "axis": (1, 1)}),
            Sample((rand(),), {"shift": 1}),
        ],
        ("roll",),
    ),
    # ---- joining --------------------------------------------------------------------------------
    OpRecord(
        "concat",
        lambda *xs, **kw: pg.concat(xs, **kw),
        lambda xp, *xs, **kw: xp.concat(xs, **kw),
        [
            Sample((rand(2, 3), rand(1, 3), rand(4, 3))),
            Sample((rand(2, 3), rand(2, 1)), {"axis": -1}),
            Sample((rand(2, 3), rand(4)), {"axis": None}),
            Sample((rand(3),)),
            Sample((rand(2, 0), rand(2, 2)), {"axis": 1}),
        ],
        ("concat",),
    ),
    OpRecord(
        "cat",
        lambda *xs, dim=0: pg.cat(list(xs), dim),
        lambda xp, *xs, dim=0: xp.concat(xs, axis=dim),
        [Sample((rand(2, 3), rand(2, 2)), {"dim": 1}), Sample((rand(1, 2), rand(3, 2)))],
        ("concat",),
        functions=("cat", "concatenate"),
    ),
    OpRecord(
        "concat_many",
        lambda x: pg.concat([x[i] for i in range(65)], axis=0),
        lambda xp, x: xp.reshape(x, (-1,)),
        [Sample((rand(65, 1),))],
        ("concat", "getitem"),
        functions=("concat",),
    ),
    OpRecord(
        "hstack",
        lambda *xs: pg.hstack(xs),
        lambda xp, *xs: xp.hstack(xs),
        [Sample((rand(2, 3), rand(2, 1))), Sample((rand(3), rand(2))), Sample((rand(), rand()))],
        ("concat",),
    ),
    OpRecord(
        "vstack",
        lambda *xs: pg.vstack(xs),
        lambda xp, *xs: xp.vstack(xs),
        [Sample((rand(2, 3), rand(1, 3))), Sample((rand(3), rand(3))), Sample((rand(), rand()))],
        ("concat", "reshape"),
    ),
    OpRecord(
        "stack",
        lambda *xs, **kw: pg.stack(xs, **kw),
        lambda xp, *xs, **kw: xp.stack(xs, **kw),
        [
            Sample((rand(2, 3), rand(2, 3), rand(2, 3))),
            Sample((rand(2, 3), rand(2, 3)), {"axis": -1}),
            Sample((rand(2, 3), rand(2, 3)), {"axis": 1}),
            Sample((rand(), rand())),
        ],
        ("stack",),
    ),
    OpRecord(
        "stack_dim",
        lambda *xs: pg.stack(xs, 1),
        lambda xp, *xs: xp.stack(xs, axis=1),
        [Sample((rand(3), rand(3)))],
        ("stack",),
        functions=("stack",),
    ),
    # ---- splitting --------------------------------------------------------------------------
    OpRecord(
        "unstack",
        lambda x, **kw: _weighted(pg.unstack(x, **kw)),
        lambda xp, x, **kw: _weighted_ref(xp, xp.unstack(x, **kw)),
        [
            Sample((rand(3, 2),)),
            Sample((rand(3, 2),), {"axis": -1}),
            Sample((rand(1, 4),)),
            Sample((rand(4),)),
        ],
        ("unstack",),
        functions=("unstack", "unbind"),
    ),
    OpRecord(
        "unbind_partly_used",
        lambda x: pg.unbind(x, 1)[2] * pg.unbind(x, 1)[0],
        lambda xp, x: x[:, 2] * x[:, 0],
        [Sample((rand(2, 4),))],
        ("unstack", "multiply"),
        functions=("unbind",),
    ),
    OpRecord(
        "split",
        lambda x, size, dim=0: _weighted(pg.split(x, size, dim)) ** 2,
        lambda xp, x, size, dim=0: _weighted_ref(xp, _split_ref(xp, x, size, dim)) ** 2,
        [
            Sample((rand(4, 3), [1, 3])),
            Sample((rand(2, 6), [2, 2, 2], 1)),
            Sample((rand(4, 3), [4])),
        ],
        ("split",),
    ),
    OpRecord(
        "split_size",
        lambda x, size, dim=0: pg.split(x, size, dim)[-1] * 3,
        _last_split_ref,
        [
            Sample((rand(5, 2), 2)),
            Sample((rand(2, 6), 3, -1)),
            Sample(
                (
                    rand(
                        3,
                    ),
                    5,
                )
            ),
        ],
        ("split",),
        functions=("split",),
    ),
    OpRecord(
        "chunk",
        lambda x, chunks, dim=0: _weighted(pg.chunk(x, chunks, dim)),
        lambda xp, x, chunks, dim=0: _weighted_ref(
            xp, _split_ref(xp, x, _chunk_sizes(x.shape[dim], chunks), dim)
        ),
        [Sample((rand(3, 4), 2, 1)), Sample((rand(6), 4)), Sample((rand(2, 2), 3))],
        ("split",),
    ),
    OpRecord(
        "select",
        lambda x, dim, index: pg.select(x, dim, index),
        lambda xp, x, dim, index: xp.take(x, xp.asarray(index % x.shape[dim]), axis=dim),
        [Sample((rand(3, 4), 1, 2)), Sample((rand(3, 4), -2, -1)), Sample((rand(5), 0, 3))],
        ("getitem",),
    ),
    OpRecord(
        "narrow",
        lambda x, dim, start, length: pg.narrow(x, dim, start, length),
        _narrow_ref,
        [
            Sample((rand(3, 4), 1, 1, 2)),
            Sample((rand(3, 4), -2, -2, 2)),
            Sample((rand(3), 0, 0, 0)),
        ],
        ("getitem",),
    ),
    # ---- tiling and repeating ---------------------------------------------------------------
    OpRecord(
        "tile",
        lambda x, reps: pg.tile(x, reps),
        lambda xp, x, reps: xp.tile(x, reps),
        [
            Sample((rand(2, 3), (2, 1))),
            Sample((rand(2, 3), (3,))),
            Sample((rand(2, 3), (2, 1, 2))),
            Sample((rand(), (3,))),
            Sample((rand(2), ())),
        ],
        ("tile",),
    ),
    OpRecord(
        "Tensor.repeat",
        lambda x, *sizes: x.repeat(*sizes),
        lambda xp, x, *sizes: xp.tile(x, sizes),
        [Sample((rand(2, 3), 2, 2)), Sample((rand(3), 2, 1, 2)), Sample((rand(), 2))],
        ("tile",),
        functions=(),
    ),
    OpRecord(
        "repeat",
        lambda x, repeats, **kw: pg.repeat(x, repeats, **kw),
        _repeat_ref,
        [
            Sample((rand(2, 3), 2)),
            Sample((rand(2, 3), 3), {"axis": 1}),
            Sample((rand(2, 3), np.array([1, 0, 2])), {"axis": -1}),
            Sample((rand(2, 3), np.array([2]))),
            Sample((rand(), 3)),
            Sample((rand(3), 0)),
        ],
        ("reshape", "expand_dims", "broadcast_to", "take"),
    ),
    OpRecord(
        "repeat_interleave",
        lambda x, repeats, dim=None: (
            pg.repeat_interleave(x, repeats, dim) + x.repeat_interleave(repeats, dim)
        ),
        lambda xp, x, repeats, dim=None: 2 * _repeat_ref(xp, x, repeats, dim),
        [Sample((rand(2, 3), 2)), Sample((rand(2, 3), np.array([3, 1]), 0))],
        ("reshape", "expand_dims", "broadcast_to", "take"),
    ),
    # ---- dtype conversion and copies --------------------------------------------------------
    OpRecord(
        "astype",
        lambda x: pg.astype(x, pg.float32) * 1.0,
        lambda xp, x: xp.astype(x, xp.float32),
        [Sample((rand(3),))],
        ("astype",),
        rtol=1e-2,
        atol=1e-3,
        second_order=False,
        eps=1e-3,
    ),  # fmt: skip
    OpRecord("clone", pg.clone, lambda xp, x: x + 0, [Sample((rand(2, 2),))], ("clone",)),
    # a move between devices, here onto the device x is on (the only one every backend has):
    # the primitive behind x.to(device), x.cpu(), x.cuda()
    OpRecord(
        "move",
        lambda x: _move_in_place(x) * x,
        lambda xp, x: x * x,
        [Sample((rand(2, 3),))],
        ("move",),
    ),
    # ---- filling --------------------------------------------------------------------------------
    OpRecord(
        "masked_fill",
        lambda x, mask, value: pg.masked_fill(x, mask, value) ** 2,
        lambda xp, x, mask, value: _masked_fill_ref(xp, x, mask, value) ** 2,
        [
            Sample((rand(3, 4), rand(3, 4) > 0, 1.5)),
            Sample((rand(3, 4), rand(3, 4) > 0, rand())),
            Sample((rand(3, 4), np.array([True, False, False, True]), rand())),
            Sample((rand(), np.array(True), rand())),
            Sample((rand(2, 3), np.zeros((2, 3), dtype=bool), rand())),
        ],
        ("masked_fill",),
    ),
]


def _flat_shape(shape, start=0, end=-1):
    if not shape:
        return (1,)
    start, end = start % len(shape), end % len(shape)
    return shape[:start] + (int(np.prod(shape[start : end + 1])),) + shape[end + 1 :]


def _chunk_sizes(n, chunks):
    size = -(-n // chunks)
    return (size,) * (n // size) + ((n % size,) if n % size else ())
