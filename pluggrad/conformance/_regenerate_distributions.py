"""The ``pluggrad.distributions`` computations compared with PyTorch, and the script that
records PyTorch's results for them in ``distributions_torch.json``.

Run by hand, with torch installed (pluggrad never needs it otherwise)::

    python -m pluggrad.conformance._regenerate_distributions

Everything is float64.  A case builds a distribution from NumPy parameters (``requires_grad``
tensors) and records, for each quantity it names (``log_prob``/``cdf``/``icdf`` at given values,
``entropy``, moments, lazily computed matrices...), the value and the gradient with respect to
each parameter of a weighted sum of it (fixed weights, so that no symmetry hides an error).
KL cases do the same for ``kl_divergence(p, q)`` with respect to both parameter sets.
Reparameterized samples take their noise from outside: PyTorch's is read back by re-seeding and
drawing with the primitive its ``rsample`` uses; ``test_distributions`` hands the same noise to
pluggrad's ``rsample`` (``pluggrad.distributions.utils.noise``).  The error cases record
PyTorch's messages.
"""

from __future__ import annotations

import json
import pathlib
from typing import Any

import numpy as np

OUTPUT = pathlib.Path(__file__).with_name("distributions_torch.json")

_rng = np.random.default_rng(7)


def _spd(n: int, batch: tuple = ()) -> np.ndarray:
    a = _rng.normal(size=(*batch, n, n))
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


def _tril(n: int, batch: tuple = ()) -> np.ndarray:
    a = np.tril(_rng.normal(size=(*batch, n, n)) * 0.5)
    diagonal = np.arange(n)
    a[..., diagonal, diagonal] = np.abs(a[..., diagonal, diagonal]) + 0.5
    return a


def _u(*shape, low=-1.0, high=1.0) -> list:
    return _rng.uniform(low, high, shape).tolist()


MOMENTS = ["entropy", "mean", "variance", "stddev", "mode"]

