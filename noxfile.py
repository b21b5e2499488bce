"""Task runner: ``nox`` runs the demo, the linter and the test suite once per backend.

nox                      # everything below
nox -s tests             # the test matrix (numpy, jax, array_api_strict)
nox -s dask              # the Dask backend: its tests and the conformance files it passes
nox -s dask_op_database  # the op database's finite differences on Dask (not in the default run)
nox -s dask_slow         # the conformance tests too slow on Dask for the dask session (idem)
nox -s "tests(backend='jax')"
nox -s lint demo
nox -s bench -- --quick  # the benchmark suite (not in the default run)
nox -s docs              # the documentation site, mkdocs build --strict (not in the default run)
nox -s array_api_tests   # the array API standard's own suite on every backend (not in the
                         # default run; .ci/run runs it where the suite lies beside the clone)
"""

from __future__ import annotations

import os
import pathlib
import tempfile

import nox

nox.options.sessions = ["lint", "demo", "tests", "dask"]
nox.options.error_on_missing_interpreters = False

BACKENDS = {"numpy": ".[special]", "jax": ".[jax]", "array_api_strict": ".[strict,special]"}
# the array API standard's suite runs on the dask backend too (which has its own session
# instead of a place in the tests matrix); its examples are tiny: Dask's synchronous scheduler
ARRAY_API_BACKENDS = {**BACKENDS, "dask": ".[dask]"}
ARRAY_API_ENV = {"dask": {"DASK_SCHEDULER": "synchronous"}}
TEST_TOOLS = ["pytest>=8", "hypothesis>=6.100", "matplotlib>=3.8", "pytest-xdist>=3.5"]

ROOT = pathlib.Path(__file__).resolve().parent
# data-apis/array-api-tests: a checkout named by ARRAY_API_TESTS, else the one beside the clone
ARRAY_API_TESTS = pathlib.Path(
    os.environ.get("ARRAY_API_TESTS", ROOT.parent / "shared" / "array-api-tests")
)
ARRAY_API_TESTS_TOOLS = ["pytest>=8", "pytest-xdist>=3.5", "hypothesis>=6.151", "ndindex>=1.8",
                         "pytest-json-report"]  # fmt: skip


# the tests of pluggrad.compile: the traced programs and the planner, then the conformance
# scenarios (compiled equals eager, state written back; whole training steps)
COMPILE_TESTS = [
    "tests/unit/test_trace.py", "tests/unit/test_compile_dispatch.py",
    "--pyargs", "pluggrad.conformance.test_compile", "pluggrad.conformance.test_compile_training",
]  # fmt: skip


@nox.session
@nox.parametrize("backend", list(BACKENDS))
def tests(session: nox.Session, backend: str) -> None:
    """The test suite with one backend installed and selected (the others are not installed)."""
    session.install(BACKENDS[backend], *TEST_TOOLS)
    # JAX's persistent compilation cache, shared by the test processes (see below), in a folder
    # of the system's temporary directory, removed after the run (not session.create_tmp():
    # that makes the session's TMPDIR a folder inside the project, and the tests that run
    # pytest in a temporary folder would then read the project's pytest configuration)
    with tempfile.TemporaryDirectory(prefix="pluggrad-jax-cache-") as cache:
        # the conformance suite runs from the installed package (as a plug-in's author runs it)
        session.run(
            "pytest",
            # (the slowest tests listed at the end: where a session's time goes, run after run)
            *(
                session.posargs
                or ["-q", "-n", "2", "--durations=15", "tests", "--pyargs", "pluggrad.conformance"]
            ),  # fmt: skip
            env={"PLUGGRAD_TEST_BACKENDS": backend, **_compilation_cache(backend, cache)},
        )
    if backend != "jax" and not session.posargs:
        # the compile tests again with the planner's debug mode on: every buffer a traced
        # program releases is filled with NaN, so that one released or reused while still read
        # shows in the results (JAX compiles with XLA, which plans its own buffers)
        session.run(
            "pytest", "-q", "-n", "2", *COMPILE_TESTS,
            env={"PLUGGRAD_TEST_BACKENDS": backend, "PLUGGRAD_COMPILE_DEBUG": "1"},
        )  # fmt: skip


def _compilation_cache(backend: str, folder: str) -> dict:
    """JAX's persistent compilation cache in `folder`, so that the test processes share what
    they compile.  Eager JAX compiles each operation for each new shape and dtype, which is
    most of the jax session's time; the two pytest-xdist workers compile many of the same,
    and a cache hit costs ~10 ms against a compile's ~30-45 ms (measured: 11% less CPU time
    on test_nn_functional and test_elementwise_dtypes; the jax session took 20 minutes in the
    fresh-clone CI with it, 31 without, at a similar load)."""
    if backend != "jax":
        return {}
    return {
        "JAX_COMPILATION_CACHE_DIR": folder,
        "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0",
        "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES": "-1",
    }


