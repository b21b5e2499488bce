"""What the example scripts share: their command line, data, progress bar and loss plot.

The data are 8x8 grey images of ten classes: scikit-learn's handwritten digits when
scikit-learn is installed, otherwise images generated here from a seed (ten random "glyphs" plus
noise and a random shift), so the examples run with pluggrad's own dependencies.
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def parse_args(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--backend", default=None, help="numpy (default), jax or array_api_strict")
    parser.add_argument("--compile", action="store_true", help="run each step as pluggrad.compile")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--limit", type=int, default=None, help="use only this many images")
    parser.add_argument("--plot", default=None, help="write the loss curve to this PNG file")
    return parser.parse_args()


def images(seed: int = 0, limit: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``(x, y)``: float images (n, 8, 8) scaled to [0, 1] and their labels (n,)."""
    try:
        from sklearn.datasets import load_digits  # noqa: PLC0415 - optional
    except ImportError:
        rng = np.random.default_rng(seed)
        glyphs = rng.random((10, 8, 8)) > 0.6
        y = rng.integers(0, 10, 1800)
        x = glyphs[y].astype(np.float64)
        for i, (dy, dx) in enumerate(rng.integers(-1, 2, (len(y), 2))):
            x[i] = np.roll(x[i], (dy, dx), axis=(0, 1))
        x = np.clip(x + rng.normal(0, 0.25, x.shape), 0, 1)
    else:
        digits = load_digits()
        x, y = digits.images / 16.0, digits.target
    return x[:limit], y[:limit]


def progress(total: int, description: str):
    """A progress bar (tqdm's, when installed) with a ``set_postfix(loss=...)``."""
    try:
        from tqdm import tqdm  # noqa: PLC0415 - optional
    except ImportError:
        return _Plain(total, description)
    return tqdm(total=total, desc=description)


class _Plain:
    """A stand-in for tqdm: a line every 10% of the steps."""

    def __init__(self, total: int, description: str) -> None:
        self.total, self.done, self.description = total, 0, description
        self.postfix = ""
        self.start = time.perf_counter()

    def update(self, n: int = 1) -> None:
        self.done += n
        if self.done == self.total or self.done % max(1, self.total // 10) == 0:
            rate = self.done / (time.perf_counter() - self.start)
            print(f"{self.description}: {self.done}/{self.total} ({rate:.0f} it/s) {self.postfix}")

    def set_postfix(self, **values: float) -> None:
        self.postfix = " ".join(f"{k}={v:.4f}" for k, v in values.items())

    def close(self) -> None:
        pass


def report(model, test_x, test_y, losses: list[float], plot_path: str | None, title: str) -> None:
    """Print the test accuracy and the loss's progress; plot the loss curve if asked."""
    import pluggrad as torch  # noqa: PLC0415 - the scripts pick the backend first

    model.eval()
    with torch.no_grad():
        accuracy = (model(test_x).argmax(dim=1) == test_y).float().mean().item()
    print(f"test accuracy {accuracy:.3f} after {len(losses)} steps", end=" ")
    print(f"(loss {losses[0]:.3f} -> {losses[-1]:.3f})")
    if plot_path:
        plot(losses, plot_path, f"{title} on {torch.get_backend().name}")


def plot(losses: list[float], path: str, title: str) -> None:
    """Write the loss curve to `path` (matplotlib)."""
    import matplotlib  # noqa: PLC0415 - optional

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415 - optional

    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(losses, linewidth=1)
    ax.set(xlabel="step", ylabel="training loss", title=title, yscale="log")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    print(f"loss curve written to {path}")
