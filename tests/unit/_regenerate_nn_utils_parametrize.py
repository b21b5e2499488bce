"""Record PyTorch's results of the cases of ``_nn_utils_param_cases`` and
``_nn_utils_prune_cases`` in ``nn_utils_parametrize_torch.json`` and
``nn_utils_prune_torch.json`` for ``test_nn_utils_parametrize`` and ``test_nn_utils_prune``
(which run without torch).

Run by hand, with torch installed (pluggrad never needs it otherwise)::

    python tests/unit/_regenerate_nn_utils_parametrize.py
"""

from __future__ import annotations

import json
import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).parents[2]))
import torch.nn.utils.prune

from tests.unit import _nn_utils_param_cases as cases
from tests.unit import _nn_utils_prune_cases as prune_cases

HERE = pathlib.Path(__file__).parent


def main() -> None:
    inputs = cases.make_inputs()
    for module, name in [(cases, "parametrize"), (prune_cases, "prune")]:
        results = {case: fn(torch, inputs) for case, fn in module.CASES.items()}
        record = {"torch": torch.__version__, "inputs": inputs, "results": results}
        output = HERE / f"nn_utils_{name}_torch.json"
        output.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
        print(f"{output.name}: {len(results)} cases")


if __name__ == "__main__":
    main()
