"""pluggrad's tracer and planner (pluggrad._trace), the default ``Backend.compile``, on NumPy.

The conformance suite checks that compiled calls equal eager ones on every backend; these tests
check what the planner does to the program (dead code, constants, releases, writes in place),
its debug mode, what cannot be traced, random draws and the memory of a long training loop.
"""

from __future__ import annotations

import gc
import tracemalloc

import numpy as np
import pytest

import pluggrad as pg
from pluggrad import nn, optim
from pluggrad._trace import blocks as blocks_module
from pluggrad._trace import plan as plan_module
from pluggrad._trace import program as program_module
from pluggrad._trace.compiled import TracedCompiled
from pluggrad.backends import load_backend

numpy_backend = load_backend("numpy")


@pytest.fixture(autouse=True)
def _numpy():
    with pg.use_backend(numpy_backend):
        yield


def _entry(compiled):
    """The traced signature of the last call of `compiled` (a pluggrad.compile result)."""
    (traced,) = [c for c in compiled._by_backend.values() if isinstance(c, TracedCompiled)]
    return list(traced._cache.values())[-1]


def _step(w, b, x):
    loss = ((x @ w + b).tanh() ** 2).sum()
    loss.backward()
    with pg.no_grad():
        w -= 0.1 * w.grad
        b -= 0.1 * b.grad
    return loss


def _params(seed=0):
    rng = np.random.default_rng(seed)
    w = pg.tensor(rng.standard_normal((4, 3)), requires_grad=True)
    b = pg.tensor(rng.standard_normal(3), requires_grad=True)
    return w, b, pg.tensor(rng.standard_normal((5, 4)))


def test_replay_is_bit_identical_to_eager_and_writes_in_place():
    w, b, x = _params()
    we, be, _ = _params()
    compiled = pg.compile(_step)
    arrays = None
    for call in range(4):
        got, expected = compiled(w, b, x), _step(we, be, x)
        assert got.item() == expected.item()  # the same kernels on the same values
        np.testing.assert_array_equal(w.numpy(force=True), we.numpy(force=True))
        np.testing.assert_array_equal(w.grad.numpy(), we.grad.numpy())
        assert (w._version, w.grad._version) == (we._version, we.grad._version)
        if call == 3:  # replays write the parameters and gradients where they are, as eagerly
            assert (w._data, w.grad._data) == arrays
        arrays = (w._data, w.grad._data)
    assert compiled.traces == 2  # without, then with a .grad
    program = _entry(compiled).program
    assert program.reused >= 4  # the update of w and b, their accumulations, the forward chain
    assert "del " in program.source and "out=" in program.source
    assert "Tensor" not in program.source


def test_dead_code_is_dropped_and_constants_are_computed_once():
    calls = []

    def f(x):
        unused = (x * 7).exp()  # noqa: F841 - dead: never reaches the result
        table = pg.arange(3.0).exp() * 2  # no input: a constant
        calls.append(1)
        return x * table

    compiled = pg.compile(f)
    x = pg.tensor([1.0, 2.0, 3.0])
    for _ in range(3):
        np.testing.assert_array_equal(compiled(x).numpy(), (x * pg.arange(3.0).exp() * 2).numpy())
    program = _entry(compiled).program
    assert program.steps == 1  # the product; the exponentials were computed while tracing
    assert len(calls) == 1


def test_a_constant_returned_is_a_copy_per_call():
    compiled = pg.compile(lambda x: (x * 2, pg.zeros(2)))
    x = pg.tensor([1.0, 2.0])
    first = compiled(x)[1]
    first.add_(5.0)
    np.testing.assert_array_equal(compiled(x)[1].numpy(), [0.0, 0.0])


def test_debug_mode_poisons_released_buffers(monkeypatch):
    """With PLUGGRAD_COMPILE_DEBUG=1 a planner that releases a buffer still read shows as NaN:
    here the backend is made to claim that no two arrays share memory (a view dies early)."""

    def f(x):
        y = x * 2
        view = y.reshape(6)  # reads y's memory
        return (y.exp() * 0 + view.reshape(2, 3)).sum()

    x = pg.tensor(np.arange(6.0).reshape(2, 3))
    expected = f(x).item()
    monkeypatch.setenv("PLUGGRAD_COMPILE_DEBUG", "1")
    compiled = pg.compile(f)
    compiled(x)
    assert compiled(x).item() == expected  # the planner's own view of memory is right
    monkeypatch.setattr(type(numpy_backend), "memory_root", lambda self, array: array)
    wrong = pg.compile(f)
    wrong(x)
    assert np.isnan(wrong(x).item())


