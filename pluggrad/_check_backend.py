"""``python -m pluggrad check-backend NAME``: the conformance suite against one backend.

Runs ``pytest --pyargs pluggrad.conformance -p pluggrad.conformance.plugin --backend NAME`` in
this process, with pytest's own terminal output replaced by one progress line (redrawn in place
on a terminal) and, at the end, the failures and a table of outcomes per test module.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from typing import TextIO

from .backends import load_backend

OUTCOMES = ("passed", "failed", "skipped", "errors")
INSTALL_HINT = 'pip install "pluggrad[conformance]"'
QUICK_DESELECT = "not test_gradients_match_jax_vjp"  # the jax.vjp oracle: the slowest module part
FAILURE_LINES = 30  # last lines of each failure's report shown in the summary


def missing_test_tools() -> list[str]:
    """The test tools the conformance suite needs that are not installed."""
    return [name for name in ("pytest", "hypothesis") if importlib.util.find_spec(name) is None]


def pytest_arguments(
    backend: str, *, keyword: str | None = None, quick: bool = False, exitfirst: bool = False
) -> list[str]:
    """The pytest command line (without ``pytest``) that checks `backend`."""
    args = ["--pyargs", "pluggrad.conformance", "-p", "pluggrad.conformance.plugin"]
    args += ["--backend", backend]
    # the project's own pytest settings (if run from a checkout) must not change the check
    args += ["-o", "addopts=", "-p", "no:cacheprovider"]
    selection = [f"({keyword})"] if keyword else []
    if quick:
        args += ["-m", "not slow"]
        selection.append(QUICK_DESELECT)
    if selection:
        args += ["-k", " and ".join(selection)]
    if quick or exitfirst:
        args.append("-x")
    return args


@dataclass
class ModuleCounts:
    """Outcomes of the tests of one module."""

    passed: int = 0
    failed: int = 0
    skipped: int = 0
    errors: int = 0


@dataclass(eq=False)  # pytest keeps plugins in sets: identity hashing
class ProgressReporter:
    """A pytest plugin: counts outcomes, draws a progress line, keeps the failures' reports.

    Registered in place of pytest's terminal reporter, so that the run prints one updating
    line instead of a screen of dots.
    """

    stream: TextIO = field(default_factory=lambda: sys.stderr)
    interactive: bool | None = None
    total: int = 0
    done: int = 0
    modules: dict[str, ModuleCounts] = field(default_factory=dict)
    failures: list[tuple[str, str, str]] = field(default_factory=list)  # (nodeid, when, text)
    collection_errors: list[tuple[str, str]] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)
    _last_draw: float = 0.0

    def __post_init__(self) -> None:
        if self.interactive is None:
            self.interactive = hasattr(self.stream, "isatty") and self.stream.isatty()

    # -- pytest hooks ----------------------------------------------------------------------------
    def pytest_configure(self, config) -> None:
        config.addinivalue_line("markers", "slow: long-running scenario")

    def pytest_collectreport(self, report) -> None:
        if report.failed:
            self.collection_errors.append((report.nodeid or "<collection>", report.longreprtext))
            self._counts(report.nodeid).errors += 1

    def pytest_collection_finish(self, session) -> None:
        self.total = len(session.items)
        self.started = time.perf_counter()
        self._draw(force=True)

    def pytest_runtest_logreport(self, report) -> None:
        counts = self._counts(report.nodeid)
        if report.when == "call":
            if report.passed:
                counts.passed += 1
            elif report.skipped:  # skipped during the call, or an expected failure
                counts.skipped += 1
            else:
                counts.failed += 1
                self.failures.append((report.nodeid, "call", report.longreprtext))
        elif report.when == "setup":
            if report.skipped:
                counts.skipped += 1
            elif report.failed:
                counts.errors += 1
                self.failures.append((report.nodeid, "setup", report.longreprtext))
        elif report.when == "teardown":
            if report.failed:
                counts.errors += 1
                self.failures.append((report.nodeid, "teardown", report.longreprtext))
            self.done += 1
            self._draw()

    def pytest_sessionfinish(self, session) -> None:
        self._draw(force=True)
        if self.interactive:
            self.stream.write("\n")
        self.stream.flush()

    # -- drawing ---------------------------------------------------------------------------------
    def _counts(self, nodeid: str) -> ModuleCounts:
        return self.modules.setdefault(module_name(nodeid), ModuleCounts())

    def totals(self) -> ModuleCounts:
        """The outcomes summed over all modules."""
        total = ModuleCounts()
        for counts in self.modules.values():
            for outcome in OUTCOMES:
                setattr(total, outcome, getattr(total, outcome) + getattr(counts, outcome))
        return total

    def line(self) -> str:
        """The progress line: a bar, tests done of total, counts so far, elapsed time."""
        t = self.totals()
        fraction = self.done / self.total if self.total else 1.0
        width = 24
        filled = int(round(fraction * width))
        bar = "#" * filled + "-" * (width - filled)
        elapsed = time.perf_counter() - self.started
        return (
            f"[{bar}] {self.done}/{self.total}  passed {t.passed}  failed {t.failed}  "
            f"skipped {t.skipped}  errors {t.errors}  {elapsed:.0f}s"
        )

    def _draw(self, force: bool = False) -> None:
        now = time.perf_counter()
        if self.interactive:
            if force or now - self._last_draw >= 0.1:
                columns = shutil.get_terminal_size((100, 20)).columns
                self.stream.write("\r" + self.line()[: columns - 1].ljust(columns - 1))
                self.stream.flush()
                self._last_draw = now
        elif force or now - self._last_draw >= 10.0:  # a log: one line every 10 s at most
            self.stream.write(self.line() + "\n")
            self.stream.flush()
            self._last_draw = now


def module_name(nodeid: str) -> str:
    """``test_engine`` for ``pluggrad/conformance/test_engine.py::test_x[numpy]``."""
    path = nodeid.split("::", 1)[0]
    base = os.path.basename(path)
    return base[:-3] if base.endswith(".py") else base or "<collection>"


def summary_table(modules: dict[str, ModuleCounts], totals: ModuleCounts) -> str:
    """The per-module outcome table, with a total row."""
    rows = [(name, modules[name]) for name in sorted(modules)] + [("total", totals)]
    width = max([len("module")] + [len(name) for name, _ in rows])
    head = f"{'module':<{width}}  " + "  ".join(f"{o:>7}" for o in OUTCOMES)
    lines = [head, "-" * len(head)]
    for k, (name, counts) in enumerate(rows):
        if k == len(rows) - 1:
            lines.append("-" * len(head))
        cells = "  ".join(f"{getattr(counts, o):>7}" for o in OUTCOMES)
        lines.append(f"{name:<{width}}  {cells}")
    return "\n".join(lines)


def _tail(text: str, lines: int) -> str:
    parts = text.rstrip().splitlines()
    if len(parts) <= lines:
        return "\n".join(parts)
    return "\n".join(["    ...", *parts[-lines:]])


def check_backend(
    backend: str,
    *,
    keyword: str | None = None,
    quick: bool = False,
    exitfirst: bool = False,
    extra_args: list[str] | None = None,
    out: TextIO | None = None,
    progress: TextIO | None = None,
) -> int:
    """Run the conformance suite against the backend registered as `backend`.

    Prints the progress line to `progress` (standard error by default) and the report to `out`
    (standard output); returns the exit status: 0 when every selected test passed or was
    skipped, pytest's status otherwise, 2 if the backend or the test tools are missing.
    """
    out = sys.stdout if out is None else out
    progress = sys.stderr if progress is None else progress
    missing = missing_test_tools()
    if missing:
        print(
            f"error: check-backend needs {' and '.join(missing)}, which "
            f"{'is' if len(missing) == 1 else 'are'} not installed; run: {INSTALL_HINT}",
            file=out,
        )
        return 2

    import pytest  # noqa: PLC0415 - optional (the conformance extra), checked for just above

    try:
        loaded = load_backend(backend)
    except (ValueError, ImportError, TypeError) as error:
        print(f"error: {error}", file=out)
        return 2

    args = pytest_arguments(backend, keyword=keyword, quick=quick, exitfirst=exitfirst)
    args += extra_args or []
    command = "pytest " + " ".join(_quote(a) for a in args)
    print(f"checking backend {backend!r} ({loaded.library}) against pluggrad's conformance suite",
          file=out)  # fmt: skip
    print(command, file=out)
    out.flush()
    reporter = ProgressReporter(stream=progress)
    status = int(pytest.main([*args, "-p", "no:terminal"], plugins=[reporter]))

    for nodeid, text in reporter.collection_errors:
        print(f"\nERROR collecting {nodeid}\n{_tail(text, FAILURE_LINES)}", file=out)
    for nodeid, when, text in reporter.failures:
        kind = "FAILED" if when == "call" else f"ERROR at {when} of"
        print(f"\n{kind} {nodeid}\n{_tail(text, FAILURE_LINES)}", file=out)
    totals = reporter.totals()
    print("\n" + summary_table(reporter.modules, totals), file=out)
    elapsed = time.perf_counter() - reporter.started
    if status == 0:
        verdict = f"backend {backend!r} conforms: {totals.passed} passed, {totals.skipped} skipped"
    elif status == 5:
        verdict = "no tests were selected (check the -k expression)"
    elif status == 2 and not reporter.modules:
        verdict = "the run was interrupted or pytest could not start (see above)"
    else:
        verdict = (
            f"backend {backend!r} does not conform: {totals.failed} failed, {totals.errors} errors"
        )
    print(f"\n{verdict} ({elapsed:.1f}s)", file=out)
    if reporter.failures or reporter.collection_errors:
        print(f"full reports: {command}", file=out)
    return status


def _quote(arg: str) -> str:
    return f'"{arg}"' if any(c in arg for c in " ()") or not arg or arg.endswith("=") else arg
