"""The package's import structure, read from the source (``ast``; nothing is imported).

pluggrad is built in layers (docs/architecture.md): a module may import modules of its own layer
and of the layers below, never one above, and the imports form no cycle, also within a layer.
These tests fail, with a list, on:

- an import that points up a layer (or into a backend implementation, which the registry loads
  by name only);
- an import cycle among pluggrad's modules;
- an import inside a function that is not a lazy import of an optional third-party library,
  marked ``# noqa: PLC0415 - <why it is lazy>`` (the marker ruff's import-outside-toplevel
  rule reads);
- a module over 600 lines.

Every import counts: at the top, inside functions, and under ``if TYPE_CHECKING:``; an import
made only for annotations is still a dependency of the module's text on the module it names.
An import of a package's submodule (``from . import ops``, ``import pluggrad.ops.linalg``)
counts as an edge to that submodule, not to the packages above it that Python also initialises.
Only directories with an ``__init__.py`` are read: the tutorial's and the scenarios' scripts
under conformance/ are data files that the suite runs, not modules of the package.
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

try:
    import tomllib
except ImportError:  # Python 3.10: pytest depends on tomli there
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "pluggrad"

# The layer order, bottom to top: the one place it is written (docs/architecture.md includes
# this block).  Each entry names modules and packages; a package stands for its submodules too,
# and the most specific entry wins (pluggrad.backends.numpy is a backend implementation, the
# rest of pluggrad.backends the contract); the package's __init__ ("pluggrad") stands for itself
# only.  A module may import from its own layer and the layers below.
# --8<-- [start:layers]
LAYERS = (
    ("dtypes and devices", ["pluggrad._dtypes", "pluggrad._device"]),
    ("backend contract and registry", ["pluggrad.backends"]),
    (
        "core: grad mode, anomaly, hooks, graph, Tensor state, primitives, engine",
        ["pluggrad._core"],
    ),
    ("operations and their derivative table", ["pluggrad.ops"]),
    ("public autograd API, printing", ["pluggrad.autograd", "pluggrad._tensor_str"]),
    (
        "Tensor methods, extensions and tools",
        [
            "pluggrad._torch_keywords",
            "pluggrad._tensor_methods",
            "pluggrad.linalg",
            "pluggrad.fft",
            "pluggrad.cuda",
            "pluggrad.accelerator",
            "pluggrad.amp",
            "pluggrad.testing",
            "pluggrad._runtime",
            "pluggrad.special",
            "pluggrad._legacy",
            "pluggrad.utils",
            "pluggrad.viz",
            "pluggrad.nn",
            "pluggrad.optim",
            "pluggrad._stateful",
            "pluggrad.serialization",
            "pluggrad._trace",
            "pluggrad._compile",
            "pluggrad._info",
            "pluggrad._lazy",
            "pluggrad.distributed",
            "pluggrad.distributions",
            "pluggrad.random",
            "pluggrad.version",
            "pluggrad.func",
        ],
    ),
    (
        "backend implementations (loaded by name through entry points)",
        [
            "pluggrad.backends.numpy",
            "pluggrad.backends.array_api_strict",
            "pluggrad.backends.jax",
            "pluggrad.backends.dask",
        ],
    ),
    (
        "the package and its programs",
        [
            "pluggrad",
            "pluggrad.__main__",
            "pluggrad.as_torch",
            "pluggrad._demo",
            "pluggrad._check_backend",
            "pluggrad.conformance",
        ],
    ),
)
# --8<-- [end:layers]
# The registry imports these by name (importlib), so nothing outside one imports it statically.
LOADED_BY_NAME = "backend implementations (loaded by name through entry points)"
MAX_LINES = 600
# A lazy import's marker: ruff's code, then a dash and the reason the import is lazy.
LAZY_IMPORT_MARK = re.compile(r"#\s*noqa:\s*PLC0415\s+-\s+\w")


@dataclass(frozen=True)
class Source:
    """One module's text: `name` is its import name (a package's is the package's)."""

    name: str
    is_package: bool
    text: str


@dataclass(frozen=True)
class Import:
    """One imported module, as a statement of `module` names it."""

    module: str
    target: str  # the absolute module name
    line: int
    place: str  # "top", "type-checking" or "function"
    marked_lazy: bool  # the statement's line carries LAZY_IMPORT_MARK

    def at(self) -> str:
        return f"{self.module}:{self.line}"


