"""``pluggrad.compile`` of training steps that reach their model and optimizer through the
closure, the globals or the arguments (``pluggrad._stateful``): the same results as eager
steps, the objects' state written back, settings (a scheduled learning rate, ``train``/
``eval``) taking effect, and random draws (dropout) continuing the default generator's stream."""

from __future__ import annotations

import numpy as np
import pytest

import pluggrad as pg
from pluggrad import nn, optim
from pluggrad.nn import functional as F

_rng = np.random.default_rng(5)
X = _rng.normal(size=(12, 4))
Y = _rng.integers(0, 3, size=12)


@pytest.fixture(autouse=True)
def _planner_debug_mode(monkeypatch):
    """The tracer's planner poisons the buffers it releases (PLUGGRAD_COMPILE_DEBUG): a buffer
    released or reused while still read turns results into NaN here."""
    monkeypatch.setenv("PLUGGRAD_COMPILE_DEBUG", "1")


def _setup(dropout: float = 0.0):
    pg.manual_seed(1)
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Dropout(dropout), nn.Linear(8, 3))
    model.double()
    return model, optim.Adam(model.parameters(), lr=0.05)


def _losses(step, model, opt, n=6, scheduler=None, seed=7):
    pg.manual_seed(seed)
    x, y = pg.asarray(X), pg.asarray(Y)
    out = []
    for _ in range(n):
        out.append(step(model, opt, x, y).item())
        if scheduler is not None:
            scheduler.step()
    return out


def _step(model, opt, x, y):
    opt.zero_grad()
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    opt.step()
    return loss


@pytest.mark.parametrize("dropout", [0.0, 0.3])
def test_compiled_steps_equal_eager_steps(backend, dropout):
    eager = _losses(_step, *_setup(dropout))
    model, opt = _setup(dropout)
    compiled = pg.compile(_step)
    assert _losses(compiled, model, opt) == pytest.approx(eager, rel=1e-12)
    # the optimizer's state came back as concrete tensors: it saves and continues eagerly
    state = opt.state_dict()["state"]
    assert float(state[0]["step"]) == 6.0
    assert state[0]["exp_avg"].shape == model[0].weight.shape
    _step(model, opt, pg.asarray(X), pg.asarray(Y))
    assert model[0].weight.grad is not None


def _bce_step(model, opt, x, y):
    opt.zero_grad()
    probabilities = pg.sigmoid(model(x))
    targets = (y[:, None] == pg.arange(3)).double()  # (one_hot reads its indices)
    loss = F.binary_cross_entropy(probabilities, targets)
    loss.backward()
    opt.step()
    return loss


def test_a_loss_that_checks_its_input_compiles(backend):
    """binary_cross_entropy checks that its input lies in [0, 1] where values can be read (a
    lazy backend when it computes the loss): not inside a trace, which compiles the step (as
    torch.compile does) instead of refusing."""
    eager = _losses(_bce_step, *_setup())
    model, opt = _setup()
    assert _losses(pg.compile(_bce_step), model, opt) == pytest.approx(eager, rel=1e-12)
    with pytest.raises(RuntimeError, match="all elements of input should be between 0 and 1"):
        F.binary_cross_entropy(pg.tensor([0.5, 1.5]), pg.tensor([1.0, 1.0])).item()
    with pytest.raises(RuntimeError, match="all elements of input should be between 0 and 1"):
        F.binary_cross_entropy(pg.tensor([float("nan")]), pg.tensor([1.0])).item()


def test_closure_and_globals_are_found(backend):
    model, opt = _setup()

    @pg.compile
    def step(x, y):  # reaches model and opt through its closure
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    ref_model, ref_opt = _setup()
    expected = _losses(_step, ref_model, ref_opt, n=4)
    got = _losses(lambda m, o, x, y: step(x, y), model, opt, n=4)
    assert got == pytest.approx(expected, rel=1e-12)
    for p, q in zip(model.parameters(), ref_model.parameters()):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-12)


def test_a_scheduled_learning_rate_takes_effect_without_tracing_again(backend):
    model, opt = _setup()
    scheduler = optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
    compiled = pg.compile(_step)
    got = _losses(compiled, model, opt, scheduler=scheduler)
    ref_model, ref_opt = _setup()
    expected = _losses(_step, ref_model, ref_opt,
                       scheduler=optim.lr_scheduler.ExponentialLR(ref_opt, gamma=0.5))  # fmt: skip
    assert got == pytest.approx(expected, rel=1e-12)
    assert type(opt.param_groups[0]["lr"]) is float
    if backend.name == "jax":  # a trace without the optimizer's state, then one with it
        assert compiled.traces == 2


