"""Backend registry and selection: entry points, names, errors, scoping."""

from __future__ import annotations

import importlib.metadata as metadata
import os
import subprocess
import sys
import textwrap
import threading

import pytest

import pluggrad
from pluggrad import backends
from pluggrad.backends.numpy import NumpyBackend


@pytest.fixture
def fake_entry_points(monkeypatch):
    """Register extra entry points in the ``pluggrad.backends`` group for one test."""
    extra: list[metadata.EntryPoint] = []
    real = metadata.entry_points

    def entry_points(**kwargs):
        found = list(real(**kwargs))
        if kwargs.get("group") == backends.ENTRY_POINT_GROUP:
            found += extra
        return found

    monkeypatch.setattr(backends.metadata, "entry_points", entry_points)

    def add(name: str, value: str) -> None:
        extra.append(metadata.EntryPoint(name, value, backends.ENTRY_POINT_GROUP))
        backends._loaded.pop(name, None)

    yield add
    for ep in extra:
        backends._loaded.pop(ep.name, None)


@pytest.fixture
def second():
    """A second backend that is always installed: NumPy arrays under another name."""

    class SecondBackend(NumpyBackend):
        name = "second"

    return SecondBackend()


def test_builtin_backends_are_registered():
    assert {"numpy", "jax", "array_api_strict"} <= set(pluggrad.available_backends())


def test_builtin_backends_are_entry_points_of_the_installed_package():
    names = {ep.name for ep in metadata.entry_points(group=backends.ENTRY_POINT_GROUP)}
    assert {"numpy", "jax", "array_api_strict"} <= names


def test_default_backend_is_numpy():
    assert pluggrad.tensor([1.0]).backend.name == os.environ.get("PLUGGRAD_BACKEND", "numpy")


def test_unknown_backend_lists_the_available_ones():
    with pytest.raises(ValueError, match=r"unknown pluggrad backend 'nope'.*numpy"):
        pluggrad.set_backend("nope")


def test_backend_without_its_library_names_the_extra(fake_entry_points):
    fake_entry_points("ghost", "pluggrad_no_such_module:backend")
    with pytest.raises(ImportError, match="not installed"):
        backends.load_backend("ghost")


def test_missing_builtin_library_names_the_pip_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "jax", None)  # makes `import jax` fail
    monkeypatch.delitem(sys.modules, "pluggrad.backends.jax", raising=False)
    monkeypatch.delitem(backends._loaded, "jax", raising=False)
    with pytest.raises(ImportError, match=r"pip install 'pluggrad\[jax\]'"):
        backends.load_backend("jax")


def test_third_party_backend_plugs_in_through_the_entry_point(
    fake_entry_points, tmp_path, monkeypatch
):
    module = tmp_path / "toy_backend.py"
    module.write_text(
        textwrap.dedent(
            """
            from pluggrad.backends.numpy import NumpyBackend

            class ToyBackend(NumpyBackend):
                name = "toy"

            backend = ToyBackend()
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    fake_entry_points("toy", "toy_backend:backend")
    assert "toy" in pluggrad.available_backends()
    with pluggrad.use_backend("toy"):
        x = pluggrad.tensor([1.0, 2.0], requires_grad=True)
        (x * x).sum().backward()
    assert x.backend.name == "toy"
    assert x.grad.tolist() == [2.0, 4.0]


def test_entry_point_must_name_a_backend(fake_entry_points):
    fake_entry_points("bogus", "os:path")
    with pytest.raises(TypeError, match="not a pluggrad Backend"):
        backends.load_backend("bogus")


def test_use_backend_is_scoped_and_tensors_keep_theirs(second):
    before = pluggrad.get_backend()
    with pluggrad.use_backend(second) as b:
        assert pluggrad.get_backend() is b
        t = pluggrad.tensor([1.0])
    assert pluggrad.get_backend() is before
    assert t.backend is b
    assert (t * 2).backend is b


def test_use_backend_does_not_leak_into_other_threads(second):
    seen = []
    with pluggrad.use_backend(second):
        thread = threading.Thread(target=lambda: seen.append(pluggrad.get_backend().name))
        thread.start()
        thread.join()
    assert seen == [pluggrad.get_backend().name]


def test_set_backend_is_process_wide_and_reversible(second):
    before = pluggrad.get_backend()
    try:
        pluggrad.set_backend(second)
        assert pluggrad.get_backend().name == "second"
        assert backends.backend_choice_reason() == "set_backend()"
    finally:
        pluggrad.set_backend(before)


def test_mixing_backends_names_both(second):
    a = pluggrad.tensor([1.0], backend="numpy")
    with pluggrad.use_backend(second):
        b = pluggrad.tensor([1.0])
    with pytest.raises(RuntimeError, match="same backend.*numpy and second"):
        a + b
    with pytest.raises(RuntimeError, match="same backend.*second and numpy"):
        pluggrad.matmul(b, a)


def test_environment_variable_selects_the_backend():
    pytest.importorskip("array_api_strict")
    code = "import pluggrad as p; print(p.get_backend().name, p.tensor([1.]).backend.name)"
    env = dict(os.environ, PLUGGRAD_BACKEND="array_api_strict")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.stdout.split() == ["array_api_strict", "array_api_strict"], done.stderr
