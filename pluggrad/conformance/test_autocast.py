"""``autocast`` regions as PyTorch's CPU autocast: which operations cast to the region's dtype,
which to float32 and which run in their arguments' dtypes; the casts in the graph; a network's
loss and gradients; nesting, disabling and PyTorch's warnings.  Compared with PyTorch's
results stored in ``autocast_torch.json`` (see ``_regenerate_autocast``).

A backend runs the regions of the 16-bit dtypes its library has (NumPy and Dask float16, JAX
both); a region of a dtype it lacks warns and disables itself.
"""

from __future__ import annotations

import functools
import json
import threading
import warnings

import numpy as np
import pytest

import pluggrad as pg
from pluggrad.conformance import _regenerate_autocast as regen
from pluggrad.conformance.helpers import backend_dtype


@functools.cache
def _stored() -> dict:
    return json.loads(regen.OUTPUT.read_text())


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy's float16 overflows in cholesky
@pytest.mark.parametrize("dtype", regen.DTYPES)
def test_each_operation_returns_pytorchs_dtype_in_a_region(backend, dtype):
    backend_dtype(dtype)
    got = regen.dtypes_under_autocast(pg, dtype)
    want = _stored()[dtype]["dtypes"]
    assert {k: v for k, v in got.items() if v != want[k]} == {}


@pytest.mark.parametrize("dtype", regen.DTYPES)
def test_a_network_in_a_region_gives_pytorchs_graph_loss_and_float32_gradients(backend, dtype):
    backend_dtype(dtype)
    got, want = regen.network(pg, dtype), _stored()[dtype]["network"]
    for key in ("out_dtype", "loss_dtype", "graph", "grad_dtypes"):
        assert got[key] == want[key], key
    # the products round to `dtype` (8 bits of mantissa for bfloat16): PyTorch's kernels and
    # the backend's may round their sums differently
    tolerance = 2.0**-6 if dtype == "bfloat16" else 2.0**-9
    assert got["loss"] == pytest.approx(want["loss"], rel=tolerance)
    for name, grad in want["grads"].items():
        np.testing.assert_allclose(got["grads"][name], grad, rtol=8 * tolerance, atol=tolerance)


def test_regions_nest_disable_and_decorate(backend):
    low = backend_dtype("float16")
    x = pg.ones(2, 2)
    assert not pg.is_autocast_enabled("cpu") and pg.get_autocast_dtype("cpu") is pg.bfloat16
    with pg.autocast("cpu", dtype=low):
        assert pg.is_autocast_enabled("cpu") and not pg.is_autocast_enabled()  # (cuda's)
        assert pg.get_autocast_dtype("cpu") is low
        assert (x @ x).dtype is low
        with pg.autocast("cpu", enabled=False):
            assert not pg.is_autocast_enabled("cpu") and (x @ x).dtype is pg.float32
        assert (x @ x).dtype is low
        assert (x.double() @ x.double()).dtype is pg.float64  # float64 is never cast
    assert (x @ x).dtype is pg.float32

    @pg.autocast("cpu", dtype=low)
    def product(a):
        return a @ a

    assert product(x).dtype is low

    seen = []  # a new thread starts outside any region, as PyTorch's thread-local state
    with pg.autocast("cpu", dtype=low):
        thread = threading.Thread(target=lambda: seen.append(pg.is_autocast_enabled("cpu")))
        thread.start()
        thread.join()
    assert seen == [False]


def test_unsupported_regions_warn_and_disable_themselves(backend):
    with pytest.warns(UserWarning, match="CPU Autocast only supports dtypes of torch.bfloat16"):
        region = pg.autocast("cpu", dtype=pg.float32)
    with region:
        assert not pg.is_autocast_enabled("cpu")
    with pytest.warns(UserWarning, match="CPU Autocast only supports"):  # as PyTorch's
        region = pg.autocast("cpu", dtype="float16")
    with pytest.raises(TypeError, match="must be torch.dtype, not str"):
        with region:
            pass
    missing = [d for d in (pg.bfloat16, pg.float16) if d not in pg.get_backend().to_native]
    if missing:
        with pytest.warns(UserWarning, match=f"backend has no {missing[0].name}"):
            region = pg.autocast("cpu", dtype=missing[0])
        with region:
            assert not pg.is_autocast_enabled("cpu")
            assert (pg.ones(2, 2) @ pg.ones(2, 2)).dtype is pg.float32
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pg.autocast("cpu", dtype=pg.float32, enabled=False):  # disabled: no warning
            pass
