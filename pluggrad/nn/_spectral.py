"""``torch.stft`` and ``torch.istft`` (and the Tensor methods), as PyTorch computes them.

``stft`` pads the signal by ``n_fft // 2`` on each side where `center` (``nn.functional.pad``,
reflect by default), cuts it into frames ``hop_length`` apart, multiplies each by the window
(zero-padded to ``n_fft`` in the middle) and transforms them (``fft.rfft`` of a real signal,
``fft.fft`` of a complex one); the result is ``(freq, frames)``, with a batch axis first for a
batch of signals.  ``istft`` inverts it by overlap-add, dividing by the overlapped squared
window (the least-squares estimate of Griffin and Lim), as PyTorch's ``istft``.  Both are made
of differentiable operations, so gradients of any order flow through them.
"""

from __future__ import annotations

from .. import ops as _ops
from .._core.tensor import Tensor, _make
from ..ops import fft as _fft
from ..ops._torch_utilities import view_as_real, warn_once
from . import functional as F

__all__ = ["stft", "istft"]

_NO_WINDOW = (
    "A window was not provided. A rectangular window will be applied,which is known to cause "
    "spectral leakage. Other windows such as torch.hann_window or torch.hamming_window are "
    "recommended to reduce spectral leakage.To suppress this warning and use a rectangular "
    "window, explicitly set `window=torch.ones(n_fft, device=<device>)`."
)


def _centered_window(window: Tensor | None, win_length: int, n_fft: int, like: Tensor):
    """`window` (ones of `like`'s dtype where None) zero-padded to `n_fft` on both sides, the
    extra point on the right, as PyTorch centres a window shorter than the transform; None
    where a missing window spans the whole transform (a rectangular window multiplies by
    nothing)."""
    if window is None:
        if win_length == n_fft:
            return None
        window = _ops.ones(win_length, dtype=like.dtype, device=like.device)
    if win_length == n_fft:
        return window
    left = (n_fft - win_length) // 2
    return F.pad(window, (left, n_fft - win_length - left))


def _type_name(tensor: Tensor, pattern: str) -> str:
    """PyTorch's name of `tensor`'s type in its messages (``torch.DoubleTensor``,
    ``CPUComplexDoubleType``)."""
    return pattern.format(tensor.dtype.torch_name)


def _window_repr(window: Tensor | None) -> str:
    if window is None:
        return "None"
    return f"{_type_name(window, 'torch.{}Tensor')}{{{list(window.shape)}}}"


def _flag(value: bool | None) -> str:
    """An optional flag as PyTorch's messages print it: None, 0 or 1."""
    return "None" if value is None else str(int(value))


def _frames_of(signal: Tensor, n_fft: int, hop_length: int, count: int) -> Tensor:
    """The `count` frames of `signal` ``(batch, length)``, `hop_length` apart, as
    ``(batch, count, n_fft)``."""
    used = _ops.narrow(signal, -1, 0, n_fft + hop_length * (count - 1))
    return used.unfold(-1, n_fft, hop_length)


