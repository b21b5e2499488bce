"""``pluggrad.optim``: the optimizers' and schedulers' runs of ``_regenerate_optim`` replayed on
every backend and compared with what PyTorch computed (losses, learning rates, parameters,
``state_dict``s), and the base class's behaviour: parameter groups and their errors,
``state_dict`` round trips, ``zero_grad``, closures, hooks, ``repr``, the schedulers' state."""

from __future__ import annotations

import copy
import json
import math
import pathlib
import warnings

import numpy as np
import pytest

import pluggrad as pg
from pluggrad.conformance._regenerate_optim import CASES, encode, run
from pluggrad.optim import lr_scheduler

EXPECTED = json.loads(
    pathlib.Path(__file__).with_name("optim_torch.json").read_text(encoding="utf-8")
)["runs"]
RTOL, ATOL = 1e-10, 1e-13
# L-BFGS's state holds differences of nearly equal gradients (``old_dirs``) and what is computed
# from them (``al``, ``ro``, ``H_diag``): there the last-bit differences of PyTorch's fused
# multiply-adds grow to about 1e-9 (its losses and parameters still agree to RTOL)
LBFGS_STATE_RTOL = 1e-7


def assert_same(ours, theirs, where: str = "", rtol: float = RTOL) -> None:
    """Equal structures, with numbers (and tensors' elements) equal to `rtol`; a tensor must
    also have the same dtype."""
    if isinstance(theirs, dict) and "tensor" in theirs and "dtype" in theirs:
        assert isinstance(ours, dict) and "tensor" in ours, f"{where}: not a tensor: {ours!r}"
        assert ours["dtype"] == theirs["dtype"], f"{where}: dtype"
        np.testing.assert_allclose(
            np.asarray(ours["tensor"], dtype=float), np.asarray(theirs["tensor"], dtype=float),
            rtol=rtol, atol=ATOL, err_msg=where,
        )  # fmt: skip
    elif isinstance(theirs, dict):
        assert isinstance(ours, dict) and sorted(ours) == sorted(theirs), (
            f"{where}: keys {sorted(ours) if isinstance(ours, dict) else ours!r} != "
            f"{sorted(theirs)}"
        )
        for key in theirs:
            assert_same(ours[key], theirs[key], f"{where}/{key}", rtol)
    elif isinstance(theirs, list):
        assert isinstance(ours, list) and len(ours) == len(theirs), f"{where}: {ours!r}"
        for i, (a, b) in enumerate(zip(ours, theirs)):
            assert_same(a, b, f"{where}[{i}]", rtol)
    elif isinstance(theirs, float) and not isinstance(ours, bool):
        assert isinstance(ours, (int, float)), f"{where}: {ours!r} is not a number"
        assert math.isclose(ours, theirs, rel_tol=rtol, abs_tol=ATOL), f"{where}: {ours} {theirs}"
    else:
        assert type(ours) is type(theirs) and ours == theirs, f"{where}: {ours!r} != {theirs!r}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_runs_equal_pytorchs(backend, name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the order warning of ReduceLROnPlateau's comparisons
        ours = json.loads(json.dumps(run(pg, name)))
    theirs = EXPECTED[name]
    for key in ("losses", "lrs", "params", "state_dict", "scheduler", "momentums"):
        lbfgs_state = key == "state_dict" and CASES[name]["optimizer"] == "LBFGS"
        assert_same(
            ours[key], theirs[key], f"{name}:{key}", LBFGS_STATE_RTOL if lbfgs_state else RTOL
        )


# ---- the base class --------------------------------------------------------------------------
def _params(n=2):
    return [pg.tensor([1.0, -2.0], dtype=pg.float64, requires_grad=True) for _ in range(n)]


def _loss(params):
    return sum(((p - 0.5) ** 2 * (i + 1)).sum() for i, p in enumerate(params))


