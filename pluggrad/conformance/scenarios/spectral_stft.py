"""``torch.stft`` and ``torch.istft``: shapes, values and gradients of the spectrogram of a
signal (windows shorter than the transform, hops, ``center`` with each padding mode,
``normalized``, two-sided and complex transforms, ``align_to_window``, batches), the inverse
(with ``length``, a round trip, complex output), and PyTorch's errors and warnings."""

import warnings

import pluggrad as torch
from pluggrad.conformance.scenarios._common import check, failure, rounded

signal = torch.tensor([0.3 * ((7 * i) % 11) - 1.2 + 0.05 * i for i in range(24)],
                      dtype=torch.float64)  # fmt: skip
hann = torch.hann_window(8, dtype=torch.float64)
short = torch.hann_window(6, dtype=torch.float64)


def magnitude(spectrum):
    return torch.view_as_real(spectrum)


for label, kwargs in [
    ("hann", dict(window=hann)),
    ("hop3", dict(window=hann, hop_length=3)),
    ("short_window", dict(window=short, win_length=6, hop_length=4)),
    ("rectangular", dict()),
    ("uncentered", dict(window=hann, center=False)),
    ("constant_pad", dict(window=hann, pad_mode="constant")),
    ("replicate_pad", dict(window=hann, pad_mode="replicate", normalized=True)),
    ("two_sided", dict(window=hann, onesided=False)),
    ("aligned", dict(window=short, win_length=6, center=False, align_to_window=True)),
]:
    check(label, lambda x, kw=kwargs: magnitude(torch.stft(x, 8, return_complex=True, **kw)),
          signal)  # fmt: skip

batch = torch.stack([signal, signal.flip(0) * 0.5])
check("batch", lambda x: magnitude(x.stft(8, hop_length=4, window=hann, return_complex=True)),
      batch)  # fmt: skip
check(
    "complex_signal",
    lambda x: magnitude(
        torch.stft(torch.complex(x, x.flip(0)), 8, hop_length=4, window=hann, return_complex=True)
    ),
    signal,
)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    old_format = torch.stft(signal, 8, hop_length=4, window=hann, return_complex=False)
print("real_pairs", list(old_format.shape), old_format.dtype == torch.float64)

# the inverse
spectrum = torch.stft(signal, 8, hop_length=2, window=hann, return_complex=True)
check("istft", lambda s: torch.istft(torch.view_as_complex(s), 8, hop_length=2, window=hann),
      torch.view_as_real(spectrum))  # fmt: skip
back = torch.istft(spectrum, 8, hop_length=2, window=hann, length=24)
print("round_trip", list(back.shape), rounded((back - signal).abs().max().item(), 10))
check(
    "istft_length",
    lambda s: torch.istft(torch.view_as_complex(s), 8, hop_length=2, window=hann, length=20),
    torch.view_as_real(spectrum),
)
check(
    "istft_batch_normalized",
    lambda x: torch.istft(
        torch.stft(x, 8, hop_length=2, window=hann, normalized=True, return_complex=True),
        8,
        hop_length=2,
        window=hann,
        normalized=True,
    ),
    batch,
)
two_sided = torch.stft(torch.complex(signal, signal * 0.5), 8, hop_length=2, window=hann,
                       return_complex=True)  # fmt: skip
inverse = torch.istft(two_sided, 8, hop_length=2, window=hann, return_complex=True, length=24)
print("complex_round_trip", inverse.dtype == torch.complex128,
      rounded((inverse.real - signal).abs().max().item(), 10))  # fmt: skip
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    padded = torch.istft(spectrum, 8, hop_length=2, window=hann, length=40)
print("padded", list(padded.shape), rounded(padded[-3:].tolist()),
      [str(w.message)[:60] for w in caught])  # fmt: skip
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    torch.stft(signal, 8, return_complex=True)
print("no_window_warning", [str(w.message)[:40] for w in caught])

# errors
failure("no_return_complex", lambda: torch.stft(signal, 8))
failure("window_size", lambda: torch.stft(signal, 8, window=short, return_complex=True))
failure("hop", lambda: torch.stft(signal, 8, hop_length=0, window=hann, return_complex=True))
failure("win_length", lambda: torch.stft(signal, 8, win_length=9, return_complex=True))
failure("n_fft", lambda: torch.stft(signal, 40, center=False, return_complex=True))
failure("integer", lambda: torch.stft(torch.arange(24), 8, center=False, return_complex=True))
failure("align_center", lambda: torch.stft(signal, 8, align_to_window=True, return_complex=True))
failure("real_istft", lambda: torch.istft(spectrum.real, 8))
failure("istft_n_fft", lambda: torch.istft(spectrum, 10, window=torch.ones(10)))
failure("istft_hop", lambda: torch.istft(spectrum, 8, hop_length=9, window=hann))
failure("istft_window", lambda: torch.istft(spectrum, 8, window=short))
# (read: a lazy backend checks the overlap when it computes the signal)
failure(
    "istft_overlap",
    lambda: torch.istft(
        torch.stft(signal, 8, window=hann, center=False, return_complex=True),
        8,
        window=hann,
        center=False,
    ).tolist(),
)
