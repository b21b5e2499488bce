"""The picture of the package's layers on docs/architecture.md, drawn from the layer order.

The order is written once, as data, in tests/unit/test_layers.py (``LAYERS``), the test that
checks every import against it; this module reads it from there, so the picture cannot drift.
"""

from __future__ import annotations

import ast
import os

TEST = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "unit", "test_layers.py")


def layers() -> tuple:
    """``LAYERS`` of tests/unit/test_layers.py: (name, modules) per layer, bottom first (read
    as a literal: the test module itself is not imported)."""
    with open(TEST, encoding="utf-8") as file:
        tree = ast.parse(file.read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and [ast.unparse(t) for t in node.targets] == ["LAYERS"]:
            return ast.literal_eval(node.value)
    raise LookupError(f"no LAYERS in {TEST}")


def mermaid() -> str:
    """A Mermaid flowchart: one box per layer, top layer first, each importing the one below."""
    order = layers()
    lines = ["flowchart TB"]
    for index in reversed(range(len(order))):
        name, modules = order[index]
        label = f"<b>{index}. {name}</b><br/>" + "<br/>".join(modules)
        lines.append(f'    L{index}["{label}"]')
    lines += [f"    L{index} --> L{index - 1}" for index in reversed(range(1, len(order)))]
    return "```mermaid\n" + "\n".join(lines) + "\n```"
