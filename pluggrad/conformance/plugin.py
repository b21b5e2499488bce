"""pytest plugin of the conformance suite: every test taking the ``backend`` fixture runs once
per backend.

Loaded by ``-p pluggrad.conformance.plugin`` (the repository's pytest configuration does so).

Backends are chosen with ``--backend NAME`` (repeatable) or the environment variable
``PLUGGRAD_TEST_BACKENDS=numpy,jax``; nox runs one session per backend this way.  Without
either, all three built-in backends run, and one whose library is missing is skipped; a backend
selected explicitly must load.
"""

from __future__ import annotations

import os

import pytest

import pluggrad
from pluggrad import _dtypes
from pluggrad._core import grad_mode

BUILTIN_BACKENDS = ("numpy", "jax", "array_api_strict")


def pytest_addoption(parser):
    parser.addoption(
        "--backend",
        action="append",
        default=None,
        help="run backend-parametrized tests on this backend (repeatable)",
    )


def _selected(config) -> tuple[list[str], bool]:
    names = config.getoption("--backend")
    if names:
        return names, True
    env = os.environ.get("PLUGGRAD_TEST_BACKENDS")
    if env:
        return [n.strip() for n in env.split(",") if n.strip()], True
    return list(BUILTIN_BACKENDS), False


def pytest_generate_tests(metafunc):
    if "backend" in metafunc.fixturenames:
        names, _ = _selected(metafunc.config)
        metafunc.parametrize("backend", names, indirect=True)


@pytest.fixture
def backend(request):
    """The backend under test, active for the duration of the test."""
    name = request.param
    _, explicit = _selected(request.config)
    try:
        loaded = pluggrad.backends.load_backend(name)
    except ImportError:
        if explicit:
            raise
        pytest.skip(f"backend {name!r} is not installed")
    with pluggrad.use_backend(loaded):
        yield loaded


@pytest.fixture(autouse=True)
def _clean_global_state():
    """Each test starts with grad mode on and float32 as the default dtype."""
    grad_mode._set_enabled(True)
    _dtypes.set_default_dtype(_dtypes.float32)
    yield
    grad_mode._set_enabled(True)
    _dtypes.set_default_dtype(_dtypes.float32)
