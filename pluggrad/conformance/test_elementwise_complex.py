"""Elementwise functions: gradients of complex inputs (PyTorch's conjugate convention) and
their backward node names, against the values PyTorch 2.13 gives (written as literals).
"""

from __future__ import annotations

import numpy as np
import pytest

import pluggrad as pg

from .helpers import assert_same, grads, node, t, values

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