# -- reading ---------------------------------------------------------------------------------------
def read_package(root: Path, package: str = PACKAGE) -> dict[str, Source]:
    """Every module of `package` under `root` (regular packages only), by import name."""
    sources: dict[str, Source] = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        directories = [root.joinpath(*parts[:i]) for i in range(1, len(parts))]
        if not all((d / "__init__.py").exists() for d in directories):
            continue
        is_package = parts[-1] == "__init__"
        name = ".".join(parts[:-1] if is_package else parts)
        sources[name] = Source(name, is_package, path.read_text(encoding="utf-8"))
    return sources


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _base(source: Source, level: int) -> str:
    """The package a relative import of `level` dots in `source` starts from."""
    parts = source.name.split(".")
    if not source.is_package:
        parts = parts[:-1]
    return ".".join(parts[: len(parts) - (level - 1)])


def imports_of(source: Source, known: set[str]) -> list[Import]:
    """The modules `source` imports (pluggrad's and others'), with where each import sits."""
    lines = source.text.splitlines()
    found: list[Import] = []

    def add(target: str, node: ast.stmt, place: str) -> None:
        marked = bool(LAZY_IMPORT_MARK.search(lines[node.lineno - 1]))
        found.append(Import(source.name, target, node.lineno, place, marked))

    def visit(node: ast.AST, place: str) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name, node, place)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = _base(source, node.level) + (f".{base}" if base else "")
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                add(submodule if submodule in known else base, node, place)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            for child in ast.iter_child_nodes(node):
                visit(child, "function")
        elif isinstance(node, ast.If) and place == "top" and _is_type_checking(node.test):
            for child in node.body:
                visit(child, "type-checking")
            for child in node.orelse:
                visit(child, place)
        else:
            for child in ast.iter_child_nodes(node):
                visit(child, place)

    visit(ast.parse(source.text), "top")
    return found


def internal(imports: list[Import], known: set[str]) -> tuple[list[Import], list[str]]:
    """The imports of pluggrad's modules, and those naming a pluggrad module that is not there
    (a module outside a regular package, or a typo: the checks would not see its imports)."""
    edges, unresolved = [], []
    for imp in imports:
        if imp.target in known:
            edges.append(imp)
        elif imp.target == PACKAGE or imp.target.startswith(PACKAGE + "."):
            unresolved.append(f"{imp.at()} imports {imp.target}, which is no module of the package")
    return edges, unresolved


# -- the rules -------------------------------------------------------------------------------------
def entry_of(module: str, layers=LAYERS) -> tuple[int, str] | None:
    """The layer index and entry of `module`: the most specific entry that covers it."""
    best = None
    for index, (_, entries) in enumerate(layers):
        for entry in entries:
            covers = module == entry or (entry != PACKAGE and module.startswith(entry + "."))
            if covers and (best is None or len(entry) > len(best[1])):
                best = (index, entry)
    return best


def layer_of(module: str, layers=LAYERS) -> int | None:
    """The index of `module`'s layer in `layers` (None if no entry covers it)."""
    found = entry_of(module, layers)
    return None if found is None else found[0]


def modules_without_layer(modules, layers=LAYERS) -> list[str]:
    return [m for m in sorted(modules) if layer_of(m, layers) is None]


def entries_without_module(modules, layers=LAYERS) -> list[str]:
    """Entries of `layers` that cover no module (a module moved or removed: stale data)."""
    return [
        entry
        for _, entries in layers
        for entry in entries
        if not any(m == entry or m.startswith(entry + ".") for m in modules)
    ]


def _describe(module: str, layers) -> str:
    index = layer_of(module, layers)
    return f"{module} (layer {index}, {layers[index][0]})"


def upward_imports(
    imports: list[Import], layers=LAYERS, loaded_by_name=LOADED_BY_NAME
) -> list[str]:
    """Imports of a module in a higher layer, or of a backend implementation from outside it."""
    names = [name for name, _ in layers]
    violations = []
    for imp in imports:
        source, target = layer_of(imp.module, layers), layer_of(imp.target, layers)
        if source is None or target is None:
            continue
        if target > source:
            violations.append(
                f"{imp.at()} {_describe(imp.module, layers)} imports "
                f"{_describe(imp.target, layers)} [{imp.place}]"
            )
        elif names[target] == loaded_by_name and entry_of(imp.module, layers) != entry_of(
            imp.target, layers
        ):
            violations.append(
                f"{imp.at()} imports the backend implementation {imp.target}, which only the "
                f"registry loads (by name) [{imp.place}]"
            )
    return sorted(violations)