@pytest.mark.parametrize(
    "fn, what",
    [
        (lambda x: x * x.sum().item(), r"\.item\(\)"),
        (lambda x: x * 2 if x.sum() > 0 else x, "bool"),
        (lambda x: x[x > 1], "mask"),
        (lambda x: pg.nonzero(x), "nonzero"),
        (lambda x: pg.unique(x), "unique"),
        (lambda x: print(x), "printing|item"),
        (lambda x: x.tolist(), "item"),
    ],
)
def test_what_cannot_be_traced_is_a_clear_error(fn, what):
    x = pg.tensor([1.0, 2.0, 3.0])
    with pytest.raises(RuntimeError, match=rf"(?s)pluggrad\.compile.*({what}).*disable=True"):
        pg.compile(fn)(x)
    # and the backend is left as it was
    np.testing.assert_array_equal((x * 2).numpy(), [2.0, 4.0, 6.0])


def test_random_draws_continue_the_default_generator():
    def f(x):
        return nn.functional.dropout(x, 0.5, training=True) + pg.rand(3)

    x = pg.ones(3)
    compiled = pg.compile(f)
    pg.manual_seed(3)
    got = [compiled(x).numpy() for _ in range(3)]
    pg.manual_seed(3)
    expected = [f(x).numpy() for _ in range(3)]
    np.testing.assert_array_equal(got, expected)
    assert not np.array_equal(got[1], got[2])
    assert compiled.traces == 1


def test_draws_from_a_users_generator_advance_and_reseed_it_as_eagerly():
    """A pluggrad.Generator read by the traced function (a closure's or an argument): each
    replay advances it as an eager call does, and manual_seed/set_state take effect."""
    traced, eager = pg.Generator().manual_seed(3), pg.Generator().manual_seed(3)

    def f(x, generator):
        return x + pg.rand(x.shape, generator=generator) * pg.randn(2, generator=generator)

    x = pg.zeros(2)
    by_argument, by_closure = pg.compile(f), pg.compile(lambda x: f(x, traced))
    calls = [(by_argument, lambda: by_argument(x, traced)), (by_closure, lambda: by_closure(x))]
    for compiled, call in calls:
        for seed in (3, 5):
            traced.manual_seed(seed), eager.manual_seed(seed)
            for _ in range(3):
                np.testing.assert_array_equal(call().numpy(), f(x, eager).numpy())
        state = traced.get_state()
        first = call().numpy()
        traced.set_state(state)
        np.testing.assert_array_equal(call().numpy(), first)
        assert compiled.traces == 1


def test_layout_and_shared_memory_are_part_of_the_signature():
    compiled = pg.compile(lambda a, b: a * 2 + b)
    a = pg.tensor(np.arange(6.0).reshape(2, 3))
    compiled(a, pg.ones(2, 3))
    compiled(pg.tensor(np.arange(6.0).reshape(3, 2)).mT, pg.ones(2, 3))  # strides differ
    assert compiled.traces == 2
    compiled(a, a)  # one array twice: another program (nothing may be written in place)
    assert compiled.traces == 3


def test_third_party_backend_without_a_compiler_traces():
    pytest.importorskip("array_api_strict")  # (a CI session installs one backend's extra)
    strict = load_backend("array_api_strict")
    with pg.use_backend(strict):
        w, b, x = _params()
        we, be, _ = _params()
    compiled = pg.compile(_step)
    for _ in range(3):
        assert compiled(w, b, x).item() == _step(we, be, x).item()
    assert compiled.traces == 2
    assert _entry(compiled).program.reused == 0  # the generic contract writes nothing in place


def test_a_thousand_compiled_training_steps_keep_memory_flat():
    pg.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 16), nn.Tanh(), nn.Linear(16, 2))
    opt = optim.Adam(model.parameters(), lr=1e-3)
    x, y = pg.randn(32, 8), pg.randint(0, 2, (32,))

    @pg.compile
    def step(x, y):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    for _ in range(20):  # traced (no state, then Adam's state), then replayed
        step(x, y)
    tracemalloc.start()
    try:
        for _ in range(100):
            step(x, y)
        gc.collect()
        after_100, _ = tracemalloc.get_traced_memory()
        for _ in range(900):
            step(x, y)
        gc.collect()
        after_1000, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert step.traces == 2
    assert after_1000 - after_100 < 16 * 1024  # no growth beyond allocator noise


