"""Values of the fft functions beyond the op database: frequencies (no gradient), dtypes, node
names, and gradients with respect to complex tensors, which ``gradcheck`` (real perturbations
only) cannot check directly.

Expected gradients are PyTorch 2's (its convention for complex inputs: ``dL/dRe + i dL/dIm``),
written as literals."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import pluggrad as pg

from .helpers import assert_values, values

W1 = [1.0, 2.0, 3.0, 4.0]
W2 = [-1.0, 0.5, 2.0, 1.0]
Z = np.array([1 + 2j, -0.5 + 1j, 3 - 1j, 0.25 + 0j])


def _loss(y, k):
    w1 = pg.tensor(W1[:k], dtype=pg.float64)
    w2 = pg.tensor(W2[:k], dtype=pg.float64)
    return pg.sum(pg.real(y) * w1 + pg.imag(y) * w2)


def _grad(loss, x):
    (g,) = pg.autograd.grad(loss, [x])
    return values(g)


def test_fftfreq(backend):
    f = pg.fft.fftfreq(5)
    assert f.dtype is pg.float32
    assert_values(f, [0.0, 0.2, 0.4, -0.4, -0.2])
    assert_values(pg.fft.rfftfreq(5, d=0.5), [0.0, 0.4, 0.8])
    assert pg.fft.fftfreq(4, dtype=pg.float64).dtype is pg.float64
    assert not pg.fft.fftfreq(4).requires_grad


def test_dtypes(backend):
    x32 = pg.tensor([1.0, 2.0, 3.0, 4.0], dtype=pg.float32)
    assert pg.fft.fft(x32).dtype is pg.complex64
    assert pg.fft.rfft(x32).dtype is pg.complex64
    assert pg.fft.irfft(pg.fft.rfft(x32)).dtype is pg.float32
    assert pg.fft.fft(pg.tensor([1, 2, 3])).dtype is pg.complex64  # integers: default float
    x64 = pg.tensor([1.0, 2.0, 3.0, 4.0], dtype=pg.float64)
    assert pg.fft.ifftn(x64).dtype is pg.complex128
    assert pg.fft.hfft(pg.fft.ihfft(x64)).dtype is pg.float64
    assert_values(pg.fft.irfft(pg.fft.rfft(x64)), [1.0, 2.0, 3.0, 4.0])
    assert_values(pg.fft.hfft(pg.fft.ihfft(x64)), [1.0, 2.0, 3.0, 4.0])


def test_node_names(backend):
    x = pg.tensor([1.0, -2.0, 0.5, 3.0], dtype=pg.float64, requires_grad=True)
    z = pg.tensor(Z, requires_grad=True)
    names = {
        "FftR2CBackward0": [pg.fft.fft(x), pg.fft.rfft(x), pg.fft.rfftn(x)],
        "FftC2CBackward0": [pg.fft.fft(z), pg.fft.ifft(z), pg.fft.fftn(z), pg.fft.ifftn(z)],
        "FftC2RBackward0": [pg.fft.irfft(z), pg.fft.irfftn(z), pg.fft.hfft(z)],
        "ConjBackward0": [pg.fft.ifft(x), pg.fft.ihfft(x)],
        "RollBackward0": [pg.fft.fftshift(x), pg.fft.ifftshift(x)],
    }
    for name, outs in names.items():
        for out in outs:
            assert type(out.grad_fn).__name__ == name


@pytest.mark.parametrize(
    "name, kwargs, expected",
    [
        ("fft", {}, [10 + 2.5j, -1.5 - 5j, -2 - 0.5j, -2.5 - 1j]),
        ("ifft", {"norm": "ortho"}, [5 + 1.25j, -1.25 - 0.5j, -1 - 0.25j, -0.75 - 2.5j]),
        (
            "fft",
            {"n": 6},
            [
                10 + 2.5j,
                -5.665063509461096 + 1.5801270189221932j,
                3.799038105676658 - 2.116025403784439j,
                -2 - 0.5j,
            ],
        ),  # fmt: skip
    ],
)
def test_gradients_of_complex_inputs(backend, name, kwargs, expected):
    z = pg.tensor(Z, requires_grad=True)
    y = getattr(pg.fft, name)(z, **kwargs)[:4]
    np.testing.assert_allclose(_grad(_loss(y, 4), z), expected, rtol=1e-12, atol=1e-12)


def test_gradients_of_real_to_complex_transforms(backend):
    x = pg.tensor([1.0, -2.0, 0.5, 3.0, 1.5], dtype=pg.float64, requires_grad=True)
    rfft_grad = [6.0, -2.46011575710747, 1.917237400819018, -1.2992034120691227,
                 0.8420817683575763]  # fmt: skip
    np.testing.assert_allclose(_grad(_loss(pg.fft.rfft(x), 3), x), rfft_grad, rtol=1e-12)
    ihfft_grad = [1.2000000000000002, 0.16841635367151528, -0.2598406824138246,
                  0.38344748016380364, -0.49202315142149405]  # fmt: skip
    np.testing.assert_allclose(_grad(_loss(pg.fft.ihfft(x), 3), x), ihfft_grad, rtol=1e-12)


def test_gradients_of_complex_to_real_transforms(backend):
    z = pg.tensor(Z[:3], requires_grad=True)
    y = pg.fft.irfft(z, n=5)
    expected = [2 + 0j, -1 + 1.3763819204711736j, -1 + 0.32491969623290656j]
    weights = pg.arange(5.0, dtype=pg.float64)
    np.testing.assert_allclose(_grad(pg.sum(y * weights), z), expected, rtol=1e-12, atol=1e-15)
    y = pg.fft.hfft(z)
    weights = pg.arange(4.0, dtype=pg.float64)
    np.testing.assert_allclose(_grad(pg.sum(y * weights), z), [6, -4 - 4j, -2], atol=1e-12)


def test_second_derivatives_of_complex_inputs(backend):
    z = pg.tensor(Z, requires_grad=True)
    y = pg.fft.fft(z)
    loss = pg.sum(pg.real(y * pg.conj(y)))  # = n * sum |z|^2: gradient 2 n z, Hessian 2 n
    (g,) = pg.autograd.grad(loss, [z], create_graph=True)
    np.testing.assert_allclose(values(g), 8 * Z, rtol=1e-12)
    (gg,) = pg.autograd.grad(pg.sum(pg.real(g)), [z])
    np.testing.assert_allclose(values(gg), np.full(4, 8.0), atol=1e-12)


def test_shifts(backend):
    x = pg.tensor(np.arange(10.0).reshape(2, 5))
    assert_values(pg.fft.fftshift(x), np.fft.fftshift(np.arange(10.0).reshape(2, 5)))
    assert_values(pg.fft.ifftshift(x, axes=1), np.fft.ifftshift(values(x), axes=1))
    assert_values(pg.fft.fftshift(x, dim=(0,)), np.fft.fftshift(values(x), axes=(0,)))
    assert_values(pg.fft.ifftshift(pg.fft.fftshift(x)), values(x))


def test_dim_spelling_and_resizing(backend):
    data = np.arange(12.0).reshape(3, 4)
    x = pg.tensor(data)
    assert_values(pg.fft.fft(x, dim=0), np.fft.fft(data, axis=0))
    assert_values(pg.fft.rfftn(x, s=(2, 6)), np.fft.rfftn(data, s=(2, 6), axes=(0, 1)))
    assert_values(pg.fft.irfftn(pg.fft.rfftn(x), s=(3, 4)), data)
    assert_values(
        pg.fft.fftn(x, dim=(1,), norm="ortho"), np.fft.fftn(data, axes=(1,), norm="ortho")
    )


def test_errors(backend):
    z = pg.tensor(Z)
    with pytest.raises(RuntimeError, match="rfft expects a real input tensor"):
        pg.fft.rfft(z)
    with pytest.raises(ValueError, match="Invalid normalization mode"):
        pg.fft.fft(z, norm="bogus")
    with pytest.raises(RuntimeError, match=r"Invalid number of data points \(0\)"):
        pg.fft.fft(z, n=0)


def test_sizes_without_axes_raise_no_numpy_deprecation_warning(backend):
    """``s`` without ``axes`` means the last ``len(s)`` axes (the standard's default); the kernels
    spell the axes out, so NumPy 2's "`axes` should not be `None`" warning never fires, forward or
    backward."""
    data = np.arange(24.0).reshape(2, 3, 4)
    x = pg.tensor(data, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        ys = [
            pg.fft.fftn(x, s=(2, 5)),
            pg.fft.ifftn(x, s=(4,)),
            pg.fft.rfftn(x, s=(3, 6)),
            pg.fft.irfftn(pg.fft.rfftn(x, axes=(1, 2)), s=(3, 4)),
        ]
        loss = sum(pg.sum(pg.real(y) if y.dtype.kind == "c" else y) for y in ys)
        (g,) = pg.autograd.grad(loss, [x])
    assert_values(ys[0], np.fft.fftn(data, s=(2, 5), axes=(1, 2)))
    assert_values(ys[2], np.fft.rfftn(data, s=(3, 6), axes=(1, 2)))
    assert_values(ys[3], data, atol=1e-9)
    assert g.shape == x.shape


@pytest.mark.parametrize("center", [True, False])
def test_stft_and_istft_pass_gradcheck_and_gradgradcheck(backend, center):
    """First and second derivatives of stft (with respect to the signal and the window) and
    of istft (the spectrum's real and imaginary parts), by finite differences in float64."""
    rng = np.random.default_rng(11)
    signal = pg.asarray(rng.uniform(-1, 1, 20)).requires_grad_()
    window = pg.asarray(rng.uniform(0.5, 1.5, 6)).requires_grad_()

    def spectrogram(x, w):
        s = pg.stft(x, 8, hop_length=3, win_length=6, window=w, center=center,
                    return_complex=True)  # fmt: skip
        return pg.view_as_real(s)

    assert pg.autograd.gradcheck(spectrogram, (signal, window))
    assert pg.autograd.gradgradcheck(spectrogram, (signal, window))
    hann = pg.hann_window(8, dtype=pg.float64) + 0.1
    parts = pg.view_as_real(
        pg.stft(signal.detach(), 8, hop_length=2, window=hann, return_complex=True)
    ).requires_grad_()

    def inverse(p):
        return pg.istft(pg.view_as_complex(p), 8, hop_length=2, window=hann, length=18)

    assert pg.autograd.gradcheck(inverse, (parts,))
    assert pg.autograd.gradgradcheck(inverse, (parts,))