# name: distribution, parameters (lists; "int:" values are not differentiated), quantities
# ({name: argument or None}), and "no_grad": quantities whose gradient PyTorch lacks
CASES: dict[str, dict[str, Any]] = {
    "normal": {
        "dist": "Normal",
        "params": {"loc": _u(2, 3), "scale": _u(3, low=0.5, high=2.0)},
        "quantities": {
            "log_prob": _u(4, 1, 3, low=-2, high=2),
            "cdf": _u(2, 3, low=-2, high=2),
            "icdf": _u(2, 3, low=0.05, high=0.95),
            **dict.fromkeys(MOMENTS),
        },
    },
    "uniform": {
        "dist": "Uniform",
        "params": {"low": _u(3, low=-2, high=-1), "high": _u(3, low=1, high=3)},
        "quantities": {
            "log_prob": _u(5, 3, low=-0.9, high=0.9),
            "cdf": _u(3, low=-0.9, high=0.9),
            "icdf": _u(3, low=0.05, high=0.95),
            "entropy": None,
            "mean": None,
            "variance": None,
            "stddev": None,
        },
    },
    "exponential": {
        "dist": "Exponential",
        "params": {"rate": _u(3, low=0.5, high=3.0)},
        "quantities": {
            "log_prob": _u(2, 3, low=0.0, high=3.0),
            "cdf": _u(3, low=0.0, high=3.0),
            "icdf": _u(3, low=0.05, high=0.95),
            **dict.fromkeys(MOMENTS),
        },
    },
    "laplace": {
        "dist": "Laplace",
        "params": {"loc": _u(3), "scale": _u(3, low=0.5, high=2.0)},
        "quantities": {
            "log_prob": _u(2, 3, low=-3, high=3),
            "cdf": _u(3, low=-3, high=3),
            "icdf": _u(3, low=0.05, high=0.95),
            **dict.fromkeys(MOMENTS),
        },
    },
    "gamma": {
        "dist": "Gamma",
        "params": {"concentration": _u(4, low=0.3, high=4.0), "rate": 1.7},
        "quantities": {
            "log_prob": _u(2, 4, low=0.1, high=4.0),
            "cdf": _u(4, low=0.1, high=4.0),
            **dict.fromkeys(MOMENTS),
        },
        "no_grad": ["cdf"],  # PyTorch has no derivative of igamma in its first argument
    },
    "beta": {
        "dist": "Beta",
        "params": {
            "concentration1": _u(4, low=0.3, high=4.0),
            "concentration0": _u(4, low=1.2, high=3.0),
        },
        "quantities": {"log_prob": _u(3, 4, low=0.05, high=0.95), **dict.fromkeys(MOMENTS)},
    },
    "bernoulli_probs": {
        "dist": "Bernoulli",
        "params": {"probs": _u(3, low=0.1, high=0.9)},
        "quantities": {
            "log_prob": [[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]],
            "entropy": None,
            "mean": None,
            "variance": None,
            "stddev": None,
            "enumerate_support": None,
        },
    },
    "bernoulli_logits": {
        "dist": "Bernoulli",
        "params": {"logits": _u(2, 3, low=-3, high=3)},
        "quantities": {
            "log_prob": [1.0, 0.0, 1.0],
            "entropy": None,
            "mean": None,
            "variance": None,
            "mode": None,
            "probs": None,
        },
    },
    "categorical_probs": {
        "dist": "Categorical",
        "params": {"probs": _u(2, 4, low=0.1, high=2.0)},
        "quantities": {
            "log_prob": "int:" + json.dumps([[0, 3], [2, 1], [3, 3]]),
            "entropy": None,
            "mode": None,
            "logits": None,
            "enumerate_support": None,
        },
    },
    "categorical_logits": {
        "dist": "Categorical",
        "params": {"logits": _u(5, low=-2, high=2)},
        "quantities": {
            "log_prob": "int:" + json.dumps([0, 4, 2]),
            "entropy": None,
            "mode": None,
            "probs": None,
        },
    },
    "one_hot_categorical": {
        "dist": "OneHotCategorical",
        "params": {"probs": _u(2, 3, low=0.1, high=2.0)},
        "quantities": {
            "log_prob": [[[0.0, 1.0, 0.0]], [[1.0, 0.0, 0.0]]],
            "entropy": None,
            "mean": None,
            "variance": None,
            "mode": None,
            "enumerate_support": None,
        },
    },
    "mvn_covariance": {
        "dist": "MultivariateNormal",
        "params": {"loc": _u(2, 3), "covariance_matrix": _spd(3).tolist()},
        "quantities": {
            "log_prob": _u(4, 1, 3, low=-2, high=2),
            "entropy": None,
            "mean": None,
            "variance": None,
            "scale_tril": None,
            "precision_matrix": None,
        },
    },
    "mvn_precision": {
        "dist": "MultivariateNormal",
        "params": {"loc": _u(3), "precision_matrix": _spd(3, (2,)).tolist()},
        "quantities": {
            "log_prob": _u(2, 3, low=-2, high=2),
            "entropy": None,
            "variance": None,
            "covariance_matrix": None,
            "scale_tril": None,
        },
    },
    "mvn_scale_tril": {
        "dist": "MultivariateNormal",
        "params": {"loc": _u(2, 1, 2), "scale_tril": _tril(2, (3,)).tolist()},
        "quantities": {
            "log_prob": _u(2, 3, 2, low=-2, high=2),
            "entropy": None,
            "mode": None,
            "variance": None,
            "covariance_matrix": None,
            "precision_matrix": None,
        },
    },
}
INDEPENDENT = {
    "params": {"loc": _u(2, 3), "scale": _u(2, 3, low=0.5, high=2.0)},
    "quantities": {"log_prob": _u(4, 2, 3), "entropy": None, "mean": None, "variance": None},
}

