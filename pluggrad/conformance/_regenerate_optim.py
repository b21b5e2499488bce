"""The ``pluggrad.optim`` runs compared with PyTorch, and the script that records PyTorch's
results for them in ``optim_torch.json``.

Run by hand, with torch installed (pluggrad never needs it otherwise)::

    python -m pluggrad.conformance._regenerate_optim

Each run trains a small tanh network (2 -> 6 -> 1, float64, data and weights from NumPy's
``default_rng``) with one optimizer configuration, and optionally a scheduler, for a few steps;
:func:`run` takes the ``torch`` module or ``pluggrad`` and records the loss and learning rates of
each step (and the momentum or ``beta1`` that ``OneCycleLR``/``CyclicLR`` cycle), the final
parameters, and the optimizer's and scheduler's ``state_dict``.
``test_optim`` replays the runs on every backend and compares them with the stored results.
"""

from __future__ import annotations

import json
import pathlib
from typing import Any

import numpy as np

OUTPUT = pathlib.Path(__file__).with_name("optim_torch.json")

_rng = np.random.default_rng(2024)
INPUTS = _rng.uniform(-1.5, 1.5, (12, 2))
TARGETS = np.sin(INPUTS[:, :1] * 1.3) * np.cos(INPUTS[:, 1:])
WEIGHTS = [
    _rng.normal(0.0, 0.7, (2, 6)),
    _rng.normal(0.0, 0.1, (6,)),
    _rng.normal(0.0, 0.7, (6, 1)),
    _rng.normal(0.0, 0.1, (1,)),
]

# the learning-rate lambdas of LambdaLR, by name (a run is data: it names its lambda)
LAMBDAS = {"power": lambda epoch: 0.95**epoch, "harmonic": lambda epoch: 1.0 / (1.0 + epoch)}

SECOND_GROUP = {"lr": 0.02, "momentum": 0.5}

