"""Training loops as PyTorch users write them, compared with PyTorch: 100 steps of an MLP and of
a small CNN for every optimizer and learning-rate scheduler of ``pluggrad.optim``.

Run by hand, with torch installed (pluggrad never needs it otherwise)::

    python -m pluggrad.conformance._regenerate_training

:func:`train` takes the ``torch`` module or ``pluggrad``: it builds the model with the library's
``nn``, loads the initial weights (PyTorch's own initialisation, stored as lists), and trains in
float64 on minibatches drawn from NumPy's ``default_rng``: ``optimizer.zero_grad()``,
``loss.backward()``, ``optimizer.step()``, ``scheduler.step()``.  This script records PyTorch's
losses and final learning rate in ``training_torch.json``; ``test_training`` replays every run
on each backend, eagerly and under ``pluggrad.compile``, and compares.
"""

from __future__ import annotations

import json
import pathlib
from typing import Any

import numpy as np

OUTPUT = pathlib.Path(__file__).with_name("training_torch.json")
STEPS = 100

_rng = np.random.default_rng(15)
DATA = {
    "mlp": (_rng.normal(size=(96, 10)), _rng.integers(0, 4, size=96), 32),
    "cnn": (_rng.normal(size=(48, 1, 8, 8)), _rng.integers(0, 3, size=48), 16),
}

# the scheduler lambdas, by name (a run is data: it names its lambda)
LAMBDAS = {"harmonic": lambda epoch: 1.0 / (1.0 + 0.05 * epoch)}

# name: optimizer and its arguments, scheduler and its arguments
CASES: dict[str, dict[str, Any]] = {
    "sgd_nesterov_steplr": {
        "optimizer": ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 1e-4}),
        "scheduler": ("StepLR", {"step_size": 30, "gamma": 0.5}),
    },
    "sgd_dampening_multisteplr": {
        "optimizer": ("SGD", {"lr": 0.1, "momentum": 0.5, "dampening": 0.1}),
        "scheduler": ("MultiStepLR", {"milestones": [20, 60], "gamma": 0.3}),
    },
    "adam_exponentiallr": {
        "optimizer": ("Adam", {"lr": 0.01}),
        "scheduler": ("ExponentialLR", {"gamma": 0.98}),
    },
    "adamw_amsgrad_cosine": {
        "optimizer": ("AdamW", {"lr": 0.01, "weight_decay": 0.05, "amsgrad": True}),
        "scheduler": ("CosineAnnealingLR", {"T_max": 40, "eta_min": 1e-4}),
    },
    "rmsprop_centered_lambdalr": {
        "optimizer": ("RMSprop", {"lr": 0.003, "momentum": 0.2, "centered": True}),
        "scheduler": ("LambdaLR", {"lr_lambda": "harmonic"}),
    },
    "adagrad_plateau": {
        "optimizer": ("Adagrad", {"lr": 0.05, "lr_decay": 1e-3}),
        "scheduler": ("ReduceLROnPlateau", {"factor": 0.5, "patience": 2, "threshold": 0.01}),
    },
    "lbfgs_strong_wolfe": {
        "optimizer": (
            "LBFGS",
            {"lr": 0.5, "max_iter": 3, "history_size": 5, "line_search_fn": "strong_wolfe"},
        ),
        "scheduler": None,
    },
}  # fmt: skip
MODELS = ("mlp", "cnn")


def build(lib: Any, model: str) -> Any:
    """The model, by name, made of `lib.nn` (``torch.nn`` or ``pluggrad.nn``)."""
    nn = lib.nn
    if model == "mlp":
        return nn.Sequential(
            nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 16), nn.Tanh(), nn.Linear(16, 4)
        )
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 6, 3), nn.GELU(), nn.Flatten(), nn.Linear(6 * 2 * 2, 3),
    )  # fmt: skip


def train(lib: Any, model_name: str, case: str, weights: dict, compiled: bool = False) -> dict:
    """Train `model_name` from `weights` with `case`'s optimizer and scheduler; the loss of
    each step and the final learning rate."""
    spec = CASES[case]
    model = build(lib, model_name).double()
    model.load_state_dict({k: lib.tensor(np.asarray(v)) for k, v in weights.items()})
    name, kwargs = spec["optimizer"]
    optimizer = getattr(lib.optim, name)(model.parameters(), **kwargs)
    scheduler = None
    if spec["scheduler"] is not None:
        sched_name, sched_kwargs = spec["scheduler"]
        sched_kwargs = dict(sched_kwargs)
        if "lr_lambda" in sched_kwargs:
            sched_kwargs["lr_lambda"] = LAMBDAS[sched_kwargs["lr_lambda"]]
        scheduler = getattr(lib.optim.lr_scheduler, sched_name)(optimizer, **sched_kwargs)
    loss_fn = lib.nn.CrossEntropyLoss()
    inputs, labels, batch = DATA[model_name]
    if name == "LBFGS":  # a full-batch method: on minibatches it amplifies rounding chaotically
        batch = len(labels)
    xs, ys = lib.tensor(inputs), lib.tensor(labels)

    def step(x, y):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss

    def lbfgs_step(x, y):
        def closure():
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            return loss

        return optimizer.step(closure)

    run = lbfgs_step if name == "LBFGS" else step
    if compiled:
        run = lib.compile(run)
    losses = []
    for i in range(STEPS):
        start = (i * batch) % len(labels)
        loss = run(xs[start : start + batch], ys[start : start + batch]).item()
        losses.append(loss)
        if scheduler is not None:
            scheduler.step(loss) if sched_name == "ReduceLROnPlateau" else scheduler.step()
    return {"losses": losses, "lr": optimizer.param_groups[0]["lr"]}


def main() -> int:
    import torch  # noqa: PLC0415 - only this script needs PyTorch

    torch.set_default_dtype(torch.float64)
    torch.manual_seed(15)
    weights = {}
    for model_name in MODELS:
        state = build(torch, model_name).double().state_dict()
        weights[model_name] = {k: v.tolist() for k, v in state.items()}
    runs = {
        f"{model_name}/{case}": train(torch, model_name, case, weights[model_name])
        for model_name in MODELS
        for case in CASES
    }
    OUTPUT.write_text(json.dumps({"weights": weights, "runs": runs}) + "\n", encoding="utf-8")
    print(f"{OUTPUT.name}: {len(runs)} runs of {STEPS} steps")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
