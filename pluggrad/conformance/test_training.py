"""Training loops equal to PyTorch's: 100 steps of an MLP and of a small CNN, for every
optimizer and scheduler of ``pluggrad.optim``, from PyTorch's initial weights and on the same
minibatches (``_regenerate_training`` defines the runs and recorded PyTorch 2.13's losses), on
every backend, eagerly and as one ``pluggrad.compile``d step (LBFGS, whose step reads values,
eagerly only)."""

from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest

import pluggrad as pg

from . import _regenerate_training as runs

EXPECTED = json.loads(
    pathlib.Path(__file__).with_name("training_torch.json").read_text(encoding="utf-8")
)
CASES = [
    (model, case, compiled)
    for model in runs.MODELS
    for case in runs.CASES
    for compiled in (False, True)
    if not (compiled and runs.CASES[case]["optimizer"][0] == "LBFGS")
]


@pytest.mark.parametrize(
    ("model", "case", "compiled"),
    CASES,
    ids=[f"{m}-{c}-{'compiled' if k else 'eager'}" for m, c, k in CASES],
)
def test_training_equals_pytorch(backend, model, case, compiled):
    expected = EXPECTED["runs"][f"{model}/{case}"]
    got = runs.train(pg, model, case, EXPECTED["weights"][model], compiled=compiled)
    np.testing.assert_allclose(got["losses"], expected["losses"], rtol=1e-5, atol=0)
    assert got["lr"] == pytest.approx(expected["lr"], rel=1e-12)
    # the losses fell: the runs train, they do not just agree
    assert got["losses"][-1] < 0.95 * got["losses"][0]
