"""MkDocs hook: lets the pages' executed code blocks import the helpers in this folder."""

from __future__ import annotations

import os
import sys

import matplotlib
from mkdocs.structure.files import File

HERE = os.path.dirname(os.path.abspath(__file__))


def on_startup(**kwargs) -> None:
    """Make ``docgraph`` and ``conventions`` importable and matplotlib headless."""
    if HERE not in sys.path:
        sys.path.insert(0, HERE)
    matplotlib.use("Agg")


# Files outside docs/ that pages show: the benchmark plot that benchmarks/README.md (included in
# performance.md) links as results/ratios.png.
EXTERNAL_FILES = {"results/ratios.png": "benchmarks/results/ratios.png"}


def on_files(files, config, **kwargs):
    """Publish `EXTERNAL_FILES` under their page-relative names."""
    root = os.path.dirname(config["config_file_path"])
    for src_uri, path in EXTERNAL_FILES.items():
        files.append(File.generated(config, src_uri, abs_src_path=os.path.join(root, path)))
    return files
