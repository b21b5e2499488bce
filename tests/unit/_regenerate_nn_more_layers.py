"""Record PyTorch's results of the cases of ``_nn_more_layers_cases`` in
``nn_more_layers_torch.json`` for ``test_nn_more_layers`` (which runs without torch).

Run by hand, with torch installed (pluggrad never needs it otherwise)::

    python tests/unit/_regenerate_nn_more_layers.py
"""

from __future__ import annotations

import json
import pathlib
import sys
import warnings

import torch

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import _nn_more_layers_cases as cases

OUTPUT = pathlib.Path(__file__).with_name("nn_more_layers_torch.json")


def main() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        record = {
            "torch": torch.__version__,
            "values": {name: cases.run_value_case(torch, name) for name in cases.VALUE_CASES},
            "errors": {name: cases.run_error_case(torch, name) for name in cases.ERROR_CASES},
            "modules": {name: cases.run_module_case(torch, name) for name in cases.MODULE_CASES},
        }
    OUTPUT.write_text(json.dumps(record, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{OUTPUT.name}: {sum(len(record[k]) for k in ('values', 'errors', 'modules'))} cases")


if __name__ == "__main__":
    main()
