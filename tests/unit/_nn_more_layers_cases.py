"""The cases of ``test_nn_more_layers``, written once for both libraries: each takes the library
(``torch`` or ``pluggrad``) and returns what is compared (``_regenerate_nn_more_layers``
records PyTorch's answers in ``nn_more_layers_torch.json``).

Three kinds: ``VALUE_CASES`` (a computation on float64 leaves: its output, the leaves'
gradients of a weighted sum of it, and its indices when it returns some), ``ERROR_CASES``
(the type and first line of the exception a call raises) and ``MODULE_CASES`` (reprs, shapes
and state_dict keys of modules).
"""

from __future__ import annotations

import math
import warnings

import numpy as np

_rng = np.random.default_rng(20261203)


def _normal(*shape):
    return _rng.normal(size=shape)


def _positive(*shape):
    return np.abs(_rng.normal(size=shape)) + 0.1


X1 = _normal(2, 3, 9)
X2 = _normal(2, 3, 6, 8)
X3 = _normal(2, 2, 4, 6, 6)
P1, P2, P3 = _positive(2, 3, 9), _positive(2, 3, 6, 7), _positive(2, 2, 4, 5, 6)
SCORES = _normal(4, 5)
LOGITS = _normal(7, 3, 5)
SAMPLES2 = _rng.uniform(size=(2, 3, 2))
SAMPLES3 = _rng.uniform(size=(2, 2, 3))
X2_32 = _normal(2, 3, 9, 7).astype(np.float32)
SAMPLES2_32 = _rng.uniform(size=(2, 3, 2)).astype(np.float32)
SMALL3 = _normal(1, 2, 3, 4, 5)  # the padding and the lazy 3-d layers' (their outputs are large)

CLASSES = [1, 0, 4, 2]
LABELS = [[1, 3, -1, 0, 0], [0, -1, 2, 2, 2], [4, 4, 1, 0, -1], [-1, 1, 2, 3, 4]]
TARGETS = [[1, 2, 2], [3, 1, 0], [4, 4, 1]]

# name -> (make(lib, *leaves), leaves): the leaves are float arrays (gradients recorded)
VALUE_CASES: dict = {}


def _case(name, *leaves):
    def register(make):
        VALUE_CASES[name] = (make, leaves)
        return make

    return register


def _unpool(lib, x, dims, kernel, stride=None, padding=0, output_size=None, module=False):
    F = lib.nn.functional
    pool = getattr(F, f"max_pool{dims}d")
    values, indices = pool(x, kernel, stride, padding, return_indices=True)
    if module:
        layer = getattr(lib.nn, f"MaxUnpool{dims}d")(kernel, stride, padding)
        return layer(values * 1.5, indices, output_size=output_size)
    return getattr(F, f"max_unpool{dims}d")(values * 1.5, indices, kernel, stride, padding,
                                            output_size=output_size)  # fmt: skip


for _name, _args in {
    "max_unpool1d": (X1, 1, 2),
    "max_unpool1d overlapping output_size": (X1, 1, 3, 2, 1, [10]),
    "max_unpool2d": (X2, 2, 2),
    "max_unpool2d output_size padding": (X2, 2, (2, 3), 2, 1, (2, 3, 7, 8)),
    "max_unpool2d unbatched": (X2[0], 2, 2),
    "max_unpool3d": (X3, 3, 2),
    "max_unpool3d overlapping": (X3, 3, 2, 1),
    "MaxUnpool2d module": (X2, 2, 2, None, 0, [7, 9], True),
    "MaxUnpool1d module": (X1, 1, 3, 2, 1, None, True),
    "MaxUnpool3d module": (X3, 3, (1, 2, 2), None, 0, None, True),
}.items():
    _case(_name, _args[0])(lambda lib, x, _a=_args[1:]: _unpool(lib, x, *_a))

for _p in (2, 1.5, 3, math.inf):
    _case(f"lp_pool1d p={_p}", P1)(
        lambda lib, x, p=_p: lib.nn.functional.lp_pool1d(x, p, 3, 2, ceil_mode=True)
    )
    _case(f"lp_pool2d p={_p}", P2)(lambda lib, x, p=_p: lib.nn.functional.lp_pool2d(x, p, (2, 3)))
    _case(f"lp_pool3d p={_p}", P3)(lambda lib, x, p=_p: lib.nn.functional.lp_pool3d(x, p, 2, 1))
_case("LPPool2d module unbatched", P2[0])(lambda lib, x: lib.nn.LPPool2d(2, 2, 1)(x))
_case("LPPool1d module", P1)(lambda lib, x: lib.nn.LPPool1d(1.5, 4)(x))
_case("LPPool3d module", P3)(lambda lib, x: lib.nn.LPPool3d(3, (2, 3, 2), ceil_mode=True)(x))
_case("lp_pool2d negative inf", X2)(lambda lib, x: lib.nn.functional.lp_pool2d(x, -math.inf, 2))

