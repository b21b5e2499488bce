"""Torch-comparison scenarios: small scripts about one autograd topic each, run with
``import pluggrad as torch`` on every backend.

Each ``scenarios/<name>.py`` prints values, hook call orders with their arguments, and the type
and first sentence of the exceptions it provokes; ``scenarios/<name>.expected`` is what PyTorch
2.13 printed for it (object addresses masked), written by ``scenarios/_regenerate.py``.
pluggrad must print the same on every backend.
"""

from __future__ import annotations

import pathlib
import re
import warnings

import pytest

HERE = pathlib.Path(__file__).parent / "scenarios"
SCRIPTS = sorted(p for p in HERE.glob("*.py") if not p.name.startswith("_"))
ADDRESS = re.compile(r"object at 0x[0-9a-f]+")
# scenarios that print what PyTorch's eager checks of values raise, which a lazy backend raises
# only when the graph is computed (docs/dask.md, "Scenarios that cannot apply")
EAGER_VALUE_CHECKS = {"prog_user_errors": "embedding indices out of range"}


def test_every_scenario_has_its_expected_output():
    assert len(SCRIPTS) >= 15
    missing = [p.name for p in SCRIPTS if not p.with_suffix(".expected").exists()]
    assert not missing


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_scenario_prints_what_torch_prints(script, backend, capsys):
    if backend.lazy and script.stem in EAGER_VALUE_CHECKS:
        pytest.skip(f"lazy arrays: {EAGER_VALUE_CHECKS[script.stem]} raise when computed")
    code = compile(script.read_text(encoding="utf-8"), str(script), "exec")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the scenarios provoke PyTorch's warnings on purpose
        exec(code, {"__name__": "__main__"})
    out = ADDRESS.sub("object at 0x...", capsys.readouterr().out)
    assert out == script.with_suffix(".expected").read_text(encoding="utf-8")
