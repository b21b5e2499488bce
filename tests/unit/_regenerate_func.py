"""Write ``func_torch.json``: what PyTorch's ``torch.func`` gives for each case of
``func_cases.py`` and ``func_cases_modules.py`` (run where torch is installed:
``python tests/unit/_regenerate_func.py``)."""

from __future__ import annotations

import json
import pathlib
import sys

import torch
import torch.func

HERE = pathlib.Path(__file__).parent
sys.path.insert(0, str(HERE.parents[1]))  # the repository: the cases are tests.unit's modules
from tests.unit import func_cases_modules  # noqa: E402, F401  (registers its cases)
from tests.unit.func_cases import CASES, run  # noqa: E402

if __name__ == "__main__":
    torch.set_default_dtype(torch.float32)
    results = {name: run(torch, name) for name in CASES}
    (HERE / "func_torch.json").write_text(json.dumps(results, indent=1) + "\n")
    print(f"{len(results)} cases written")