# name: (optimizer, its arguments, steps, scheduler or None, "groups": two parameter groups);
# a scheduler is ``(kind, kwargs)``, SequentialLR's and ChainedScheduler's holding such pairs
CASES: dict[str, dict[str, Any]] = {
    "sgd": {"optimizer": "SGD", "kwargs": {"lr": 0.1}},
    "sgd_momentum_dampening": {
        "optimizer": "SGD", "kwargs": {"lr": 0.05, "momentum": 0.9, "dampening": 0.1},
    },
    "sgd_nesterov": {
        "optimizer": "SGD", "kwargs": {"lr": 0.05, "momentum": 0.9, "nesterov": True},
    },
    "sgd_weight_decay": {
        "optimizer": "SGD", "kwargs": {"lr": 0.1, "momentum": 0.5, "weight_decay": 0.01},
    },
    "sgd_maximize": {"optimizer": "SGD", "kwargs": {"lr": 0.01, "maximize": True}},
    "adam": {"optimizer": "Adam", "kwargs": {"lr": 0.02}},
    "adam_amsgrad": {"optimizer": "Adam", "kwargs": {"lr": 0.02, "amsgrad": True}},
    "adam_weight_decay": {
        "optimizer": "Adam", "kwargs": {"lr": 0.02, "weight_decay": 0.1, "betas": (0.8, 0.99)},
    },
    "adam_low_beta_maximize": {  # lerp's weight above 0.5: PyTorch's other formula
        "optimizer": "Adam",
        "kwargs": {"lr": 0.005, "betas": (0.3, 0.9), "maximize": True, "eps": 1e-6},
    },
    "adamw": {"optimizer": "AdamW", "kwargs": {"lr": 0.02, "weight_decay": 0.05}},
    "adamw_amsgrad": {"optimizer": "AdamW", "kwargs": {"lr": 0.02, "amsgrad": True}},
    "rmsprop": {"optimizer": "RMSprop", "kwargs": {"lr": 0.01}},
    "rmsprop_centered_momentum": {
        "optimizer": "RMSprop",
        "kwargs": {
            "lr": 0.01, "alpha": 0.9, "momentum": 0.5, "centered": True, "weight_decay": 0.01,
        },
    },
    "adagrad": {"optimizer": "Adagrad", "kwargs": {"lr": 0.1}},
    "adagrad_lr_decay": {
        "optimizer": "Adagrad",
        "kwargs": {
            "lr": 0.1, "lr_decay": 0.05, "initial_accumulator_value": 0.1, "weight_decay": 0.01,
        },
    },
    "lbfgs": {
        "optimizer": "LBFGS", "kwargs": {"lr": 0.5, "max_iter": 5, "history_size": 4},
        "steps": 5,
    },
    "lbfgs_strong_wolfe": {
        "optimizer": "LBFGS",
        "kwargs": {"max_iter": 6, "history_size": 4, "line_search_fn": "strong_wolfe"},
        "steps": 5,
    },
    "adamax": {"optimizer": "Adamax", "kwargs": {"lr": 0.02}},
    "adamax_weight_decay_maximize": {
        "optimizer": "Adamax",
        "kwargs": {"lr": 0.01, "betas": (0.3, 0.9), "weight_decay": 0.05, "maximize": True},
    },
    "nadam": {"optimizer": "NAdam", "kwargs": {"lr": 0.02}},
    "nadam_decoupled": {
        "optimizer": "NAdam",
        "kwargs": {"lr": 0.02, "weight_decay": 0.05, "momentum_decay": 0.01,
                   "decoupled_weight_decay": True},
    },
    "nadam_weight_decay": {
        "optimizer": "NAdam", "kwargs": {"lr": 0.01, "weight_decay": 0.1, "betas": (0.8, 0.99)},
    },
    "radam": {"optimizer": "RAdam", "kwargs": {"lr": 0.02}},
    "radam_low_beta2": {  # rho_t passes 5 at step 6: both updates within the run
        "optimizer": "RAdam", "kwargs": {"lr": 0.02, "betas": (0.8, 0.9), "weight_decay": 0.05},
    },
    "radam_decoupled_maximize": {
        "optimizer": "RAdam",
        "kwargs": {"lr": 0.01, "betas": (0.9, 0.8), "weight_decay": 0.1,
                   "decoupled_weight_decay": True, "maximize": True},
    },
    "adadelta": {"optimizer": "Adadelta", "kwargs": {}},
    "adadelta_weight_decay": {
        "optimizer": "Adadelta",
        "kwargs": {"lr": 0.5, "rho": 0.8, "eps": 1e-5, "weight_decay": 0.01},
    },
    "rprop": {"optimizer": "Rprop", "kwargs": {"lr": 0.01}},
    "rprop_bounded_maximize": {
        "optimizer": "Rprop",
        "kwargs": {"lr": 0.05, "etas": (0.3, 1.5), "step_sizes": (0.01, 0.08), "maximize": True},
    },
    "asgd": {"optimizer": "ASGD", "kwargs": {"lr": 0.1}},
    "asgd_averaging": {  # t0 within the run: mu leaves 1
        "optimizer": "ASGD",
        "kwargs": {"lr": 0.2, "lambd": 0.01, "alpha": 0.6, "t0": 10, "weight_decay": 0.01},
    },
    "two_groups": {
        "optimizer": "SGD", "kwargs": {"lr": 0.1, "momentum": 0.9}, "groups": True,
    },
    "step_lr": {
        "optimizer": "SGD", "kwargs": {"lr": 0.2},
        "scheduler": ("StepLR", {"step_size": 5, "gamma": 0.5}),
    },
    "multi_step_lr": {
        "optimizer": "Adam", "kwargs": {"lr": 0.03},
        "scheduler": ("MultiStepLR", {"milestones": [5, 10, 10], "gamma": 0.5}),
    },
    "exponential_lr": {
        "optimizer": "SGD", "kwargs": {"lr": 0.3, "momentum": 0.5},
        "scheduler": ("ExponentialLR", {"gamma": 0.9}),
    },
    "cosine_annealing_lr": {
        "optimizer": "SGD", "kwargs": {"lr": 0.2, "momentum": 0.9}, "groups": True,
        "scheduler": ("CosineAnnealingLR", {"T_max": 8, "eta_min": 0.001}),
    },
    "lambda_lr": {
        "optimizer": "RMSprop", "kwargs": {"lr": 0.01}, "groups": True,
        "scheduler": ("LambdaLR", {"lr_lambda": ["power", "harmonic"]}),
    },
    "reduce_lr_on_plateau": {
        "optimizer": "SGD", "kwargs": {"lr": 0.5, "momentum": 0.6},
        "scheduler": (
            "ReduceLROnPlateau",
            {"factor": 0.5, "patience": 1, "threshold": 0.02, "cooldown": 1, "min_lr": 0.05},
        ),
    },
    "reduce_lr_on_plateau_max_abs": {
        "optimizer": "Adam", "kwargs": {"lr": 0.05}, "groups": True,
        "scheduler": (
            "ReduceLROnPlateau",
            {"mode": "max", "threshold_mode": "abs", "threshold": 1e-3, "patience": 0,
             "factor": 0.7, "min_lr": [0.01, 0.0], "eps": 1e-4},
        ),
    },
    "linear_lr": {
        "optimizer": "SGD", "kwargs": {"lr": 0.2}, "groups": True,
        "scheduler": ("LinearLR", {"start_factor": 0.25, "end_factor": 0.9, "total_iters": 8}),
    },
    "constant_lr": {
        "optimizer": "Adam", "kwargs": {"lr": 0.02},
        "scheduler": ("ConstantLR", {"factor": 0.4, "total_iters": 6}),
    },
    "multiplicative_lr": {
        "optimizer": "SGD", "kwargs": {"lr": 0.2, "momentum": 0.5}, "groups": True,
        "scheduler": ("MultiplicativeLR", {"lr_lambda": ["power", "harmonic"]}),
    },
    "polynomial_lr": {
        "optimizer": "SGD", "kwargs": {"lr": 0.3},
        "scheduler": ("PolynomialLR", {"total_iters": 12, "power": 2.0}),
    },
    "cosine_warm_restarts": {
        "optimizer": "SGD", "kwargs": {"lr": 0.2, "momentum": 0.9}, "groups": True,
        "scheduler": ("CosineAnnealingWarmRestarts", {"T_0": 3, "T_mult": 2, "eta_min": 0.01}),
    },
    "one_cycle_cos_momentum": {
        "optimizer": "SGD", "kwargs": {"lr": 0.1, "momentum": 0.9}, "groups": True,
        "scheduler": ("OneCycleLR", {"max_lr": [0.3, 0.1], "total_steps": 25}),
    },
    "one_cycle_linear_three_phase_betas": {
        "optimizer": "Adam", "kwargs": {"lr": 0.01},
        "scheduler": (
            "OneCycleLR",
            {"max_lr": 0.05, "total_steps": 30, "pct_start": 0.25, "anneal_strategy": "linear",
             "three_phase": True, "base_momentum": 0.8, "max_momentum": 0.9,
             "div_factor": 10.0, "final_div_factor": 100.0},
        ),
    },
    "one_cycle_no_momentum": {
        "optimizer": "RMSprop", "kwargs": {"lr": 0.01},
        "scheduler": ("OneCycleLR", {"max_lr": 0.02, "epochs": 5, "steps_per_epoch": 5,
                                     "cycle_momentum": False}),
    },
    "cyclic_triangular_momentum": {
        "optimizer": "SGD", "kwargs": {"lr": 0.1, "momentum": 0.9}, "groups": True,
        "scheduler": ("CyclicLR", {"base_lr": 0.01, "max_lr": [0.2, 0.1], "step_size_up": 4,
                                   "step_size_down": 6}),
    },
    "cyclic_triangular2_betas": {
        "optimizer": "Adam", "kwargs": {"lr": 0.01},
        "scheduler": ("CyclicLR", {"base_lr": 0.005, "max_lr": 0.04, "step_size_up": 3,
                                   "mode": "triangular2", "base_momentum": 0.7,
                                   "max_momentum": 0.9}),
    },
    "cyclic_exp_range": {
        "optimizer": "SGD", "kwargs": {"lr": 0.1, "momentum": 0.5},
        "scheduler": ("CyclicLR", {"base_lr": 0.02, "max_lr": 0.3, "step_size_up": 5,
                                   "mode": "exp_range", "gamma": 0.95}),
    },
    "sequential_lr": {
        "optimizer": "SGD", "kwargs": {"lr": 0.2, "momentum": 0.5},
        "scheduler": (
            "SequentialLR",
            {"schedulers": [("LinearLR", {"start_factor": 0.1, "total_iters": 5}),
                            ("ExponentialLR", {"gamma": 0.9}),
                            ("CosineAnnealingLR", {"T_max": 6, "eta_min": 0.01})],
             "milestones": [5, 14]},
        ),
    },
    "chained_scheduler": {
        "optimizer": "Adam", "kwargs": {"lr": 0.03}, "groups": True,
        "scheduler": (
            "ChainedScheduler",
            {"schedulers": [("ConstantLR", {"factor": 0.5, "total_iters": 4}),
                            ("ExponentialLR", {"gamma": 0.95}),
                            ("StepLR", {"step_size": 7, "gamma": 0.5})]},
        ),
    },
}  # fmt: skip
STEPS = 25


