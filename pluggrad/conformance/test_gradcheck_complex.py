"""``gradcheck`` and ``gradgradcheck`` of complex functions, as PyTorch's: a complex input or
output counts as its real and imaginary parts, the gradient of a complex input being
``d/d re + 1j * d/d im``.  Correct derivatives pass; a backward that forgets a conjugate, or
the imaginary half of a gradient, fails."""

from __future__ import annotations

import pytest

import pluggrad as pg
from pluggrad.autograd import gradcheck, gradgradcheck


def _z():
    return pg.tensor([0.3 + 0.2j, -1.1 + 0.5j, 0.7 - 0.9j], dtype=pg.complex128, requires_grad=True)


def _x():
    return pg.tensor([[0.5, -1.5], [2.0, 0.25], [-0.75, 1.0]], dtype=pg.float64,
                     requires_grad=True)  # fmt: skip


FUNCTIONS = {
    "real to complex (view_as_complex)": (lambda t: pg.view_as_complex(t), _x),
    "complex to real (view_as_real)": (lambda t: pg.view_as_real(t), _z),
    "complex to real (abs)": (lambda t: (t * t).abs(), _z),
    "complex to complex, not holomorphic": (lambda t: t.conj() * t.exp(), _z),
    "fft": (lambda t: pg.fft.fft(t), _z),
    "rfft of a real signal": (lambda t: pg.fft.rfft(t[:, 0]), _x),
    "real part times the input": (lambda t: pg.real(t) * t, _z),
}


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_complex_functions_pass_both_checks(backend, name):
    fn, point = FUNCTIONS[name]
    assert gradcheck(fn, (point(),))
    assert gradgradcheck(fn, (point(),))


class _ConjWithoutConjugate(pg.autograd.Function):
    @staticmethod
    def forward(ctx, z):
        return z.conj()

    @staticmethod
    def backward(ctx, g):
        return g  # wrong: conj's gradient is g.conj()


class _RealPartOnly(pg.autograd.Function):
    @staticmethod
    def forward(ctx, z):
        ctx.save_for_backward(z)
        return z * z

    @staticmethod
    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return pg.real(g * 2 * z.conj()).to(pg.complex128)  # wrong: the imaginary half dropped


class _WrongComplexOutput(pg.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return pg.view_as_complex(x)

    @staticmethod
    def backward(ctx, g):
        return pg.view_as_real(g.conj())  # wrong: the imaginary part's sign


@pytest.mark.parametrize(
    "function, point",
    [(_ConjWithoutConjugate, _z), (_RealPartOnly, _z), (_WrongComplexOutput, _x)],
    ids=["conj without conjugate", "real part only", "complex output, wrong sign"],
)
def test_wrong_complex_gradients_fail(backend, function, point):
    assert not gradcheck(function.apply, (point(),), raise_exception=False)
    with pytest.raises(pg.autograd.GradcheckError, match="Jacobian mismatch"):
        gradcheck(function.apply, (point(),))