for _dims, _x in ((1, X1), (2, X2), (3, X3)):
    _case(f"adaptive_max_pool{_dims}d_with_indices", _x)(
        lambda lib, x, d=_dims: getattr(lib.nn.functional, f"adaptive_max_pool{d}d_with_indices")(
            x, 3
        )
    )


def _fractional(lib, x, samples, dims, kernel, size=None, ratio=None, module=False):
    samples = lib.tensor(samples)
    if module:
        layer = getattr(lib.nn, f"FractionalMaxPool{dims}d")
        return layer(kernel, size, ratio, return_indices=True, _random_samples=samples)(x)
    function = getattr(lib.nn.functional, f"fractional_max_pool{dims}d")
    return function(x, kernel, size, ratio, return_indices=True, _random_samples=samples)


_case("fractional_max_pool2d", X2)(lambda lib, x: _fractional(lib, x, SAMPLES2, 2, 2, 4))
_case("fractional_max_pool2d ratio", X2)(
    lambda lib, x: _fractional(lib, x, SAMPLES2, 2, (2, 3), ratio=(0.5, 0.6))
)
_case("fractional_max_pool2d unbatched", X2[0])(
    lambda lib, x: _fractional(lib, x, SAMPLES2[:1], 2, 3, (3, 5))
)
_case("fractional_max_pool2d float32", X2_32)(
    lambda lib, x: _fractional(lib, x, SAMPLES2_32, 2, (2, 3), (5, 4))
)
_case("fractional_max_pool3d", X3)(lambda lib, x: _fractional(lib, x, SAMPLES3, 3, 2, (2, 4, 4)))
_case("FractionalMaxPool2d module", X2)(
    lambda lib, x: _fractional(lib, x, SAMPLES2, 2, 2, ratio=0.5, module=True)
)
_case("FractionalMaxPool3d module", X3)(
    lambda lib, x: _fractional(lib, x, SAMPLES3, 3, (1, 2, 2), size=3, module=True)
)

_PADS = (1, 2, 0, 1, 2, 1)
for _layer in ("ZeroPad3d", "ReflectionPad3d", "ReplicationPad3d", "CircularPad3d"):
    _case(f"{_layer}", SMALL3)(lambda lib, x, n=_layer: getattr(lib.nn, n)(_PADS)(x))
    _case(f"{_layer} int unbatched", SMALL3[0])(lambda lib, x, n=_layer: getattr(lib.nn, n)(1)(x))


def _tensor(lib, values):
    return lib.tensor(values)


for _red in ("none", "mean", "sum"):
    for _p in (1, 2):
        _case(f"multi_margin_loss p={_p} {_red}", SCORES)(
            lambda lib, x, p=_p, r=_red: lib.nn.functional.multi_margin_loss(
                x, _tensor(lib, CLASSES), p=p, reduction=r
            )
        )
    _case(f"multi_margin_loss weight margin {_red}", SCORES)(
        lambda lib, x, r=_red: lib.nn.functional.multi_margin_loss(
            x,
            _tensor(lib, CLASSES),
            margin=0.7,
            weight=lib.tensor([0.5, 1.0, 1.5, 2.0, 0.25], dtype=lib.float64),
            reduction=r,
        )  # fmt: skip
    )
    _case(f"multi_margin_loss vector {_red}", SCORES[0])(
        lambda lib, x, r=_red: lib.nn.functional.multi_margin_loss(x, _tensor(lib, 3), reduction=r)
    )
    _case(f"multilabel_margin_loss {_red}", SCORES)(
        lambda lib, x, r=_red: lib.nn.functional.multilabel_margin_loss(
            x, _tensor(lib, LABELS), reduction=r
        )
    )
    _case(f"multilabel_margin_loss vector {_red}", SCORES[2])(
        lambda lib, x, r=_red: lib.nn.functional.multilabel_margin_loss(
            x, _tensor(lib, LABELS[2]), reduction=r
        )
    )
    _case(f"triplet_margin_with_distance_loss {_red}", SCORES, SCORES[::-1], SCORES * 0.5)(
        lambda lib, a, p, n, r=_red: lib.nn.functional.triplet_margin_with_distance_loss(
            a, p, n, reduction=r
        )
    )
    _case(f"ctc_loss {_red}", LOGITS)(
        lambda lib, z, r=_red: lib.nn.functional.ctc_loss(
            z.log_softmax(2),
            _tensor(lib, TARGETS),
            _tensor(lib, [7, 5, 6]),
            _tensor(lib, [3, 2, 0]),
            reduction=r,
        )  # fmt: skip
    )
    _case(f"ctc_loss unnormalised {_red}", LOGITS)(
        lambda lib, z, r=_red: lib.nn.functional.ctc_loss(
            z,
            _tensor(lib, TARGETS),
            _tensor(lib, [7, 6, 4]),
            _tensor(lib, [3, 1, 2]),
            blank=0,
            reduction=r,
        )  # fmt: skip
    )
    _case(f"ctc_loss impossible zero_infinity {_red}", LOGITS)(
        lambda lib, z, r=_red: lib.nn.functional.ctc_loss(
            z.log_softmax(2),
            _tensor(lib, TARGETS),
            (2, 5, 1),
            (3, 2, 0),
            reduction=r,
            zero_infinity=True,
        )  # fmt: skip
    )