def encode(value) -> Any:
    """`value` (a state dict, a parameter...) in JSON's terms: a tensor becomes
    ``{"tensor": nested list, "dtype": "float32"}``, a tuple a list, a dict's keys strings."""
    if hasattr(value, "tolist") and hasattr(value, "dtype"):
        return {"tensor": value.tolist(), "dtype": str(value.dtype).rsplit(".", 1)[-1]}
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if callable(value):
        return None
    return value


def make_scheduler(torch, optimizer, kind: str, kwargs: dict[str, Any]):
    """Scheduler `kind` of ``torch.optim.lr_scheduler`` with `kwargs`, where lambdas are named
    in :data:`LAMBDAS` and the schedulers of ``SequentialLR``/``ChainedScheduler`` are given
    as ``(kind, kwargs)`` pairs."""
    module = torch.optim.lr_scheduler
    if kind in ("LambdaLR", "MultiplicativeLR"):
        kwargs = {"lr_lambda": [LAMBDAS[n] for n in kwargs["lr_lambda"]]}
    if kind in ("SequentialLR", "ChainedScheduler"):
        inner = [make_scheduler(torch, optimizer, *spec) for spec in kwargs["schedulers"]]
        if kind == "ChainedScheduler":
            return module.ChainedScheduler(inner)
        return module.SequentialLR(optimizer, inner, milestones=kwargs["milestones"])
    return getattr(module, kind)(optimizer, **kwargs)


