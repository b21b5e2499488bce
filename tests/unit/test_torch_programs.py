"""PyTorch programs run unchanged by ``python -m pluggrad run``: each ``torch_programs/<name>.py``
is a script written for PyTorch (``import torch``), and ``<name>.expected`` is what it printed
under PyTorch 2.13 (``python <name>.py > <name>.expected`` where torch is installed).  Here
the script runs under pluggrad, in a fresh interpreter, and must print the same.

They cover what only shows while pluggrad stands for torch: names whose meaning differs
between the array API and PyTorch (``sort``, ``std``...) and reprs that name torch's types."""

from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest

HERE = pathlib.Path(__file__).parent / "torch_programs"
PROGRAMS = sorted(HERE.glob("*.py"))


def test_every_program_has_its_expected_output():
    assert PROGRAMS
    assert all(p.with_suffix(".expected").exists() for p in PROGRAMS)


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.stem)
def test_program_prints_what_torch_prints(program):
    done = subprocess.run(
        [sys.executable, "-m", "pluggrad", "run", program.name],
        capture_output=True,
        text=True,
        cwd=HERE,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == program.with_suffix(".expected").read_text(encoding="utf-8")
