"""Regenerate the ``.expected`` files of the torch-comparison scenarios with real PyTorch.

Run by hand, with torch installed (pluggrad never needs it otherwise)::

    python pluggrad/conformance/scenarios/_regenerate.py [NAME ...]

Each scenario is written as ``import pluggrad as torch`` / ``from pluggrad...``; here those
imports are rewritten to ``torch`` (but for ``pluggrad.conformance``'s: the printing helpers
of ``_common``, which use only what both libraries' tensors have), the script runs in a fresh
process, and what it prints (object addresses masked) becomes ``<name>.expected``.
"""

from __future__ import annotations

import pathlib
import re
import subprocess
import sys

HERE = pathlib.Path(__file__).parent
ADDRESS = re.compile(r"object at 0x[0-9a-f]+")


def as_torch(source: str) -> str:
    """The scenario's source with pluggrad's imports replaced by torch's."""
    source = re.sub(r"^import pluggrad as torch$", "import torch", source, flags=re.M)
    return re.sub(
        r"^from pluggrad(\.(?!conformance\b)\S*)? import",
        r"from torch\1 import",
        source,
        flags=re.M,
    )


def main(names: list[str]) -> int:
    scripts = sorted(p for p in HERE.glob("*.py") if not p.name.startswith("_"))
    if names:
        scripts = [p for p in scripts if p.stem in names]
    failed = 0
    for script in scripts:
        done = subprocess.run(
            [sys.executable, "-c", as_torch(script.read_text(encoding="utf-8"))],
            capture_output=True,
            text=True,
            cwd=HERE.parent.parent.parent.parent,
        )
        if done.returncode != 0:
            print(f"{script.name}: failed under torch\n{done.stderr}", file=sys.stderr)
            failed += 1
            continue
        out = ADDRESS.sub("object at 0x...", done.stdout)
        script.with_suffix(".expected").write_text(out, encoding="utf-8")
        print(f"{script.stem}: {len(out.splitlines())} lines")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