_case("ctc_loss impossible", LOGITS)(
    lambda lib, z: lib.nn.functional.ctc_loss(
        z.log_softmax(2), _tensor(lib, TARGETS), (2, 5, 1), (3, 2, 0), reduction="none"
    )
)
_case("ctc_loss concatenated targets", LOGITS)(
    lambda lib, z: lib.nn.functional.ctc_loss(
        z.log_softmax(2), _tensor(lib, [1, 2, 2, 3, 1]), [7, 5, 6], [3, 2, 0]
    )
)
_case("ctc_loss unbatched", LOGITS[:, 1])(
    lambda lib, z: lib.nn.functional.ctc_loss(
        z.log_softmax(1), _tensor(lib, [3, 3]), _tensor(lib, 6), _tensor(lib, 2), reduction="sum"
    )
)
_case("CTCLoss module", LOGITS)(
    lambda lib, z: lib.nn.CTCLoss(blank=4, zero_infinity=True)(
        z.log_softmax(2), _tensor(lib, [[1, 2, 2], [3, 1, 0], [0, 0, 1]]), (7, 7, 6), (3, 2, 3)
    )
)
_case("MultiMarginLoss module", SCORES)(
    lambda lib, x: lib.nn.MultiMarginLoss(
        p=2, margin=0.5, weight=lib.tensor([1.0, 2, 3, 4, 5], dtype=lib.float64)
    )(x, _tensor(lib, CLASSES))
)
_case("MultiLabelMarginLoss module", SCORES)(
    lambda lib, x: lib.nn.MultiLabelMarginLoss(reduction="sum")(x, _tensor(lib, LABELS))
)
_case("TripletMarginWithDistanceLoss cosine swap", SCORES, SCORES[::-1], SCORES * 0.5)(
    lambda lib, a, p, n: lib.nn.TripletMarginWithDistanceLoss(
        distance_function=lambda u, v: 1.0 - lib.nn.functional.cosine_similarity(u, v),
        margin=0.4,
        swap=True,
    )(a, p, n)  # fmt: skip
)


def _lazy(lib, x, make):
    """The module's output on `x` after its first call (which initialises it) and its
    parameters set to evenly spaced values (the same in both libraries)."""
    layer = make(lib)
    layer(x)
    with lib.no_grad():
        for p in layer.parameters():
            p.copy_(lib.linspace(-0.5, 0.5, p.numel(), dtype=lib.float64).reshape(p.shape))
    return layer(x)


for _name, _make, _x in (
    ("LazyBatchNorm1d", lambda lib: lib.nn.LazyBatchNorm1d(dtype=lib.float64), X1),
    ("LazyBatchNorm2d", lambda lib: lib.nn.LazyBatchNorm2d(momentum=None, dtype=lib.float64), X2),
    (
        "LazyBatchNorm3d",
        lambda lib: lib.nn.LazyBatchNorm3d(affine=False, dtype=lib.float64),
        SMALL3,
    ),
    ("LazyInstanceNorm1d", lambda lib: lib.nn.LazyInstanceNorm1d(dtype=lib.float64), X1),
    ("LazyInstanceNorm2d", lambda lib: lib.nn.LazyInstanceNorm2d(dtype=lib.float64), X2),
    (
        "LazyInstanceNorm3d",
        lambda lib: lib.nn.LazyInstanceNorm3d(track_running_stats=False, dtype=lib.float64),
        SMALL3,
    ),
    (
        "LazyConvTranspose1d",
        lambda lib: lib.nn.LazyConvTranspose1d(4, 3, stride=2, dtype=lib.float64),
        X1,
    ),
    (
        "LazyConvTranspose2d",
        lambda lib: lib.nn.LazyConvTranspose2d(4, 3, 2, 1, 1, groups=1, dtype=lib.float64),
        X2[:1],
    ),
    (
        "LazyConvTranspose3d",
        lambda lib: lib.nn.LazyConvTranspose3d(2, 2, bias=False, dtype=lib.float64),
        SMALL3,
    ),
    (
        "LazyConvTranspose2d unbatched",
        lambda lib: lib.nn.LazyConvTranspose2d(2, 2, dilation=2, dtype=lib.float64),
        X2[0],
    ),
):
    _case(_name, _x)(lambda lib, x, m=_make: _lazy(lib, x, m))


