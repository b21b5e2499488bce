"""PyTorch's draws for the random ``torch.*`` aliases of ``nn.functional`` (``torch.dropout``,
``torch.alpha_dropout``, ``torch.feature_alpha_dropout``, ``torch.rrelu``...) and the modules
``RReLU`` and ``FeatureAlphaDropout``, recorded in ``random_aliases_torch.json`` for
``test_random_aliases`` (which runs without torch).

Run by hand, with torch installed (pluggrad never needs it otherwise)::

    python -m pluggrad.conformance._regenerate_random_aliases

Each case is an expression over ``T`` (``torch``, or ``pluggrad`` in the test) and the inputs
of :func:`inputs`, evaluated right after ``T.manual_seed(seed)``.
"""

from __future__ import annotations

import json
import pathlib
from typing import Any

OUTPUT = pathlib.Path(__file__).with_name("random_aliases_torch.json")

CASES = [
    "T.dropout(X, 0.3, True)",
    "T.dropout_(X.clone(), 0.6, True)",
    "T.alpha_dropout(X, 0.4, True)",
    "T.feature_dropout(X3, 0.25, True)",
    "T.feature_alpha_dropout(X3, 0.5, True)",
    "T.feature_alpha_dropout_(X3.clone(), 0.3, True)",
    "T.nn.functional.feature_alpha_dropout(X3, 0.5, True)",
    "T.nn.FeatureAlphaDropout(0.2)(X3)",
    "T.rrelu(X, 0.1, 0.3, True)",
    "T.rrelu(X.double(), training=True)",
    "T.rrelu_(X.clone(), 0.2, 0.25, True)",
    "T.nn.functional.rrelu(X, training=True)",
    "T.nn.RReLU(0.05, 0.5)(X)",
    "T.nn.RReLU(inplace=True)(X.clone())",
]
SEEDS = (0, 7)


def inputs(T) -> dict[str, Any]:
    """The tensors the cases read: ``X`` (4x6, from -2 to 2) and ``X3`` (the same, 4x3x2)."""
    x = T.linspace(-2.0, 2.0, 24).reshape(4, 6)
    return {"T": T, "X": x, "X3": x.reshape(4, 3, 2)}


def cases() -> list[tuple[int, str]]:
    return [(seed, code) for seed in SEEDS for code in CASES]


def main() -> None:
    import torch  # noqa: PLC0415 - the oracle, only when regenerating by hand

    records = []
    for seed, code in cases():
        torch.manual_seed(seed)
        out = eval(code, inputs(torch))  # the case list above
        records.append(
            {"seed": seed, "code": code, "dtype": str(out.dtype).split(".")[-1],
             "shape": list(out.shape), "values": out.detach().reshape(-1).tolist()}
        )  # fmt: skip
    lines = ",\n".join(json.dumps(record) for record in records)
    OUTPUT.write_text(f"[\n{lines}\n]\n")
    print(f"{OUTPUT.name}: {len(records)} cases")


if __name__ == "__main__":
    main()
