"""The random ``torch.*`` aliases of ``nn.functional`` (dropouts, ``rrelu``) and the modules
``RReLU`` and ``FeatureAlphaDropout`` draw PyTorch's numbers from one seed, on the backends
that draw from pluggrad's copy of PyTorch's CPU generator (NumPy, array_api_strict); compared
with PyTorch's results stored in ``random_aliases_torch.json`` (see
``_regenerate_random_aliases``)."""

from __future__ import annotations

import functools
import json

import numpy as np
import pytest

import pluggrad as pg
from pluggrad.conformance import _regenerate_random_aliases as regen
from pluggrad.conformance.test_torch_random import torch_stream  # noqa: F401 - the fixture


@functools.cache
def _stored() -> list[dict]:
    return json.loads(regen.OUTPUT.read_text())


@pytest.mark.usefixtures("torch_stream")
@pytest.mark.parametrize(
    "case", range(len(regen.cases())), ids=[f"{s}:{c}" for s, c in regen.cases()]
)
def test_draws_match_pytorch(case):
    stored = _stored()[case]
    seed, code = regen.cases()[case]
    assert (stored["seed"], stored["code"]) == (seed, code), "random_aliases_torch.json is stale"
    pg.manual_seed(seed)
    out = eval(code, regen.inputs(pg))  # the stored case list
    assert str(out.dtype).split(".")[-1] == stored["dtype"]
    assert list(out.shape) == stored["shape"]
    values = np.asarray(out.detach().numpy()).reshape(-1)
    # alpha dropout's affine map rounds in another order than PyTorch's in-place kernel
    np.testing.assert_allclose(values, np.array(stored["values"]), rtol=1e-6, atol=1e-6)
