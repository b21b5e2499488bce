"""Write ``pluggrad/_torch_keywords.json``: PyTorch's argument names, for keyword calls.

Run where PyTorch is installed (pluggrad never needs it otherwise)::

    python tools/torch_keywords.py

For each function of ``torch``, ``torch.linalg``, ``torch.fft``, ``torch.special`` and each
Tensor method that pluggrad has, the file records the position of each of PyTorch's
positional parameters (``input`` 0, ``other`` 1, ...; a method's positions count after
``self``), whether PyTorch takes ``out=`` (and how many tensors it writes), and which of the
storage options ``layout``, ``pin_memory`` and ``memory_format`` it takes (pluggrad's dense,
row-major arrays have one value of each; see ``pluggrad._torch_keywords``).  pluggrad's
public functions use it to accept ``torch.matmul(input=a, other=b)`` and ``out=`` where their
own signatures (the array API's ``x1, x2, /``) name them differently.

The names come from ATen's operator schemas (``torch._C._jit_get_all_schemas``, with
``self`` spelled ``input`` as Python's bindings spell it) and, for PyTorch's functions written
in Python (``torch.functional``), from their signatures.  A name found at two positions in
different overloads is left out: a keyword call with it goes to pluggrad's own signature.
"""

from __future__ import annotations

import collections
import inspect
import json
import pathlib
import types

import torch

import pluggrad

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "pluggrad" / "_torch_keywords.json"

# namespace: (pluggrad's, PyTorch's, the prefix of its ATen operators)
NAMESPACES = {
    "torch": (pluggrad, torch, ""),
    "linalg": (pluggrad.linalg, torch.linalg, "linalg_"),
    "fft": (pluggrad.fft, torch.fft, "fft_"),
    "special": (pluggrad.special, torch.special, "special_"),
}


def _is_tensor_schema(schema) -> bool:
    return any("Tensor" in str(argument.type) for argument in schema.arguments)


def _written(argument) -> bool:
    return argument.alias_info is not None and argument.alias_info.is_write


def _schemas() -> dict[str, list]:
    by_name = collections.defaultdict(list)
    for schema in torch._C._jit_get_all_schemas():
        if schema.name.startswith("aten::") and _is_tensor_schema(schema):
            by_name[schema.name.removeprefix("aten::")].append(schema)
    return by_name


def _storage_options() -> dict[str, set[str]]:
    """The storage options each operator takes, from all its overloads (a factory function's
    takes no tensor, so :func:`_schemas` leaves it out)."""
    by_name: dict[str, set[str]] = collections.defaultdict(set)
    for schema in torch._C._jit_get_all_schemas():
        if schema.name.startswith("aten::"):
            names = {a.name for a in schema.arguments if a.kwarg_only}
            by_name[schema.name.removeprefix("aten::")] |= names & set(STORAGE_OPTIONS)
    return by_name


#: PyTorch's keywords for how a tensor is stored
STORAGE_OPTIONS = ("layout", "memory_format", "pin_memory")


def _from_schemas(schemas, *, method: bool) -> tuple[dict[str, int], int]:
    """Positions of the positional parameters, and the number of ``out=`` tensors."""
    positions: dict[str, set[int]] = collections.defaultdict(set)
    n_out = 0
    for schema in schemas:
        arguments = list(schema.arguments)
        written = [a for a in arguments if a.kwarg_only and _written(a)]
        if written:
            n_out = max(n_out, len(written))
        if arguments and arguments[0].name == "self" and _written(arguments[0]) and not method:
            continue  # an in-place overload, a method's
        positional = [a.name for a in arguments if not a.kwarg_only]
        if method:
            if not positional or positional[0] != "self" or str(arguments[0].type) != "Tensor":
                continue  # not a method of Tensor (TorchScript's list sort...)
            positional = positional[1:]
        else:
            positional = ["input" if name == "self" else name for name in positional]
        for index, name in enumerate(positional):
            positions[name].add(index)
    unique = {name: next(iter(found)) for name, found in positions.items() if len(found) == 1}
    return dict(sorted(unique.items(), key=lambda item: item[1])), n_out


def _from_python(function) -> tuple[dict[str, int], int]:
    try:
        parameters = list(inspect.signature(function).parameters.values())
    except (TypeError, ValueError):
        return {}, 0
    positions = {}
    for index, parameter in enumerate(parameters):
        if parameter.kind not in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
            break
        if parameter.name == "out":
            continue
        positions[parameter.name] = index
    return positions, int(any(p.name == "out" for p in parameters))


def _record(positions: dict[str, int], n_out: int, options: set[str] = frozenset()) -> list:
    """``[positions]``, ``[positions, n_out]`` or ``[positions, n_out, options]``."""
    if options:
        return [positions, n_out, sorted(options)]
    return [positions, n_out] if n_out else [positions]


def build() -> dict[str, dict]:
    schemas, storage = _schemas(), _storage_options()
    table: dict[str, dict] = {}
    for namespace, (ours, theirs, prefix) in NAMESPACES.items():
        entries = {}
        for name in sorted(dir(ours)):
            if name.startswith("_") or not callable(getattr(theirs, name, None)):
                continue
            function = getattr(theirs, name)
            options = storage.get(prefix + name, set())
            if isinstance(function, types.FunctionType):  # written in Python
                positions, n_out = _from_python(function)
            else:
                positions, n_out = _from_schemas(schemas.get(prefix + name, []), method=False)
            if positions or n_out or options:
                entries[name] = _record(positions, n_out, options)
        table[namespace] = entries
    methods = {}
    for name in sorted(dir(pluggrad.Tensor)):
        if name.startswith("__") or not callable(getattr(torch.Tensor, name, None)):
            continue
        positions, _ = _from_schemas(schemas.get(name, []), method=True)
        options = storage.get(name, set())
        if positions or options:
            methods[name] = _record(positions, 0, options)
    table["Tensor"] = methods
    return table


def main() -> None:
    table = build()
    lines = ["{"]
    for n, (namespace, entries) in enumerate(table.items()):
        lines.append(f'  "{namespace}": {{')
        items = [f"    {json.dumps(name)}: {json.dumps(rec)}" for name, rec in entries.items()]
        lines.append(",\n".join(items))
        lines.append("  }" + ("," if n < len(table) - 1 else ""))
    lines.append("}")
    OUTPUT.write_text("\n".join(lines) + "\n")
    counts = ", ".join(f"{namespace} {len(entries)}" for namespace, entries in table.items())
    print(f"wrote {OUTPUT.relative_to(ROOT)}: {counts}")


if __name__ == "__main__":
    main()
