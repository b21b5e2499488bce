"""Grad modes (``no_grad``, ``enable_grad``, ``set_grad_enabled``) against PyTorch 2.13.

Each behaviour was checked with real PyTorch first: the three work as context managers and as
decorators (``@no_grad`` and ``@enable_grad`` with or without parentheses), ``set_grad_enabled``
also as a plain call; the mode is restored on exceptions, generators run each step under the
decorator's mode, and the mode is per thread (a new thread starts with grad enabled).
"""

from __future__ import annotations

import threading
import types

import pytest

import pluggrad as pg
from pluggrad import autograd

from .helpers import assert_values

GRAD_MODE_NAMES = ("no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled")


def enabled() -> bool:
    return pg.is_grad_enabled()


def mode_in_new_thread() -> bool:
    """The grad mode a freshly started thread sees."""
    seen = []
    thread = threading.Thread(target=lambda: seen.append(enabled()))
    thread.start()
    thread.join()
    return seen[0]


# ---------------------------------------------------------------------------------------------
# names
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", GRAD_MODE_NAMES)
def test_names_are_the_same_objects_everywhere(name):
    assert getattr(pg, name) is getattr(autograd, name)
    assert getattr(autograd.grad_mode, name) is getattr(pg, name)


def test_grad_mode_is_a_module():
    assert isinstance(autograd.grad_mode, types.ModuleType)
    assert autograd.grad_mode.__name__ == "pluggrad.autograd.grad_mode"


def test_variable_gives_a_plain_tensor(backend):
    """``Variable`` is the pre-0.4 wrapper: every tensor is an instance, and ``Variable(t)`` is
    a tensor with t's values (torch returns a new leaf aliasing t, not t itself)."""
    t = pg.tensor([1.0, 2.0])
    v = autograd.Variable(t)
    assert isinstance(v, pg.Tensor)
    assert_values(v, [1.0, 2.0])
    assert not v.requires_grad and v.is_leaf
    assert isinstance(t, autograd.Variable)
    assert isinstance(t * 2, autograd.Variable)
    assert not isinstance([1.0], autograd.Variable)


def test_variable_with_requires_grad_leaves_its_argument_alone(backend):
    """torch: ``Variable(t, requires_grad=True)`` requires grad; ``t`` itself does not."""
    t = pg.tensor([1.0, 2.0])
    v = autograd.Variable(t, requires_grad=True)
    assert v.requires_grad and v.is_leaf
    assert not t.requires_grad


def test_function_exists():
    assert isinstance(autograd.Function, type)
    assert hasattr(autograd.Function, "apply")


# ---------------------------------------------------------------------------------------------
# context managers
# ---------------------------------------------------------------------------------------------


def test_is_grad_enabled_by_default():
    assert enabled() is True


def test_no_grad_and_enable_grad_nest():
    with pg.no_grad():
        assert not enabled()
        with pg.enable_grad():
            assert enabled()
            with pg.no_grad():
                assert not enabled()
            assert enabled()
        assert not enabled()
    assert enabled()


def test_set_grad_enabled_as_a_context_manager_restores_the_previous_mode():
    with pg.set_grad_enabled(False):
        assert not enabled()
        with pg.set_grad_enabled(True):
            assert enabled()
        assert not enabled()
    assert enabled()


def test_set_grad_enabled_context_restores_a_disabled_mode():
    pg.set_grad_enabled(False)
    with pg.set_grad_enabled(True):
        assert enabled()
    assert not enabled()


def test_set_grad_enabled_as_a_call_takes_effect_immediately():
    pg.set_grad_enabled(False)
    assert not enabled()
    pg.set_grad_enabled(True)
    assert enabled()


@pytest.mark.parametrize(
    "context",
    [pg.no_grad, pg.enable_grad, lambda: pg.set_grad_enabled(False)],
    ids=["no_grad", "enable_grad", "set_grad_enabled"],
)
@pytest.mark.parametrize("outer", [True, False], ids=["from_enabled", "from_disabled"])
def test_exception_inside_the_block_restores_the_mode(context, outer):
    pg.set_grad_enabled(outer)
    with pytest.raises(ValueError, match="inside"):
        with context():
            raise ValueError("inside")
    assert enabled() is outer


# ---------------------------------------------------------------------------------------------
# decorators
# ---------------------------------------------------------------------------------------------


def _report():
    """Report the grad mode."""
    return enabled()


@pytest.mark.parametrize(
    "decorator, mode",
    [
        (pg.no_grad, False),
        (pg.no_grad(), False),
        (pg.enable_grad, True),
        (pg.enable_grad(), True),
        (pg.set_grad_enabled(False), False),
        (pg.set_grad_enabled(True), True),
    ],
    ids=["no_grad", "no_grad()", "enable_grad", "enable_grad()", "sge(False)", "sge(True)"],
)
@pytest.mark.parametrize("outer", [True, False], ids=["from_enabled", "from_disabled"])
def test_decorated_function_runs_under_the_decorator_mode(decorator, mode, outer):
    decorated = decorator(_report)
    pg.set_grad_enabled(outer)
    assert decorated() is mode
    assert enabled() is outer
    assert decorated.__name__ == "_report"
    assert decorated.__doc__ == "Report the grad mode."