# The dask backend has its own session instead of a place in the tests matrix: these
# conformance modules pass on it; docs/dask.md ("The conformance suite on Dask") says what the
# others do and why they are not here yet.  The suite's arrays are tiny: Dask's synchronous
# scheduler runs them; tests/unit/test_dask*.py run the threaded scheduler and a distributed
# LocalCluster themselves.
DASK_CONFORMANCE = [
    "test_against_torch", "test_array_api_standard", "test_autograd_tools", "test_compile",
    "test_compile_training", "test_custom_function", "test_devices", "test_distributions",
    "test_elementwise_aliases", "test_elementwise_complex", "test_elementwise_dtypes",
    "test_elementwise_special_points", "test_elementwise_without_gradients",
    "test_engine_backward", "test_engine_grad", "test_engine_hooks",
    "test_engine_tensor_attributes", "test_fft_values", "test_grad_mode", "test_hooks",
    "test_inference_mode", "test_inplace", "test_linalg_values", "test_manipulation_values",
    "test_memory", "test_namespace", "test_nn_pad_sequence", "test_properties", "test_random",
    "test_nn_functional", "test_nn_modules", "test_nn_transformer", "test_reductions_values",
    "test_scenarios", "test_serialization", "test_setitem", "test_torch_random", "test_tutorial",
    "test_views", "test_optim", "test_training", "test_half_dtypes", "test_autocast",
    "test_gradcheck_complex", "test_nn_conv", "test_nn_rnn", "test_random_graphs",
    "test_nn_packed_rnn", "test_random_aliases",
]  # fmt: skip
# ... but for these tests of them, which pass on Dask and take 5-30 CPU-seconds each there (one
# task graph per finite-difference evaluation; training loops of many small steps): the
# dask_slow session runs them (docs/dask.md lists each with its time)
DASK_SLOW = [
    "test_first_and_second_derivatives[dask-scaled_dot_product_attention]",
    "test_first_and_second_derivatives[dask-local_response_norm]",
    "test_first_and_second_derivatives[dask-embedding_bag]",
    "test_first_and_second_derivatives[dask-multilabel_soft_margin]",
    "test_first_and_second_derivatives[dask-triplet_margin_loss]",
    "test_first_and_second_derivatives[dask-interpolate_bilinear]",
    "test_first_and_second_derivatives[dask-rms_norm]",
    "test_first_and_second_derivatives[dask-instance_norm]",
    "test_layer_gradients_by_finite_differences[dask-mlp]",
    "test_mha_first_and_second_derivatives[dask-True]",
    "test_runs_equal_pytorchs[dask-transformer]",
    "test_runs_equal_pytorchs[dask-transformer_batch_first_norm_first_gelu]",
    "test_runs_equal_pytorchs[dask-decoder_two_layers_norm]",
    "test_scenario_prints_what_torch_prints[dask-nn_rnn]",
    "test_inplace_changes_of_views_pass_gradcheck_and_gradgradcheck[dask-write_into_column--]",
    "test_inplace_changes_of_views_pass_gradcheck_and_gradgradcheck[dask-real_and_imag_views--]",
    "test_runs_equal_pytorchs[dask-lbfgs]",
    "test_runs_equal_pytorchs[dask-lbfgs_strong_wolfe]",
    # (every run of test_training: 100 steps of a whole model, 25-170 s each at load 5-8)
    "test_training_equals_pytorch",
    # whole modules: 309 of their 311 tests passed in 35 min at load 2-4; the two gradchecks
    # of RNN layers over packed sequences ran over 35 min each (docs/dask.md)
    "test_nn_conv",
    "test_nn_rnn",
    "test_random_graphs",
    "test_nn_packed_rnn",
]
# the op database on Dask: every sample's forward value and gradients (equal to the NumPy
# backend's) run in the session; its finite differences (gradcheck and gradgradcheck of each
# record's first sample on a lazy backend) take longer: the dask_op_database session
OP_DATABASE_VALUES = "test_forward_matches_reference or test_gradients_agree_with_numpy_backend"


@nox.session
def dask(session: nox.Session) -> None:
    """The Dask backend: its own tests (laziness, compute, a LocalCluster, the
    larger-than-memory example at a small scale) and the conformance modules it passes."""
    session.install(".[dask,special]", *TEST_TOOLS)
    env = {"PLUGGRAD_TEST_BACKENDS": "dask", "DASK_SCHEDULER": "synchronous"}
    modules = [f"pluggrad.conformance.{name}" for name in DASK_CONFORMANCE]
    if session.posargs:
        session.run("pytest", *session.posargs, env=env)
        return
    own = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests" / "unit").glob("test_dask*.py"))
    fast = "not (" + " or ".join(DASK_SLOW) + ")"
    session.run("pytest", "-q", "-n", "2", "--durations=15", *own, "--pyargs", *modules,
                "-k", fast, env=env)  # fmt: skip
    session.run("pytest", "-q", "-n", "2", "--pyargs", "pluggrad.conformance.test_derivatives",
                "-k", OP_DATABASE_VALUES, env=env)  # fmt: skip


