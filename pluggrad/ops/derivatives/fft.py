"""Derivatives of the fft functions: PyTorch's ``fft_c2c``, ``fft_r2c_backward`` and
``fft_c2r_backward``.

The gradient of a complex-linear transform is its adjoint applied to ``g`` (PyTorch's
convention for complex gradients).  The adjoint of a transform with normalization ``norm`` is
the transform in the other direction with the other normalization (``"backward"`` and
``"forward"`` swap, ``"ortho"`` stays).  The formulas reach the transforms as ``ns.fft.<name>``:
the backend's ``xp.fft`` on raw arrays, :mod:`pluggrad.ops.fft` under ``create_graph=True``.
"""

from __future__ import annotations

from ._helpers import Entry

_SWAP = {"backward": "forward", "forward": "backward", "ortho": "ortho"}


def _slice(ndim: int, axis: int, start: int, stop: int | None) -> tuple:
    return tuple(slice(start, stop) if a == axis else slice(None) for a in range(ndim))


def _c2c_grad(ns, g, axes, norm, forward):
    adjoint = ns.fft.ifftn if forward else ns.fft.fftn
    return adjoint(g, axes=axes, norm=_SWAP[norm])


def _r2c_grad(ns, g, x_shape, axes, norm, onesided):
    """Real part of the adjoint c2c transform of `g`, zero-padded first to the full length of
    the last axis when the transform kept only the non-negative frequencies."""
    if onesided:
        last = axes[-1]
        missing = x_shape[last] - g.shape[last]
        if missing > 0:
            zeros = ns.zeros_like(g[_slice(g.ndim, last, 0, missing)])
            g = ns.concat([g, zeros], axis=last)
    return ns.real(ns.fft.ifftn(g, axes=axes, norm=_SWAP[norm]))


def _c2r_grad(ns, g, axes, norm, last_dim_size):
    """The one-sided r2c transform of `g`, with the frequencies whose mirror image the c2r
    transform filled in counted twice."""
    grad = ns.fft.rfftn(g, axes=axes, norm=_SWAP[norm])
    last = axes[-1]
    double = last_dim_size - grad.shape[last]
    if double > 0:
        parts = [
            grad[_slice(grad.ndim, last, 0, 1)],
            2 * grad[_slice(grad.ndim, last, 1, 1 + double)],
            grad[_slice(grad.ndim, last, 1 + double, None)],
        ]
        grad = ns.concat([p for p in parts if p.shape[last]], axis=last)
    return grad


TABLE = {
    "fft_c2c": Entry("FftC2CBackward0", x=_c2c_grad),
    "fft_r2c": Entry("FftR2CBackward0", x=_r2c_grad),
    "fft_c2r": Entry("FftC2RBackward0", x=_c2r_grad),
}

NONDIFFERENTIABLE: frozenset[str] = frozenset()
