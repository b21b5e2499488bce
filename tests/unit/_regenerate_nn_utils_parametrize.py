"""Record PyTorch's results of the cases of ``_nn_utils_param_cases`` in
``nn_utils_parametrize_torch.json`` for ``test_nn_utils_parametrize`` (which runs without
torch).

Run by hand, with torch installed (pluggrad never needs it otherwise)::

    python tests/unit/_regenerate_nn_utils_parametrize.py
"""

from __future__ import annotations

import json
import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import _nn_utils_param_cases as cases

OUTPUT = pathlib.Path(__file__).with_name("nn_utils_parametrize_torch.json")


def main() -> None:
    inputs = cases.make_inputs()
    results = {name: fn(torch, inputs) for name, fn in cases.CASES.items()}
    record = {"torch": torch.__version__, "inputs": inputs, "results": results}
    OUTPUT.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    print(f"{OUTPUT.name}: {len(results)} cases")


if __name__ == "__main__":
    main()
