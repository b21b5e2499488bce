"""pluggrad against PyTorch on random graphs (:mod:`pluggrad.conformance.random_graphs`).

``random_graphs_torch.json`` holds graphs drawn by the hypothesis strategy with what PyTorch
2.13 computed for each (``python -m pluggrad.conformance._regenerate_graphs`` writes it); every
backend must compute the same: outputs, gradients from ``backward()`` and accumulated by a
second one, from ``autograd.grad`` with ``grad_outputs``, second derivatives, what a hook
receives, and which calls raise.  Where PyTorch is installed, hypothesis also draws new graphs
and runs them in both.
"""

from __future__ import annotations

import importlib.util
import json
import math
import pathlib
import warnings

import pytest
from hypothesis import HealthCheck, given, settings

import pluggrad as pg

from .random_graphs import graphs, run

CORPUS = json.loads(
    pathlib.Path(__file__).with_name("random_graphs_torch.json").read_text(encoding="utf-8")
)


def differences(ours, theirs, path: str = "") -> list[str]:
    """Where two reports differ: float64 values to 1e-7 relative (1e-9 absolute), NaN equal to
    NaN, everything else exactly."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        keys = sorted(set(ours) | set(theirs))
        return [d for k in keys for d in differences(ours.get(k), theirs.get(k), f"{path}.{k}")]
    if isinstance(ours, (list, tuple)) and isinstance(theirs, (list, tuple)):
        if len(ours) != len(theirs):
            return [f"{path}: {len(ours)} items, PyTorch {len(theirs)}"]
        return [
            d
            for i, (a, b) in enumerate(zip(ours, theirs))
            for d in differences(a, b, f"{path}[{i}]")
        ]
    if isinstance(ours, float) and isinstance(theirs, (float, int)):
        if math.isnan(ours) and math.isnan(theirs):
            return []
        if abs(ours - theirs) <= 1e-9 + 1e-7 * abs(theirs):
            return []
    elif ours == theirs:
        return []
    return [f"{path}: {ours!r}, PyTorch {theirs!r}"]


def _run(graph: dict) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # NumPy's warnings where PyTorch's answer is NaN
        return run(pg, graph)


def test_the_corpus_covers_every_kind_of_step():
    ops = {step["op"] for case in CORPUS for step in case["graph"]["steps"]}
    assert len(CORPUS) >= 200
    for op in ("matmul_t", "take", "setitem", "mask_sum", "mul_", "view_mul_", "expand", "amax",
               "max_values", "maximum", "where", "relu", "abs", "clamp"):  # fmt: skip
        assert op in ops, op
    assert any(case["graph"]["hook"] is not None for case in CORPUS)
    assert any(case["torch"].get("third_backward_error") for case in CORPUS)


@pytest.mark.parametrize("index", range(len(CORPUS)), ids=lambda i: f"graph{i:03d}")
def test_stored_graph_matches_pytorch(backend, index):
    case = CORPUS[index]
    found = differences(_run(case["graph"]), case["torch"])
    assert not found, "\n".join([json.dumps(case["graph"]), *found[:10]])


@pytest.mark.skipif(
    importlib.util.find_spec("torch") is None, reason="new graphs need PyTorch as the oracle"
)
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(graph=graphs())
def test_new_graph_matches_pytorch(backend, graph):
    import torch  # noqa: PLC0415 - optional: only this test needs it

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = json.loads(json.dumps(run(torch, graph)))
    found = differences(_run(graph), theirs)
    assert not found, "\n".join([json.dumps(graph), *found[:10]])
