"""``pluggrad.random`` and ``pluggrad.version``, as ``torch.random`` and ``torch.version``."""

from __future__ import annotations

import pytest

import pluggrad as pg


def test_fork_rng_restores_the_default_generator(backend):
    pg.manual_seed(0)
    with pg.random.fork_rng():
        forked = pg.rand(3).tolist()
    assert pg.rand(3).tolist() == forked
    with pytest.raises(ValueError), pg.random.fork_rng(devices=[]):
        pg.rand(2)
        raise ValueError
    after_error = pg.rand(3).tolist()
    pg.manual_seed(0)
    pg.rand(3)
    assert pg.rand(3).tolist() == after_error


def test_fork_rng_disabled_shares_the_generator(backend):
    pg.manual_seed(1)
    with pg.random.fork_rng(enabled=False):
        first = pg.rand(2).tolist()
    assert pg.rand(2).tolist() != first


def test_the_random_and_version_modules_name_what_torchs_do():
    pg.random.manual_seed(7)
    assert pg.initial_seed() == pg.random.initial_seed() == 7
    assert pg.random.get_rng_state().tolist() == pg.get_rng_state().tolist()
    assert pg.version.__version__ == pg.__version__
    assert pg.version.cuda is None and pg.version.hip is None and pg.version.debug is False
