"""Command line: ``python -m pluggrad [demo|info] [--backend NAME]``.

With no command it runs the demo: the founding tutorial's key results on the active backend
(NumPy unless ``PLUGGRAD_BACKEND`` or ``--backend`` says otherwise).
"""

from __future__ import annotations

import argparse
import sys


def _info() -> None:
    import importlib.metadata as metadata

    import pluggrad
    from pluggrad.backends import available_backends, backend_choice_reason, load_backend

    print(f"pluggrad {pluggrad.__version__}")
    active = pluggrad.get_backend()
    print(f"active backend: {active.name} ({backend_choice_reason()})")
    print("backends:")
    for name in available_backends():
        try:
            backend = load_backend(name)
        except ImportError as error:
            print(f"  {name:<18} not installed: {error}")
            continue
        try:
            version = metadata.version(backend.library.replace("_", "-"))
        except metadata.PackageNotFoundError:
            version = "?"
        device = backend.device_of(backend.asarray([0.0]))
        print(f"  {name:<18} {backend.library} {version}, device {device}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pluggrad", description=__doc__.splitlines()[0])
    parser.add_argument("command", nargs="?", default="demo", choices=["demo", "info"])
    parser.add_argument("--backend", help="backend to use (default: PLUGGRAD_BACKEND or numpy)")
    args = parser.parse_args(argv)

    import pluggrad

    if args.backend:
        pluggrad.set_backend(args.backend)
    if args.command == "info":
        _info()
    else:
        from pluggrad._demo import run

        run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
