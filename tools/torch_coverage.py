"""Measure how much of PyTorch's tensor API pluggrad has, and write ``docs/coverage.md``.

Run where PyTorch is installed (pluggrad never needs it otherwise)::

    python tools/torch_coverage.py [--output docs/coverage.md]

PyTorch's own list of its overridable public API (``torch.overrides.get_testing_overrides()``)
is the set measured, by namespace: ``torch``, ``Tensor`` methods and attributes,
``torch.linalg``, ``torch.special`` and ``torch.fft``.  Left out, each with its reason in the
table: the kernels behind ``torch.nn``'s layers (``native_batch_norm``, ``lstm_cell``...),
quantized, sparse and vendor kernels (mkldnn, cudnn, fbgemm, miopen...), ``*_copy`` and
``sym_*`` variants, and private names.  A name counts as supported when pluggrad has it at
the same place (``pluggrad.<name>``, ``pluggrad.Tensor.<name>``, ``pluggrad.linalg.<name>``...).
"""

from __future__ import annotations

import argparse
import collections
import pathlib
import re
import sys

import torch

import pluggrad

ROOT = pathlib.Path(__file__).resolve().parent.parent

# (pattern, reason): the first that matches a name leaves it out of the measured set
_NN_KERNELS = "the kernels behind torch.nn's layers (pluggrad.nn has the layers)"
EXCLUDED = [
    (r"^_", "private"),
    (
        r"quantiz|^q_|_q_|fake_quant|^dequantize|int_repr|q_scale|q_zero_point|q_per_channel|qscheme",
        "quantized tensors",
    ),
    (
        r"sparse|^to_dense$|coalesce|^indices$|^values$|crow_|col_indices|row_indices|ccol_|"
        r"^smm$|^sspaddmm$|^hspmm$|_nnz$|sparse_dim|dense_dim|^to_sparse|^is_coalesced$",
        "sparse tensors",
    ),
    (
        r"mkldnn|cudnn|miopen|fbgemm|nnpack|xnnpack|vulkan|^mps|_mps|cuda|^is_vulkan|^is_xla|"
        r"^is_ipu|^is_xpu|^is_mtia|^is_maia|^is_hpu|^is_meta$|^is_mkldnn$|^is_mps$|^is_nested$|"
        r"^is_sparse|^is_quantized$|^ipu$|^xpu$|^mtia$|^hpu$|pin_memory|^is_pinned$|^record_stream$|"
        r"^share_memory_$|^is_shared$|^nested_|^to_padded_tensor$|^map2?_$|^apply_$",
        "vendor kernels, devices and memory PyTorch alone has",
    ),
    (r"_copy$", "*_copy variant"),
    (r"^sym_", "sym_* (symbolic shapes)"),
    (
        r"^native_|^fused_|^_?fused|^im2col|^col2im|^unfold_backward$|^rnn_(tanh|relu)|^lstm|^gru|"
        r"^quantized|affine_grid_generator|grid_sampler|^batch_norm_(stats|elemt|gather|"
        r"update|backward)|^conv_tbc$|^convolution$|^embedding_renorm_$",
        _NN_KERNELS,
    ),
]

NAMESPACES = {
    "torch": (torch, pluggrad),
    "Tensor": (torch.Tensor, pluggrad.Tensor),
    "linalg": (torch.linalg, pluggrad.linalg),
    "special": (torch.special, getattr(pluggrad, "special", None)),
    "fft": (torch.fft, pluggrad.fft),
    "nn.functional": (torch.nn.functional, pluggrad.nn.functional),
}

# classes, measured by their module's __all__ (they are not in the overridable API)
CLASSES = {
    "nn": (torch.nn.modules, pluggrad.nn),
    "optim": (torch.optim, pluggrad.optim),
    "optim.lr_scheduler": (torch.optim.lr_scheduler, pluggrad.optim.lr_scheduler),
    "utils.data": (torch.utils.data, pluggrad.utils.data),
}


def _index() -> dict[int, tuple[str, str]]:
    """Where each overridable object lives: id -> (namespace label, name)."""
    found: dict[int, tuple[str, str]] = {}
    for label, (namespace, _) in NAMESPACES.items():
        for name in dir(namespace):
            try:
                obj = getattr(namespace, name)
            except Exception:
                continue
            found.setdefault(id(obj), (label, name))
            if label == "Tensor":
                raw = torch.Tensor.__dict__.get(name) or torch._C.TensorBase.__dict__.get(name)
                if raw is not None and hasattr(raw, "__get__"):
                    found.setdefault(id(raw.__get__), (label, name))
    return found


def _reason(name: str, label: str = "torch") -> str | None:
    for pattern, reason in EXCLUDED:
        if label == "nn.functional" and reason == _NN_KERNELS:
            continue  # measured there
        if re.search(pattern, name):
            return reason
    return None


def measure() -> dict[str, list[tuple[str, bool, str]]]:
    """For each namespace, (name, supported, reason) of every measured or excluded name."""
    index = _index()
    rows: dict[str, dict[str, tuple[bool, str]]] = collections.defaultdict(dict)
    for obj in torch.overrides.get_testing_overrides():
        place = index.get(id(obj))
        if place is None:
            continue  # torch.nn.functional, torch.nn.init...: not measured
        label, name = place
        reason = _reason(name, label)
        ours = NAMESPACES[label][1]
        supported = ours is not None and hasattr(ours, name)
        rows[label][name] = (supported, reason or "")
    for label, (theirs, ours) in CLASSES.items():
        for name in getattr(theirs, "__all__", []):
            if isinstance(getattr(theirs, name, None), type):
                private = "private" if name.startswith("_") else ""
                rows[label][name] = (hasattr(ours, name), private)
    return {
        label: sorted((name, ok, why) for name, (ok, why) in names.items())
        for label, names in rows.items()
    }


def render(table: dict[str, list[tuple[str, bool, str]]]) -> str:
    lines = [
        "# Coverage of PyTorch's tensor API",
        "",
        "Written by `python tools/torch_coverage.py` with PyTorch "
        f"{torch.__version__.split('+')[0]} installed: PyTorch's own list of its public, "
        "overridable API (`torch.overrides.get_testing_overrides()`), by namespace. Names "
        "of the kernels behind `torch.nn`'s layers, quantized, sparse and vendor kernels, "
        "`*_copy` and `sym_*` variants are listed apart, with the reason, and not counted.",
        "",
        "| namespace | supported | measured | share |",
        "|---|---|---|---|",
    ]
    for label, rows in table.items():
        measured = [r for r in rows if not r[2]]
        ok = sum(1 for r in measured if r[1])
        share = f"{100 * ok / len(measured):.0f}%" if measured else "-"
        lines.append(f"| `{label}` | {ok} | {len(measured)} | {share} |")
    for label, rows in table.items():
        lines += ["", f"## `{label}`", "", "| name | pluggrad | note |", "|---|---|---|"]
        for name, ok, why in rows:
            if why:
                lines.append(f"| `{name}` | left out | {why} |")
            else:
                lines.append(f"| `{name}` | {'yes' if ok else 'no'} | {'' if ok else 'missing'} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default=str(ROOT / "docs" / "coverage.md"))
    args = parser.parse_args(argv)
    table = measure()
    pathlib.Path(args.output).write_text(render(table), encoding="utf-8")
    for label, rows in table.items():
        measured = [r for r in rows if not r[2]]
        print(f"{label:8s} {sum(r[1] for r in measured):4d} / {len(measured):4d}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
