"""The example scripts run, train (the loss falls) and plot, at a small scale."""

from __future__ import annotations

import pathlib
import re
import subprocess
import sys

import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.parametrize("script", ["train_mlp.py", "train_cnn.py"])
def test_example_trains_and_plots(script, tmp_path):
    png = tmp_path / "loss.png"
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / script), "--epochs", "2", "--limit", "400", "--plot",
         str(png), "--backend", "numpy"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    first, last = map(float, re.search(r"loss ([\d.]+) -> ([\d.]+)", done.stdout).groups())
    assert last < first
    assert png.stat().st_size > 0