def stft(input: Tensor, n_fft: int, hop_length: int | None = None,  # noqa: A002
         win_length: int | None = None, window: Tensor | None = None, center: bool = True,
         pad_mode: str = "reflect", normalized: bool = False, onesided: bool | None = None,
         return_complex: bool | None = None,
         align_to_window: bool | None = None) -> Tensor:  # fmt: skip
    """Short-time Fourier transform of a signal ``(L,)`` or a batch ``(B, L)``: complex
    ``(n_fft // 2 + 1, frames)`` (``(B, ...)``; ``n_fft`` frequencies unless `onesided`).

    Parameters are PyTorch's: `hop_length` defaults to ``n_fft // 4``, `win_length` to
    `n_fft`; `window` (``(win_length,)``, ones by default, with PyTorch's warning) is centred
    in ``n_fft``; `center` pads ``n_fft // 2`` on both sides with `pad_mode`; `normalized`
    scales by ``n_fft ** -0.5``; `onesided` keeps the non-negative frequencies (the default
    for a real signal and window); `return_complex` must be given for a real input (False
    returns ``view_as_real`` of the result, deprecated); `align_to_window` (only without
    `center`) aligns the signal with the window instead of the frame: it is padded with the
    zeros that centre the window in ``n_fft``.
    """
    if center and align_to_window is not None:
        raise RuntimeError("stft align_to_window should only be set when center = false")
    hop_length = n_fft // 4 if hop_length is None else hop_length
    win_length = n_fft if win_length is None else win_length
    if window is None:
        warn_once(_NO_WINDOW)
    complex_input = input.dtype.is_complex or (window is not None and window.dtype.is_complex)
    if return_complex is None:
        if not complex_input:
            raise RuntimeError(
                "stft requires the return_complex parameter be given for real inputs, and will "
                "further require that return_complex=True in a future PyTorch release."
            )
        return_complex = True
    if not return_complex:
        warn_once(
            "stft with return_complex=False is deprecated. In a future pytorch release, stft "
            "will return complex tensors for all inputs, and return_complex=False will raise "
            "an error.\nNote: you can still call torch.view_as_real on the complex output to "
            "recover the old return format."
        )
    signal = input
    if center:
        pad = n_fft // 2
        extended = _ops.reshape(signal, (1,) * max(3 - signal.ndim, 0) + tuple(signal.shape))
        padded = F.pad(extended, (pad, pad), pad_mode)
        signal = _ops.reshape(padded, tuple(padded.shape[-input.ndim :]))
    where = (
        f"stft({_type_name(signal, 'torch.{}Tensor')}{list(signal.shape)}, n_fft={n_fft}, "
        f"hop_length={hop_length}, win_length={win_length}, window={_window_repr(window)}, "
        f"normalized={int(normalized)}, onesided={_flag(onesided)}, "
        f"return_complex={int(return_complex)}, align_to_window={_flag(align_to_window)}) : "
    )
    if not (signal.dtype.is_floating_point or signal.dtype.is_complex):
        raise RuntimeError(where + "expected a tensor of floating point or complex values")
    if signal.ndim not in (1, 2):
        raise RuntimeError(where + "expected a 1D or 2D tensor")
    batched = signal if signal.ndim == 2 else _ops.expand_dims(signal, axis=0)
    length = batched.shape[1]
    if n_fft <= 0 or n_fft > length:
        raise RuntimeError(where + f"expected 0 < n_fft < {length}, but got n_fft={n_fft}")
    if hop_length <= 0:
        raise RuntimeError(where + f"expected hop_length > 0, but got hop_length={hop_length}")
    if win_length <= 0 or win_length > n_fft:
        raise RuntimeError(
            where + f"expected 0 < win_length <= n_fft, but got win_length={win_length}"
        )
    if window is not None and (window.ndim != 1 or window.shape[0] != win_length):
        raise RuntimeError(
            where + "expected a 1D window tensor of size equal to win_length="
            f"{win_length}, but got window with size {list(window.shape)}"
        )
    if align_to_window:  # zeros before and after, as many as the window's padding
        offset = (n_fft - win_length) // 2
        batched = F.pad(batched, (offset, n_fft - win_length - offset))
        length = batched.shape[1]
    count = 1 + (length - n_fft) // hop_length
    frames = _frames_of(batched, n_fft, hop_length, count)
    full_window = _centered_window(window, win_length, n_fft, input)
    if full_window is not None:
        frames = frames * full_window
    onesided = not frames.dtype.is_complex if onesided is None else onesided
    norm = "ortho" if normalized else "backward"
    if frames.dtype.is_complex and onesided:
        raise RuntimeError("Cannot have onesided output if window or input is complex")
    # (fft of real frames is PyTorch's two-sided real-to-complex transform)
    spectrum = (_fft.rfft if onesided else _fft.fft)(frames, axis=-1, norm=norm)
    out = _ops.swapaxes(spectrum, 1, 2)
    if input.ndim == 1:
        out = _ops.squeeze(out, axis=0)
    return out if return_complex else view_as_real(out)


