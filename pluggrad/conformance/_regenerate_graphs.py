"""Regenerate ``random_graphs_torch.json``: random graphs with what PyTorch computes for each.

Run by hand, with torch installed (pluggrad never needs it otherwise)::

    python -m pluggrad.conformance._regenerate_graphs [N]

Draws N graphs (default 240) from :func:`pluggrad.conformance.random_graphs.graphs` with
hypothesis derandomized (the same graphs on every run), runs each with ``torch`` and stores the
graph with PyTorch's report; ``test_random_graphs`` runs the stored graphs on every backend.
"""

from __future__ import annotations

import json
import pathlib
import sys
import warnings

import torch
from hypothesis import HealthCheck, Phase, given, settings

from .random_graphs import graphs, run

OUTPUT = pathlib.Path(__file__).with_name("random_graphs_torch.json")


def draw(n: int) -> list[dict]:
    drawn: dict[str, dict] = {}

    @settings(max_examples=n, derandomize=True, database=None, phases=[Phase.generate],
              deadline=None, suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(graphs())
    def collect(graph):
        drawn.setdefault(json.dumps(graph, sort_keys=True), graph)

    collect()
    return list(drawn.values())


def main(n: int) -> None:
    cases = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for graph in draw(n):
            cases.append({"graph": graph, "torch": run(torch, graph)})
    text = "[\n" + ",\n".join(json.dumps(c, separators=(",", ":")) for c in cases) + "\n]\n"
    OUTPUT.write_text(text)
    print(f"{OUTPUT.name}: {len(cases)} graphs, torch {torch.__version__}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 240)
