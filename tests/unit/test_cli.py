"""The command line: ``python -m pluggrad`` info, demo and check-backend."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap

import pytest

import pluggrad
from pluggrad import _check_backend
from pluggrad.__main__ import main

KEYWORD = "01_first_derivative or 05_scalar_backward"  # two tutorial examples: a fast check


def run_cli(*args: str, env: dict | None = None, cwd=None) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "PLUGGRAD_BACKEND"}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "pluggrad", *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=cwd,
        timeout=300,
    )


# -- info ------------------------------------------------------------------------------------------
def test_info_lists_version_backends_and_why_the_default_is_active():
    done = run_cli("info")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"pluggrad {pluggrad.__version__}")
    assert "active backend: numpy -- chosen by default" in done.stdout
    numpy_line = next(line for line in lines if line.split()[:2] == ["*", "numpy"])
    assert "devices: cpu" in numpy_line
    for name in pluggrad.available_backends():
        assert any(name in line for line in lines[3:]), name


@pytest.mark.parametrize(
    ("args", "env", "reason"),
    [
        (["info"], {"PLUGGRAD_BACKEND": "array_api_strict"}, "environment variable"),
        (["info", "--backend", "array_api_strict"], {}, "--backend array_api_strict"),
        (["--backend", "array_api_strict", "info"], {}, "set_backend()"),
    ],
)
def test_info_says_why_the_active_backend_was_chosen(args, env, reason):
    pytest.importorskip("array_api_strict")
    done = run_cli(*args, env=env)
    assert done.returncode == 0, done.stderr
    active = next(line for line in done.stdout.splitlines() if line.startswith("active"))
    assert active.startswith("active backend: array_api_strict -- chosen by ")
    assert reason in active
    assert "* array_api_strict" in done.stdout


def test_unknown_backend_is_a_clear_error():
    done = run_cli("info", "--backend", "no_such_backend")
    assert done.returncode == 2
    assert "unknown pluggrad backend 'no_such_backend'" in done.stderr


# -- demo ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("args", [[], ["demo"], ["demo", "--backend", "numpy"]])
def test_demo_prints_the_tutorials_results(args):
    done = run_cli(*args)
    assert done.returncode == 0, done.stderr
    assert "the autograd tutorial on the 'numpy' backend" in done.stdout
    assert "tensor([10.])" in done.stdout
    assert "(tensor([30.]),)" in done.stdout
    assert "tensor([36.], grad_fn=<AddBackward0>)" in done.stdout


def test_demo_runs_on_another_backend():
    pytest.importorskip("array_api_strict")
    done = run_cli("demo", "--backend", "array_api_strict")
    assert done.returncode == 0, done.stderr
    assert "on the 'array_api_strict' backend" in done.stdout
    assert "tensor([10.])" in done.stdout


# -- check-backend, end to end ---------------------------------------------------------------------
def test_check_backend_runs_a_subset_and_prints_the_table(tmp_path):
    done = run_cli("check-backend", "numpy", "-k", KEYWORD, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "--backend numpy" in done.stdout
    table = done.stdout[done.stdout.index("module") :].splitlines()
    assert table[0].split() == ["module", "passed", "failed", "skipped", "errors"]
    assert next(r for r in table if r.startswith("test_tutorial")).split() == [
        "test_tutorial", "2", "0", "0", "0",
    ]  # fmt: skip
    assert "backend 'numpy' conforms: 2 passed" in done.stdout
    assert "2/2" in done.stderr  # the progress line


def test_check_backend_with_nothing_selected_fails(tmp_path):
    done = run_cli("check-backend", "numpy", "-k", "no_test_has_this_name", cwd=tmp_path)
    assert done.returncode == 5
    assert "no tests were selected" in done.stdout


def test_check_backend_of_an_unknown_backend_fails_clearly():
    out = io.StringIO()
    assert _check_backend.check_backend("no_such_backend", out=out) == 2
    assert "unknown pluggrad backend 'no_such_backend'" in out.getvalue()


BROKEN_BACKEND = '''
import array_api_compat.numpy as xp
import numpy as np

from pluggrad.backends import Backend


class Broken(Backend):
    """NumPy, except that every array it makes from Python data is off by one."""

    name = "broken"
    library = "numpy"
    xp = xp
    array_type = np.ndarray

    def native_dtype(self, dtype):
        return np.dtype(dtype.name)

    def normalize(self, result):
        return np.asarray(result)

    def asarray(self, obj, dtype=None):
        return np.asarray(obj, dtype=None if dtype is None else self.to_native[dtype]) + 1


backend = Broken()
'''


def test_check_backend_of_a_plugin_that_fails_exits_non_zero(tmp_path):
    """A third-party backend registered through the entry point, which gets values wrong."""
    (tmp_path / "broken_backend.py").write_text(BROKEN_BACKEND)
    dist = tmp_path / "broken_backend-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-backend\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[pluggrad.backends]\nbroken = broken_backend:backend\n")
    env = {"PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    done = run_cli("check-backend", "broken", "-k", KEYWORD, env=env, cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "FAILED " in done.stdout and "01_first_derivative" in done.stdout
    row = next(r for r in done.stdout.splitlines() if r.startswith("test_tutorial"))
    assert row.split() == ["test_tutorial", "0", "2", "0", "0"]
    assert "backend 'broken' does not conform: 2 failed" in done.stdout
    assert "full reports: pytest --pyargs pluggrad.conformance" in done.stdout


def test_check_backend_names_the_test_extra_when_pytest_is_missing(monkeypatch):
    monkeypatch.setattr(_check_backend, "missing_test_tools", lambda: ["hypothesis"])
    out = io.StringIO()
    assert _check_backend.check_backend("numpy", out=out) == 2
    assert 'pip install "pluggrad[conformance]"' in out.getvalue()
    assert "hypothesis" in out.getvalue()


def test_arguments_after_double_dash_are_for_check_backend_only(capsys):
    with pytest.raises(SystemExit):
        main(["info", "--", "-q"])
    assert "check-backend only" in capsys.readouterr().err


def test_main_dispatches_check_backend(monkeypatch):
    calls = []
    monkeypatch.setattr(
        _check_backend, "check_backend", lambda name, **kw: calls.append((name, kw)) or 7
    )
    assert main(["check-backend", "jax", "--quick", "-k", "tutorial", "--", "--maxfail=2"]) == 7
    assert calls == [
        ("jax", {"keyword": "tutorial", "quick": True, "exitfirst": False,
                 "extra_args": ["--maxfail=2"]}),
    ]  # fmt: skip


# -- check-backend, the pieces ---------------------------------------------------------------------
def test_pytest_arguments():
    assert _check_backend.pytest_arguments("jax")[:6] == [
        "--pyargs", "pluggrad.conformance", "-p", "pluggrad.conformance.plugin", "--backend", "jax",
    ]  # fmt: skip
    quick = _check_backend.pytest_arguments("jax", keyword="tutorial", quick=True)
    assert quick[quick.index("-m") + 1] == "not slow"
    assert quick[quick.index("-k") + 1] == "(tutorial) and not test_gradients_match_jax_vjp"
    assert "-x" in quick
    assert "-x" in _check_backend.pytest_arguments("jax", exitfirst=True)
    assert "-x" not in _check_backend.pytest_arguments("jax", keyword="tutorial")


REPORTER_SCRIPT = """
import json, sys
import pytest
from pluggrad._check_backend import ProgressReporter
reporter = ProgressReporter(stream=sys.stderr, interactive=True)
status = pytest.main([sys.argv[1], "-p", "no:terminal", "-p", "no:cacheprovider"],
                     plugins=[reporter])