def _adaptive(lib, in_features=8, cutoffs=(4, 10), head_bias=True):
    """An ``AdaptiveLogSoftmaxWithLoss`` over 16 classes with set parameters (a sine of evenly
    spaced values, different for each)."""
    layer = lib.nn.AdaptiveLogSoftmaxWithLoss(
        in_features, 16, list(cutoffs), div_value=2.0, head_bias=head_bias, dtype=lib.float64
    )
    with lib.no_grad():
        for i, p in enumerate(layer.parameters()):
            values = lib.linspace(-0.5, 0.5 + i / 10, p.numel(), dtype=lib.float64)
            p.copy_(values.reshape(p.shape).sin())
    return layer


ADAPTIVE_INPUT = _normal(6, 8)
ADAPTIVE_TARGET = [0, 3, 7, 12, 15, 5]
_case("AdaptiveLogSoftmaxWithLoss output", ADAPTIVE_INPUT)(
    lambda lib, x: _adaptive(lib)(x, _tensor(lib, ADAPTIVE_TARGET)).output
)
_case("AdaptiveLogSoftmaxWithLoss loss", ADAPTIVE_INPUT)(
    lambda lib, x: _adaptive(lib, cutoffs=(2, 5, 9), head_bias=False)(
        x, _tensor(lib, ADAPTIVE_TARGET)
    ).loss.reshape(1)
)
_case("AdaptiveLogSoftmaxWithLoss unbatched", ADAPTIVE_INPUT[1])(
    lambda lib, x: lib.stack(list(_adaptive(lib)(x, _tensor(lib, 12))))
)
_case("AdaptiveLogSoftmaxWithLoss log_prob", ADAPTIVE_INPUT)(
    lambda lib, x: _adaptive(lib).log_prob(x)
)


LRN_INPUT = _normal(2, 5, 3, 4)
for _size in (2, 3, 5):
    _case(f"CrossMapLRN2d size={_size}", LRN_INPUT)(
        lambda lib, x, n=_size: lib.nn.CrossMapLRN2d(n, alpha=0.5, beta=0.8, k=1.5)(x)
    )
_case("CrossMapLRN2d defaults", LRN_INPUT)(lambda lib, x: lib.nn.CrossMapLRN2d(3)(x))


def _sync(lib, x, training=True, **options):
    layer = lib.nn.SyncBatchNorm(x.shape[1], dtype=lib.float64, **options)
    with lib.no_grad():
        layer.weight.copy_(lib.linspace(0.5, 1.5, x.shape[1], dtype=lib.float64))
        layer.bias.copy_(lib.linspace(-0.2, 0.2, x.shape[1], dtype=lib.float64))
    layer(x * 0.5 + 1)  # moves the running statistics
    layer.train(training)
    return layer(x)


_case("SyncBatchNorm 3d", X1)(lambda lib, x: _sync(lib, x))
_case("SyncBatchNorm 5d momentum None", X3)(lambda lib, x: _sync(lib, x, momentum=None))
_case("SyncBatchNorm 2d eval", SCORES)(lambda lib, x: _sync(lib, x, training=False))


def run_value_case(lib, name: str) -> dict:
    """The output, the gradients of ``sum(out * w)`` (w from 1 up) and the indices of a case."""
    make, leaves = VALUE_CASES[name]
    tensors = [lib.tensor(np.ascontiguousarray(a)).requires_grad_() for a in leaves]
    out = make(lib, *tensors)
    indices = None
    if isinstance(out, tuple):
        out, indices = out
    weights = lib.arange(1, out.numel() + 1, dtype=lib.float64).reshape(out.shape)
    (out * weights).sum().backward()
    result = {
        "shape": list(out.shape),
        "out": out.detach().double().tolist(),
        "grads": [None if t.grad is None else t.grad.double().tolist() for t in tensors],
    }
    if indices is not None:
        result["indices"] = indices.tolist()
    return result


def _x(lib, array):
    return lib.tensor(array)


def _pooled(lib, dims=2):
    x = _x(lib, {1: X1, 2: X2, 3: X3}[dims])
    return getattr(lib.nn.functional, f"max_pool{dims}d")(x, 2, return_indices=True)


def _spoiled(indices, value):
    """`indices` with one entry out of range (PyTorch's kernel reports one invalid index of
    its choosing when there are several)."""
    indices = indices.clone()
    indices.view(-1)[5] = value
    return indices