def import_cycles(imports: list[Import]) -> list[list[str]]:
    """One cycle (its modules, the first repeated at the end) per strongly connected group."""
    graph: dict[str, set[str]] = {}
    for imp in imports:
        graph.setdefault(imp.module, set()).add(imp.target)
        graph.setdefault(imp.target, set())
    groups = _strongly_connected(graph)
    cycles = []
    for group in groups:
        start = min(group)
        if len(group) == 1 and start not in graph[start]:
            continue
        cycles.append(_shortest_cycle(graph, start, group))
    return sorted(cycles)


def _strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm, iterative (the package's graph is deep enough to matter)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.add(member)
                    if member == node:
                        break
                groups.append(group)
    return groups


def _shortest_cycle(graph: dict[str, set[str]], start: str, group: set[str]) -> list[str]:
    """The shortest path from `start` back to itself inside `group` (breadth first)."""
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for child in sorted(graph[node] & group):
                if child == start:
                    path = [node]  # back from the last step to start
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [start, *reversed(path[:-1]), start]
                if child not in previous:
                    previous[child] = node
                    following.append(child)
        frontier = following
    raise AssertionError(f"{start} is on no cycle of its group")


def required_libraries(pyproject: Path = ROOT / "pyproject.toml") -> set[str]:
    """The import names of the project's required dependencies (array-api-compat ->
    array_api_compat): always installed, so there is no reason to import them lazily."""
    with open(pyproject, "rb") as file:
        dependencies = tomllib.load(file)["project"]["dependencies"]
    return {re.split(r"[<>=!~\[; ]", d, maxsplit=1)[0].replace("-", "_") for d in dependencies}


def function_body_imports(imports: list[Import], required: set[str]) -> list[str]:
    """Imports inside functions that are not marked lazy imports of optional libraries."""
    violations = []
    for imp in imports:
        if imp.place != "function":
            continue
        top = imp.target.partition(".")[0]
        if top == PACKAGE:
            why = "imports a pluggrad module inside a function (import it at the top)"
        elif top in sys.stdlib_module_names or top in required:
            why = f"imports {imp.target}, which is always installed, inside a function"
        elif not imp.marked_lazy:
            why = (
                f"imports the optional library {imp.target} lazily without saying why "
                "(# noqa: PLC0415 - <reason>)"
            )
        else:
            continue
        violations.append(f"{imp.at()} {why}")
    return violations


def long_modules(sources: dict[str, Source], max_lines: int = MAX_LINES) -> list[str]:
    lengths = {name: len(source.text.splitlines()) for name, source in sources.items()}
    return [f"{name}: {n} lines" for name, n in sorted(lengths.items()) if n > max_lines]


def _report(title: str, violations: list[str]) -> None:
    if violations:
        pytest.fail(f"{title} ({len(violations)}):\n  " + "\n  ".join(violations), pytrace=False)


# -- the package -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def package():
    sources = read_package(ROOT)
    known = set(sources)
    every = [imp for source in sources.values() for imp in imports_of(source, known)]
    edges, unresolved = internal(every, known)
    return sources, every, edges, unresolved


def test_the_package_is_read(package):
    sources, _, edges, unresolved = package
    assert {"pluggrad", "pluggrad._core.engine", "pluggrad.ops", "pluggrad.autograd"} <= set(
        sources
    )
    assert len(sources) > 100 and len(edges) > 300
    _report("imports of pluggrad modules the checks cannot read", unresolved)
    assert {layer_of(m) for m in sources} == set(range(len(LAYERS))), "a layer holds no module"


def test_every_module_has_a_layer_and_every_entry_a_module(package):
    sources, *_ = package
    _report("modules that no entry of LAYERS covers", modules_without_layer(sources))
    _report("entries of LAYERS that name no module", entries_without_module(sources))


def test_no_import_points_up_a_layer(package):
    _, _, edges, _ = package
    _report("imports of a higher layer", upward_imports(edges))


def test_no_import_cycle(package):
    _, _, edges, _ = package
    cycles = [" -> ".join(cycle) for cycle in import_cycles(edges)]
    _report("import cycles", cycles)


def test_imports_inside_functions_are_marked_lazy_imports_of_optional_libraries(package):
    _, every, *_ = package
    _report("imports inside functions", function_body_imports(every, required_libraries()))


def test_no_module_is_over_600_lines(package):
    sources, *_ = package
    _report(f"modules over {MAX_LINES} lines", long_modules(sources))


# -- the checks themselves, on a made-up package ---------------------------------------------------
TOY_LAYERS = (
    ("low", ["pluggrad._low"]),
    ("mid", ["pluggrad.mid"]),
    ("impl", ["pluggrad.mid.impl"]),
    ("top", ["pluggrad"]),
)
TOY = {
    "pluggrad": (True, "from . import mid\nfrom .mid import impl\n"),
    "pluggrad._low": (False, "from .mid import helper  # up a layer\n"),
    "pluggrad.mid": (True, "from . import a\n"),
    "pluggrad.mid.helper": (False, "from typing import TYPE_CHECKING\n"),
    "pluggrad.mid.a": (
        False,
        "import os\nfrom . import b\nif TYPE_CHECKING:\n    from .. import _low\n"
        "def f():\n    import json\n    import jax  # noqa: PLC0415 - optional\n"
        "    import torch\n    from .helper import x\n",
    ),
    "pluggrad.mid.b": (False, "from .a import f\n" + "pass\n" * 20),
    "pluggrad.mid.impl": (True, "from .. import helper\nfrom . import impl_part\n"),
    "pluggrad.mid.impl.impl_part": (False, "from ..helper import y\n"),
    "pluggrad.orphan": (False, ""),
}


@pytest.fixture
def toy():
    sources = {name: Source(name, pkg, text) for name, (pkg, text) in TOY.items()}
    known = set(sources)
    every = [imp for source in sources.values() for imp in imports_of(source, known)]
    return sources, every, internal(every, known)[0]


def test_relative_imports_resolve_to_modules(toy):
    _, _, edges = toy
    pairs = {(imp.module, imp.target, imp.place) for imp in edges}
    assert ("pluggrad.mid", "pluggrad.mid.a", "top") in pairs  # from . import a (a submodule)
    assert ("pluggrad", "pluggrad.mid.impl", "top") in pairs
    assert ("pluggrad.mid.a", "pluggrad._low", "type-checking") in pairs
    assert ("pluggrad.mid.a", "pluggrad.mid.helper", "function") in pairs
    assert ("pluggrad.mid.impl.impl_part", "pluggrad.mid.helper", "top") in pairs
    assert ("pluggrad.mid.impl", "pluggrad.mid.helper", "top") in pairs  # from .. import helper


def test_the_checks_find_what_they_look_for(toy):
    sources, every, edges = toy
    # "pluggrad" stands for the package's __init__ only, so a new top-level module needs an entry
    assert modules_without_layer(sources, TOY_LAYERS) == ["pluggrad.orphan"]
    assert entries_without_module(sources, TOY_LAYERS) == []
    assert entries_without_module(sources, (*TOY_LAYERS, ("gone", ["pluggrad.gone"]))) == [
        "pluggrad.gone"
    ]
    upward = upward_imports(edges, TOY_LAYERS, loaded_by_name="impl")
    assert upward == [
        "pluggrad._low:1 pluggrad._low (layer 0, low) imports pluggrad.mid.helper (layer 1, mid) "
        "[top]",
        "pluggrad:2 imports the backend implementation pluggrad.mid.impl, which only the registry "
        "loads (by name) [top]",
    ]  # and not impl's import of its own part, nor a TYPE_CHECKING import of a lower layer
    assert import_cycles(edges) == [["pluggrad.mid.a", "pluggrad.mid.b", "pluggrad.mid.a"]]
    inside = function_body_imports(every, {"numpy"})
    assert [v.split(" ")[0] for v in inside] == [
        "pluggrad.mid.a:6",  # json: the standard library
        "pluggrad.mid.a:8",  # torch: optional, but no reason given
        "pluggrad.mid.a:9",  # a pluggrad module
    ]
    assert long_modules(sources, max_lines=20) == ["pluggrad.mid.b: 21 lines"]


def test_type_checking_imports_close_cycles():
    sources = {
        "pluggrad": Source("pluggrad", True, ""),
        "pluggrad.x": Source("pluggrad.x", False, "from .y import Y\n"),
        "pluggrad.y": Source(
            "pluggrad.y", False, "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
            "    from .x import X\n"
        ),
    }  # fmt: skip
    known = set(sources)
    edges, _ = internal([i for s in sources.values() for i in imports_of(s, known)], known)
    assert import_cycles(edges) == [["pluggrad.x", "pluggrad.y", "pluggrad.x"]]


def test_self_import_is_a_cycle():
    edges = [Import("pluggrad.x", "pluggrad.x", 1, "top", False)]
    assert import_cycles(edges) == [["pluggrad.x", "pluggrad.x"]]
