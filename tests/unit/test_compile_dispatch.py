"""``pluggrad.compile`` hands each call to the compiler of its tensors' backend
(``Backend.compile``), asked once per backend; the default hook runs the function eagerly."""

from __future__ import annotations

import numpy as np
import pytest

import pluggrad as pg
from pluggrad._trace.compiled import TracedCompiled
from pluggrad.backends import Backend
from pluggrad.backends.numpy import NumpyBackend


class CountingBackend(NumpyBackend):
    """NumPy, with a compiler that wraps the function and counts what it is asked for."""

    name = "counting"

    def __init__(self) -> None:
        super().__init__()
        self.compiled: list = []  # (fn, options) per compile() call
        self.calls = 0  # calls of the compiled callables

    def compile(self, fn, **options):
        self.compiled.append((fn, options))

        def run(*args, **kwargs):
            self.calls += 1
            run.traces = 1  # as if a first call traced
            return fn(*args, **kwargs)

        run.traces = 0
        return run


@pytest.fixture
def counting():
    return CountingBackend()


def test_calls_go_to_the_compiler_of_the_tensors_backend(counting):
    def f(params, x, scale=1.0):
        return (params["w"] * x).sum() * scale

    compiled = pg.compile(f, mode="fast")
    with pg.use_backend(counting):
        w, x = pg.tensor([1.0, 2.0]), pg.tensor([3.0, 4.0])
    # the active backend is numpy again: the first tensor decides, nested in a dict
    for _ in range(3):
        assert float(compiled({"w": w}, x)) == 11.0
    assert counting.compiled == [(f, {"mode": "fast"})]  # asked once, with the options
    assert counting.calls == 3
    assert compiled.traces == 1


def test_a_tensor_among_the_keyword_arguments_decides(counting):
    compiled = pg.compile(lambda scale, x: x * scale)
    with pg.use_backend(counting):
        x = pg.tensor([1.0])
    compiled(2.0, x=x)
    assert counting.calls == 1


def test_without_tensors_the_active_backend_compiles(counting):
    compiled = pg.compile(lambda n: pg.ones(n).sum())
    with pg.use_backend(counting):
        assert float(compiled(3)) == 3.0
    assert counting.calls == 1


def test_disable_runs_eagerly_without_asking_the_backend(counting):
    compiled = pg.compile(lambda x: x + 1, disable=True)
    with pg.use_backend(counting):
        compiled(pg.tensor([1.0]))
    assert counting.compiled == [] and compiled.traces == 0


def test_the_default_hook_traces_with_pluggrads_tracer():
    calls = []

    def f(x):
        calls.append(1)
        return x * 2

    backend = pg.backends.load_backend("numpy")
    assert Backend.compile is type(backend).compile  # numpy keeps the default hook
    assert isinstance(backend.compile(f), TracedCompiled)
    compiled = pg.compile(f)
    with pg.use_backend(backend):
        x = pg.tensor([1.0, 2.0])
    for _ in range(3):
        np.testing.assert_array_equal(compiled(x).numpy(), [2.0, 4.0])
    assert len(calls) == 1 and compiled.traces == 1  # traced once, then replayed
