"""Sharded tensors and steps on the jax backend (docs/sharding.md), on simulated CPU devices.

JAX reads ``XLA_FLAGS`` (8 host devices) once, when it starts, so the steps run in processes of
their own: ``_sharding_program.py`` (one process, 8 devices: data- and model-parallel training
steps, eager and compiled, beside their unsharded twins) and ``examples/distributed_train.py``
(2 processes x 2 devices through ``jax.distributed``, against 1 process on 1 device).  The
tests here compare what they wrote.  They run where the jax backend is selected.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("jax")

HERE = Path(__file__).resolve().parent
EXAMPLE = HERE.parents[1] / "examples" / "distributed_train.py"
PARAMS = ("0.weight", "0.bias", "2.weight", "2.bias")
TIMEOUT = 300  # seconds, for each child process (a few on this 2-core machine)


def _env(devices: int) -> dict:
    return {
        **os.environ,
        "XLA_FLAGS": f"--xla_force_host_platform_device_count={devices}",
        "JAX_PLATFORMS": "cpu",
        "PLUGGRAD_BACKEND": "jax",
    }


@pytest.fixture(scope="module")
def single_process(tmp_path_factory):
    """Run ``_sharding_program.py`` once on 8 devices: (arrays, facts)."""
    out = tmp_path_factory.mktemp("sharding")
    done = subprocess.run(
        [sys.executable, str(HERE / "_sharding_program.py"), str(out)],
        env=_env(8), capture_output=True, text=True, timeout=TIMEOUT, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-4000:]
    with np.load(out / "arrays.npz") as arrays:
        loaded = dict(arrays)
    return loaded, json.loads((out / "facts.json").read_text())


@pytest.fixture
def run(backend, request):
    if backend.name != "jax":
        pytest.skip("sharding is the jax backend's")
    return request.getfixturevalue("single_process")


def _params(arrays: dict, name: str) -> np.ndarray:
    return np.concatenate([arrays[f"{name}/{p}"].ravel() for p in PARAMS])


def test_the_program_ran_on_eight_devices(run):
    _, facts = run
    assert facts["devices"] == 8
    assert facts["batch"] == "P('data',)"


def test_unsharded_eager_and_compiled_steps_agree(run):
    """The reference the sharded steps are compared with."""
    arrays, _ = run
    np.testing.assert_allclose(arrays["dp-plain-True/losses"], arrays["dp-plain-False/losses"],
                               rtol=1e-5)  # fmt: skip
    np.testing.assert_allclose(arrays["dp-plain-True/params"], arrays["dp-plain-False/params"],
                               rtol=1e-5, atol=1e-6)  # fmt: skip


@pytest.mark.parametrize("name", ["dp-eager", "dp-compiled", "dp-donated", "dp-in-shardings"])
def test_data_parallel_steps_equal_the_unsharded_ones(run, name):
    arrays, _ = run
    losses = arrays[f"{name}/losses"]
    np.testing.assert_allclose(losses, arrays["dp-plain-True/losses"], rtol=1e-5)
    assert losses[-1] < losses[0]  # it trains
    np.testing.assert_allclose(_params(arrays, name), arrays["dp-plain-True/params"],
                               rtol=1e-5, atol=1e-6)  # fmt: skip


@pytest.mark.parametrize("name", ["mp-eager", "mp-compiled"])
def test_model_parallel_steps_equal_the_unsharded_ones(run, name):
    arrays, _ = run
    np.testing.assert_allclose(arrays[f"{name}/losses"], arrays["mp-plain/losses"], rtol=1e-5)
    np.testing.assert_allclose(_params(arrays, name), arrays["mp-plain/params"],
                               rtol=1e-5, atol=1e-6)  # fmt: skip


def test_the_compiled_sharded_steps_all_reduce(run):
    """XLA put the gradients' all-reduce in the step's program (``step.lower(...)``); the
    unsharded step has none."""
    _, facts = run
    assert facts["hlo"]["dp-compiled"]["all-reduce"] is True
    assert facts["hlo"]["mp-compiled"]["all-reduce"] is True
    assert facts["hlo"]["dp-plain"]["all-reduce"] is False


@pytest.mark.parametrize("name", ["dp-eager", "dp-compiled", "dp-donated", "dp-in-shardings"])
def test_data_parallel_shardings(run, name):
    """The loss is replicated; parameters stay replicated; each .grad and Adam moment has its
    parameter's sharding."""
    _, facts = run
    layout = facts[name]
    assert layout["loss"] == "P()"
    for p in PARAMS:
        assert layout[p] == {"spec": "P()", "grad": True, "exp_avg": True, "exp_avg_sq": True}


