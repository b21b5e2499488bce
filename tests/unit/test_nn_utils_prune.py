"""``pluggrad.nn.utils.prune`` against PyTorch's results recorded in
``nn_utils_prune_torch.json`` (by ``_regenerate_nn_utils_parametrize.py``): masks, pruned
values, gradients, parameter/buffer names, the hooks and PyTorch's error messages."""

from __future__ import annotations

import json
import pathlib

import pytest

import pluggrad as pg
import pluggrad.nn.utils.prune as prune

from . import _nn_utils_prune_cases as cases
from .test_nn_utils_parametrize import check_case

RECORD = json.loads(
    pathlib.Path(__file__).with_name("nn_utils_prune_torch.json").read_text("utf-8")
)


@pytest.mark.parametrize("name", sorted(cases.CASES))
def test_case_matches_torch(name, backend):
    check_case(cases, RECORD, name, backend)


def test_a_pruned_model_trains_with_the_mask_kept(backend):
    m = pg.nn.Linear(4, 3, dtype=pg.float64)
    prune.l1_unstructured(m, "weight", amount=6)
    opt = pg.optim.SGD(m.parameters(), lr=0.5)
    x = pg.ones(2, 4, dtype=pg.float64)
    for _ in range(2):
        opt.zero_grad()
        m(x).pow(2).sum().backward()
        opt.step()
    assert int((m.weight == 0).sum()) == 6 and bool((m.weight_mask * m.weight == m.weight).all())
    assert prune.is_pruned(pg.nn.Sequential(m)) and not prune.is_pruned(pg.nn.Linear(2, 2))