ERROR_CASES = {
    "max_unpool2d invalid index": lambda lib: lib.nn.functional.max_unpool2d(
        _pooled(lib)[0], _spoiled(_pooled(lib)[1], 48), 2
    ),
    "max_unpool2d negative index": lambda lib: lib.nn.functional.max_unpool2d(
        _pooled(lib)[0], _spoiled(_pooled(lib)[1], -1), 2
    ),
    "max_unpool1d invalid index": lambda lib: lib.nn.functional.max_unpool1d(
        _pooled(lib, 1)[0], _spoiled(_pooled(lib, 1)[1], 9), 2
    ),
    "max_unpool3d invalid index": lambda lib: lib.nn.functional.max_unpool3d(
        _pooled(lib, 3)[0], _spoiled(_pooled(lib, 3)[1], 1000), 2
    ),
    "max_unpool2d indices shape": lambda lib: lib.nn.functional.max_unpool2d(
        _pooled(lib)[0], _pooled(lib)[1][..., :1], 2
    ),
    "max_unpool2d float indices": lambda lib: lib.nn.functional.max_unpool2d(
        _pooled(lib)[0], _pooled(lib)[1].double(), 2
    ),
    "max_unpool3d float indices": lambda lib: lib.nn.functional.max_unpool3d(
        _pooled(lib, 3)[0], _pooled(lib, 3)[1].double(), 2
    ),
    "max_unpool2d output_size range": lambda lib: lib.nn.functional.max_unpool2d(
        *_pooled(lib), 2, output_size=(9, 9)
    ),
    "max_unpool2d output_size length": lambda lib: lib.nn.functional.max_unpool2d(
        *_pooled(lib), 2, output_size=[7]
    ),
    "max_unpool1d output_size list": lambda lib: lib.nn.functional.max_unpool1d(
        *_pooled(lib, 1), 2, output_size=[12]
    ),
    "max_unpool2d rank": lambda lib: lib.nn.functional.max_unpool2d(
        _pooled(lib)[0][0, 0], _pooled(lib)[1][0, 0], 2
    ),
    "max_unpool1d rank": lambda lib: lib.nn.functional.max_unpool1d(
        _pooled(lib, 1)[0][0, 0], _pooled(lib, 1)[1][0, 0], 2
    ),
    "max_unpool3d rank": lambda lib: lib.nn.functional.max_unpool3d(
        _pooled(lib, 3)[0][0, 0], _pooled(lib, 3)[1][0, 0], 2
    ),
    "lp_pool2d norm 0": lambda lib: lib.nn.functional.lp_pool2d(_x(lib, P2), 0, 2),
    "dropout3d p": lambda lib: lib.nn.functional.dropout3d(_x(lib, X3), 1.5),
    "Dropout3d p": lambda lib: lib.nn.Dropout3d(-0.1),
    "pad reflect 3d too large": lambda lib: lib.nn.functional.pad(
        _x(lib, X3), (6, 1, 1, 1, 1, 1), mode="reflect"
    ),
    "ReflectionPad3d rank": lambda lib: lib.nn.ReflectionPad3d(1)(_x(lib, X3[0, 0])),
    "ReplicationPad3d rank": lambda lib: lib.nn.ReplicationPad3d(1)(_x(lib, X3[0, 0])),
    "CircularPad3d rank": lambda lib: lib.nn.CircularPad3d(1)(_x(lib, X3[0, 0])),
    "ZeroPad3d rank": lambda lib: lib.nn.ZeroPad3d(1)(_x(lib, X3[0, 0, 0])),
    "pad circular wraps twice": lambda lib: lib.nn.functional.pad(
        _x(lib, X3), (7, 7, 0, 0, 0, 0), mode="circular"
    ),
    "pad replicate 2 on 4d": lambda lib: lib.nn.functional.pad(
        _x(lib, X2), (1, 1), mode="replicate"
    ),
    "multi_margin_loss p": lambda lib: lib.nn.functional.multi_margin_loss(
        _x(lib, SCORES), _tensor(lib, CLASSES), p=3
    ),
    "multi_margin_loss weight rank": lambda lib: lib.nn.functional.multi_margin_loss(
        _x(lib, SCORES), _tensor(lib, CLASSES), weight=lib.ones(2, 2, dtype=lib.float64)
    ),
    "multi_margin_loss weight size": lambda lib: lib.nn.functional.multi_margin_loss(
        _x(lib, SCORES), _tensor(lib, CLASSES), weight=lib.ones(3, dtype=lib.float64)
    ),
    "multi_margin_loss target range": lambda lib: lib.nn.functional.multi_margin_loss(
        _x(lib, SCORES), _tensor(lib, [1, 0, 5, 2])
    ),
    "multi_margin_loss target size": lambda lib: lib.nn.functional.multi_margin_loss(
        _x(lib, SCORES), _tensor(lib, [1, 0])
    ),
    "multi_margin_loss rank": lambda lib: lib.nn.functional.multi_margin_loss(
        _x(lib, SCORES[None]), _tensor(lib, CLASSES)
    ),
    "multi_margin_loss float target": lambda lib: lib.nn.functional.multi_margin_loss(
        _x(lib, SCORES), _tensor(lib, CLASSES).double()
    ),
    "multi_margin_loss reduction": lambda lib: lib.nn.functional.multi_margin_loss(
        _x(lib, SCORES), _tensor(lib, CLASSES), reduction="all"
    ),
    "MultiMarginLoss p": lambda lib: lib.nn.MultiMarginLoss(p=0),
    "MultiMarginLoss weight": lambda lib: lib.nn.MultiMarginLoss(weight=lib.ones(2, 2)),
    "multilabel_margin_loss target size": lambda lib: lib.nn.functional.multilabel_margin_loss(
        _x(lib, SCORES), _tensor(lib, CLASSES)
    ),
    "multilabel_margin_loss target range": lambda lib: lib.nn.functional.multilabel_margin_loss(
        _x(lib, SCORES), _tensor(lib, [[5, -1, 0, 0, 0]] * 4)
    ),
    "multilabel_margin_loss rank": lambda lib: lib.nn.functional.multilabel_margin_loss(
        _x(lib, SCORES[None]), _tensor(lib, LABELS)
    ),
    "multilabel_margin_loss float": lambda lib: lib.nn.functional.multilabel_margin_loss(
        _x(lib, SCORES), _x(lib, SCORES)
    ),
    "triplet_margin_with_distance_loss reduction": (
        lambda lib: lib.nn.functional.triplet_margin_with_distance_loss(
            _x(lib, SCORES), _x(lib, SCORES), _x(lib, SCORES), reduction="avg"
        )
    ),
    "triplet_margin_with_distance_loss margin": (
        lambda lib: lib.nn.functional.triplet_margin_with_distance_loss(
            _x(lib, SCORES), _x(lib, SCORES), _x(lib, SCORES), margin=0
        )
    ),
    "triplet_margin_with_distance_loss ranks": (
        lambda lib: lib.nn.functional.triplet_margin_with_distance_loss(
            _x(lib, SCORES), _x(lib, SCORES), _x(lib, SCORES[0])
        )
    ),
    "TripletMarginWithDistanceLoss margin": lambda lib: lib.nn.TripletMarginWithDistanceLoss(
        margin=-1.0
    ),
    "ctc_loss input length": lambda lib: lib.nn.functional.ctc_loss(
        _x(lib, LOGITS), _tensor(lib, TARGETS), (8, 5, 6), (3, 2, 0)
    ),
    "ctc_loss negative input length": lambda lib: lib.nn.functional.ctc_loss(
        _x(lib, LOGITS), _tensor(lib, TARGETS), (-1, 5, 6), (3, 2, 0)
    ),
    "ctc_loss target length": lambda lib: lib.nn.functional.ctc_loss(
        _x(lib, LOGITS), _tensor(lib, TARGETS), (7, 5, 6), (4, 2, 0)
    ),
    "ctc_loss concatenated size": lambda lib: lib.nn.functional.ctc_loss(
        _x(lib, LOGITS), _tensor(lib, [1, 2, 3]), (7, 5, 6), (3, 2, 0)
    ),
    "ctc_loss input lengths size": lambda lib: lib.nn.functional.ctc_loss(
        _x(lib, LOGITS), _tensor(lib, TARGETS), (7, 5), (3, 2, 0)
    ),
    "ctc_loss target lengths size": lambda lib: lib.nn.functional.ctc_loss(
        _x(lib, LOGITS), _tensor(lib, TARGETS), (7, 5, 6), (3, 2)
    ),
    "ctc_loss blank": lambda lib: lib.nn.functional.ctc_loss(
        _x(lib, LOGITS), _tensor(lib, TARGETS), (7, 5, 6), (3, 2, 0), blank=5
    ),
    "ctc_loss float lengths": lambda lib: lib.nn.functional.ctc_loss(
        _x(lib, LOGITS),
        _tensor(lib, TARGETS),
        _tensor(lib, [7.0, 5.0, 6.0]),
        _tensor(lib, [3, 2, 0]),
    ),
    "ctc_loss rank": lambda lib: lib.nn.functional.ctc_loss(
        _x(lib, LOGITS[None]), _tensor(lib, TARGETS), (7, 5, 6), (3, 2, 0)
    ),
    "ctc_loss reduction": lambda lib: lib.nn.functional.ctc_loss(
        _x(lib, LOGITS), _tensor(lib, TARGETS), (7, 5, 6), (3, 2, 0), reduction="avg"
    ),
    "fractional_max_pool2d no size": lambda lib: lib.nn.functional.fractional_max_pool2d(
        _x(lib, X2), 2
    ),
    "fractional_max_pool2d pool height": lambda lib: lib.nn.functional.fractional_max_pool2d(
        _x(lib, X2), 2, output_size=6, _random_samples=_x(lib, SAMPLES2)
    ),
    "fractional_max_pool2d pool width": lambda lib: lib.nn.functional.fractional_max_pool2d(
        _x(lib, X2), (2, 3), output_size=(3, 7), _random_samples=_x(lib, SAMPLES2)
    ),
    "fractional_max_pool3d pool time": lambda lib: lib.nn.functional.fractional_max_pool3d(
        _x(lib, X3), 2, output_size=4, _random_samples=_x(lib, SAMPLES3)
    ),
    "fractional_max_pool2d samples batch": lambda lib: lib.nn.functional.fractional_max_pool2d(
        _x(lib, X2), 2, output_size=3, _random_samples=_x(lib, SAMPLES2[:1])
    ),
    "fractional_max_pool2d samples size": lambda lib: lib.nn.functional.fractional_max_pool2d(
        _x(lib, X2), 2, output_size=3, _random_samples=_x(lib, SAMPLES2[..., :1])
    ),
    "fractional_max_pool2d samples dtype": lambda lib: lib.nn.functional.fractional_max_pool2d(
        _x(lib, X2), 2, output_size=3, _random_samples=_x(lib, SAMPLES2_32)
    ),
    "FractionalMaxPool2d no size": lambda lib: lib.nn.FractionalMaxPool2d(2),
    "FractionalMaxPool3d no size": lambda lib: lib.nn.FractionalMaxPool3d(2),
    "FractionalMaxPool2d both": lambda lib: lib.nn.FractionalMaxPool2d(2, 3, 0.5),
    "FractionalMaxPool2d ratio": lambda lib: lib.nn.FractionalMaxPool2d(2, output_ratio=1.5),
    "LazyConvTranspose2d rank": lambda lib: lib.nn.LazyConvTranspose2d(2, 2)(_x(lib, X3)),
    "LazyInstanceNorm1d unbatched": lambda lib: lib.nn.LazyInstanceNorm1d()(_x(lib, X1[0])),
    "LazyBatchNorm2d rank": lambda lib: lib.nn.LazyBatchNorm2d()(_x(lib, X1)),
    "CrossMapLRN2d rank": lambda lib: lib.nn.CrossMapLRN2d(3)(_x(lib, X1)),
    "SyncBatchNorm rank": lambda lib: lib.nn.SyncBatchNorm(3)(lib.ones(3)),
    "SyncBatchNorm no channels": lambda lib: lib.nn.SyncBatchNorm(0)(lib.ones(2, 0, 3)),
    "AdaptiveLogSoftmaxWithLoss no cutoffs": lambda lib: lib.nn.AdaptiveLogSoftmaxWithLoss(
        8, 16, []
    ),
    "AdaptiveLogSoftmaxWithLoss cutoffs": lambda lib: lib.nn.AdaptiveLogSoftmaxWithLoss(
        8, 16, [4, 16]
    ),
    "AdaptiveLogSoftmaxWithLoss target range": lambda lib: _adaptive(lib)(
        _x(lib, ADAPTIVE_INPUT), _tensor(lib, [0, 3, 7, 12, 16, 5])
    ),
    "AdaptiveLogSoftmaxWithLoss batch": lambda lib: _adaptive(lib)(
        _x(lib, ADAPTIVE_INPUT), _tensor(lib, [0, 3])
    ),
    "AdaptiveLogSoftmaxWithLoss 1d target": lambda lib: _adaptive(lib)(
        _x(lib, ADAPTIVE_INPUT[None]), _tensor(lib, [0])
    ),
    "AdaptiveLogSoftmaxWithLoss 0d target": lambda lib: _adaptive(lib)(
        _x(lib, ADAPTIVE_INPUT), _tensor(lib, 0)
    ),
    "AdaptiveLogSoftmaxWithLoss 2d target": lambda lib: _adaptive(lib)(
        _x(lib, ADAPTIVE_INPUT), _tensor(lib, [[0]])
    ),
}