# KL cases: (p's case, q's case); "independent" wraps both cases' normals
KL_CASES = [
    ("normal", "normal_q"), ("bernoulli_probs", "bernoulli_q"),
    ("categorical_probs", "categorical_q"), ("one_hot_categorical", "one_hot_q"),
    ("mvn_covariance", "mvn_scale_tril_q"), ("mvn_precision", "mvn_covariance_q"),
    ("uniform", "uniform_q"), ("exponential", "exponential_q"), ("gamma", "gamma_q"),
    ("beta", "beta_q"), ("laplace", "laplace_q"), ("normal", "laplace_q"),
    ("exponential", "normal_q"), ("uniform", "normal_q"), ("normal", "uniform_q"),
    ("gamma", "beta_q"),
]  # fmt: skip
KL_Q = {
    "normal_q": ("Normal", {"loc": _u(3), "scale": _u(3, low=0.5, high=2.0)}),
    "bernoulli_q": ("Bernoulli", {"logits": _u(3, low=-2, high=2)}),
    "categorical_q": ("Categorical", {"logits": _u(4)}),
    "one_hot_q": ("OneHotCategorical", {"logits": _u(2, 3)}),
    "mvn_scale_tril_q": (
        "MultivariateNormal",
        {"loc": _u(3), "scale_tril": _tril(3, (2,)).tolist()},
    ),
    "mvn_covariance_q": (
        "MultivariateNormal",
        {"loc": _u(2, 3), "covariance_matrix": _spd(3).tolist()},
    ),
    # a wider interval for the first two elements, a narrower one (infinite KL) for the last
    "uniform_q": ("Uniform", {"low": [-3.0, -2.5, 0.0], "high": [3.5, 3.0, 0.5]}),
    "exponential_q": ("Exponential", {"rate": _u(3, low=0.5, high=3.0)}),
    "gamma_q": (
        "Gamma",
        {"concentration": _u(4, low=0.5, high=3.0), "rate": _u(4, low=0.5, high=2.0)},
    ),
    "beta_q": ("Beta", {"concentration1": _u(4, low=0.5, high=3.0), "concentration0": 2.5}),
    "laplace_q": ("Laplace", {"loc": _u(3), "scale": _u(3, low=0.5, high=2.0)}),
}

# rsample cases: the case, the sample shape, the noise kind its rsample draws
RSAMPLE_CASES = {
    "normal": ((4,), "normal"), "uniform": ((5,), "uniform"),
    "exponential": ((3,), "exponential"), "laplace": ((4,), "laplace"),
    "mvn_covariance": ((3,), "normal"), "mvn_scale_tril": ((2,), "normal"),
}  # fmt: skip

# error cases: what to build or call, as a small program over the module ``m`` (``D`` its
# distributions, ``t`` a float64 tensor)
ERROR_CASES = {
    "negative_scale": "D.Normal(t([0.0, 1.0]), t([1.0, -1.0]))",
    "outside_support": "D.Exponential(t([1.0, 2.0])).log_prob(t([1.0, -1.0]))",
    "event_shape": "D.MultivariateNormal(t([0.0, 0.0]), t([[1.0, 0.0], [0.0, 1.0]]))"
    ".log_prob(t([1.0, 2.0, 3.0]))",
    "not_broadcastable": "D.Normal(t([0.0, 0.0]), 1.0).log_prob(t([1.0, 2.0, 3.0]))",
    "not_a_tensor": "D.Normal(0.0, 1.0).log_prob(0.5)",
    "probs_and_logits": "D.Bernoulli(probs=t([0.5]), logits=t([0.0]))",
    "categorical_scalar": "D.Categorical(probs=t(0.5))",
    "simplex": "D.Categorical(probs=t([1.5, -0.5]))",
    "mvn_two_matrices": "D.MultivariateNormal(t([0.0]), t([[1.0]]), scale_tril=t([[1.0]]))",
    "mvn_matrix_dim": "D.MultivariateNormal(t([0.0]), scale_tril=t([1.0]))",
    "uniform_bounds": "D.Uniform(t([0.0, 1.0]), t([1.0, 0.5]))",
    "independent_ndims": "D.Independent(D.Normal(t([0.0]), 1.0), 2)",
    "kl_missing": "D.kl_divergence(D.Categorical(t([0.5, 0.5])), D.Normal(t([0.0]), 1.0))",
}  # fmt: skip


def _weights(shape) -> np.ndarray:
    n = int(np.prod(shape))
    return np.cos(np.arange(n) * 1.3 + 0.4).reshape(shape)


def _tensors(m, params: dict) -> dict:
    return {k: m.tensor(v, dtype=m.float64, requires_grad=True) for k, v in params.items()}


def _to_list(x):
    return np.asarray(x.detach().tolist(), dtype=float).tolist()


def _value_and_grads(m, out, inputs: dict, grads: bool) -> dict:
    """`out`'s value and the gradients of its weighted sum with respect to `inputs`."""
    record: dict[str, Any] = {"value": _to_list(out), "shape": list(out.shape)}
    if grads and out.requires_grad:
        finite = m.isfinite(out)
        weighted = m.where(finite, out, m.zeros_like(out)) * m.tensor(
            _weights(tuple(out.shape)), dtype=m.float64
        )
        names = list(inputs)
        found = m.autograd.grad(
            weighted.sum(), [inputs[k] for k in names], allow_unused=True, retain_graph=True
        )
        record["grads"] = {k: None if g is None else _to_list(g) for k, g in zip(names, found)}
    return record