def test_eval_mode_takes_effect(backend):
    model, opt = _setup(dropout=0.5)

    @pg.compile
    def predict(x):
        return model(x)

    x = pg.asarray(X)
    model.eval()
    first = predict(x)
    assert bool((predict(x) == first).all())  # no dropout in eval mode
    model.train()
    assert not bool((predict(x) == first).all())


def test_batch_norm_running_statistics_are_written_back(backend):
    def make():
        pg.manual_seed(2)
        return nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Linear(6, 3))

    eager_model, compiled_model = make().double(), make().double()
    eager_opt = optim.SGD(eager_model.parameters(), lr=0.1, momentum=0.9)
    compiled_opt = optim.SGD(compiled_model.parameters(), lr=0.1, momentum=0.9)
    expected = _losses(_step, eager_model, eager_opt, n=4)
    got = _losses(pg.compile(_step), compiled_model, compiled_opt, n=4)
    assert got == pytest.approx(expected, rel=1e-12)
    for (name, a), (_, b) in zip(eager_model.named_buffers(), compiled_model.named_buffers()):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12, err_msg=name)
    assert int(compiled_model[1].num_batches_tracked) == 4


def test_a_compiled_module_backpropagates_to_its_parameters(backend):
    """``pluggrad.compile(model)`` (as ``torch.compile(model)``): the output's graph leads to the
    module's parameters, and an optimizer outside the compiled call trains them."""
    model, _ = _setup()
    x = pg.asarray(X)
    model(x).sum().backward()
    expected = [p.grad.numpy().copy() for p in model.parameters()]
    model.zero_grad()
    compiled = pg.compile(model)
    compiled(x).sum().backward()
    for e, p in zip(expected, model.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), e, rtol=1e-12)
    opt = optim.SGD(model.parameters(), lr=0.1)
    losses = []
    for _ in range(3):
        opt.zero_grad()
        loss = compiled(x).square().mean()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[2] < losses[0]


@pytest.mark.parametrize("drawn_before", [False, True])
def test_draws_from_a_generator_of_its_own_continue_its_stream(backend, drawn_before):
    """A compiled function drawing from a ``pluggrad.Generator`` other than the default one
    (one that has drawn before, or not) draws what the eager calls draw, call after call, and
    leaves both generators' streams where the eager calls leave them."""

    def noisy(x, generator):
        return x + pg.rand(3, generator=generator, dtype=x.dtype) * pg.randn(3, dtype=x.dtype)

    def draws(step):
        own = pg.Generator().manual_seed(11)
        if drawn_before:
            pg.rand(1, generator=own)
        pg.manual_seed(5)
        x = pg.zeros(3, dtype=pg.float64)
        values = [step(x, own).numpy() for _ in range(3)]
        return values + [pg.rand(2, generator=own).numpy(), pg.rand(2).numpy()]

    for got, expected in zip(draws(pg.compile(noisy)), draws(noisy)):
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("call", ["manual_seed", "set_rng_state", "Generator.set_state"])
def test_seeding_inside_a_compiled_function_is_a_clear_error(backend, call):
    """A seed (or a generator's state) set while tracing would act once, not at every call
    as eagerly: refused, and the default generator's stream is left where it was; with
    ``disable=True`` the function reseeds at every call."""
    generator = pg.Generator().manual_seed(5)
    states = {"set_rng_state": pg.get_rng_state(), "Generator.set_state": generator.get_state()}

    def reseeded(x):
        if call == "manual_seed":
            pg.manual_seed(0)
        elif call == "set_rng_state":
            pg.set_rng_state(states[call])
        else:
            generator.set_state(states[call])
            return x + pg.rand(2, dtype=x.dtype, generator=generator)
        return x + pg.rand(2, dtype=x.dtype)

    x = pg.zeros(2, dtype=pg.float64)
    pg.manual_seed(3)
    what = call.split(".")[-1] + r"\(\) was called inside a compiled"
    with pytest.raises(RuntimeError, match=what):
        pg.compile(reseeded)(x)
    after = pg.rand(2).numpy()
    pg.manual_seed(3)
    np.testing.assert_array_equal(after, pg.rand(2).numpy())
    eager = pg.compile(reseeded, disable=True)
    np.testing.assert_array_equal(eager(x).numpy(), eager(x).numpy())