def run_error_case(lib, name: str) -> str:
    try:
        ERROR_CASES[name](lib)
    except Exception as exc:  # the case records what the call raises
        return f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    return "no error"


def _lazy_state(lib, make, x):
    layer = make(lib)
    before = repr(layer)
    layer(lib.tensor(x).float())
    shapes = {k: list(v.shape) for k, v in layer.state_dict().items()}
    return [before, repr(layer), type(layer).__name__, shapes]


MODULE_CASES = {
    "reprs": lambda lib: [
        repr(m)
        for m in (
            lib.nn.MaxUnpool1d(3, 1, 1),
            lib.nn.MaxUnpool2d(2),
            lib.nn.MaxUnpool3d((1, 2, 2), padding=(0, 1, 0)),
            lib.nn.LPPool1d(1.5, 2, 1, True),
            lib.nn.LPPool2d(2, 3),
            lib.nn.LPPool3d(2, (1, 2, 2)),
            lib.nn.FractionalMaxPool2d(2, output_size=3),
            lib.nn.FractionalMaxPool3d(2, output_ratio=0.5),
            lib.nn.Dropout3d(),
            lib.nn.Dropout3d(0.2, True),
            lib.nn.ZeroPad3d(1),
            lib.nn.ReflectionPad3d((1, 0, 1, 0, 1, 0)),
            lib.nn.ReplicationPad3d(2),
            lib.nn.CircularPad3d((1, 2, 3, 1, 2, 3)),
            lib.nn.MultiMarginLoss(p=2, margin=0.5),
            lib.nn.MultiLabelMarginLoss(reduction="sum"),
            lib.nn.TripletMarginWithDistanceLoss(),
            lib.nn.TripletMarginWithDistanceLoss(distance_function=lib.nn.PairwiseDistance(p=1)),
            lib.nn.CTCLoss(blank=1, reduction="sum", zero_infinity=True),
            lib.nn.LazyBatchNorm1d(),
            lib.nn.LazyBatchNorm2d(affine=False, track_running_stats=False),
            lib.nn.LazyInstanceNorm3d(bias=False),
            lib.nn.LazyConvTranspose1d(3, 2),
            lib.nn.LazyConvTranspose2d(4, 3, stride=2, padding=1, output_padding=1, groups=2),
            lib.nn.LazyConvTranspose3d(2, 2, bias=False, dilation=2),
        )
    ],
    "lazy buffers": lambda lib: [
        sorted(lib.nn.LazyBatchNorm1d().state_dict()),
        sorted(k for k, _ in lib.nn.LazyInstanceNorm2d(affine=False).named_buffers()),
        lib.nn.LazyBatchNorm1d().has_uninitialized_params(),
        lib.nn.LazyBatchNorm1d(affine=False).has_uninitialized_params(),
        lib.nn.LazyBatchNorm1d(affine=False, track_running_stats=False).has_uninitialized_params(),
    ],
    "LazyBatchNorm3d": lambda lib: _lazy_state(lib, lambda lib: lib.nn.LazyBatchNorm3d(), X3),
    "LazyInstanceNorm2d": lambda lib: _lazy_state(
        lib, lambda lib: lib.nn.LazyInstanceNorm2d(affine=False), X2
    ),
    "LazyConvTranspose2d": lambda lib: _lazy_state(
        lib, lambda lib: lib.nn.LazyConvTranspose2d(6, 3, groups=3), X2
    ),
    "convert_sync_batchnorm": lambda lib: _converted(lib),
    "legacy modules": lambda lib: _legacy(lib),
    "dropout3d seeded": lambda lib: _dropout3d(lib),
    "AdaptiveLogSoftmaxWithLoss": lambda lib: [
        repr(_adaptive(lib)),
        [n for n, _ in _adaptive(lib, cutoffs=(2, 5, 9)).named_parameters()],
        _adaptive(lib).predict(_x(lib, ADAPTIVE_INPUT)).tolist(),
        _adaptive(lib).predict(_x(lib, ADAPTIVE_INPUT * 0.01)).tolist(),
        _adaptive(lib, cutoffs=(1, 2)).predict(_x(lib, ADAPTIVE_INPUT)).tolist(),
    ],
}