def build(m, dist: str, params: dict):
    """The distribution `dist` of module `m` with float64 `params` that require gradients."""
    inputs = _tensors(m, params)
    return getattr(m.distributions, dist)(**inputs), inputs


def _argument(m, argument):
    if isinstance(argument, str) and argument.startswith("int:"):
        return m.tensor(json.loads(argument[4:]))
    return m.tensor(argument, dtype=m.float64)


def run_case(m, case: dict) -> dict:
    """The recorded quantities of one case (see the module's docstring)."""
    if "base" in case:  # Independent over a Normal
        base, inputs = build(m, "Normal", case["params"])
        dist = m.distributions.Independent(base, 1)
    else:
        dist, inputs = build(m, case["dist"], case["params"])
    results: dict[str, Any] = {
        "batch_shape": list(dist.batch_shape),
        "event_shape": list(dist.event_shape),
    }
    for name, argument in case["quantities"].items():
        attribute = getattr(dist, name)
        if argument is not None:
            out = attribute(_argument(m, argument))
        elif name in ("entropy", "enumerate_support"):
            out = attribute()
        else:
            out = attribute
        results[name] = _value_and_grads(m, out, inputs, name not in case.get("no_grad", ()))
    return results


def _kl_side(m, name: str):
    if name in CASES:
        return build(m, CASES[name]["dist"], CASES[name]["params"])
    return build(m, *KL_Q[name])


def run_kl(m, p_name: str, q_name: str) -> dict:
    """``kl_divergence(p, q)`` and its gradients with respect to both parameter sets."""
    p, p_inputs = _kl_side(m, p_name)
    q, q_inputs = _kl_side(m, q_name)
    inputs = {
        **{f"p.{k}": v for k, v in p_inputs.items()},
        **{f"q.{k}": v for k, v in q_inputs.items()},
    }
    return _value_and_grads(m, m.distributions.kl_divergence(p, q), inputs, True)


def run_rsample(m, name: str) -> dict:
    """A reparameterized sample and the gradients of a weighted sum of its squares."""
    shape, _ = RSAMPLE_CASES[name]
    dist, inputs = build(m, CASES[name]["dist"], CASES[name]["params"])
    sample = dist.rsample(shape)
    record = _value_and_grads(m, sample**2, inputs, True)
    record["sample"] = _to_list(sample)
    return record


def torch_noise(torch, kind: str, shape) -> Any:
    """The draws PyTorch's ``rsample`` makes after ``manual_seed(0)``."""
    torch.manual_seed(0)
    empty = torch.empty(tuple(shape), dtype=torch.float64)
    if kind == "normal":
        return empty.normal_()
    if kind == "uniform":
        return torch.rand(tuple(shape), dtype=torch.float64)
    if kind == "laplace":
        return empty.uniform_(torch.finfo(torch.float64).eps - 1, 1)
    return empty.exponential_()


def error_scope(m) -> dict:
    """The names the error cases' programs use."""
    return {"m": m, "D": m.distributions, "t": lambda v: m.tensor(v, dtype=m.float64)}


def main() -> None:  # pragma: no cover - needs torch
    import torch  # noqa: PLC0415 - only when regenerating

    torch.set_default_dtype(torch.float64)
    cases = {name: run_case(torch, case) for name, case in CASES.items()}
    cases["independent"] = run_case(torch, {**INDEPENDENT, "base": "Normal"})
    kl = {f"{p}|{q}": run_kl(torch, p, q) for p, q in KL_CASES}
    rsample = {}
    for name, (shape, kind) in RSAMPLE_CASES.items():
        dist, _ = build(torch, CASES[name]["dist"], CASES[name]["params"])
        full = tuple(shape) + tuple(dist.batch_shape) + tuple(dist.event_shape)
        noise = torch_noise(torch, kind, full)
        torch.manual_seed(0)
        rsample[name] = {**run_rsample(torch, name), "noise": noise.tolist()}
    errors = {}
    for name, program in ERROR_CASES.items():
        try:
            eval(program, error_scope(torch))
        except (ValueError, NotImplementedError) as error:
            errors[name] = [type(error).__name__, str(error)]
        else:
            raise AssertionError(f"{name} did not raise")
    data = {
        "torch": torch.__version__,
        "cases": cases,
        "kl": kl,
        "rsample": rsample,
        "errors": errors,
    }
    OUTPUT.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main()