@nox.session
def dask_slow(session: nox.Session) -> None:
    """The conformance tests that pass on the Dask backend but are left out of the dask
    session for their time (DASK_SLOW; not in the default run)."""
    session.install(".[dask,special]", *TEST_TOOLS)
    modules = [f"pluggrad.conformance.{name}" for name in DASK_CONFORMANCE]
    env = {"PLUGGRAD_TEST_BACKENDS": "dask", "DASK_SCHEDULER": "synchronous"}
    session.run("pytest", "-q", "-n", "2", "--pyargs", *modules, "-k", " or ".join(DASK_SLOW),
                env=env)  # fmt: skip


@nox.session
def dask_op_database(session: nox.Session) -> None:
    """The whole op database on the Dask backend, gradcheck and gradgradcheck in float64 (not
    in the default run: it takes minutes more; docs/dask.md says how long)."""
    session.install(".[dask,special]", *TEST_TOOLS)
    session.run(
        "pytest", *(session.posargs or ["-q", "-n", "2", "--pyargs",
                                        "pluggrad.conformance.test_derivatives"]),
        env={"PLUGGRAD_TEST_BACKENDS": "dask", "DASK_SCHEDULER": "synchronous"},
    )  # fmt: skip


@nox.session
@nox.parametrize("backend", list(ARRAY_API_BACKENDS))
def array_api_tests(session: nox.Session, backend: str) -> None:
    """The array API standard's test suite against ``pluggrad`` on one backend, with the
    backend's expected failures (``tests/array_api/xfails-<backend>.txt``, each with its
    reason).  Skipped, saying so, where the suite is not found."""
    if not (ARRAY_API_TESTS / "array_api_tests").is_dir():
        session.skip(
            f"array-api-tests not found at {ARRAY_API_TESTS}: set ARRAY_API_TESTS to a checkout "
            "of https://github.com/data-apis/array-api-tests (with its array-api submodule)"
        )
    session.install(ARRAY_API_BACKENDS[backend], *ARRAY_API_TESTS_TOOLS)
    xfails = ROOT / "tests" / "array_api" / f"xfails-{backend}.txt"
    session.chdir(ARRAY_API_TESTS)
    session.run(
        "python", "-m", "pytest", "array_api_tests", "-q", "-p", "no:cacheprovider",
        "--max-examples", "20", "--disable-deadline", "-n", "2", "--xfails-file", str(xfails),
        *session.posargs,
        env={"ARRAY_API_TESTS_MODULE": "pluggrad", "PLUGGRAD_BACKEND": backend,
             **ARRAY_API_ENV.get(backend, {})},
    )  # fmt: skip


@nox.session
def demo(session: nox.Session) -> None:
    """The README's first command: install and print the tutorial's key results (NumPy)."""
    session.install(".")
    session.run("python", "-m", "pluggrad")


@nox.session
def lint(session: nox.Session) -> None:
    """ruff (lint and formatting) and mypy (mypy's default strictness; pyproject.toml)."""
    # the package with the conformance extra: mypy reads NumPy's, pytest's and Hypothesis's
    # types; the optional libraries are not installed (pyproject.toml: ignore_missing_imports)
    session.install("ruff>=0.9", "mypy>=1.11", ".[conformance]")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy")


@nox.session
def bench(session: nox.Session) -> None:
    """The benchmark suite (benchmarks/README.md); arguments pass on: nox -s bench -- --quick"""
    session.install(".[jax]", "torch==2.13.0", "autograd", "matplotlib")
    session.run("python", "-m", "benchmarks.run", *session.posargs)
    quick = ["--quick"] if "--quick" in session.posargs else []
    session.run("python", "-m", "benchmarks.scaling", *quick)


@nox.session
def docs(session: nox.Session) -> None:
    """The documentation site: mkdocs build --strict, running every example (site/).

    Not in the default run: it installs MkDocs and its plug-ins from PyPI. ``.[docs]`` includes
    the test extra, so JAX and array-api-strict are installed and the pages that compute values
    on every backend show all three. Arguments pass on: nox -s docs -- --site-dir /tmp/site
    """
    session.install(".[docs]")
    session.run("mkdocs", "build", "--strict", *session.posargs, env={"NO_MKDOCS_2_WARNING": "1"})