def test_program_module_reads_the_debug_switch(monkeypatch):
    monkeypatch.setenv("PLUGGRAD_COMPILE_DEBUG", "0")
    assert not program_module.debug_enabled()
    monkeypatch.setenv("PLUGGRAD_COMPILE_DEBUG", "1")
    assert program_module.debug_enabled()


def test_a_large_elementwise_program_runs_block_by_block(monkeypatch):
    """Every step elementwise over one shape (W4's gradient): the program runs over flat
    blocks, its temporaries one block each, the results bit-identical to eager ones (with
    ``exact=True``: no product with a reciprocal becomes a quotient)."""

    def grad(x):
        (g,) = pg.autograd.grad(((x.sin() * x).exp() / (1 + x * x)).sum(), x)
        return g

    def update(w, v, rate):
        with pg.no_grad():
            w.mul_(rate).add_(v.tanh())  # written into w, block by block; rate read by all

    x = pg.tensor(np.linspace(-3, 3, 3 * program_module.BLOCK + 5), requires_grad=True)
    monkeypatch.setenv("PLUGGRAD_COMPILE_DEBUG", "1")
    compiled = pg.compile(grad, exact=True)
    for _ in range(2):
        np.testing.assert_array_equal(compiled(x).numpy(), grad(x).numpy())
    source = _entry(compiled).program.source
    assert "for _i in range" in source
    calls = [line for line in source.splitlines() if line.startswith("        b") and "= g" in line]
    assert all("out=" in line for line in calls)  # the loop allocates nothing
    (first,) = [line for line in calls if "out=o0[" in line]  # the output's first write
    assert _called(compiled, first) in ("sin", "exp", "cos")  # overlaps with computing
    w, v = pg.tensor(np.linspace(0, 1, 40000)), pg.tensor(np.linspace(1, 2, 40000))
    we = pg.tensor(np.linspace(0, 1, 40000))
    compiled_update, array = pg.compile(update), w._data
    rate = pg.tensor(0.5, dtype=pg.float64)
    for _ in range(3):
        compiled_update(w, v, rate)
        update(we, v, rate)
    np.testing.assert_array_equal(w.numpy(), we.numpy())
    assert w._data is array and w._version == we._version
    assert "for _i in range" in _entry(compiled_update).program.source


def test_products_with_the_ones_of_a_sums_gradient_are_skipped():
    def f(x):
        (g,) = pg.autograd.grad((x * x).sum(), x)  # ones * x + x * ones
        return g

    compiled = pg.compile(f)
    x = pg.tensor([1.5, -0.0, 3.0], requires_grad=True)
    for _ in range(2):
        np.testing.assert_array_equal(compiled(x).numpy(), f(x).numpy())
    calls = [line for line in _entry(compiled).program.source.splitlines() if " = g" in line]
    assert len(calls) == 1  # the sum of the two products, each x itself; the forward is dead


def _kernel_lines(compiled) -> list[str]:
    return [line for line in _entry(compiled).program.source.splitlines() if " = g" in line]


def test_a_repeated_call_is_computed_once():
    def f(x, y):
        return (x * y).exp() + (x * y).sin()  # the same product twice

    compiled = pg.compile(f)
    x, y = pg.tensor([0.5, -1.0, 2.0]), pg.tensor([1.5, 3.0, -0.0])
    for _ in range(2):
        np.testing.assert_array_equal(compiled(x, y).numpy(), f(x, y).numpy())
    assert len(_kernel_lines(compiled)) == 4  # one product, exp, sin, their sum


def test_products_with_a_reciprocal_are_quotients(monkeypatch):
    """``(1 / d) * e`` runs as ``e / d`` (within an ulp of eager; W4's gradient then computes
    ``e / d`` once for two formulas); ``exact=True`` keeps eager's bits and calls."""

    def f(e, d):
        return e / d, d.reciprocal() * e, e * (1 / d), (d.reciprocal() * e).tanh()

    monkeypatch.setenv("PLUGGRAD_COMPILE_DEBUG", "1")
    e = pg.tensor(np.linspace(-3.0, 5.0, 17))
    d = pg.tensor(np.linspace(0.3, 7.0, 17) ** 3)
    rewritten, exact = pg.compile(f), pg.compile(f, exact=True)
    for _ in range(2):
        expected = [t.numpy() for t in f(e, d)]
        for got, want in zip(rewritten(e, d), expected):
            np.testing.assert_array_max_ulp(got.numpy(), want, maxulp=2)
        for got, want in zip(exact(e, d), expected):
            np.testing.assert_array_equal(got.numpy(), want)
        for got in rewritten(e, d)[1:3]:
            np.testing.assert_array_equal(got.numpy(), expected[0])  # the quotient
    names = [_called(rewritten, line) for line in _kernel_lines(rewritten)]
    assert sorted(names) == ["divide"] * 4 + ["tanh"]  # (no reciprocal left)
    names = [_called(exact, line) for line in _kernel_lines(exact)]
    assert names.count("reciprocal") == 1 and names.count("multiply") == 3  # (and 1 / d is d)

    x = pg.tensor(np.linspace(-3, 3, 1001, dtype=np.float32), requires_grad=True)
    w4, eps = pg.compile(_w4_gradient), np.finfo(np.float32).eps
    for _ in range(2):  # (a sum of four terms that cancel: a few ulps of its largest value)
        got, want = w4(x).numpy(), _w4_gradient(x).numpy()
        np.testing.assert_allclose(got, want, rtol=4 * eps, atol=4 * eps * np.abs(want).max())
    exact_w4 = pg.compile(_w4_gradient, exact=True)
    exact_w4(x)
    exact_w4(x)
    assert len(_kernel_lines(w4)) == len(_kernel_lines(exact_w4)) - 2


