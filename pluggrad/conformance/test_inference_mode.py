"""``inference_mode``: as a context manager and a decorator, nested with the grad modes, and
the rules of inference tensors (behaviour checked against PyTorch 2.13)."""

from __future__ import annotations

import threading

import pytest

import pluggrad as pg

from .helpers import assert_values
from .scenarios.inference_mode import f, g, h


def test_context_manager_and_flags(backend):
    x = pg.tensor([1.0, 2.0], requires_grad=True)
    assert not pg.is_inference_mode_enabled() and pg.is_grad_enabled()
    with pg.inference_mode():
        assert pg.is_inference_mode_enabled() and not pg.is_grad_enabled()
        y = x * 2
        assert not y.requires_grad and y.grad_fn is None
        assert y.is_inference() and pg.ones(2).is_inference()
        with pg.inference_mode(False):
            assert not pg.is_inference_mode_enabled() and pg.is_grad_enabled()
            u = x * 2
            assert u.requires_grad and not u.is_inference()
        with pg.enable_grad():
            assert pg.is_grad_enabled()
            assert not (x * 2).requires_grad  # nothing is recorded in inference mode
    assert not pg.is_inference_mode_enabled() and pg.is_grad_enabled()
    assert not x.is_inference() and not (y + 1).is_inference()


def test_decorator_forms(backend):
    """``f``, ``g`` and ``h`` are decorated with ``inference_mode()``, ``inference_mode`` and
    ``inference_mode(mode=False)``."""
    x = pg.tensor([1.0], requires_grad=True)
    r, flag = f(x)
    assert flag and r.is_inference() and not r.requires_grad
    assert g(x).is_inference() and not pg.is_inference_mode_enabled()
    with pg.inference_mode():
        assert h(x).requires_grad and not h(x).is_inference()

    @pg.inference_mode()
    def gen():
        yield pg.is_inference_mode_enabled()
        yield pg.is_inference_mode_enabled()

    assert list(gen()) == [True, True]
    assert not pg.is_inference_mode_enabled()


def test_mode_is_restored_after_an_exception(backend):
    with pytest.raises(ValueError), pg.inference_mode():
        raise ValueError
    assert not pg.is_inference_mode_enabled() and pg.is_grad_enabled()


def test_other_threads_do_not_see_the_mode(backend):
    seen = []
    with pg.inference_mode():
        t = threading.Thread(target=lambda: seen.append(pg.is_inference_mode_enabled()))
        t.start()
        t.join()
    assert seen == [False]


def test_inference_tensors_outside_inference_mode(backend):
    x = pg.tensor([1.0, 2.0], requires_grad=True)
    with pg.inference_mode():
        y = x * 2
    # reading them is fine, and an operation that saves nothing may record a graph
    w = (x + y).sum()
    w.backward()
    assert_values(x.grad, [1, 1])
    # an operation that saves them for backward cannot be differentiated
    with pytest.raises(RuntimeError, match="^Inference tensors cannot be saved for backward"):
        (y * x).sum().backward()
    with pytest.raises(RuntimeError, match="^Inplace update to inference tensor outside"):
        y.add_(1)
    with pytest.raises(RuntimeError, match="^Inplace update to inference tensor outside"):
        y[0] = 1.0
    with pytest.raises(RuntimeError, match="^Setting requires_grad=True on inference tensor"):
        y.requires_grad_()
    with pytest.raises(RuntimeError, match="^Inference tensors do not track version counter"):
        y._version  # noqa: B018
    c = y.clone()
    assert not c.is_inference()
    c.add_(1)
    assert y.detach().is_inference()


def test_inplace_inside_inference_mode(backend):
    x = pg.ones(2)
    with pg.inference_mode():
        y = pg.ones(2)
        y.add_(1)
        y[0] = 5.0
        x.add_(1)  # a normal tensor may be modified in inference mode too
    assert_values(y, [5, 2])
    assert_values(x, [2, 2])
    assert x._version == 1
