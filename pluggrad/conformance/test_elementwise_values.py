"""Elementwise functions: PyTorch's values where the op database cannot look.

* gradients at non-differentiable points (kinks, ties, bounds, the origin, infinities, NaN),
  asserted against the values PyTorch 2.13 gives (written as literals);
* gradients of complex inputs (PyTorch's conjugate convention) and backward node names;
* forward values and dtypes of the functions without gradients (bitwise, comparisons, tests,
  ``signbit``, ``nextafter``, ``floor_divide``, rounding division);
* float32 in, float32 out (values and gradients); integer promotion as in PyTorch;
* PyTorch's aliases and Tensor methods.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import pluggrad as pg

from .helpers import assert_values, values

nan, inf = math.nan, math.inf


def t(data, dtype=pg.float64, requires_grad=True):
    return pg.tensor(data, dtype=dtype, requires_grad=requires_grad)


def grads(y, *inputs, cotangent=None):
    cotangent = pg.ones_like(y) if cotangent is None else cotangent
    return [values(g) for g in pg.autograd.grad(y, list(inputs), cotangent)]


def node(y) -> str:
    return type(y.grad_fn).__name__


def assert_same(actual, expected):
    """Equal values, NaN where expected, and the same sign on zeros."""
    actual, expected = np.asarray(actual), np.asarray(expected, dtype=actual.dtype)
    np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=0, equal_nan=True)
    zeros = expected == 0
    np.testing.assert_array_equal(np.signbit(actual[zeros]), np.signbit(expected[zeros]))


# ---- non-differentiable points ---------------------------------------------------------------
X = [-1.0, 0.0, 0.5, 1.0, 2.0]


def test_abs_relu_sign_at_zero(backend):
    x = t(X)
    y = pg.abs(x)
    assert node(y) == "AbsBackward0"
    assert_same(grads(y, x)[0], [-1.0, 0.0, 1.0, 1.0, 1.0])
    y = pg.relu(x)
    assert node(y) == "ReluBackward0"
    assert_same(grads(y, x)[0], [0.0, 0.0, 1.0, 1.0, 1.0])
    y = pg.sign(x)
    assert node(y) == "SignBackward0"
    assert_same(grads(y, x)[0], [0.0] * 5)


def test_relu_keeps_nan_and_negative_zero(backend):
    x = t([nan, -0.0, 0.0, -1.0])
    y = pg.relu(x)
    assert_same(values(y), [nan, -0.0, 0.0, 0.0])
    assert_same(grads(y, x)[0], [1.0, 0.0, 0.0, 0.0])


@pytest.mark.parametrize(
    "name, node_name", [("floor", "FloorBackward0"), ("ceil", "CeilBackward0"),
                        ("trunc", "TruncBackward0"), ("round", "RoundBackward0")],
)  # fmt: skip
def test_rounding_has_zero_gradient(backend, name, node_name):
    x = t([-1.5, -0.5, 0.5, 1.5, 2.5, 3.0])
    y = getattr(pg, name)(x)
    assert node(y) == node_name
    np.testing.assert_array_equal(values(y), getattr(np, name)(values(x)))
    assert_same(grads(y, x)[0], [0.0] * 6)


def test_round_decimals(backend):
    x = t([1.25, -2.35, 17.5])
    y = pg.round(x, decimals=1)
    assert node(y) == "RoundBackward1"
    np.testing.assert_allclose(values(y), [1.2, -2.4, 17.5])
    assert_same(grads(y, x)[0], [0.0] * 3)
    np.testing.assert_allclose(values(pg.round(t([125.0, -251.0, 35.0]), decimals=-1)),
                               [120.0, -250.0, 40.0])  # fmt: skip
    np.testing.assert_allclose(values(x.round(decimals=1)), [1.2, -2.4, 17.5])


def test_maximum_minimum_ties_split_the_gradient(backend):
    a, b = t([0.3, 0.5, 2.0]), t([0.4, -0.5, 2.0])
    y = pg.maximum(a, b)
    assert node(y) == "MaximumBackward0"
    ga, gb = grads(y, a, b)
    assert_same(ga, [0.0, 1.0, 0.5])
    assert_same(gb, [1.0, 0.0, 0.5])
    y = pg.minimum(a, b)
    assert node(y) == "MinimumBackward0"
    ga, gb = grads(y, a, b)
    assert_same(ga, [1.0, 0.0, 0.5])
    assert_same(gb, [0.0, 1.0, 0.5])


def test_maximum_minimum_nan(backend):
    a, b = t([1.0, 2.0, nan]), t([1.0, nan, 1.0])
    for f in (pg.maximum, pg.minimum):
        y = f(a, b)
        assert_same(values(y), [1.0, nan, nan])
        ga, gb = grads(y, a, b)
        assert_same(ga, [0.5, 1.0, 1.0])
        assert_same(gb, [0.5, 1.0, 1.0])


def test_maximum_with_python_scalar(backend):
    x = t([0.0, 1.0, 2.0])
    y = pg.maximum(x, 1.0)
    assert_same(values(y), [1.0, 1.0, 2.0])
    assert_same(grads(y, x)[0], [0.0, 0.5, 1.0])


def test_clip_scalar_bounds_are_inclusive(backend):
    x = t(X)
    y = pg.clip(x, 0.0, 1.0)
    assert node(y) == "ClampBackward1"
    assert_same(values(y), [0.0, 0.0, 0.5, 1.0, 1.0])
    assert_same(grads(y, x)[0], [0.0, 1.0, 1.0, 1.0, 0.0])
    y = pg.clip(x, min=0.0)
    assert_same(grads(y, x)[0], [0.0, 1.0, 1.0, 1.0, 1.0])
    y = pg.clip(x, max=1.0)
    assert_same(grads(y, x)[0], [1.0, 1.0, 1.0, 1.0, 0.0])


def test_clip_tensor_bounds(backend):
    x, lo, hi = t(X), t([0.0] * 5), t([1.0] * 5)
    y = pg.clip(x, lo, hi)
    assert node(y) == "ClampBackward0"
    gx, glo, ghi = grads(y, x, lo, hi)
    assert_same(gx, [0.0, 1.0, 1.0, 1.0, 0.0])
    assert_same(glo, [1.0, 0.0, 0.0, 0.0, 0.0])
    assert_same(ghi, [0.0, 0.0, 0.0, 0.0, 1.0])
    y = pg.clip(x, min=lo)
    gx, glo = grads(y, x, lo)
    assert_same(gx, [0.0, 1.0, 1.0, 1.0, 1.0])
    assert_same(glo, [1.0, 0.0, 0.0, 0.0, 0.0])


def test_clip_min_above_max_gives_max(backend):
    x, lo, hi = t(X), t([2.0] * 5), t([1.0] * 5)
    y = pg.clip(x, lo, hi)
    assert_same(values(y), [1.0] * 5)
    gx, glo, ghi = grads(y, x, lo, hi)
    assert_same(gx, [0.0] * 5)
    assert_same(glo, [0.0] * 5)
    assert_same(ghi, [1.0] * 5)
    y = pg.clip(x, 2.0, 1.0)
    assert_same(values(y), [1.0] * 5)
    assert_same(grads(y, x)[0], [0.0] * 5)


def test_clip_broadcasts_and_keeps_x_dtype(backend):
    x = t([1.0, 2.0, 3.0], dtype=pg.float32)
    lo = t([[0.0], [2.0]])
    y = pg.clip(x, min=lo)
    assert y.shape == (2, 3) and y.dtype is pg.float32
    np.testing.assert_array_equal(values(y), [[1.0, 2.0, 3.0], [2.0, 2.0, 3.0]])
    gx, glo = grads(y, x, lo)
    assert gx.dtype == np.float32 and glo.dtype == np.float64
    assert_same(gx, [1.0, 2.0, 2.0])
    assert_same(glo, [[0.0], [1.0]])
    assert pg.clip(pg.tensor([1, 5, 9]), 2, 6).dtype is pg.int64


def test_clamp_min_clamp_max(backend):
    x, lo, hi = t(X), t([0.0] * 5), t([1.0] * 5)
    y = pg.clamp_min(x, 0.0)
    assert node(y) == "ClampMinBackward0"
    assert_same(grads(y, x)[0], [0.0, 1.0, 1.0, 1.0, 1.0])
    y = pg.clamp_max(x, 1.0)
    assert node(y) == "ClampMaxBackward0"
    assert_same(grads(y, x)[0], [1.0, 1.0, 1.0, 1.0, 0.0])
    y = pg.clamp_min(x, lo)
    assert node(y) == "ClampMinBackward1"
    gx, glo = grads(y, x, lo)
    assert_same(gx, [0.0, 1.0, 1.0, 1.0, 1.0])
    assert_same(glo, [1.0, 0.0, 0.0, 0.0, 0.0])
    y = pg.clamp_max(x, hi)
    assert node(y) == "ClampMaxBackward1"
    gx, ghi = grads(y, x, hi)
    assert_same(gx, [1.0, 1.0, 1.0, 1.0, 0.0])
    assert_same(ghi, [0.0, 0.0, 0.0, 0.0, 1.0])


def test_clamp_spellings(backend):
    x = t(X)
    y = x.clamp(min=0.0, max=1.0)
    assert node(y) == "ClampBackward1"
    assert_same(values(y), [0.0, 0.0, 0.5, 1.0, 1.0])
    assert_same(values(x.clamp(0.5)), [0.5, 0.5, 0.5, 1.0, 2.0])
    assert_same(values(x.clip(max=0.5)), [-1.0, 0.0, 0.5, 0.5, 0.5])
    assert_same(values(x.clamp_min(0.5)), [0.5, 0.5, 0.5, 1.0, 2.0])
    assert_same(values(x.clamp_max(0.5)), [-1.0, 0.0, 0.5, 0.5, 0.5])
    with pytest.raises(RuntimeError, match="At least one of 'min' or 'max'"):
        pg.clamp(x)
    assert_same(values(pg.clip(x)), X)  # the standard allows no bounds
    # a float bound promotes an integer tensor (PyTorch)
    y = pg.clamp(pg.tensor([1, 2, 3]), min=1.5)
    assert y.dtype is pg.float32
    np.testing.assert_array_equal(values(y), [1.5, 2.0, 3.0])


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # NaN, as in PyTorch
def test_atan2_at_the_origin_and_infinities(backend):
    a = t([0.0, 0.0, -0.0, -0.0, 1e-200, inf, nan, 0.0])
    b = t([0.0, -0.0, 0.0, -0.0, 1e-200, 1.0, 1.0, inf])
    y = pg.atan2(a, b)
    assert node(y) == "Atan2Backward0"
    assert_same(values(y), [0.0, math.pi, -0.0, -math.pi, math.pi / 4, math.pi / 2, nan, 0.0])
    ga, gb = grads(y, a, b, cotangent=pg.full_like(y, 2.0))
    assert_same(ga, [0.0, -0.0, 0.0, -0.0, 0.0, 0.0, nan, nan])
    assert_same(gb, [-0.0, -0.0, 0.0, 0.0, -0.0, nan, nan, -0.0])


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # NaN, as in PyTorch
def test_hypot_at_the_origin(backend):
    a, b = t([0.0, 0.0, 1.0]), t([0.0, -0.0, 0.0])
    y = pg.hypot(a, b)
    assert node(y) == "HypotBackward0"
    ga, gb = grads(y, a, b)
    assert_same(ga, [nan, nan, 1.0])
    assert_same(gb, [nan, nan, 0.0])


def test_copysign_at_zero(backend):
    a, b = t([0.0, -0.0, 1.0, 2.0]), t([1.0, -1.0, -0.0, 3.0])
    y = pg.copysign(a, b)
    assert node(y) == "CopysignBackward0"
    assert_same(values(y), [0.0, -0.0, -1.0, 2.0])
    ga, gb = grads(y, a, b)
    assert_same(ga, [0.0, 0.0, -1.0, 1.0])
    assert_same(gb, [0.0, 0.0, 0.0, 0.0])
    x = t(1.5)
    y = pg.copysign(x, -1.0)
    assert node(y) == "CopysignBackward1"
    assert_same(grads(y, x)[0], -1.0)


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # NaN, as in PyTorch
def test_logaddexp_infinities(backend):
    a, b = t([inf, -inf, 1.0]), t([inf, -inf, 1.0])
    y = pg.logaddexp(a, b)
    assert node(y) == "LogaddexpBackward0"
    assert_same(values(y), [inf, -inf, 1.6931471805599454])
    ga, gb = grads(y, a, b)
    assert_same(ga, [nan, nan, 0.5])
    assert_same(gb, [nan, nan, 0.5])


def test_remainder_and_fmod(backend):
    a, b = t([5.0, -5.0, 5.0, 2.0]), t([3.0, 3.0, -3.0, 2.0])
    y = pg.remainder(a, b)
    assert node(y) == "RemainderBackward1"
    assert_same(values(y), [2.0, 1.0, -1.0, 0.0])
    ga, gb = grads(y, a, b)
    assert_same(ga, [1.0, 1.0, 1.0, 1.0])
    assert_same(gb, [-1.0, 2.0, 2.0, -1.0])
    y = pg.fmod(a, b)
    assert node(y) == "FmodBackward1"
    assert_same(values(y), [2.0, -2.0, 2.0, 0.0])
    ga, gb = grads(y, a, b)
    assert_same(ga, [1.0, 1.0, 1.0, 1.0])
    assert_same(gb, [-1.0, 1.0, 1.0, -1.0])
    x = t(1.5)
    y = pg.remainder(x, -1.0)
    assert node(y) == "RemainderBackward0"
    assert_same(values(y), -0.5)
    y = pg.fmod(x, -1.0)
    assert node(y) == "FmodBackward0"
    assert_same(values(y), 0.5)


def test_nextafter(backend):
    a, b = t([0.3, 0.5, 2.0]), t([0.4, -0.5, 2.0])
    y = pg.nextafter(a, b)
    assert node(y) == "NextafterBackward0"
    np.testing.assert_array_equal(values(y), np.nextafter(values(a), values(b)))
    ga, gb = grads(y, a, b)
    assert_same(ga, [1.0, 1.0, 0.0])
    assert_same(gb, [0.0, 0.0, 0.0])
    one = pg.tensor([1.0], dtype=pg.float32)
    y = pg.nextafter(one, pg.tensor([2.0], dtype=pg.float32))
    assert y.dtype is pg.float32
    assert values(y)[0] == np.float32(1.0000001192092896)
    assert values(pg.nextafter(t([1.0]), 0.0))[0] == 0.9999999999999999


def test_square_is_pow(backend):
    x = t([1.0, -2.0])
    y = pg.square(x)
    assert node(y) == "PowBackward0"
    assert_same(grads(y, x)[0], [2.0, -4.0])
    assert pg.square(pg.tensor([3, -2])).dtype is pg.int64


def test_divide_rounding_modes(backend):
    a, b = t([-7.5, 7.5]), t([2.0, 2.0])
    y = pg.divide(a, b, rounding_mode="floor")
    assert node(y) == "DivBackward2"
    assert_same(values(y), [-4.0, 3.0])
    ga, gb = grads(y, a, b)
    assert_same(ga, [0.0, 0.0])
    assert_same(gb, [0.0, 0.0])
    assert_same(values(pg.div(a, 2, rounding_mode="trunc")), [-3.0, 3.0])
    ints = pg.tensor([-7, 7])
    y = ints.div(2, rounding_mode="trunc")
    assert y.dtype is pg.int64
    np.testing.assert_array_equal(values(y), [-3, 3])
    y = pg.div(ints, pg.tensor([2, -2]), rounding_mode="floor")
    np.testing.assert_array_equal(values(y), [-4, -4])
    with pytest.raises(ValueError, match="rounding_mode"):
        pg.divide(a, b, rounding_mode="round")


def test_divide_gradient_where_the_denominator_squared_overflows(backend):
    # PyTorch's order, -g * (a / b / b): b * b would overflow to inf and give 0.  Repeated past
    # the JAX backend's warm-up, after which the formula runs compiled (XLA must not fold it).
    a, b = t([1e300, 3.0]), t([1e160, 2.0])
    for _ in range(12):
        ga, gb = grads(a / b, a, b)
        assert_same(ga, [1e-160, 0.5])
        assert_same(gb, [-1e-20, -0.75])


def test_sigmoid_extremes(backend):
    x = t([-100.0, 0.0, 100.0], dtype=pg.float32)
    y = pg.sigmoid(x)
    assert node(y) == "SigmoidBackward0"
    np.testing.assert_allclose(values(y), [0.0, 0.5, 1.0], atol=1e-30)
    np.testing.assert_allclose(grads(y, x)[0], [0.0, 0.25, 0.0], atol=1e-30)


# ---- complex inputs: PyTorch's gradients for cotangent G ------------------------------------
Z = [1 + 2j, 0.5 - 0.25j, -3 - 1j]
G = [0.5 - 1j, 2 + 0.5j, -1 + 1j]
G_REAL = [0.5, 2.0, -1.0]

COMPLEX_GRADS = {
    "abs": ("AbsBackward0", [
        0.223606797749979 + 0.447213595499958j, 1.788854381999832 - 0.894427190999916j,
        0.948683298050514 + 0.316227766016838j,
    ]),
    "sign": ("SgnBackward0", [
        0.357770876399966 - 0.178885438199983j, 1.073312629199899 + 2.146625258399798j,
        -0.126491106406735 + 0.379473319220205j,
    ]),
    "sgn": ("SgnBackward0", [
        0.357770876399966 - 0.178885438199983j, 1.073312629199899 + 2.146625258399798j,
        -0.126491106406735 + 0.379473319220205j,
    ]),
    "exp": ("ExpBackward0", [
        -3.037328863883225 - 0.104658952245596j, 2.990982953200645 + 1.614533599716676j,
        -0.068794441291776 - 0.014994305608633j,
    ]),
    "exp2": ("Exp2Backward0", [
        -1.235603128559158 - 0.935708276273021j, 1.846645904212062 + 0.820822467261664j,
        -0.122011247852656 + 0.011287696061711j,
    ]),
    "expm1": ("Expm1Backward0", [
        -3.037328863883226 - 0.104658952245596j, 2.990982953200645 + 1.614533599716676j,
        -0.068794441291776 - 0.014994305608633j,
    ]),
    "log": ("LogBackward0", [
        0.5 + 0.0j, 3.6 - 0.8j,
        0.4 - 0.2j,
    ]),
    "log1p": ("Log1PBackward0", [
        0.375 - 0.125j, 1.351351351351351 + 0.108108108108108j,
        0.6 - 0.2j,
    ]),
    "log2": ("Log2Backward0", [
        0.721347520444482 + 0.0j, 5.193702147200268 - 1.154156032711171j,
        0.577078016355585 - 0.288539008177793j,
    ]),
    "log10": ("Log10Backward0", [
        0.217147240951626 + 0.0j, 1.563460134851707 - 0.347435585522602j,
        0.173717792761301 - 0.08685889638065j,
    ]),
    "sqrt": ("SqrtBackward0", [
        0.318004912378517 - 0.196537844439356j, 1.378524171147322 + 0.01813533670519j,
        0.232501487101071 + 0.322578581905571j,
    ]),
    "rsqrt": ("RsqrtBackward0", [
        -0.142216120251446 - 0.087894396063536j, -2.220146943199867 + 1.073802798189552j,
        0.037492587939764 + 0.120023723281779j,
    ]),
    "reciprocal": ("ReciprocalBackward0", [
        -0.1 - 0.2j, -5.120000000000001 + 4.160000000000001j,
        0.14 - 0.02j,
    ]),
    "square": ("PowBackward0", [
        -3.0 - 4.0j, 1.75 + 1.5j,
        4.0 - 8.0j,
    ]),
    "sin": ("SinBackward0", [
        4.068259302661633 - 0.506774107443765j, 1.870854699141119 + 0.21035748319218j,
        1.361793848197564 - 1.693482652035522j,
    ]),
    "cos": ("CosBackward0", [
        0.376711784813522 + 4.145579033926971j, -0.878127479791603 - 0.690619218765747j,
        -1.381199915325403 - 0.945680812081098j,
    ]),
    "tan": ("TanBackward0", [
        -0.082957468181737 - 0.005650263885304j, 2.156212080933967 + 1.208922970580286j,
        -0.504534774632099 + 0.322764844428415j,
    ]),
    "asin": ("AsinBackward0", [
        0.033323183527359 - 0.468892775120707j, 2.064435001951165 + 0.858817531817315j,
        0.194620126439201 + 0.423147095232197j,
    ]),
    "acos": ("AcosBackward0", [
        -0.033323183527359 + 0.468892775120707j, -2.064435001951165 - 0.858817531817315j,
        -0.194620126439201 - 0.423147095232197j,
    ]),
    "atan": ("AtanBackward0", [
        0.15 + 0.2j, 1.697612732095491 + 0.063660477453581j,
        -0.128205128205128 + 0.025641025641026j,
    ]),
    "sinh": ("SinhBackward0", [
        -1.389681483740538 + 0.107844414024131j, 2.120681088599786 + 0.804127485822155j,
        2.990170089830181 + 13.86933207186971j,
    ]),
    "cosh": ("CoshBackward0", [
        -1.647647380142687 - 0.212503366269727j, 0.870301864600859 + 0.81040611389452j,
        -3.058964531121955 - 13.884326377478342j,
    ]),
    "tanh": ("TanhBackward0", [
        -0.719103820010061 + 0.017950087789921j, 1.70320952432734 + 0.017150423054042j,
        -0.004959044942196 - 0.013146634820471j,
    ]),
    "asinh": ("AsinhBackward0", [
        0.526549379065 - 0.047478927891612j, 1.852778103728493 + 0.263422618982426j,
        -0.379120144527109 + 0.202898943866531j,
    ]),
    "acosh": ("AcoshBackward0", [
        0.468892775120707 + 0.033323183527359j, 0.858817531817315 - 2.064435001951166j,
        0.423147095232197 - 0.194620126439201j,
    ]),
    "atanh": ("AtanhBackward0", [
        -0.0625 - 0.1875j, 2.075675675675676 + 1.254054054054054j,
        0.152941176470588 - 0.011764705882353j,
    ]),
    "sigmoid": ("SigmoidBackward0", [
        0.491162683490292 + 0.069470332282719j, 0.483406669704032 + 0.089688104287343j,
        -0.06606894405107 - 0.008842928228488j,
    ]),
    "real": ("SelectBackward0", [
        0.5 + 0.0j, 2.0 + 0.0j,
        -1.0 + 0.0j,
    ]),
    "imag": ("SelectBackward0", [
        0.0 + 0.5j, 0.0 + 2.0j,
        -0.0 - 1.0j,
    ]),
    "conj": ("ConjBackward0", [
        0.5 + 1.0j, 2.0 - 0.5j,
        -1.0 - 1.0j,
    ]),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(COMPLEX_GRADS))
def test_complex_gradients(backend, name):
    node_name, expected = COMPLEX_GRADS[name]
    z = t(Z, dtype=pg.complex128)
    y = getattr(pg, name)(z)
    assert node(y) == node_name
    cotangent = pg.tensor(G if y.dtype.is_complex else G_REAL, dtype=y.dtype)
    (gz,) = grads(y, z, cotangent=cotangent)
    assert gz.dtype == np.complex128
    np.testing.assert_allclose(gz, expected, rtol=1e-12, atol=1e-14)


B = [2 - 1j, 1 + 1j, 0.5 + 0.5j]
COMPLEX_BINARY_GRADS = {
    "multiply": ("MulBackward0", [2 - 1.5j, 2.5 - 1.5j, 1j], [-1.5 - 2j, 0.875 + 0.75j, 2 - 4j]),
    "divide": ("DivBackward0", [-0.5j, 0.75 + 1.25j, -2 + 0j],
               [0.5 + 0j, 0.375 - 0.4375j, -8 - 4j]),
    "add": ("AddBackward0", G, G),
    "subtract": ("SubBackward0", G, [-0.5 + 1j, -2 - 0.5j, 1 - 1j]),
    "pow": ("PowBackward1",
            [9.89465518250535 - 13.71819099580302j, 4.631281202009553 + 0.19071225631532251j,
             2.107856482452817 - 0.9281214426277212j],
            [-21.9941431376542 + 7.22566098086442j, -1.1113711520790173 - 0.7886523334425641j,
             -10.425095199403001 - 29.588963345382915j]),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(COMPLEX_BINARY_GRADS))
def test_complex_binary_gradients(backend, name):
    node_name, expected_a, expected_b = COMPLEX_BINARY_GRADS[name]
    a, b = t(Z, dtype=pg.complex128), t(B, dtype=pg.complex128)
    y = getattr(pg, name)(a, b)
    assert node(y) == node_name
    ga, gb = grads(y, a, b, cotangent=pg.tensor(G, dtype=pg.complex128))
    np.testing.assert_allclose(ga, expected_a, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(gb, expected_b, rtol=1e-12, atol=1e-14)


def test_real_input_of_complex_result_gets_real_gradient(backend):
    x = t([1.0, 2.0])
    c = pg.tensor(np.asarray(1 + 2j))
    y = x * c
    assert y.dtype is pg.complex128
    (gx,) = grads(y, x, cotangent=pg.tensor([0.5 - 1j, 2 + 0.5j], dtype=pg.complex128))
    assert gx.dtype == np.float64
    assert_same(gx, [-1.5, 3.0])  # real(g * conj(c))


def test_real_imag_conj_of_real_tensors(backend):
    x = t([1.0, -2.0])
    assert pg.real(x) is x
    assert pg.conj(x) is x
    assert x.conj() is x
    assert pg.positive(x) is x
    with pytest.raises(RuntimeError, match="imag is not implemented"):
        pg.imag(x)
    z = pg.tensor([1 + 2j, 3 - 4j], dtype=pg.complex64)
    assert pg.real(z).dtype is pg.float32 and pg.imag(z).dtype is pg.float32
    np.testing.assert_array_equal(values(pg.imag(z)), [2.0, -4.0])
    np.testing.assert_array_equal(values(pg.conj(z)), [1 - 2j, 3 + 4j])


# ---- float32 stays float32, integers are promoted -------------------------------------------
UNARY_DOMAINS = {
    "abs": (0.2, 2.0), "acos": (-0.9, 0.9), "acosh": (1.1, 3.0), "asin": (-0.9, 0.9),
    "asinh": (-2.0, 2.0), "atan": (-2.0, 2.0), "atanh": (-0.9, 0.9), "ceil": (0.1, 0.9),
    "cos": (-2.0, 2.0), "cosh": (-2.0, 2.0), "exp": (-2.0, 2.0), "exp2": (-2.0, 2.0),
    "expm1": (-2.0, 2.0), "floor": (0.1, 0.9), "log": (0.2, 3.0), "log1p": (0.2, 3.0),
    "log2": (0.2, 3.0), "log10": (0.2, 3.0), "negative": (-2.0, 2.0),
    "reciprocal": (0.5, 2.0), "round": (0.1, 0.4), "rsqrt": (0.5, 2.0), "sigmoid": (-2.0, 2.0),
    "relu": (0.2, 2.0), "sign": (0.2, 2.0), "sgn": (0.2, 2.0), "sin": (-2.0, 2.0),
    "sinh": (-2.0, 2.0), "square": (-2.0, 2.0), "sqrt": (0.2, 3.0), "tan": (-1.0, 1.0),
    "tanh": (-2.0, 2.0), "trunc": (0.1, 0.9),
}  # fmt: skip
BINARY_FLOAT = ["add", "subtract", "multiply", "divide", "pow", "atan2", "hypot", "logaddexp",
                "copysign", "maximum", "minimum", "remainder", "fmod", "nextafter"]  # fmt: skip


@pytest.mark.parametrize("name", sorted(UNARY_DOMAINS))
def test_unary_float32_in_float32_out(backend, name):
    low, high = UNARY_DOMAINS[name]
    data = np.linspace(low, high, 5)
    x = t(data, dtype=pg.float32)
    y = getattr(pg, name)(x)
    assert y.dtype is pg.float32
    (gx,) = grads(y, x)
    assert gx.dtype == np.float32
    x64 = t(data)
    (g64,) = grads(getattr(pg, name)(x64), x64)
    np.testing.assert_allclose(values(y), values(getattr(pg, name)(x64)), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(gx, g64, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("name", BINARY_FLOAT)
def test_binary_float32_in_float32_out(backend, name):
    a = t([0.5, 1.5, 2.5], dtype=pg.float32)
    b = t([1.25, 0.75, 2.0], dtype=pg.float32)
    f = getattr(pg, name)
    y = f(a, b)
    assert y.dtype is pg.float32
    ga, gb = grads(y, a, b)
    assert ga.dtype == np.float32 and gb.dtype == np.float32
    y = f(a, 0.75)  # Python scalars are weak
    assert y.dtype is pg.float32
    assert grads(y, a)[0].dtype == np.float32
    y = f(0.75, b)
    assert y.dtype is pg.float32
    assert grads(y, b)[0].dtype == np.float32


def test_clip_float32(backend):
    x = t([-1.0, 0.5, 2.0], dtype=pg.float32)
    for y in (pg.clip(x, -0.5, 1.0), pg.clamp_min(x, 0.0), pg.clamp_max(x, 1.0),
              pg.clip(x, t([0.0]), t([1.0])), pg.round(x, decimals=1)):  # fmt: skip
        assert y.dtype is pg.float32
        assert grads(y, x)[0].dtype == np.float32


@pytest.mark.parametrize("name", ["sin", "exp", "sqrt", "log1p", "sigmoid", "rsqrt", "exp2",
                                  "reciprocal", "atanh", "acos"])  # fmt: skip
def test_integer_input_of_floating_function_gives_default_float(backend, name):
    ints = pg.tensor([0, 1]) if name in ("acos", "exp", "sin", "exp2") else pg.tensor([2, 3])
    if name == "atanh":
        ints = pg.tensor([0, 0])
    y = getattr(pg, name)(ints)
    assert y.dtype is pg.float32
    np.testing.assert_allclose(values(y), values(getattr(pg, name)(pg.astype(ints, pg.float32))))
    pg.set_default_dtype(pg.float64)
    assert getattr(pg, name)(ints).dtype is pg.float64


def test_integer_division_gives_default_float(backend):
    a, b = pg.tensor([4, 2]), pg.tensor([3, 4])
    for y in (pg.divide(a, b), a / b, pg.true_divide(a, 3), pg.atan2(a, b), pg.hypot(a, b)):
        assert y.dtype is pg.float32
    np.testing.assert_allclose(values(a / b), [4 / 3, 0.5], rtol=1e-6)
    y = pg.divide(a, t([2.0, 4.0]))
    assert y.dtype is pg.float64


def test_integer_results_keep_integer_dtypes(backend):
    i = pg.tensor([-3, 0, 2])
    for f in (pg.abs, pg.sign, pg.negative, pg.floor, pg.ceil, pg.round, pg.trunc, pg.square,
              pg.positive, pg.relu):  # fmt: skip
        assert f(i).dtype is pg.int64, f.__name__
    np.testing.assert_array_equal(values(pg.relu(i)), [0, 0, 2])
    np.testing.assert_array_equal(values(pg.sign(i)), [-1, 0, 1])
    np.testing.assert_array_equal(values(pg.abs(i)), [3, 0, 2])
    np.testing.assert_array_equal(values(pg.maximum(i, 1)), [1, 1, 2])
    np.testing.assert_array_equal(values(pg.remainder(pg.tensor([7, -7]), 3)), [1, 2])
    np.testing.assert_array_equal(values(pg.fmod(pg.tensor([7, -7]), 3)), [1, -1])


# ---- functions without gradients -----------------------------------------------------------
def test_bitwise(backend):
    a, b = pg.tensor([12, -3]), pg.tensor([10, 6])
    cases = [
        (pg.bitwise_and(a, b), [8, 4]),
        (pg.bitwise_or(a, b), [14, -1]),
        (pg.bitwise_xor(a, b), [6, -5]),
        (pg.bitwise_invert(pg.tensor([0, -3])), [-1, 2]),
        (pg.bitwise_not(pg.tensor([0, -3])), [-1, 2]),
        (pg.bitwise_left_shift(pg.tensor([1, -8]), pg.tensor([3, 1])), [8, -16]),
        (pg.bitwise_right_shift(pg.tensor([-8, 8]), pg.tensor([1, 2])), [-4, 2]),
        (pg.bitwise_left_shift(pg.tensor([1, 2]), 3), [8, 16]),
        (pg.bitwise_and(a, 6), [4, 4]),
        (a.bitwise_xor(b), [6, -5]),
        (a.bitwise_not(), [-13, 2]),
        (a.bitwise_left_shift(1), [24, -6]),
        (a.bitwise_right_shift(1), [6, -2]),
    ]
    for y, expected in cases:
        assert y.dtype is pg.int64
        np.testing.assert_array_equal(values(y), expected)
    p, q = pg.tensor([True, True, False]), pg.tensor([True, False, False])
    assert_values(pg.bitwise_and(p, q), [True, False, False], dtype=pg.bool)
    assert_values(pg.bitwise_xor(p, q), [False, True, False], dtype=pg.bool)
    i8 = pg.tensor([1, 2], dtype=pg.int8)
    assert pg.bitwise_left_shift(i8, 2).dtype is pg.int8


def test_comparisons(backend):
    a = t([1.0, 2.0, nan], requires_grad=True)
    b = pg.tensor([[2.0], [1.0]], dtype=pg.float64)
    cases = [
        (pg.equal, [[False, True, False], [True, False, False]]),
        (pg.not_equal, [[True, False, True], [False, True, True]]),
        (pg.less, [[True, False, False], [False, False, False]]),
        (pg.less_equal, [[True, True, False], [True, False, False]]),
        (pg.greater, [[False, False, False], [False, True, False]]),
        (pg.greater_equal, [[False, True, False], [True, True, False]]),
    ]
    aliases = {pg.equal: (pg.eq, "eq"), pg.not_equal: (pg.ne, "ne"), pg.less: (pg.lt, "lt"),
               pg.less_equal: (pg.le, "le"), pg.greater: (pg.gt, "gt"),
               pg.greater_equal: (pg.ge, "ge")}  # fmt: skip
    for f, expected in cases:
        alias, method = aliases[f]
        methods = [method] if f is pg.equal else [method, f.__name__]  # x.equal: not elementwise
        for y in (f(a, b), alias(a, b), *(getattr(a, m)(b) for m in methods)):
            assert_values(y, expected, dtype=pg.bool)
            assert not y.requires_grad and y.grad_fn is None
    assert_values(pg.less(a, 1.5), [True, False, False], dtype=pg.bool)
    assert_values(pg.greater(2, pg.tensor([1, 3])), [True, False], dtype=pg.bool)


def test_logical(backend):
    p, q = pg.tensor([True, True, False, False]), pg.tensor([True, False, True, False])
    assert_values(pg.logical_and(p, q), [True, False, False, False], dtype=pg.bool)
    assert_values(pg.logical_or(p, q), [True, True, True, False], dtype=pg.bool)
    assert_values(pg.logical_xor(p, q), [False, True, True, False], dtype=pg.bool)
    assert_values(pg.logical_not(p), [False, False, True, True], dtype=pg.bool)
    assert_values(p.logical_xor(q), [False, True, True, False], dtype=pg.bool)


def test_isnan_isinf_isfinite_signbit(backend):
    x = t([1.0, inf, -inf, nan, -0.0, 0.0])
    cases = [
        (pg.isnan, [False, False, False, True, False, False]),
        (pg.isinf, [False, True, True, False, False, False]),
        (pg.isfinite, [True, False, False, False, True, True]),
        (pg.signbit, [False, False, True, False, True, False]),
    ]
    for f, expected in cases:
        for y in (f(x), getattr(x, f.__name__)()):
            assert_values(y, expected, dtype=pg.bool)
            assert not y.requires_grad
    assert_values(pg.isfinite(pg.tensor([1, 2])), [True, True], dtype=pg.bool)


def test_floor_divide(backend):
    y = pg.floor_divide(pg.tensor([7, -7, 7]), pg.tensor([2, 2, -2]))
    assert y.dtype is pg.int64
    np.testing.assert_array_equal(values(y), [3, -4, -4])
    x = t([-7.5, 7.5])
    y = pg.floor_divide(x, 2)
    assert_same(values(y), [-4.0, 3.0])
    assert not y.requires_grad  # PyTorch: "derivative for aten::floor_divide is not implemented"
    assert_same(values(x.floor_divide(2.0)), [-4.0, 3.0])


# ---- aliases and Tensor methods -----------------------------------------------------------------
ALIASES = {
    "absolute": "abs", "arccos": "acos", "arccosh": "acosh", "arcsin": "asin",
    "arcsinh": "asinh", "arctan": "atan", "arctan2": "atan2", "arctanh": "atanh",
    "bitwise_not": "bitwise_invert", "div": "divide", "true_divide": "divide",
    "mul": "multiply", "sub": "subtract", "neg": "negative", "fix": "trunc",
}  # fmt: skip


def test_aliases_are_the_same_functions(backend):
    for alias, name in ALIASES.items():
        assert getattr(pg, alias) is getattr(pg, name), alias


UNARY_METHODS = [
    "abs", "absolute", "acos", "arccos", "acosh", "arccosh", "asin", "arcsin", "asinh",
    "arcsinh", "atan", "arctan", "atanh", "arctanh", "ceil", "floor", "trunc", "fix", "round",
    "sign", "sgn", "exp", "exp2", "expm1", "log", "log1p", "log2", "log10", "sqrt", "rsqrt",
    "square", "reciprocal", "sin", "cos", "tan", "sinh", "cosh", "tanh", "sigmoid", "relu",
    "neg", "negative", "positive", "signbit", "isnan", "isinf", "isfinite", "conj",
]  # fmt: skip
BINARY_METHODS = [
    "add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "pow",
    "remainder", "fmod", "floor_divide", "atan2", "arctan2", "hypot", "logaddexp", "copysign",
    "nextafter", "maximum", "minimum",
]  # fmt: skip


@pytest.mark.parametrize("method", UNARY_METHODS)
def test_unary_tensor_methods(backend, method):
    data = [1.25, 1.5, 1.75] if method in ("acosh", "arccosh") else [0.25, 0.5, 0.75]
    x = t(data)
    name = ALIASES.get(method, method)
    expected = getattr(pg, name)(t(data))
    y = getattr(x, method)()
    np.testing.assert_array_equal(values(y), values(expected))
    assert (y.grad_fn is None) == (expected.grad_fn is None)
    if y.grad_fn is not None:
        assert node(y) == node(expected)


@pytest.mark.parametrize("method", BINARY_METHODS)
def test_binary_tensor_methods(backend, method):
    a, b = t([0.25, 1.5, 2.75]), t([1.25, 0.5, 2.0])
    name = ALIASES.get(method, method)
    y = getattr(a, method)(b)
    np.testing.assert_array_equal(values(y), values(getattr(pg, name)(a, b)))


def test_alpha_keyword(backend):
    a, b = t([1.0, 2.0]), t([3.0, 4.0])
    y = a.add(b, alpha=2)
    assert_same(values(y), [7.0, 10.0])
    ga, gb = grads(y, a, b)
    assert_same(ga, [1.0, 1.0])
    assert_same(gb, [2.0, 2.0])
    assert_same(values(pg.sub(a, b, alpha=0.5)), [-0.5, 0.0])
    assert_same(values(pg.add(a, 1.0, alpha=3)), [4.0, 5.0])


def test_every_standard_elementwise_function_is_here(backend):
    names = """abs acos acosh add asin asinh atan atan2 atanh bitwise_and bitwise_left_shift
        bitwise_invert bitwise_or bitwise_right_shift bitwise_xor ceil clip conj copysign cos cosh
        divide equal exp expm1 floor floor_divide greater greater_equal hypot imag isfinite isinf
        isnan less less_equal log log1p log2 log10 logaddexp logical_and logical_not logical_or
        logical_xor maximum minimum multiply negative nextafter not_equal positive pow real
        reciprocal remainder round sign signbit sin sinh square sqrt subtract tan tanh
        trunc""".split()
    missing = [n for n in names if not callable(getattr(pg, n, None))]
    assert not missing