def test_param_group_errors(backend):
    a, b = _params()
    with pytest.raises(ValueError, match="^optimizer got an empty parameter list$"):
        pg.optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="should be an iterable of Tensors or dicts, but got "):
        pg.optim.SGD(a, lr=0.1)
    with pytest.raises(ValueError, match="^some parameters appear in more than one parameter"):
        pg.optim.SGD([{"params": [a]}, {"params": [b, a]}], lr=0.1)
    with pytest.raises(
        TypeError, match="can only optimize Tensors, but one of the params is float"
    ):
        pg.optim.Adam([a, 1.5])
    with pytest.raises(ValueError, match="^can't optimize a non-leaf Tensor$"):
        pg.optim.Adam([a * 2])
    with pytest.raises(TypeError, match="need to be organized in ordered collections"):
        pg.optim.SGD([{"params": {a, b}}], lr=0.1)
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        pg.optim.SGD([a], lr=-1)
    with pytest.raises(ValueError, match="Invalid beta parameter at index 1: 1.0"):
        pg.optim.Adam([a], betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="Nesterov momentum requires a momentum and zero damp"):
        pg.optim.SGD([a], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="LBFGS doesn't support per-parameter options"):
        pg.optim.LBFGS([{"params": [a]}, {"params": [b]}])
    with pytest.raises(NotImplementedError, match="differentiable=True"):
        pg.optim.Adam([a], differentiable=True)
    with pytest.warns(UserWarning, match="duplicate parameters"):
        pg.optim.SGD([a, a], lr=0.1)


def test_param_groups_take_defaults_and_add_param_group(backend):
    a, b = _params()
    opt = pg.optim.SGD([{"params": a}, {"params": [b], "lr": 0.5}], lr=0.1, momentum=0.9)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert opt.param_groups[0]["params"][0] is a and opt.param_groups[1]["momentum"] == 0.9
    c = _params(1)[0]
    opt.add_param_group({"params": [c], "momentum": 0.0})
    assert opt.param_groups[2]["lr"] == 0.1 and opt.param_groups[2]["momentum"] == 0.0
    with pytest.raises(ValueError, match="some parameters appear in more than one"):
        opt.add_param_group({"params": [c]})
    assert list(opt.param_groups[0]) == [
        "params", "lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize",
        "foreach", "differentiable", "fused",
    ]  # fmt: skip


def test_repr(backend):
    opt = pg.optim.Adam(_params(1), lr=0.01)
    assert repr(opt) == (
        "Adam (\nParameter Group 0\n    amsgrad: False\n    betas: (0.9, 0.999)\n"
        "    capturable: False\n    decoupled_weight_decay: False\n    differentiable: False\n"
        "    eps: 1e-08\n    foreach: None\n    fused: None\n    lr: 0.01\n    maximize: False\n"
        "    weight_decay: 0\n)"
    )


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad(backend, set_to_none):
    params = _params()
    opt = pg.optim.SGD(params, lr=0.1)
    _loss(params).backward()
    grads = [p.grad for p in params]
    opt.zero_grad(set_to_none=set_to_none)
    for p, g in zip(params, grads):
        if set_to_none:
            assert p.grad is None
        else:
            assert p.grad is g and p.grad.tolist() == [0.0, 0.0]
    opt.step()  # no gradient (None) or zero gradients: the parameters stay
    assert [p.tolist() for p in params] == [[1.0, -2.0]] * 2


def test_step_returns_the_closures_loss_and_hooks_run(backend):
    params = _params()
    opt = pg.optim.Adam(params, lr=0.1)
    seen = []
    pre = opt.register_step_pre_hook(lambda o, args, kwargs: seen.append(("pre", o is opt)))
    opt.register_step_post_hook(lambda o, args, kwargs: seen.append(("post", len(args))))

    def closure():
        opt.zero_grad()
        loss = _loss(params)
        assert pg.is_grad_enabled()
        loss.backward()
        return loss

    with pg.no_grad():
        loss = opt.step(closure)
    assert float(loss) == float(_loss(_params()))
    assert seen == [("pre", True), ("post", 1)]
    pre.remove()
    assert opt.step() is None and seen[-1] == ("post", 0) and len(seen) == 3
    lbfgs = pg.optim.LBFGS(params, max_iter=3)
    before = float(_loss(params))
    assert float(lbfgs.step(closure)) == before  # the loss before the step
    assert float(_loss(params)) < before


