"""``linspace`` gives PyTorch's values bit for bit (its CPU kernel: the step in the dtype, the
two halves counted from either end, a fused multiply-add), which NumPy's ``linspace`` does not:
a program such as PyTorch's "learning with examples" polynomial fit (``linspace(-pi, pi,
2000)``) prints the same losses only from the same inputs.  Expected: SHA-256 prefixes of the
bytes PyTorch 2.13's ``torch.linspace`` returned."""

from __future__ import annotations

import hashlib
import math

import numpy as np
import pytest

import pluggrad as pg

CASES = [
    (-math.pi, math.pi, 2000, "float32", "015ad3d111e14c15eafafd6e8d75ba87"),
    (-math.pi, math.pi, 2000, "float64", "2d864e18202a3a059428d9b9408631e7"),
    (0.1, 7.3, 37, "float32", "f8226344b55f100547ee4142f424263a"),
    (0.3, 7.1, 7, "float64", "df5ce80d7cb6b3fd4ed9634eda9553ee"),
    (-1, 1, 12, "float32", "1a6263e6cc0f80e3557b9f293b63263c"),
    (5, -3, 101, "float64", "2b94b5020f180e252117826340c2e5e2"),
    (2.5, 2.5, 9, "float32", "27f891d5e43397a385209b9df7a6ed7a"),
]


@pytest.mark.parametrize(("start", "end", "steps", "dtype", "digest"), CASES)
def test_linspace_equals_pytorchs_bit_for_bit(backend, start, end, steps, dtype, digest):
    out = pg.linspace(start, end, steps, dtype=getattr(pg, dtype), backend=backend.name)
    values = np.asarray(out.numpy(), dtype=dtype)
    assert hashlib.sha256(values.tobytes()).hexdigest()[:32] == digest


def test_linspace_ends_and_errors(backend):
    assert pg.linspace(2.0, 3.0, steps=1, backend=backend.name).tolist() == [2.0]
    assert pg.linspace(0, 1, 0, backend=backend.name).shape == (0,)
    with pytest.raises(RuntimeError, match="number of steps must be non-negative"):
        pg.linspace(0, 1, -1, backend=backend.name)
