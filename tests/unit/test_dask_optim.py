"""Training loops on the Dask backend: when ``optimizer.step()`` returns, the step has happened.

The updated parameters, their gradients and the optimizer's state are persisted together
(``Backend.finish_step``: one ``dask.persist`` per step), so each step's graph starts from the
previous step's chunks: its size stays the same however many steps ran, and reading a loss
computes one step, not all of them again.  The values equal the NumPy backend's, eagerly, for
LBFGS (which persists each iteration) and for a ``pluggrad.compile``d step; on a distributed
LocalCluster the persisted chunks live on the workers."""

from __future__ import annotations

import numpy as np
import pytest

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")
distributed = pytest.importorskip("distributed")

import pluggrad as pg  # noqa: E402
from pluggrad.backends.dask import dask_array  # noqa: E402

from .test_dask import _Counting  # noqa: E402
from .test_dask_distributed import client  # noqa: E402, F401 - the LocalCluster fixture

RNG = np.random.default_rng(3)
FEATURES = RNG.standard_normal((60, 4))
TARGETS = np.tanh(FEATURES @ RNG.standard_normal(4))[:, None]
WEIGHTS = [RNG.standard_normal((4, 5)), RNG.standard_normal(5), RNG.standard_normal((5, 1))]
OPTIMIZERS = {
    "sgd": (pg.optim.SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    "adam": (pg.optim.Adam, {"lr": 0.02, "amsgrad": True, "weight_decay": 0.01}),
    "rmsprop": (pg.optim.RMSprop, {"lr": 0.01, "centered": True, "momentum": 0.5}),
    "lbfgs": (pg.optim.LBFGS, {"lr": 0.5, "max_iter": 3, "history_size": 2}),
}


class _Run:
    """A two-layer regression trained on `backend` (a Parameter made of a tensor among its
    weights: it aliases that tensor), its rows in chunks of 20 on Dask."""

    def __init__(self, backend: str, optimizer: str, *, zero_grad: bool = True) -> None:
        self.backend, self.zero_grad = backend, zero_grad
        with pg.use_backend(backend):
            chunks = {"chunks": (20, 4)} if backend == "dask" else {}
            self.x = pg.tensor(FEATURES, dtype=pg.float64, **chunks)
            self.y = pg.tensor(TARGETS, dtype=pg.float64)
            self.source = pg.tensor(WEIGHTS[0], dtype=pg.float64)
            self.params = [pg.nn.Parameter(self.source)] + [
                pg.tensor(w, dtype=pg.float64, requires_grad=True) for w in WEIGHTS[1:]
            ]
            kind, kwargs = OPTIMIZERS[optimizer]
            self.optimizer = kind(self.params, **kwargs)

    def loss(self):
        w1, b1, w2 = self.params
        return ((pg.tanh(self.x @ w1 + b1) @ w2 - self.y) ** 2).mean()

    def closure(self):
        if self.zero_grad:
            self.optimizer.zero_grad()
        loss = self.loss()
        loss.backward()
        return loss

    def step(self) -> float:
        with pg.use_backend(self.backend):
            if isinstance(self.optimizer, pg.optim.LBFGS):
                return self.optimizer.step(self.closure).item()
            loss = self.closure()
            self.optimizer.step()
            return loss.item()

    def state_tensors(self) -> list:
        return [v for s in self.optimizer.state.values() for v in s.values() if pg.is_tensor(v)]


def _graph_sizes(run: _Run) -> list[int]:
    """The tasks of the graphs behind the parameters, their gradients and the state."""
    tensors = run.params + [p.grad for p in run.params if p.grad is not None]
    return [len(dask_array(t).__dask_graph__()) for t in tensors + run.state_tensors()]


# (Dask sums the rows' chunks apart, then their sums: the last bits differ from NumPy's)
RTOL = 1e-9


def _assert_equal_runs(lazy: _Run, eager: _Run, losses: list, expected: list) -> None:
    np.testing.assert_allclose(losses, expected, rtol=RTOL)
    for mine, theirs in zip(lazy.params, eager.params):
        np.testing.assert_allclose(mine.detach().numpy(), theirs.detach().numpy(), rtol=RTOL)
        assert mine._version == theirs._version  # one in-place update per step, as eagerly
    # the tensor the Parameter was made of sees the updates, as it does eagerly
    np.testing.assert_allclose(lazy.source.numpy(), eager.source.numpy(), rtol=RTOL)


@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
def test_steps_keep_the_graph_flat_and_equal_numpys(optimizer):
    lazy, eager = _Run("dask", optimizer), _Run("numpy", optimizer)
    losses, expected, sizes = [], [], []
    with dask.config.set(scheduler="synchronous"):
        for _ in range(4 if optimizer == "lbfgs" else 12):
            losses.append(lazy.step())
            expected.append(eager.step())
            sizes.append(_graph_sizes(lazy))
    # each array is its persisted chunks (the first layer's weight: 1 chunk), step after step
    assert sizes[2] == sizes[-1]
    assert max(sizes[-1]) <= 3
    _assert_equal_runs(lazy, eager, losses, expected)
    assert losses[-1] < losses[0]


def test_each_step_is_one_pass_and_reading_its_loss_computes_one_step():
    run = _Run("dask", "adam")
    with dask.config.set(scheduler="synchronous"):
        for _ in range(3):
            run.step()
    loss = run.closure()
    counting = _Counting()
    with dask.config.set(scheduler=counting):
        run.optimizer.step()
        assert counting.runs == 1  # parameters, gradients and state in one dask.persist
        loss.item()  # the forward pass of this step only, from the persisted parameters
        assert counting.runs == 2
    assert len(dask_array(loss).__dask_graph__()) < 60


def test_accumulated_gradients_stay_flat():
    """Without ``zero_grad`` each ``backward()`` adds into ``.grad``: persisted at each step,
    the sum does not grow a chain of every step's gradient."""
    lazy = _Run("dask", "sgd", zero_grad=False)
    eager = _Run("numpy", "sgd", zero_grad=False)
    with dask.config.set(scheduler="synchronous"):
        losses = [lazy.step() for _ in range(8)]
        sizes = _graph_sizes(lazy)
        losses.append(lazy.step())
        assert _graph_sizes(lazy) == sizes
    expected = [eager.step() for _ in range(9)]
    _assert_equal_runs(lazy, eager, losses, expected)


def test_compiled_steps_persist_and_trace_nothing():
    lazy, eager = _Run("dask", "adam"), _Run("numpy", "adam")

    def step(run):
        optimizer, y = run.optimizer, run.y  # (the optimizer takes part: reached by closure)

        def train(x, w1, b1, w2):
            optimizer.zero_grad()
            loss = ((pg.tanh(x @ w1 + b1) @ w2 - y) ** 2).mean()
            loss.backward()
            optimizer.step()
            return loss

        return pg.compile(train)

    compiled_lazy, compiled_eager = step(lazy), step(eager)
    for run in (lazy, eager):  # a lazy update before the first call, which the trace must not run
        with pg.use_backend(run.backend), pg.no_grad():
            run.params[1].mul_(2.0)
    losses, expected, sizes = [], [], []
    counting = _Counting()
    with dask.config.set(scheduler=counting):
        for i in range(8):
            with pg.use_backend("dask"):
                loss = compiled_lazy(lazy.x, *lazy.params)
            # the trace (first two calls: Adam's state is new at the first) computed nothing;
            # each call's results are persisted in one pass when it returns
            assert counting.runs == 2 * i + 1
            losses.append(loss.item())
            sizes.append(_graph_sizes(lazy))
            expected.append(compiled_eager(eager.x, *eager.params).item())
    assert compiled_lazy.traces == 2
    assert sizes[2] == sizes[-1]
    _assert_equal_runs(lazy, eager, losses, expected)


def test_steps_on_a_cluster_persist_on_the_workers(client):  # noqa: F811 - the fixture
    lazy, eager = _Run("dask", "adam"), _Run("numpy", "adam")
    losses, expected, sizes = [], [], []
    for _ in range(6):
        losses.append(lazy.step())
        expected.append(eager.step())
        sizes.append(_graph_sizes(lazy))
        # the chunks of the parameters and of the optimizer's state live on the workers
        assert distributed.futures_of(dask_array(lazy.params[0]))
        assert distributed.futures_of(dask_array(lazy.optimizer.state[lazy.params[2]]["exp_avg"]))
    assert sizes[1] == sizes[-1]
    _assert_equal_runs(lazy, eager, losses, expected)


def test_a_parameter_viewing_a_row_of_another_tensor():
    """The step persists the storage the row sits in; the tensor and its other rows read their
    elements from it, as a view's writes reach its base eagerly."""
    results = {}
    for backend in ("numpy", "dask"):
        with pg.use_backend(backend), dask.config.set(scheduler="synchronous"):
            base = pg.arange(6.0, dtype=pg.float64).reshape(2, 3)
            row = base[1].detach().requires_grad_()  # a leaf sharing base's second row
            optimizer = pg.optim.Adam([row], lr=0.1)
            sizes = []
            for _ in range(8):
                optimizer.zero_grad()
                ((row - 1) ** 2).sum().backward()
                optimizer.step()
                if backend == "dask":
                    sizes.append([len(dask_array(t).__dask_graph__()) for t in (row, base)])
            assert sizes[2:] == sizes[-1:] * 6  # (empty on NumPy)
            results[backend] = base.numpy(), row._version
    np.testing.assert_allclose(results["dask"][0], results["numpy"][0], rtol=RTOL)
    assert results["dask"][0][0].tolist() == [0.0, 1.0, 2.0]
    assert results["dask"][1] == results["numpy"][1] == 8