def test_set_grad_enabled_decorator_does_not_change_the_mode_when_decorating():
    @pg.set_grad_enabled(False)
    def disabled():
        return enabled()

    assert enabled()
    assert disabled() is False
    assert enabled()

    with pg.no_grad():

        @pg.set_grad_enabled(True)
        def reenabled():
            return enabled()

        assert not enabled()
        assert reenabled() is True
        assert not enabled()


def test_decorated_function_that_raises_restores_the_mode():
    @pg.no_grad
    def fails():
        raise KeyError("x")

    with pytest.raises(KeyError):
        fails()
    assert enabled()


def test_decorated_function_keeps_its_arguments_and_result():
    @pg.no_grad()
    def combine(a, b=2, *, c):
        return (a, b, c, enabled())

    assert combine(1, c=3) == (1, 2, 3, False)


def test_no_grad_generator_runs_each_step_under_no_grad():
    """Each step of the generator runs with grad disabled; the caller's mode is kept between."""
    received = []

    @pg.no_grad()
    def steps():
        for _ in range(3):
            value = yield enabled()
            received.append((value, enabled()))
        return "done"

    gen = steps()
    assert next(gen) is False
    assert enabled()
    assert gen.send("a") is False
    assert enabled()
    assert gen.send("b") is False
    with pytest.raises(StopIteration) as stop:
        gen.send("c")
    assert stop.value.value == "done"
    assert received == [("a", False), ("b", False), ("c", False)]
    assert enabled()


def test_enable_grad_generator_inside_no_grad():
    @pg.enable_grad
    def steps():
        yield enabled()
        yield enabled()

    with pg.no_grad():
        assert list(steps()) == [True, True]
        assert not enabled()


def test_no_grad_generator_close_and_throw():
    seen = []

    @pg.no_grad
    def steps():
        try:
            while True:
                try:
                    yield enabled()
                except ValueError:
                    seen.append(("thrown", enabled()))
        finally:
            seen.append(("closed", enabled()))

    gen = steps()
    next(gen)
    assert gen.throw(ValueError) is False
    gen.close()
    assert seen == [("thrown", False), ("closed", False)]
    assert enabled()


# ---------------------------------------------------------------------------------------------
# threads
# ---------------------------------------------------------------------------------------------


def test_a_new_thread_starts_with_grad_enabled():
    with pg.no_grad():
        assert mode_in_new_thread() is True
    pg.set_grad_enabled(False)
    assert mode_in_new_thread() is True


def test_disabling_grad_in_a_thread_does_not_affect_the_main_thread():
    seen = []

    def worker():
        pg.set_grad_enabled(False)
        with pg.no_grad():
            seen.append(enabled())
        seen.append(enabled())

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen == [False, False]
    assert enabled()


# ---------------------------------------------------------------------------------------------
# operations under the modes
# ---------------------------------------------------------------------------------------------


def _assert_untracked(t):
    assert not t.requires_grad
    assert t.grad_fn is None
    assert t.is_leaf


def test_operations_under_no_grad_record_nothing(backend):
    x = pg.tensor([1.0, 2.0], requires_grad=True)
    with pg.no_grad():
        y = x * 2
        z = pg.sin(y).sum()
    _assert_untracked(y)
    _assert_untracked(z)
    assert_values(y, [2.0, 4.0])


def test_operations_under_set_grad_enabled_false_record_nothing(backend):
    x = pg.tensor([1.0, 2.0], requires_grad=True)
    pg.set_grad_enabled(False)
    _assert_untracked(x + 1)
    pg.set_grad_enabled(True)
    assert (x + 1).grad_fn is not None


def test_enable_grad_inside_no_grad_records_again(backend):
    x = pg.tensor([1.0, 2.0], requires_grad=True)
    with pg.no_grad():
        with pg.enable_grad():
            y = x * 2
        z = y * 3
    assert y.requires_grad and y.grad_fn.name() == "MulBackward0"
    _assert_untracked(z)
    y.sum().backward()
    assert_values(x.grad, [2.0, 2.0])


def test_no_grad_decorated_function_records_nothing(backend):
    x = pg.tensor([1.0], requires_grad=True)

    @pg.no_grad
    def double(t):
        return t * 2

    _assert_untracked(double(x))
    assert double.__wrapped__(x).requires_grad


def test_backward_under_no_grad_still_computes_gradients(backend):
    """The graph was recorded before; no_grad only stops recording new operations."""
    x = pg.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    with pg.no_grad():
        y.backward()
    assert_values(x.grad, [2.0, 4.0])
    assert x.grad.grad_fn is None


def test_create_graph_under_no_grad_still_records_the_backward(backend):
    x = pg.tensor(2.0, requires_grad=True)
    y = x**3
    with pg.no_grad():
        (g,) = pg.autograd.grad(y, x, create_graph=True)
        assert not enabled()
    assert g.requires_grad
    assert_values(g, 12.0)
    (gg,) = pg.autograd.grad(g, x)
    assert_values(gg, 12.0)


def test_the_modes_enter_as_none(backend):
    """``with torch.no_grad() as x``: x is None, as PyTorch's context managers return."""
    for mode in (pg.no_grad(), pg.enable_grad(), pg.set_grad_enabled(True), pg.inference_mode()):
        with mode as entered:
            assert entered is None
