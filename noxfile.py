"""Task runner: ``nox`` runs the demo, the linter and the test suite once per backend.

nox                      # everything below
nox -s tests             # the test matrix (numpy, jax, array_api_strict)
nox -s "tests(backend='jax')"
nox -s lint demo
nox -s bench -- --quick  # the benchmark suite (not in the default run)
nox -s docs              # the documentation site, mkdocs build --strict (not in the default run)
"""

from __future__ import annotations

import nox

nox.options.sessions = ["lint", "demo", "tests"]
nox.options.error_on_missing_interpreters = False

BACKENDS = {"numpy": ".[special]", "jax": ".[jax]", "array_api_strict": ".[strict,special]"}
TEST_TOOLS = ["pytest>=8", "hypothesis>=6.100", "matplotlib>=3.8", "pytest-xdist>=3.5"]


@nox.session
@nox.parametrize("backend", list(BACKENDS))
def tests(session: nox.Session, backend: str) -> None:
    """The test suite with one backend installed and selected (the others are not installed)."""
    session.install(BACKENDS[backend], *TEST_TOOLS)
    # the conformance suite runs from the installed package (as a plug-in's author runs it)
    session.run(
        "pytest",
        *(session.posargs or ["-q", "-n", "2", "tests", "--pyargs", "pluggrad.conformance"]),
        env={"PLUGGRAD_TEST_BACKENDS": backend},
    )


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