def _train(opt, params, steps):
    for _ in range(steps):
        opt.zero_grad()
        _loss(params).backward()
        opt.step()


@pytest.mark.parametrize(
    ("kind", "kwargs"),
    [
        ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
        ("Adam", {"lr": 0.1, "amsgrad": True}),
        ("AdamW", {"lr": 0.1}),
        ("RMSprop", {"lr": 0.05, "momentum": 0.5, "centered": True}),
        ("Adagrad", {"lr": 0.3, "lr_decay": 0.1}),
    ],
)
def test_state_dict_round_trip(backend, kind, kwargs):
    params = _params()
    opt = getattr(pg.optim, kind)(params, **kwargs)
    _train(opt, params, 3)
    saved = copy.deepcopy(opt.state_dict())  # what torch.save / torch.load would give back
    snapshot = [pg.clone(p.detach()) for p in params]
    _train(opt, params, 4)

    resumed = [p.detach().clone().requires_grad_() for p in snapshot]
    fresh = getattr(pg.optim, kind)(resumed, lr=123.0)
    fresh.load_state_dict(saved)
    assert fresh.param_groups[0]["lr"] == kwargs["lr"]
    assert fresh.param_groups[0]["params"] == resumed
    _train(fresh, resumed, 4)
    for p, q in zip(params, resumed):
        np.testing.assert_allclose(q.detach().numpy(), p.detach().numpy(), rtol=1e-13)
    assert_same(encode(fresh.state_dict()), encode(opt.state_dict()))
    if kind != "SGD":
        step = fresh.state[resumed[0]]["step"]
        assert step.dtype == pg.float32 and step.ndim == 0 and float(step) == 7.0


def test_load_state_dict_casts_like_pytorch(backend):
    (p,) = _params(1)
    opt = pg.optim.Adam([p])
    p.grad = pg.ones_like(p)
    opt.step()
    state = opt.state_dict()
    state["state"][0]["exp_avg"] = state["state"][0]["exp_avg"].to(pg.float32)
    state["state"][0]["step"] = pg.tensor(1.0, dtype=pg.float64)
    opt.load_state_dict(state)
    assert opt.state[p]["exp_avg"].dtype == pg.float64  # cast to the parameter's dtype
    assert opt.state[p]["step"].dtype == pg.float64  # but not the step
    bad = copy.deepcopy(state)
    bad["param_groups"][0]["params"] = [0, 1]
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        opt.load_state_dict(bad)
    with pytest.raises(ValueError, match="different number of parameter groups"):
        opt.load_state_dict({"state": {}, "param_groups": []})


def test_steps_read_no_tensor_values(backend, monkeypatch):
    """What a trace by pluggrad.compile needs: no tensor value goes to Python in a step whose
    values cannot be read (``has_values`` False, as inside a trace; outside one, optimizers
    read their step counters as PyTorch's do)."""
    monkeypatch.setattr(backend, "has_values", lambda array: False)
    params = _params()
    opts = [
        pg.optim.SGD(params, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1),
        pg.optim.Adam(params, amsgrad=True, weight_decay=0.1, maximize=True),
        pg.optim.AdamW(params),
        pg.optim.RMSprop(params, momentum=0.5, centered=True, weight_decay=0.1),
        pg.optim.Adagrad(params, lr_decay=0.1, weight_decay=0.1),
        pg.optim.Adamax(params, weight_decay=0.1, maximize=True),
        pg.optim.NAdam(params, weight_decay=0.1, decoupled_weight_decay=True),
        pg.optim.RAdam(params, betas=(0.9, 0.5), weight_decay=0.1),
        pg.optim.Adadelta(params, weight_decay=0.1),
        pg.optim.Rprop(params, maximize=True),
        pg.optim.ASGD(params, t0=1, weight_decay=0.1),
    ]
    _loss(params).backward()

    def refuse(*args, **kwargs):
        raise AssertionError("a step read a tensor's value")

    for name in ("__bool__", "__float__", "__int__", "__index__", "item", "tolist", "numpy"):
        monkeypatch.setattr(pg.Tensor, name, refuse, raising=False)
    for opt in opts:
        opt.step()
        opt.step()