def _converted(lib):
    """A model's batch norms made SyncBatchNorm layers (sharing their tensors and mode)."""
    norm = lib.nn.BatchNorm2d(3).eval()
    model = lib.nn.Sequential(
        norm,
        lib.nn.Sequential(lib.nn.BatchNorm1d(2, affine=False), lib.nn.InstanceNorm1d(2)),
        lib.nn.Linear(2, 2),
    )
    converted = lib.nn.SyncBatchNorm.convert_sync_batchnorm(model, process_group="group")
    single = lib.nn.SyncBatchNorm.convert_sync_batchnorm(lib.nn.BatchNorm3d(4, bias=False))
    return [
        repr(converted),
        converted is model,
        converted[0].weight is norm.weight,
        converted[0].running_mean is norm.running_mean,
        converted[0].training,
        converted[0].process_group,
        repr(single),
        repr(lib.nn.SyncBatchNorm(5, momentum=None, track_running_stats=False)),
    ]


def _legacy(lib):
    """The deprecated modules' warnings, reprs and results."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        container = lib.nn.Container(first=lib.nn.Linear(2, 3), second=lib.nn.ReLU())
        loss = lib.nn.NLLLoss2d(ignore_index=1, reduction="sum")
    scores = lib.tensor(SCORES).log_softmax(1)
    return [
        [f"{w.category.__name__}: {w.message}" for w in caught],
        repr(container),
        repr(loss),
        [name for name, _ in container.named_parameters()],
        loss(scores, _tensor(lib, CLASSES)).item(),
        repr(lib.nn.CrossMapLRN2d(5, 0.001, k=2)),
    ]


def _dropout3d(lib):
    lib.manual_seed(7)
    ones = lib.ones(2, 4, 2, 2, 3, dtype=lib.float64)
    batched = lib.nn.functional.dropout3d(ones, 0.5)[:, :, 0, 0, 0].tolist()
    unbatched = lib.nn.Dropout3d(0.25)(ones[0])[:, 0, 0, 0].tolist()
    layer = lib.nn.Dropout3d(0.5).eval()
    return [batched, unbatched, layer(ones).sum().item(), lib.nn.functional.dropout3d(
        ones, 1.0).sum().item()]  # fmt: skip


def run_module_case(lib, name: str):
    return MODULE_CASES[name](lib)
