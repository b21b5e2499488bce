"""``import torch`` that imports pluggrad: PyTorch scripts unchanged, imports and all.

``import pluggrad as torch`` covers the attribute accesses of a script (``torch.nn.Linear``),
but not its imports of submodules: ``import torch.nn as nn``, ``from torch.utils.data import
DataLoader`` and ``import torch.nn.functional as F`` look for a package named ``torch``.
:func:`install` puts a finder on :data:`sys.meta_path` that answers ``torch`` and every
``torch.<name>`` with pluggrad's module of the same name (``torch.nn.functional`` is
``pluggrad.nn.functional``), the very module objects, so that both names see the same state.
A name pluggrad does not have is PyTorch's ``ModuleNotFoundError``, naming the module.  While
installed, dtypes and sizes print as PyTorch's (``torch.float32``, ``torch.Size([2, 3])``).

Run a script this way from the command line::

    python -m pluggrad run train.py --epochs 3     # (or: python -m pluggrad.as_torch ...)

or from Python, before the script's imports::

    import pluggrad.as_torch

    pluggrad.as_torch.install()
    import torch  # pluggrad
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.abc
import importlib.machinery
import os
import runpy
import sys
import warnings
from collections.abc import Iterator, Sequence
from types import ModuleType

from ._dtypes import act_as_torch, show_as

__all__ = ["install", "installed", "is_installed", "run", "uninstall"]

ALIAS = "torch"
PACKAGE = "pluggrad"


class _AliasLoader(importlib.abc.Loader):
    """Loads an alias as the pluggrad module it stands for, leaving that module untouched."""

    def __init__(self, module: ModuleType):
        self.module = module
        self.spec = module.__spec__

    def create_module(self, spec):
        return self.module

    def exec_module(self, module: ModuleType) -> None:
        # the import system set the alias's spec on the module: it keeps its own
        module.__spec__ = self.spec


class _AliasFinder(importlib.abc.MetaPathFinder):
    """Finds ``torch`` and ``torch.<name>`` as ``pluggrad`` and ``pluggrad.<name>``."""

    def find_spec(self, fullname: str, path=None, target=None):
        if fullname != ALIAS and not fullname.startswith(ALIAS + "."):
            return None
        real = PACKAGE + fullname[len(ALIAS) :]
        try:
            module = importlib.import_module(real)
        except ModuleNotFoundError as exc:
            if exc.name != real and not real.startswith(f"{exc.name}."):
                raise  # something the module itself imports is missing
            raise ModuleNotFoundError(f"No module named '{fullname}'", name=fullname) from None
        return importlib.machinery.ModuleSpec(fullname, _AliasLoader(module))


_FINDER = _AliasFinder()


def is_installed() -> bool:
    """Whether ``import torch`` imports pluggrad."""
    return _FINDER in sys.meta_path


def install() -> None:
    """Make ``import torch`` and ``import torch.<name>`` import pluggrad's modules.

    Raises
    ------
    RuntimeError
        Where PyTorch itself is imported already: its modules cannot be replaced under the
        code that holds them.
    """
    if is_installed():
        return
    loaded = sys.modules.get(ALIAS)
    if loaded is not None and not _is_pluggrad(loaded):
        raise RuntimeError(
            "PyTorch is imported already (sys.modules['torch'] is "
            f"{getattr(loaded, '__file__', loaded)!r}): install pluggrad.as_torch before "
            "anything imports torch"
        )
    sys.meta_path.insert(0, _FINDER)
    show_as(ALIAS)
    act_as_torch(True)


def uninstall() -> None:
    """Undo :func:`install`: ``torch`` and its submodules are no longer pluggrad's (the
    modules a script imported under those names keep working)."""
    if _FINDER in sys.meta_path:
        sys.meta_path.remove(_FINDER)
    show_as(PACKAGE)
    act_as_torch(False)
    for name in [n for n in sys.modules if n == ALIAS or n.startswith(ALIAS + ".")]:
        if _is_pluggrad(sys.modules[name]):
            del sys.modules[name]


@contextlib.contextmanager
def installed() -> Iterator[None]:
    """:func:`install` for a block of code, :func:`uninstall` after it (if it installed)."""
    was = is_installed()
    install()
    try:
        yield
    finally:
        if not was:
            uninstall()


def run(script: str, argv: Sequence[str] = ()) -> None:
    """Run the file `script` as ``__main__`` with ``sys.argv = [script, *argv]``, its
    ``import torch`` importing pluggrad (as ``python script.py`` would run it, its directory
    first on ``sys.path``)."""
    install()
    saved_argv, saved_path = sys.argv[:], sys.path[:]
    sys.argv = [script, *argv]
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    try:
        with warnings.catch_warnings():
            # PyTorch computes log(0), x / 0 and sqrt(-1) in silence; NumPy's kernels, which
            # pluggrad's operations run, warn on stderr (the warning's frame is pluggrad's, or
            # array_api_compat's, whose astype casts 70000.0 to float16's inf)
            warnings.filterwarnings("ignore", _FLOATING_POINT, RuntimeWarning, _KERNEL_MODULES)
            # its absolute path, as Python (3.9+) names a script's code: in tracebacks and
            # warnings, and as its __file__
            runpy.run_path(os.path.abspath(script), run_name="__main__")
    finally:
        sys.argv, sys.path[:] = saved_argv, saved_path


# NumPy's floating-point warnings ("divide by zero encountered in log", ...)
_FLOATING_POINT = r"(divide by zero|invalid value|overflow|underflow) encountered"
_KERNEL_MODULES = r"(pluggrad|array_api_compat)(\.|$)"


def _is_pluggrad(module: ModuleType) -> bool:
    name = getattr(module, "__name__", "")
    return name == PACKAGE or name.startswith(PACKAGE + ".")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: python -m pluggrad.as_torch SCRIPT [ARGS...]")
    run(sys.argv[1], sys.argv[2:])