def run(torch, name: str) -> dict[str, Any]:
    """Case `name` of :data:`CASES` with `torch` (the ``torch`` module, or ``pluggrad``)."""
    case = CASES[name]
    inputs = torch.tensor(INPUTS, dtype=torch.float64)
    targets = torch.tensor(TARGETS, dtype=torch.float64)
    params = [torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in WEIGHTS]
    w1, b1, w2, b2 = params

    def objective():
        hidden = torch.tanh(inputs @ w1 + b1)
        return ((hidden @ w2 + b2 - targets) ** 2).mean()

    groups: Any = params
    if case.get("groups"):
        groups = [{"params": params[:2]}, {"params": params[2:], **SECOND_GROUP}]
    optimizer = getattr(torch.optim, case["optimizer"])(groups, **case["kwargs"])
    scheduler = None
    if case.get("scheduler"):
        scheduler = make_scheduler(torch, optimizer, *case["scheduler"])

    def closure():
        optimizer.zero_grad()
        loss = objective()
        loss.backward()
        return loss

    cycled = case.get("scheduler") and case["scheduler"][0] in ("OneCycleLR", "CyclicLR")
    losses, lrs, momentums = [], [], []
    for _ in range(case.get("steps", STEPS)):
        if case["optimizer"] == "LBFGS":
            loss = optimizer.step(closure)
        else:
            loss = closure()
            optimizer.step()
        losses.append(float(loss.detach()))
        if scheduler is not None:
            if case["scheduler"][0] == "ReduceLROnPlateau":
                metric = (
                    -float(loss.detach())
                    if case["scheduler"][1].get("mode") == "max"
                    else loss.detach()
                )
                scheduler.step(metric)
            else:
                scheduler.step()
        lrs.append([float(g["lr"]) for g in optimizer.param_groups])
        if cycled:
            momentums.append(
                [g["betas"][0] if "betas" in g else g["momentum"] for g in optimizer.param_groups]
            )
    return {
        "losses": losses,
        "lrs": lrs,
        "params": encode(params),
        "state_dict": encode(optimizer.state_dict()),
        "scheduler": None if scheduler is None else encode(scheduler.state_dict()),
        "momentums": momentums if cycled else None,
    }


def main() -> None:
    import torch  # noqa: PLC0415 - only regenerating the file needs torch

    results = {name: run(torch, name) for name in CASES}
    text = json.dumps({"torch": torch.__version__, "runs": results}, separators=(",", ":"))
    OUTPUT.write_text(text + "\n")
    print(f"{OUTPUT.name}: {len(results)} runs, torch {torch.__version__}, {len(text)} bytes")


if __name__ == "__main__":
    main()