print(json.dumps({"status": int(status), "total": reporter.total, "done": reporter.done,
                  "modules": {k: vars(v) for k, v in reporter.modules.items()},
                  "failures": [f[:2] for f in reporter.failures]}))
"""


def test_progress_reporter_counts_every_outcome(tmp_path):
    tests = tmp_path / "suite"
    tests.mkdir()
    (tests / "test_outcomes.py").write_text(
        textwrap.dedent(
            """
            import pytest

            @pytest.fixture
            def broken():
                raise RuntimeError("setup fails")

            def test_pass(): pass
            def test_fail(): assert 1 == 2
            def test_skip(): pytest.skip("no")
            @pytest.mark.xfail
            def test_xfail(): assert False
            def test_error(broken): pass
            """
        )
    )
    (tests / "test_other.py").write_text("def test_a(): pass\ndef test_b(): pass\n")
    done = subprocess.run(
        [sys.executable, "-c", REPORTER_SCRIPT, str(tests)],
        capture_output=True,
        cwd=tmp_path,
        timeout=120,
    )
    stdout, stderr = done.stdout.decode(), done.stderr.decode()  # bytes: keep the \r
    result = json.loads(stdout.splitlines()[-1])
    assert result["status"] == 1
    assert result["total"] == result["done"] == 7
    assert result["modules"] == {
        "test_outcomes": {"passed": 1, "failed": 1, "skipped": 2, "errors": 1},
        "test_other": {"passed": 2, "failed": 0, "skipped": 0, "errors": 0},
    }
    assert [when for _, when in result["failures"]] == ["call", "setup"]
    assert "\r[" in stderr and "7/7" in stderr  # the line is redrawn in place


def test_summary_table_has_a_row_per_module_and_a_total():
    modules = {
        "test_b": _check_backend.ModuleCounts(passed=3, skipped=1),
        "test_a": _check_backend.ModuleCounts(failed=2, errors=1),
    }
    reporter = _check_backend.ProgressReporter(stream=io.StringIO(), modules=modules)
    lines = _check_backend.summary_table(modules, reporter.totals()).splitlines()
    assert [line.split() for line in lines if not line.startswith("-")] == [
        ["module", "passed", "failed", "skipped", "errors"],
        ["test_a", "0", "2", "0", "1"],
        ["test_b", "3", "0", "1", "0"],
        ["total", "3", "2", "1", "1"],
    ]


def test_module_name():
    assert _check_backend.module_name("pluggrad/conformance/test_engine.py::t[numpy]") == (
        "test_engine"
    )
