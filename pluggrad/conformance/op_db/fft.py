"""Op-database records: fft functions.

``gradcheck`` perturbs real values, so every record is a real function of real inputs: complex
inputs are built inside the op as ``a + 1j * b``, and complex outputs are returned as their real
and imaginary parts stacked.  This checks the whole complex Jacobian of each transform (and
PyTorch's conjugate convention, through the ``1j * b`` path).
"""

from __future__ import annotations

from collections.abc import Callable

import pluggrad as pg

from ._base import OpRecord, Sample, rand


def _parts(y):
    return pg.stack([pg.real(y), pg.imag(y)])


def _xp_parts(xp, y):
    return xp.stack([xp.real(y), xp.imag(y)])


def _explicit_axes(x, kw):
    """`kw` with ``axes`` spelled out when only ``s`` is given: the standard's default (the last
    ``len(s)`` axes), which NumPy 2 asks its callers to pass explicitly."""
    if kw.get("s") is not None and kw.get("axes") is None:
        kw = {**kw, "axes": tuple(range(x.ndim - len(kw["s"]), x.ndim))}
    return kw


def _complex_in(name, complex_out=True):
    """A record for a transform of a complex signal ``a + 1j * b``."""

    def op(a, b, **kw):
        y = getattr(pg.fft, name)(a + 1j * b, **kw)
        return _parts(y) if complex_out else y

    def ref(xp, a, b, **kw):
        y = getattr(xp.fft, name)(a + 1j * b, **_explicit_axes(a, kw))
        return _xp_parts(xp, y) if complex_out else y

    return op, ref


def _real_in(name) -> tuple[Callable, Callable]:
    """A record for a transform of a real signal."""

    def op(a, **kw):
        return _parts(getattr(pg.fft, name)(a, **kw))

    def ref(xp, a, **kw):
        y = getattr(xp.fft, name)(a, **_explicit_axes(a, kw))
        return _xp_parts(xp, y) if "complex" in str(y.dtype) else y

    return op, ref


def _pair(*shape):
    return (rand(*shape), rand(*shape))


_C2C_1D = [
    Sample(_pair(5)),
    Sample(_pair(2, 4), {"axis": 0}),
    Sample(_pair(4), {"n": 6, "norm": "ortho"}),
    Sample(_pair(6), {"n": 4, "norm": "forward"}),
]
_C2C_ND = [
    Sample(_pair(3, 4)),
    Sample(_pair(2, 3, 4), {"axes": (0, 2), "norm": "ortho"}),
    Sample(_pair(3, 4), {"s": (4, 3), "norm": "forward"}),
]
_R2C_1D = [
    Sample((rand(6),)),
    Sample((rand(5),), {"norm": "ortho"}),
    Sample((rand(3, 4),), {"axis": 0, "norm": "forward"}),
    Sample((rand(4),), {"n": 7}),
    Sample((rand(7),), {"n": 4}),
]
_C2R_1D = [
    Sample(_pair(4)),
    Sample(_pair(4), {"n": 7}),
    Sample(_pair(3, 4), {"axis": 0, "norm": "ortho"}),
    Sample(_pair(5), {"n": 4, "norm": "forward"}),
    Sample(_pair(3), {"n": 8}),
]


def _record(name, maker, samples, primitives):
    op, ref = maker(name) if maker is _real_in else maker(name, complex_out=name not in _REAL_OUT)
    return OpRecord(f"fft.{name}", op, ref, samples, primitives, functions=(f"fft.{name}",))


_REAL_OUT = {"irfft", "irfftn", "hfft", "irfft2"}
_SWAPPED = {"backward": "forward", "forward": "backward", "ortho": "ortho"}
_TWO_D = [Sample(_pair(3, 4)), Sample(_pair(2, 3, 4), {"norm": "ortho"})]
_TWO_D_REAL = [Sample((rand(3, 4),)), Sample((rand(2, 3, 4),), {"norm": "forward"})]