def istft(input: Tensor, n_fft: int, hop_length: int | None = None,  # noqa: A002
          win_length: int | None = None, window: Tensor | None = None, center: bool = True,
          normalized: bool = False, onesided: bool | None = None, length: int | None = None,
          return_complex: bool = False) -> Tensor:  # fmt: skip
    """Inverse of :func:`stft`: the signal ``(L,)`` (or ``(B, L)``) whose transform is
    `input` (complex ``(freq, frames)`` or ``(B, freq, frames)``), by overlap-add of the
    inverse transforms of its frames times `window`, divided by the overlap-added squared
    window (PyTorch's ``istft``).  `center` trims the ``n_fft // 2`` points ``stft`` padded;
    `length` trims or zero-pads the result to that length; `return_complex` keeps a complex
    signal (then `onesided` must be False)."""
    hop_length = n_fft // 4 if hop_length is None else hop_length
    win_length = n_fft if win_length is None else win_length
    if window is None:
        warn_once(
            "A window was not provided. A rectangular window will be applied.Please provide "
            "the same window used by stft to make the inversion lossless.To suppress this "
            "warning and use a rectangular window, explicitly set "
            "`window=torch.ones(n_fft, device=<device>)`."
        )
    if not input.dtype.is_complex:
        raise RuntimeError(
            "istft requires a complex-valued input tensor matching the output from stft with "
            "return_complex=True."
        )
    where = (
        f"istft({_type_name(input, 'CPU{}Type')}{list(input.shape)}, n_fft={n_fft}, "
        f"hop_length={hop_length}, win_length={win_length}, window={_window_repr(window)}, "
        f"center={int(center)}, normalized={int(normalized)}, onesided={_flag(onesided)}, "
        f"length={'None' if length is None else length}, return_complex={int(return_complex)})"
    )
    if input.numel() == 0:
        raise RuntimeError(where + ": istft input tensor cannot be empty")
    if input.ndim not in (2, 3):
        raise RuntimeError(
            where + f" : expected a tensor with 3 or 4 dimensions, but got {input.ndim + 1}"
        )
    fft_size, frames_count = input.shape[-2], input.shape[-1]
    onesided = fft_size != n_fft if onesided is None else onesided
    if onesided and n_fft // 2 + 1 != fft_size:
        raise RuntimeError(
            where + " : expected the frequency dimension (3rd to the last) of the input tensor "
            f"to match n_fft / 2 + 1 when onesided=True, but got {fft_size}"
        )
    if not onesided and n_fft != fft_size:
        raise RuntimeError(
            where + " : expected the frequency dimension (3rd to the last) of the input tensor "
            f"to match n_fft when onesided=False, but got {fft_size}"
        )
    if not 0 < hop_length <= win_length:
        raise RuntimeError(where + " : expected 0 < hop_length <= win_length")
    if not 0 < win_length <= n_fft:
        raise RuntimeError(where + " : expected 0 < win_length <= n_fft")
    if window is not None and (window.ndim != 1 or window.shape[0] != win_length):
        raise RuntimeError(
            where + " : Invalid window shape. window has to be 1D and length of `win_length`"
        )
    spectra = _ops.swapaxes(input if input.ndim == 3 else _ops.expand_dims(input, axis=0), 1, 2)
    norm = "ortho" if normalized else "backward"
    if return_complex:
        if onesided:
            raise RuntimeError("Cannot have onesided output if window or input is complex")
        frames = _fft.ifft(spectra, axis=-1, norm=norm)
    else:
        if window is not None and window.dtype.is_complex:
            raise RuntimeError("Complex windows are incompatible with return_complex=False")
        if not onesided:
            spectra = _ops.narrow(spectra, -1, 0, n_fft // 2 + 1)
        frames = _fft.irfft(spectra, n=n_fft, axis=-1, norm=norm)
    full_window = _centered_window(window, win_length, n_fft, frames)
    if full_window is None:
        full_window = _ops.ones(n_fft, dtype=frames.dtype, device=frames.device)
    total = n_fft + hop_length * (frames_count - 1)
    positions = _ops.reshape(
        _ops.arange(frames_count, device=input.device)[:, None] * hop_length
        + _ops.arange(n_fft, device=input.device),
        (-1,),
    )
    y = _overlap_add(frames * full_window, positions, total)
    envelope = _overlap_add(
        _ops.broadcast_to(full_window * full_window, (1, frames_count, n_fft)), positions, total
    )
    start = n_fft // 2 if center else 0
    end = start + length if length is not None else total - n_fft // 2 if center else total
    stop = min(end, total)
    y = _ops.narrow(y, 1, start, max(stop - start, 0))
    envelope = _ops.narrow(envelope, 1, start, max(stop - start, 0))
    envelope = _checked_envelope(envelope, where + " window overlap add min: 1")
    y = y / envelope
    if input.ndim == 2:
        y = _ops.squeeze(y, axis=0)
    if end > total:
        warn_once(
            "The length of signal is shorter than the length parameter. Result is being padded "
            "with zeros in the tail. Please check your center and hop_length settings."
        )
        y = F.pad(y, (0, end - total))
    return y


def _checked_envelope(envelope: Tensor, message: str) -> Tensor:
    """`envelope`, after PyTorch's check that no point of it is below 1e-11 (a signal that
    the frames do not cover cannot be recovered): at once where its values can be read, when
    it is computed on a lazy backend (a window that requires grad: at once), not inside a
    trace."""
    backend = envelope._backend

    def check(values) -> None:
        if (abs(values) < 1e-11).any():
            raise RuntimeError(message)

    if envelope.numel() == 0:
        return envelope
    if backend.has_values(envelope._data):
        check(backend.to_numpy(envelope._data))
    elif backend.lazy and not envelope.requires_grad:
        return _make(backend.checked_when_computed(envelope._data, check), backend)
    elif backend.lazy:
        check(envelope.detach().numpy())
    return envelope


def _overlap_add(frames: Tensor, positions: Tensor, total: int) -> Tensor:
    """``(batch, count, n_fft)`` frames summed into ``(batch, total)`` at `positions` (the
    flattened ``frame * hop + k``): the backward of ``unfold``, as PyTorch's ``istft``."""
    batch = frames.shape[0]
    flat = _ops.reshape(frames, (batch, -1))
    zeros = _ops.zeros((batch, total), dtype=flat.dtype, device=flat.device)
    return _ops.index_add(zeros, 1, positions, flat)


def _stft_method(self, *args, **kwargs) -> Tensor:
    return stft(self, *args, **kwargs)


def _istft_method(self, *args, **kwargs) -> Tensor:
    return istft(self, *args, **kwargs)


Tensor.stft = _stft_method  # type: ignore[attr-defined]
Tensor.istft = _istft_method  # type: ignore[attr-defined]