@pytest.mark.parametrize("name", ["mp-eager", "mp-compiled"])
def test_model_parallel_shardings(run, name):
    """Each parameter keeps its partition spec through the steps; its .grad and momentum buffer
    have its sharding."""
    _, facts = run
    specs = {
        "0.weight": "P('model', None)",
        "0.bias": "P('model',)",
        "2.weight": "P(None, 'model')",
        "2.bias": "P()",
    }
    layout = facts[name]
    assert layout["loss"] == "P()"
    for p, spec in specs.items():
        assert layout[p] == {"spec": spec, "grad": True, "momentum_buffer": True}


def test_donate_deletes_the_buffers_a_step_replaces(run):
    _, facts = run
    assert facts["old buffer deleted"] is True


def test_to_a_sharding_is_differentiable(run):
    """``w.to(sharding)`` lays w out over the mesh; its gradient comes back to w's device."""
    arrays, facts = run
    assert facts["to: spec"] == "P('data',)"
    assert facts["to: grad back on one device"] is True
    np.testing.assert_array_equal(arrays["to/grad"], np.full((8, 16), 3.0, np.float32))
    assert facts["zeros device=sharding"] == "P('data',)"


def test_in_and_out_shardings(run):
    arrays, facts = run
    np.testing.assert_allclose(arrays["opt/sharded"], arrays["opt/plain"], rtol=1e-5, atol=1e-6)
    assert facts["opt: out spec"] == "P('data',)"  # out_shardings
    assert facts["opt: total devices"] == 8  # in_shardings placed the uncommitted input
    assert facts["opt: replicated out"] == "P()"


def _launch(tmp_path, processes: int, devices: int) -> dict:
    out = tmp_path / f"{processes}x{devices}.npz"
    command = [sys.executable, str(EXAMPLE), "--processes", str(processes),
               "--devices-per-process", str(devices), "--steps", "6", "--out", str(out),
               "--timeout", str(TIMEOUT - 30)]  # fmt: skip
    # the launcher and its workers in a process group of their own: all stopped on a timeout
    launcher = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env=_env(1), start_new_session=True)  # fmt: skip
    try:
        _, stderr = launcher.communicate(timeout=TIMEOUT)
    finally:
        if launcher.poll() is None:
            os.killpg(launcher.pid, signal.SIGKILL)
            launcher.communicate()
    assert launcher.returncode == 0, stderr[-4000:]
    with np.load(out) as arrays:
        return dict(arrays)


def test_two_processes_give_the_single_process_result(backend, tmp_path):
    """examples/distributed_train.py: 2 processes x 2 CPU devices, one 4-device mesh through
    jax.distributed (gloo collectives), against 1 process on 1 device."""
    if backend.name != "jax":
        pytest.skip("sharding is the jax backend's")
    two = _launch(tmp_path, 2, 2)
    one = _launch(tmp_path, 1, 1)
    assert set(two) == set(one) == {"losses", *PARAMS}
    for name in one:
        np.testing.assert_allclose(two[name], one[name], rtol=1e-5, atol=1e-6)
    assert two["losses"][-1] < two["losses"][0]
