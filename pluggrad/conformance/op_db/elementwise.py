"""Op-database records: Elementwise functions.

Samples stay inside each function's domain and away from its kinks and jumps (0 for ``abs``,
``sign`` and ``relu``, ties for ``maximum``/``minimum``, the bounds of ``clip``, integers for the
rounding functions), so that finite differences apply; the values PyTorch gives at those points
are tested in ``test_elementwise_special_points.py``.
"""

from __future__ import annotations

import numpy as np

import pluggrad as pg

from ._base import OpRecord, Sample, _rng, binary_samples, rand, unary_samples


def away(*shape, low=0.2, high=2.0) -> np.ndarray:
    """Values with magnitudes in [low, high) and random signs (away from 0)."""
    return np.asarray(rand(*shape, low=low, high=high) * _rng.choice([-1.0, 1.0], size=shape))


def away_samples(low=0.2, high=2.0, scalars=True) -> list[Sample]:
    """Binary samples whose second operand stays away from 0."""
    samples = [
        Sample((rand(3), away(3, low=low, high=high))),
        Sample((rand(2, 3), away(3, low=low, high=high))),
        Sample((rand(2, 1), away(1, 3, low=low, high=high))),
        Sample((rand(), away(2, low=low, high=high))),
    ]
    if scalars:
        samples += [Sample((rand(2, 2), 0.7)), Sample((1.7, away(2, 2, low=low, high=high)))]
    return samples


def unary(name, low=-2.0, high=2.0, *, ref=None, functions=(), samples=None, primitive=None,
          **kwargs) -> OpRecord:  # fmt: skip
    """A record of the unary function `name` (reference: ``xp.<name>`` unless `ref`)."""
    return OpRecord(
        name,
        getattr(pg, name),
        ref or (lambda xp, x: getattr(xp, name)(x)),
        samples if samples is not None else unary_samples(low, high),
        (primitive or name,),
        functions=(name, *functions),
        **kwargs,
    )


def away_unary_samples() -> list[Sample]:
    return [Sample((away(4),)), Sample((away(2, 3),)), Sample((away(),))]


def binary(name, samples=None, *, ref=None, functions=(), primitives=None, **kwargs) -> OpRecord:
    """A record of the binary function `name` (reference: ``xp.<name>`` unless `ref`)."""
    return OpRecord(
        name,
        getattr(pg, name),
        ref or (lambda xp, a, b: getattr(xp, name)(a, b)),
        samples if samples is not None else binary_samples(),
        primitives or (name,),
        functions=(name, *functions),
        **kwargs,
    )


def _nextafter_ref(xp, a, b):
    # jax.numpy.nextafter has no derivative rule: step by the (constant) spacing instead, which
    # gives the same values and PyTorch's gradient (1 where a != b, else 0; 0 for b)
    if xp is np:
        return np.nextafter(a, b)
    import jax  # noqa: PLC0415 - optional: only the jax.vjp oracle calls this with jax.numpy

    sa, sb = jax.lax.stop_gradient(a), jax.lax.stop_gradient(b)
    step = xp.nextafter(sa, sb) - sa
    return xp.where(sa != sb, a + step, a * 0 + sb)


def _complex_parts(a, b):
    c1 = pg.tensor(np.asarray(1 + 2j))
    c2 = pg.tensor(np.asarray(2 - 1j))
    return pg.real(a * c1) + pg.imag(pg.conj(b * c2)) + pg.real(pg.conj(b * c1))


def _complex_parts_ref(xp, a, b):
    return xp.real(a * (1 + 2j)) + xp.imag(xp.conj(b * (2 - 1j))) + xp.real(xp.conj(b * (1 + 2j)))


def _clip_ref(xp, x, lo=None, hi=None):
    return xp.clip(x, lo, hi)