def test_the_tracer_takes_only_the_option_exact():
    with pytest.raises(TypeError, match="only the option exact; got fullgraph"):
        pg.compile(lambda x: x * 2, fullgraph=True)(pg.tensor([1.0]))
    with pytest.raises(TypeError, match="exact must be a bool"):
        pg.compile(lambda x: x * 2, exact=1)(pg.tensor([1.0]))


def test_negations_are_folded_into_the_sums_that_read_them(monkeypatch):
    """``c + (-a) * b`` runs as ``c - a * b``: the same values, signed zeros included."""

    def f(a, b, c):
        n = -a
        return c + n * b, c - n / b, (n * b + n * b) + c, (-b).exp() + c

    monkeypatch.setenv("PLUGGRAD_COMPILE_DEBUG", "1")
    compiled = pg.compile(f)
    a = pg.tensor([1.0, 0.0, -0.0, 2.0, 3.0])
    b = pg.tensor([2.0, 3.0, 1.0, -0.0, -1.5])
    c = pg.tensor([2.0, 0.0, -0.0, -0.0, -4.5])
    for _ in range(2):
        for got, expected in zip(compiled(a, b, c), f(a, b, c)):
            got, expected = got.numpy(), expected.numpy()
            np.testing.assert_array_equal(got, expected)
            np.testing.assert_array_equal(np.signbit(got), np.signbit(expected))
    negations = [line for line in _kernel_lines(compiled) if "negative" in _called(compiled, line)]
    assert len(negations) == 1  # -b, read by exp, stays; -a is absorbed


def _called(compiled, line: str) -> str:
    """The name of the function a program line calls."""
    program = _entry(compiled).program
    name = line.split("= ", 1)[1].split("(", 1)[0]
    return getattr(program.run.__globals__[name], "__name__", "")


def _w4_gradient(x):
    (g,) = pg.autograd.grad(((x.sin() * x).exp() / (1 + x * x)).sum(), x)
    return g


def test_debug_mode_shows_memory_wrongly_taken_for_free(monkeypatch):
    """A planner that took every buffer's memory for free once released (the input's too):
    with PLUGGRAD_COMPILE_DEBUG=1 released memory is poisoned, and the next call shows NaN."""
    monkeypatch.setattr(plan_module.Sharing, "free_after", lambda self, n, at: True)
    monkeypatch.setenv("PLUGGRAD_COMPILE_DEBUG", "1")
    x = pg.tensor(np.linspace(-3, 3, 7), requires_grad=True)
    compiled = pg.compile(_w4_gradient)
    compiled(x)  # (the trace: eager)
    compiled(x)  # the program, which poisons x
    assert np.isnan(compiled(x).numpy()).any()


def test_debug_mode_shows_a_scratch_block_released_too_early(monkeypatch):
    """A blocked program whose scratch blocks are released one step early: poisoned in debug
    mode, they show as NaN in the results."""

    def early(steps, out_refs):
        last = plan_module.last_uses(steps, out_refs)
        return {n: at if at == plan_module.NEVER else at - 1 for n, at in last.items()}

    monkeypatch.setattr(blocks_module, "last_uses", early)
    monkeypatch.setenv("PLUGGRAD_COMPILE_DEBUG", "1")
    x = pg.tensor(np.linspace(-3, 3, 3 * program_module.BLOCK + 5), requires_grad=True)
    compiled = pg.compile(_w4_gradient)
    compiled(x)
    assert "for _i in range" in _entry(compiled).program.source
    assert np.isnan(compiled(x).numpy()).any()
