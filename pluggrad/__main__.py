"""Command line: ``python -m pluggrad [demo|info|check-backend NAME|run SCRIPT] [--backend NAME]``.

With no command it runs the demo: the founding tutorial's key results on the active backend
(NumPy unless ``PLUGGRAD_BACKEND`` or ``--backend`` says otherwise).

    python -m pluggrad                       # the demo on the default backend
    python -m pluggrad demo --backend jax    # the demo on JAX
    python -m pluggrad info                  # version, backends, devices, the active backend
    python -m pluggrad check-backend NAME    # the conformance suite against a backend
    python -m pluggrad run train.py ARGS     # a PyTorch script, its `import torch` pluggrad
"""

from __future__ import annotations

import argparse
import importlib.metadata as metadata
import os
import platform
import sys

import pluggrad
from pluggrad import _check_backend, _demo, as_torch
from pluggrad.backends import ENV_VAR, available_backends, backend_choice_reason, load_backend


def _devices(backend) -> str:
    """The devices of a backend's library, as its array API inspection namespace lists them."""
    info = getattr(backend.xp, "__array_namespace_info__", None)
    default = backend.device_of(backend.asarray([0.0]))
    if info is None:
        return str(default)
    try:
        devices = [d for d in info().devices() if d is not None]
    except Exception:  # an incomplete inspection API: fall back to where arrays are made
        return str(default)
    return ", ".join(str(d) for d in devices) + f" (default {default})"


def info(backend_option: str | None = None) -> None:
    """Print the version, the registered backends and why the active backend is active."""
    print(f"pluggrad {pluggrad.__version__} (Python {platform.python_version()})")
    active = pluggrad.get_backend()
    reason = backend_choice_reason()
    if backend_option:
        reason = f"--backend {backend_option} (set_backend())"
    print(f"active backend: {active.name} -- chosen by {reason}")
    print(f"  (strongest first: use_backend() block, set_backend(), {ENV_VAR}, default numpy)")
    print("installed backends:")
    width = max(len(name) for name in available_backends())
    for name in available_backends():
        try:
            backend = load_backend(name)
        except ImportError as error:
            print(f"  {name:<{width}}  not installed: {error}")
            continue
        except (ValueError, TypeError) as error:
            print(f"  {name:<{width}}  broken entry point: {error}")
            continue
        try:
            version = metadata.version(backend.library.replace("_", "-"))
        except metadata.PackageNotFoundError:
            version = getattr(sys.modules.get(backend.library), "__version__", "?")
        mark = "*" if backend is active else " "
        print(f"{mark} {name:<{width}}  {backend.library} {version}; devices: {_devices(backend)}")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pluggrad",
        description=__doc__.split("\n\n")[0].replace("``", ""),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--backend",
        default=argparse.SUPPRESS,
        help="backend to use (default: PLUGGRAD_BACKEND or numpy)",
    )
    parser.add_argument("--backend", help="backend to use (default: PLUGGRAD_BACKEND or numpy)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser(
        "demo", parents=[common], help="print the tutorial's key results (the default command)"
    )
    commands.add_parser(
        "info",
        parents=[common],
        help="version, installed backends with library versions and devices, the active backend",
    )
    check = commands.add_parser(
        "check-backend",
        help="run the conformance suite against a backend",
        usage="python -m pluggrad check-backend [-h] [-k EXPR] [--quick] [-x] NAME "
        "[-- PYTEST_ARGS ...]",
        description="Run pluggrad's conformance suite (pytest --pyargs pluggrad.conformance) "
        "against the backend registered as NAME; exits non-zero if any test fails.  Arguments "
        "after -- go to pytest.",
    )
    check.add_argument("name", metavar="NAME", help="registered backend name (see: info)")
    check.add_argument(
        "-k", dest="keyword", metavar="EXPR", help="only tests matching this pytest -k expression"
    )
    check.add_argument(
        "--quick",
        action="store_true",
        help="skip slow tests and the jax.vjp oracle, stop at the first failure",
    )
    check.add_argument("-x", "--exitfirst", action="store_true", help="stop at the first failure")
    script = commands.add_parser(
        "run",
        parents=[common],
        help="run a PyTorch script whose `import torch` (and torch.nn, ...) imports pluggrad",
    )
    script.add_argument("script", metavar="SCRIPT", help="the Python file to run as __main__")
    script.add_argument("script_args", nargs=argparse.REMAINDER, metavar="ARGS",
                        help="the script's own arguments")  # fmt: skip
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line with `argv` (``sys.argv[1:]`` by default); return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    pytest_args: list[str] = []
    if "--" in argv:  # check-backend NAME ... -- ARGS: ARGS go to pytest
        argv, pytest_args = argv[: argv.index("--")], argv[argv.index("--") + 1 :]
    args = parser.parse_args(argv)
    command = args.command or "demo"
    if pytest_args and command != "check-backend":
        parser.error("arguments after -- are for check-backend only")

    if command == "check-backend":
        return _check_backend.check_backend(
            args.name,
            keyword=args.keyword,
            quick=args.quick,
            exitfirst=args.exitfirst,
            extra_args=pytest_args,
        )

    if args.backend:
        try:
            pluggrad.set_backend(args.backend)
        except (ValueError, ImportError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
    if command == "info":
        info(args.backend)
    elif command == "run":
        as_torch.run(args.script, args.script_args)
    else:
        _demo.run()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