RECORDS: list[OpRecord] = [
    # ---- arithmetic ----------------------------------------------------------------------------
    binary("add"),
    OpRecord(
        "add_alpha",
        lambda a, b: pg.add(a, b, alpha=2.5),
        lambda xp, a, b: a + 2.5 * b,
        binary_samples(),
        ("add", "multiply"),
        functions=("add",),
    ),
    binary("subtract", functions=("sub",)),
    OpRecord(
        "sub_alpha",
        lambda a, b: pg.sub(a, b, alpha=-0.5),
        lambda xp, a, b: a - (-0.5) * b,
        binary_samples(),
        ("subtract", "multiply"),
        functions=("sub", "subtract"),
    ),
    binary("multiply", functions=("mul",)),
    binary("divide", binary_samples(low=0.5, high=2.0), functions=("div", "true_divide")),
    OpRecord(
        "divide_rounding",
        lambda a, b, rounding_mode: pg.divide(a, b, rounding_mode=rounding_mode),
        lambda xp, a, b, rounding_mode: (
            xp.floor_divide(a, b) if rounding_mode == "floor" else xp.trunc(a / b)
        ),
        [
            Sample((rand(4), away(4)), {"rounding_mode": "floor"}),
            Sample((rand(2, 3), away(3)), {"rounding_mode": "trunc"}),
            Sample((rand(2, 2), -0.7), {"rounding_mode": "trunc"}),
        ],
        ("div_rounding",),
        functions=("divide", "div"),
    ),
    binary(
        "pow",
        binary_samples(low=0.5, high=2.0) + [Sample((rand(3), 2)), Sample((rand(3), 3))],
    ),
    OpRecord(
        "operators",
        lambda a, b: (a * 2 - b) / (1 + b * b) + a**2 - (-b),
        lambda xp, a, b: (a * 2 - b) / (1 + b * b) + a**2 - (-b),
        [Sample((rand(3), rand(3))), Sample((rand(2, 3), rand(3)))],
        ("add", "subtract", "multiply", "divide", "pow", "negative"),
    ),  # fmt: skip
    unary("negative", functions=("neg",)),
    unary("positive"),
    unary("square", primitive="pow"),
    unary(
        "reciprocal",
        samples=[
            Sample((away(4, low=0.5),)),
            Sample((away(2, 3, low=0.5),)),
            Sample((away(low=0.5),)),
        ],
    ),
    binary("remainder", away_samples()),
    binary("fmod", away_samples()),
    # ---- exponential, logarithm, power ---------------------------------------------------------
    unary("exp"),
    unary("exp2"),
    unary("expm1"),
    unary("log", 0.2, 3.0),
    unary("log1p", -0.5, 3.0),
    unary("log2", 0.2, 3.0),
    unary("log10", 0.2, 3.0),
    binary("logaddexp"),
    unary("sqrt", 0.2, 3.0),
    unary("rsqrt", 0.2, 3.0, ref=lambda xp, x: 1 / xp.sqrt(x)),
    binary("hypot", away_samples()),
    # ---- trigonometric and hyperbolic ----------------------------------------------------------
    unary("sin"),
    unary("cos"),
    unary("tan", -1.2, 1.2),
    unary("asin", -0.9, 0.9, functions=("arcsin",)),
    unary("acos", -0.9, 0.9, functions=("arccos",)),
    unary("atan", functions=("arctan",)),
    binary("atan2", away_samples(), functions=("arctan2",)),
    unary("sinh"),
    unary("cosh"),
    unary("tanh"),
    unary("asinh", functions=("arcsinh",)),
    unary("acosh", 1.1, 3.0, functions=("arccosh",)),
    unary("atanh", -0.9, 0.9, functions=("arctanh",)),
    # ---- activations (PyTorch) -----------------------------------------------------------------
    unary("sigmoid", -4.0, 4.0, ref=lambda xp, x: 1 / (1 + xp.exp(-x))),
    unary("relu", ref=lambda xp, x: xp.maximum(x, 0.0), samples=away_unary_samples()),
    OpRecord(  # relu's backward under create_graph; its "result" is relu's output
        "threshold_backward",
        lambda g, r: pg.ops.elementwise.threshold_backward(g, pg.relu(r)),
        lambda xp, g, r: xp.where(xp.maximum(r, 0.0) <= 0, 0.0 * g, g),
        [Sample((rand(4), rand(4))), Sample((rand(2, 3), rand(3)))],
        ("threshold_backward",),
        functions=(),
    ),
    # ---- rounding, sign, magnitude ---------------------------------------------------------
    unary("abs", functions=("absolute",), samples=away_unary_samples()),
    unary("ceil", -3.0, 3.0),
    unary("floor", -3.0, 3.0),
    unary("trunc", -3.0, 3.0, functions=("fix",)),
    unary("round", -3.0, 3.0),
    OpRecord(
        "round_decimals",
        lambda x, decimals: pg.round(x, decimals=decimals),
        lambda xp, x, decimals: xp.round(x, decimals=decimals),
        [Sample((rand(4),), {"decimals": 1}), Sample((rand(2, 3) * 100,), {"decimals": -1})],
        ("round",),
        functions=("round",),
    ),
    unary("sign", samples=away_unary_samples()),
    unary("sgn", ref=lambda xp, x: xp.sign(x), samples=away_unary_samples()),
    binary("copysign", away_samples()),
    binary("nextafter", ref=_nextafter_ref),
    # ---- extrema and clipping -----------------------------------------------------------------
    binary("maximum"),
    binary("minimum"),
    OpRecord(
        "clip",
        pg.clip,
        lambda xp, x, min=None, max=None: xp.clip(x, min, max),  # noqa: A006 - clip's keywords
        [
            Sample((rand(5),), {"min": -0.5, "max": 0.5}),
            Sample((rand(2, 3),), {"min": -0.3}),
            Sample((rand(2, 3),), {"max": 0.4}),
            Sample((rand(),), {"min": -0.1, "max": 2.5}),
            Sample((rand(4),), {"min": 1.0, "max": -1.0}),  # min > max: the result is max
        ],
        ("clip",),
    ),
    OpRecord(
        "clip_tensor_bounds",
        lambda x, lo, hi: pg.clip(x, lo, hi),
        _clip_ref,
        [
            Sample((rand(6), rand(6, low=-1.0, high=0.0), rand(6, low=0.0, high=1.0))),
            Sample((rand(2, 3), rand(3, low=-1.0, high=0.0), rand(2, 1, low=0.0, high=1.0))),
            Sample((rand(3), rand(2, 3, low=-1.0, high=0.0), rand(1, low=0.0, high=1.0))),
            Sample((rand(6), rand(6), rand(6))),  # some min > max
        ],
        ("clip",),
        functions=("clip", "clamp"),
    ),
    OpRecord(
        "clip_one_tensor_bound",
        lambda x, lo: pg.clip(x, min=lo),
        lambda xp, x, lo: xp.clip(x, lo, None),
        [Sample((rand(2, 3), rand(3, low=-1.0, high=1.0))), Sample((rand(4), rand()))],
        ("clip",),
    ),
    OpRecord(
        "clamp",
        pg.clamp,
        lambda xp, x, min=None, max=None: xp.clip(x, min, max),  # noqa: A006 - clip's keywords
        [Sample((rand(5),), {"min": -0.5, "max": 0.5}), Sample((rand(2, 3),), {"max": 0.4})],
        ("clip",),
    ),
    OpRecord(
        "clamp_min",
        pg.clamp_min,
        lambda xp, x, lo: xp.maximum(x, lo),
        [Sample((rand(5), 0.3)), Sample((rand(2, 3), rand(3))), Sample((rand(3), rand(2, 1)))],
        ("clamp_min",),
    ),
    OpRecord(
        "clamp_max",
        pg.clamp_max,
        lambda xp, x, hi: xp.minimum(x, hi),
        [Sample((rand(5), 0.3)), Sample((rand(2, 3), rand(3))), Sample((rand(3), rand(2, 1)))],
        ("clamp_max",),
    ),
    # ---- complex numbers -----------------------------------------------------------------------
    # real inputs through complex intermediates; complex leaves are tested with PyTorch's values
    # in test_elementwise_complex.py.  No second order: the double backward goes through
    # astype(complex -> real), which array_api_strict refuses (ToCopyBackward0's formula).
    OpRecord(
        "real_imag_conj",
        _complex_parts,
        _complex_parts_ref,
        [Sample((rand(3), rand(3))), Sample((rand(2, 3), rand(3)))],
        ("real", "imag", "conj", "multiply", "add"),
        functions=("real", "imag", "conj"),
        second_order=False,
    ),
    # ---- selection ------------------------------------------------------------------------------
    OpRecord(
        "where",
        lambda a, b: pg.where(a > b, a, b),
        lambda xp, a, b: xp.where(a > b, a, b),
        [Sample((rand(4), rand(4))), Sample((rand(2, 3), rand(3)))],
        ("where", "greater"),
    ),
]
