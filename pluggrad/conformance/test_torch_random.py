"""PyTorch's CPU random numbers from one seed, on the backends drawing from pluggrad's copy of
PyTorch's CPU generator (NumPy, array_api_strict): the samplers, the initialisations of
``nn`` modules, the RNG state bytes and a training run with a shuffling ``DataLoader`` and
dropout, compared with PyTorch's results stored in ``torch_random.json`` (see
``_regenerate_torch_random``)."""

from __future__ import annotations

import functools
import hashlib
import json

import numpy as np
import pytest

import pluggrad as pg
from pluggrad.backends._random import CPUGenerator
from pluggrad.conformance import _regenerate_torch_random as regen
from pluggrad.ops.random import default_generator

# float32 normals: NumPy's float32 log, sin and cos against Sleef's, a few ulps of the values
_RTOL, _ATOL = 4e-6, 2e-6


@functools.cache
def _stored() -> dict:
    return json.loads(regen.OUTPUT.read_text())


@pytest.fixture
def torch_stream(backend):
    """The backend, when it draws from PyTorch's CPU generator (JAX draws from its keys)."""
    source = default_generator.source(pg.backends.get_backend())
    if not isinstance(getattr(source, "engine", None), CPUGenerator):
        pytest.skip(f"{backend.name} draws from its own generator, not PyTorch's stream")
    return backend


def _check(results, stored: list[dict], bitwise: bool, what: str) -> None:
    results = results if isinstance(results, tuple) else (results,)
    assert len(results) == len(stored), what
    for t, want in zip(results, stored):
        a = np.ascontiguousarray(np.asarray(t.detach().numpy()))
        assert list(a.shape) == want["shape"] and str(a.dtype) == want["dtype"], what
        if bitwise:
            assert hashlib.sha256(a.tobytes()).hexdigest() == want["sha256"], what
            if "values" in want:
                values = regen.real_values(a)
                np.testing.assert_array_equal(values, np.array(want["values"], values.dtype), what)
        else:
            values = regen.real_values(a)
            expected = np.array(want["values"], dtype=values.dtype)
            np.testing.assert_allclose(values, expected, rtol=_RTOL, atol=_ATOL, err_msg=what)


def _case_ids() -> list[str]:
    return [f"{seed}:{code}" for seed, code in regen.cases()]


@pytest.mark.parametrize("case", range(len(regen.cases())), ids=_case_ids())
def test_draws_match_pytorch(torch_stream, case):
    stored = _stored()["cases"][case]
    seed, code = regen.cases()[case]
    assert (stored["seed"], stored["code"]) == (seed, code), "torch_random.json is stale"
    pg.manual_seed(seed)
    results = eval(code, {"T": pg})  # the stored case list
    arrays = [np.zeros(r["shape"], r["dtype"]) for r in stored["results"]]
    _check(results, stored["results"], regen.exact(code, arrays), code)


def test_state_bytes_match_pytorch(torch_stream):
    stored = _stored()["state"]
    pg.manual_seed(5)
    pg.randn(3)
    pg.rand(630)
    state = pg.get_rng_state()
    assert state.dtype is pg.uint8 and tuple(state.shape) == (5056,)
    assert bytes(state.numpy()).hex() == stored["hex"]
    pg.manual_seed(1)
    pg.set_rng_state(state)
    _check((pg.randn(5, dtype=pg.float64), pg.rand(3)), stored["after"], True, "after")


def test_pytorchs_saved_state_continues_its_stream(torch_stream):
    stored = _stored()["state"]
    saved = pg.tensor(np.frombuffer(bytes.fromhex(stored["hex"]), np.uint8).copy())
    pg.set_rng_state(saved)
    assert pg.initial_seed() == 5
    _check((pg.randn(5, dtype=pg.float64), pg.rand(3)), stored["after"], True, "after")
    with pytest.raises(RuntimeError, match="wrong size"):
        pg.set_rng_state(saved[:100])


def test_a_fresh_seed_state_and_its_round_trip(torch_stream):
    pg.manual_seed(2**40 + 3)
    state = pg.get_rng_state().numpy()
    assert int(state[:8].view(np.uint64)[0]) == 2**40 + 3
    assert state[8:16].view(np.int32).tolist() == [1, 1]  # left 1, seeded: no draw yet
    assert int(state[16:24].view(np.uint64)[0]) == 0
    first = pg.randn(5, dtype=pg.float64).numpy()
    pg.set_rng_state(pg.tensor(state))
    np.testing.assert_array_equal(pg.randn(5, dtype=pg.float64).numpy(), first)


def test_training_prints_pytorchs_losses(torch_stream):
    """A 3-epoch MLP with dropout and a shuffling DataLoader: PyTorch's losses, then PyTorch's
    next draw (the epochs drew as many numbers as PyTorch's did)."""
    stored = _stored()["training"]
    losses, after = regen.run_training(pg)
    assert len(losses) == len(stored["losses"]) == 18
    np.testing.assert_allclose(losses, stored["losses"], rtol=2e-5, atol=2e-6)
    _check(after, stored["after"], True, "draw after training")


def test_gumbel_softmax_samples_what_pytorch_samples(torch_stream):
    # torch.manual_seed(3); F.gumbel_softmax(linspace(-1, 1, 8).reshape(2, 4), tau=0.7), float64
    expected = [0.7333267047206881, 0.04270914122157918, 0.007769492492291234,
                0.21619466156544176, 0.020881309649689907, 0.056182068796097724,
                0.6631421976275852, 0.25979442392662716]  # fmt: skip
    logits = pg.linspace(-1, 1, 8, dtype=pg.float64).reshape(2, 4)
    pg.manual_seed(3)
    sample = pg.nn.functional.gumbel_softmax(logits, tau=0.7)
    np.testing.assert_allclose(sample.reshape(-1).numpy(), expected, rtol=1e-12)


def test_weighted_random_sampler_draws_what_pytorch_draws(torch_stream):
    sampler = pg.utils.data.WeightedRandomSampler
    drawn = list(sampler([0.1, 0.9, 0.4, 0.3, 0.2], 8, generator=pg.Generator().manual_seed(1)))
    assert drawn == [1, 1, 1, 1, 2, 1, 1, 2]  # PyTorch 2.13, the same seed
    pg.manual_seed(0)
    weights = [0.9, 0.4, 0.05, 0.2, 0.3, 0.1]
    assert list(sampler(weights, 5, replacement=False)) == [1, 4, 0, 2, 3]
    with pytest.raises(ValueError, match="num_samples should be a positive integer value"):
        sampler(weights, 0)
    with pytest.raises(ValueError, match="weights should be a 1d sequence"):
        sampler([[1.0]], 1)