def _hermitian_records() -> list[OpRecord]:
    """hfftn/hfft2 (a real spectrum of a Hermitian signal: irfftn of its conjugate with the
    inverse norm) and ihfftn/ihfft2 (the conjugate of rfftn with the inverse norm), which
    NumPy's fft module lacks as references."""

    def hermitian(name):
        def op(a, b, **kw):
            return getattr(pg.fft, name)(a + 1j * b, **kw)

        def ref(xp, a, b, norm="backward"):
            axes = tuple(range(a.ndim - 2, a.ndim)) if name.endswith("2") else None
            return xp.fft.irfftn(xp.conj(a + 1j * b), axes=axes, norm=_SWAPPED[norm])

        return op, ref

    def inverse(name):
        def op(a, **kw):
            return _parts(getattr(pg.fft, name)(a, **kw))

        def ref(xp, a, norm="backward"):
            axes = tuple(range(a.ndim - 2, a.ndim)) if name.endswith("2") else None
            return _xp_parts(xp, xp.conj(xp.fft.rfftn(a, axes=axes, norm=_SWAPPED[norm])))

        return op, ref

    records = []
    for name, make, samples, primitives in (
        ("hfftn", hermitian, _TWO_D, ("fft_c2r", "conj")),
        ("hfft2", hermitian, _TWO_D, ("fft_c2r", "conj")),
        ("ihfftn", inverse, _TWO_D_REAL, ("fft_r2c", "conj")),
        ("ihfft2", inverse, _TWO_D_REAL, ("fft_r2c", "conj")),
    ):
        op, ref = make(name)
        records.append(
            OpRecord(f"fft.{name}", op, ref, samples, primitives, functions=(f"fft.{name}",))
        )
    return records


RECORDS: list[OpRecord] = [
    *_hermitian_records(),
    _record("fft2", _complex_in, _TWO_D, ("fft_c2c",)),
    _record("ifft2", _complex_in, _TWO_D, ("fft_c2c",)),
    _record("rfft2", _real_in, _TWO_D_REAL, ("fft_r2c",)),
    _record("irfft2", _complex_in, _TWO_D, ("fft_c2r",)),
    _record("fft", _complex_in, _C2C_1D, ("fft_c2c", "concat", "getitem")),
    _record("ifft", _complex_in, _C2C_1D, ("fft_c2c",)),
    _record("fftn", _complex_in, _C2C_ND, ("fft_c2c",)),
    _record("ifftn", _complex_in, _C2C_ND, ("fft_c2c",)),
    OpRecord(
        "fft.fft[real]",
        *_real_in("fft"),
        [Sample((rand(5),)), Sample((rand(2, 4),), {"n": 6, "norm": "ortho"})],
        ("fft_r2c",),
        functions=("fft.fft",),
    ),
    OpRecord(
        "fft.ifft[real]",
        *_real_in("ifft"),
        [Sample((rand(5),)), Sample((rand(2, 4),), {"axis": 0, "norm": "forward"})],
        ("fft_r2c", "conj"),
        functions=("fft.ifft",),
    ),
    _record("rfft", _real_in, _R2C_1D, ("fft_r2c",)),
    _record("ihfft", _real_in, _R2C_1D, ("fft_r2c", "conj")),
    _record(
        "rfftn",
        _real_in,
        [
            Sample((rand(3, 4),)),
            Sample((rand(3, 5),), {"norm": "ortho"}),
            Sample((rand(2, 3, 4),), {"axes": (0, 1), "s": (3, 4), "norm": "forward"}),
        ],
        ("fft_r2c",),
    ),
    _record("irfft", _complex_in, _C2R_1D, ("fft_c2r",)),
    _record("hfft", _complex_in, _C2R_1D, ("fft_c2r", "conj")),
    _record(
        "irfftn",
        _complex_in,
        [
            Sample(_pair(3, 4)),
            Sample(_pair(3, 3), {"s": (3, 5), "norm": "ortho"}),
            Sample(_pair(2, 3, 4), {"axes": (0, 2), "norm": "forward"}),
            Sample(_pair(3, 4), {"s": (2, 6)}),
        ],
        ("fft_c2r",),
    ),
    OpRecord(
        "fft.fftshift",
        pg.fft.fftshift,
        lambda xp, x, axes=None: xp.fft.fftshift(x, axes=axes),
        [Sample((rand(5),)), Sample((rand(3, 4),)), Sample((rand(3, 4),), {"axes": 0})],
        ("roll",),
    ),
    OpRecord(
        "fft.ifftshift",
        pg.fft.ifftshift,
        lambda xp, x, axes=None: xp.fft.ifftshift(x, axes=axes),
        [Sample((rand(5),)), Sample((rand(3, 5),), {"axes": (0, 1)})],
        ("roll",),
    ),
]