# ---- schedulers ------------------------------------------------------------------------------
def test_scheduler_state_dict_round_trip(backend):
    params = _params()
    opt = pg.optim.SGD(params, lr=0.1)
    sched = lr_scheduler.CosineAnnealingLR(opt, T_max=5, eta_min=0.01)
    for _ in range(3):
        opt.step()
        sched.step()
    state = sched.state_dict()
    assert "optimizer" not in state and state["last_epoch"] == 3 and state["_step_count"] == 4
    assert list(state) == [
        "T_max", "eta_min", "base_lrs", "last_epoch", "_step_count", "_is_initial",
        "_get_lr_called_within_step", "_last_lr",
    ]  # fmt: skip
    other = lr_scheduler.CosineAnnealingLR(pg.optim.SGD(_params(), lr=0.1), T_max=1)
    other.load_state_dict(copy.deepcopy(state))
    assert other.get_last_lr() == sched.get_last_lr() and other.T_max == 5
    plateau = lr_scheduler.ReduceLROnPlateau(opt, mode="max", patience=0)
    plateau.step(1.0)
    plateau.step(0.5)
    again = lr_scheduler.ReduceLROnPlateau(pg.optim.SGD(_params(), lr=0.1))
    again.load_state_dict(plateau.state_dict())
    assert again.mode == "max" and again.best == 1.0 and again.mode_worse == -math.inf


def test_scheduler_warnings_and_errors(backend):
    opt = pg.optim.SGD(_params(), lr=0.1)
    sched = lr_scheduler.StepLR(opt, step_size=2)
    assert opt.param_groups[0]["initial_lr"] == 0.1 and sched.base_lrs == [0.1]
    with pytest.warns(UserWarning, match=r"Detected call of `lr_scheduler.step\(\)` before"):
        sched.step()
    with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
        sched.get_lr()
    with pytest.raises(KeyError, match="param 'initial_lr' is not specified in param_groups"):
        lr_scheduler.StepLR(pg.optim.SGD(_params(), lr=0.1), step_size=2, last_epoch=3)
    with pytest.raises(TypeError, match="list is not an Optimizer"):
        lr_scheduler.ExponentialLR([], gamma=0.5)
    with pytest.raises(ValueError, match="Factor should be < 1.0."):
        lr_scheduler.ReduceLROnPlateau(opt, factor=1.0)
    with pytest.raises(ValueError, match="Expected 1 lr_lambdas, but got 2"):
        lr_scheduler.LambdaLR(opt, [lambda e: 1.0, lambda e: 1.0])
    opt2 = pg.optim.SGD(_params(), lr=0.1)
    sched2 = lr_scheduler.ExponentialLR(opt2, gamma=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt2.step()
        sched2.step()  # in the right order: no warning
    assert sched2.get_last_lr() == [0.05]


def test_fused_is_accepted_where_pytorch_takes_it(backend):
    a = _params()[0]
    for cls in (pg.optim.Adam, pg.optim.AdamW, pg.optim.SGD, pg.optim.Adagrad):
        assert cls([a], lr=0.1, fused=True).defaults["fused"] is True
    with pytest.raises(RuntimeError, match="`fused` and `foreach` cannot be `True` together."):
        pg.optim.Adam([a], fused=True, foreach=True)
    with pytest.raises(RuntimeError, match="`fused` does not support `differentiable`"):
        pg.optim.SGD([a], lr=0.1, fused=True, differentiable=True)
    with pytest.raises(TypeError):
        pg.optim.RMSprop([a], fused=True)
