"""PyTorch's results for its 16-bit floats (``float16``, ``bfloat16``): type promotion,
``finfo``, printing, legacy type names, float16 draws and a few float16 values and gradients,
recorded in ``half_dtypes_torch.json`` for ``test_half_dtypes`` (which runs without torch).

Run by hand, with torch installed (pluggrad never needs it otherwise)::

    python -m pluggrad.conformance._regenerate_half_dtypes
"""

from __future__ import annotations

import json
import pathlib
from typing import Any

OUTPUT = pathlib.Path(__file__).with_name("half_dtypes_torch.json")

#: dtypes promoted against the 16-bit floats
PROMOTED = ("float16", "bfloat16", "float32", "float64", "int64", "uint8", "bool", "complex64")
#: ``(seed, low, high)`` of the float16 ``uniform_`` draws
DRAWS = ((0, 0.0, 1.0), (1, -2.0, 3.0), (2, 0.5, 0.75))
#: float16 functions of :func:`points`
FUNCTIONS = ("exp", "tanh", "sigmoid", "sin", "sqrt", "log1p")
REPRS = {
    "float16": "X.half()",
    "bfloat16": "X.bfloat16()",
    "grad_fn": "X.half().requires_grad_()[:2].sum()",
    "module": "T.nn.Linear(2, 1).half().weight.dtype",
}


def points(T) -> Any:
    """The inputs the float16 values and the printed tensors read."""
    return T.tensor([1e-3, 300.25, 1e5, -2.5, 0.1])


def record(T) -> dict[str, Any]:
    """Everything the test compares, computed with `T` (torch, or pluggrad in the test)."""
    x = points(T)
    out: dict[str, Any] = {
        "promote": {
            f"{a},{b}": str(T.promote_types(getattr(T, a), getattr(T, b))).split(".")[1]
            for a in PROMOTED
            for b in PROMOTED
            if "16" in a + b
        },
        "finfo": {
            name: [
                float(getattr(T.finfo(getattr(T, name)), k))
                for k in ("bits", "eps", "max", "min", "tiny", "resolution")
            ]  # fmt: skip
            for name in ("float16", "bfloat16")
        },
        "types": [T.ones(1).half().type(), T.ones(1).bfloat16().type()],
        "repr": {key: repr(eval(code, {"T": T, "X": x})) for key, code in REPRS.items()},
    }
    draws = {}
    for seed, low, high in DRAWS:
        T.manual_seed(seed)
        draws[f"{low},{high}"] = T.empty(300, dtype=T.float16).uniform_(low, high).tolist()
    out["uniform"] = draws
    v = T.linspace(0.0, 3.0, 13, dtype=T.float64).half()
    out["values"] = {name: getattr(T, name)(v).tolist() for name in FUNCTIONS}
    w = T.tensor([0.5, -1.25, 2.0], dtype=T.float16, requires_grad=True)
    (w * w * w).sum().backward()
    out["grad_cube"] = w.grad.tolist()
    return out


def main() -> None:
    import torch  # noqa: PLC0415 - the oracle, only when regenerating by hand

    OUTPUT.write_text(json.dumps(record(torch), indent=1) + "\n")


if __name__ == "__main__":
    main()
