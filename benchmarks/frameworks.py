"""The frameworks compared, and the environment their worker processes run in."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Framework:
    """One column of the table.

    Attributes
    ----------
    name : str
        Column name and command-line name.
    module : str
        The implementation module, under :mod:`benchmarks.workloads`.
    variant : str or None
        Passed to the module's ``build``.
    requires : tuple of str
        Importable modules without which the framework is "not installed".
    env : dict
        Extra environment variables of its worker processes.
    requires_attr : tuple of (module, attribute) or None
        An attribute that must exist (checked in the worker), else the framework is skipped.
    workloads : tuple of str or None
        The only workloads the framework runs (the others are reported as skipped); None: all.
    """

    name: str
    module: str
    variant: str | None
    requires: tuple[str, ...]
    env: dict[str, str] = field(default_factory=dict)
    requires_attr: tuple[str, str] | None = None
    workloads: tuple[str, ...] | None = None


_JAX_ENV = {"JAX_PLATFORMS": "cpu"}

FRAMEWORKS: dict[str, Framework] = {
    f.name: f
    for f in [
        Framework(
            "pluggrad-numpy", "torchlike", "pluggrad", ("pluggrad",), {"PLUGGRAD_BACKEND": "numpy"}
        ),
        Framework(
            "pluggrad-jax",
            "torchlike",
            "pluggrad",
            ("pluggrad", "jax"),
            {"PLUGGRAD_BACKEND": "jax", **_JAX_ENV},
        ),
        Framework(
            "pluggrad-jax-compile",
            "torchlike",
            "pluggrad-compile",
            ("pluggrad", "jax"),
            {"PLUGGRAD_BACKEND": "jax", **_JAX_ENV},
            requires_attr=("pluggrad", "compile"),
        ),
        Framework(
            "pluggrad-numpy-compile",
            "torchlike",
            "pluggrad-compile",
            ("pluggrad",),
            {"PLUGGRAD_BACKEND": "numpy"},
            requires_attr=("pluggrad", "compile"),
        ),
        Framework("torch", "torchlike", "torch", ("torch",)),
        Framework(
            "torch-compile",
            "torchlike",
            "torch-compile",
            ("torch",),
            requires_attr=("torch", "compile"),
            workloads=("W7",),
        ),
        Framework("jax-jit", "functional", "jax", ("jax",), dict(_JAX_ENV)),
        Framework("hips-autograd", "functional", "autograd", ("autograd",)),
        Framework("numpy-hand", "numpy_hand", None, ("numpy",)),
        Framework("numpy-tape", "numpy_hand", "tape", ("numpy",)),
    ]
}

#: the ratio columns of the report are relative to these two
BASELINES = ("torch", "numpy-hand")


def missing_modules(framework: Framework) -> list[str]:
    """The modules `framework` requires that cannot be imported here (without importing them)."""
    return [m for m in framework.requires if importlib.util.find_spec(m) is None]


def skipped_workload(framework: Framework, workload: str) -> str | None:
    """Why `framework` does not run `workload`, or None if it does."""
    if framework.workloads is None or workload in framework.workloads:
        return None
    return f"measured on {', '.join(framework.workloads)} only"


def thread_env(threads: int) -> dict[str, str]:
    """Environment variables limiting BLAS, OpenMP and XLA to `threads` threads."""
    n = str(threads)
    eigen = "true" if threads > 1 else "false"
    return {
        "OMP_NUM_THREADS": n,
        "OPENBLAS_NUM_THREADS": n,
        "MKL_NUM_THREADS": n,
        "VECLIB_MAXIMUM_THREADS": n,
        "NUMEXPR_NUM_THREADS": n,
        "XLA_FLAGS": f"--xla_cpu_multi_thread_eigen={eigen} intra_op_parallelism_threads={n}",
    }
