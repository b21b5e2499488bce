"""PyTorch's CPU random numbers, and the script that records them in ``torch_random.json``
for ``test_torch_random`` (which runs without torch).

Run by hand, with torch installed (pluggrad never needs it otherwise)::

    python -m pluggrad.conformance._regenerate_torch_random

Each case is a line of code over ``T`` (``torch``, or ``pluggrad`` in the test) run right
after ``T.manual_seed(seed)``; the record keeps the results' shapes, dtypes, the SHA-256 of
their bytes and, for small results and those compared with a tolerance, their values.  Float32
normals of 16 or more elements are compared with a tolerance: PyTorch computes them with
Sleef's vector log, sin and cos, which NumPy's float32 functions match within a few ulps only.
The training run (:data:`TRAINING`) records the loss of every step of a small MLP trained with
a shuffling ``DataLoader`` and dropout.
"""

from __future__ import annotations

import hashlib
import json
import pathlib
from typing import Any

import numpy as np

OUTPUT = pathlib.Path(__file__).with_name("torch_random.json")

_FLOAT_OPS = [
    "T.rand({n}, dtype=T.{dt})",
    "T.randn({n}, dtype=T.{dt})",
    "T.empty({n}, dtype=T.{dt}).normal_(0.5, 2.0)",
    "T.empty({n}, dtype=T.{dt}).normal_(0.1, 0.3)",
    "T.empty({n}, dtype=T.{dt}).uniform_(-0.7, 0.3)",
    "T.empty({n}, dtype=T.{dt}).uniform_(-0.001, 2.5)",
    "T.empty({n}, dtype=T.{dt}).exponential_(1.5)",
    "T.empty({n}, dtype=T.{dt}).bernoulli_(0.3)",
    "T.bernoulli(T.full(({n},), 0.3, dtype=T.{dt}))",
    "T.empty({n}, dtype=T.{dt}).cauchy_(0.1, 0.3)",
    "T.empty({n}, dtype=T.{dt}).log_normal_(0.1, 0.3)",
    "T.empty({n}, dtype=T.{dt}).geometric_(0.3)",
    "T.empty({n}, dtype=T.{dt}).random_()",
    "T.empty({n}, dtype=T.{dt}).random_(10)",
    "T.normal(T.arange({n}.0, dtype=T.{dt}), T.full(({n},), 0.5, dtype=T.{dt}))",
    "T.normal(T.arange({n}.0, dtype=T.{dt}), 0.5)",
    "T.normal(1.0, T.full(({n},), 0.5, dtype=T.{dt}))",
    "T.rand_like(T.zeros({n}, 2, dtype=T.{dt}))",
    "T.randn_like(T.zeros({n}, 2, dtype=T.{dt}))",
]
_INT_OPS = [
    "T.randint(0, 10, ({n},))",
    "T.randint(-5, 2**40, ({n},))",
    "T.randint(0, 7, ({n},), dtype=T.int32)",
    "T.randperm({n})",
    "T.empty({n}, dtype=T.int64).random_()",
    "T.empty({n}, dtype=T.int32).random_(-3, 1000)",
    "T.empty({n}, dtype=T.uint8).random_()",
    "T.empty({n}, dtype=T.bool).random_()",
    "T.randint_like(T.zeros({n}, dtype=T.int64), 3, 9)",
    "T.multinomial(T.arange(1.0, 6.0), min({n}, 5))",
    "T.multinomial(T.arange(1.0, 6.0).repeat(2, 1), {n}, replacement=True)",
    "T.multinomial(T.arange(1.0, 6.0, dtype=T.float64), {n}, replacement=True)",
]
# draws in a row: the cached second normal sample, mt19937's twist after 624 words
_SEQUENCES = [
    "(T.randn(7, dtype=T.float64), T.randn(3, dtype=T.float64), T.randn(5), T.rand(2))",
    "(T.rand(700), T.randint(0, 2**50, (400,)), T.rand(5, dtype=T.float64))",
    "(T.randn(3), T.empty(3).log_normal_(), T.randn(2, dtype=T.float64))",
]
_MODULES = [
    "tuple(T.nn.Linear(784, 10).parameters())",
    "tuple(T.nn.Conv2d(3, 8, 3).parameters())",
    "tuple(T.nn.Conv1d(4, 6, 5, bias=False).parameters())",
    "tuple(T.nn.LSTM(10, 20, 2).parameters())",
    "tuple(T.nn.GRU(6, 5).parameters())",
    "tuple(T.nn.Embedding(50, 8).parameters())",
    "tuple(T.nn.Embedding(3, 4).parameters())",
    "T.nn.init.xavier_normal_(T.empty(30, 20))",
    "T.nn.init.kaiming_normal_(T.empty(5, 2, dtype=T.float64))",
    "T.nn.init.trunc_normal_(T.empty(40, dtype=T.float64))",
    "T.nn.init.trunc_normal_(T.empty(40, dtype=T.float64), 0.5, 1.0, 2.5, 4.0)",
    "T.nn.functional.dropout(T.ones(50), 0.3)",
    "T.nn.functional.dropout2d(T.ones(4, 6, 3, 3), 0.3)",
    "T.nn.functional.dropout1d(T.ones(3, 5, 2), 0.4)",
    "T.nn.functional.alpha_dropout(T.ones(40), 0.2, True)",
    # attention's dropout: at::dropout's draws, on the weights of every head
    "T.nn.functional.scaled_dot_product_attention(T.ones(2, 2, 3, 4), T.ones(2, 2, 5, 4), "
    "T.arange(40.0).reshape(1, 1, 5, 8).expand(2, 2, 5, 8), dropout_p=0.3)",
    "T.nn.TransformerEncoderLayer(8, 2, 16, 0.2)(T.ones(3, 2, 8))",
]


def cases() -> list[tuple[int, str]]:
    """(seed, code) of every case, seeds varying."""
    out = []
    for dt in ("float32", "float64"):
        for n in (1, 3, 15, 16, 17, 40):
            out += [(0, op.format(n=n, dt=dt)) for op in _FLOAT_OPS]
        out += [(7, f"T.randn(1000, dtype=T.{dt})"), (8, f"T.rand(1000, dtype=T.{dt})")]
        out += [(9, f"T.randn(10, 100, dtype=T.{dt})")]
    for n in (1, 5, 16, 100):
        out += [(1, op.format(n=n)) for op in _INT_OPS]
    out += [(1000, "T.randperm(1000)")]
    out += [(s, code) for s in (0, 42) for code in _SEQUENCES]
    out += [(s, code) for s in (0, 3) for code in _MODULES]
    # complex draws: the real and imaginary parts drawn as one real tensor of twice the size
    for dt, n in (("complex64", 5), ("complex128", 20), ("complex64", 40)):
        out += [(2, f"T.randn({n}, dtype=T.{dt})"), (2, f"T.rand({n}, dtype=T.{dt})")]
        out += [(2, f"T.randn_like(T.zeros({n}, dtype=T.{dt}))")]
    # complex tensors filled in place: both parts drawn with the same arguments (normal_'s std
    # divided by sqrt(2))
    for dt, n in (("complex64", 5), ("complex128", 20)):
        out += [(4, f"T.empty({n}, dtype=T.{dt}).normal_(0.5, 2.0)")]
        out += [(4, f"T.empty({n}, dtype=T.{dt}).uniform_(-0.7, 0.3)")]
    return [(seed + i % 3, code) for i, (seed, code) in enumerate(out)]


def exact(code: str, arrays: list[np.ndarray]) -> bool:
    """Whether pluggrad gives PyTorch's bits: all but float32 normals of 16 elements or more
    (and what is computed from them), and attention (products and softmax, to float
    rounding)."""
    if "attention" in code or "Transformer" in code:
        return False
    f32_normal = any(word in code for word in ("randn", "normal", "Embedding", "multinomial"))
    return not (f32_normal and any(real_values(a).dtype == np.float32 and real_values(a).size >= 16
                                   for a in arrays))  # fmt: skip


def real_values(a: np.ndarray) -> np.ndarray:
    """`a`'s values, flat, a complex array's as (real, imaginary) pairs (JSON has no complex
    numbers; a complex draw is one of twice as many reals)."""
    flat = np.ascontiguousarray(a).ravel()
    return flat.view(flat.real.dtype) if np.iscomplexobj(flat) else flat


def record(values: Any) -> list[dict]:
    """The record of one result (a tensor or a tuple of them)."""
    tensors = values if isinstance(values, tuple) else (values,)
    out = []
    for t in tensors:
        a = np.ascontiguousarray(t.detach().numpy())
        values = real_values(a).tolist()
        if real_values(a).dtype == np.float32:  # 9 digits give a float32 back exactly
            values = [float(f"{v:.9g}") for v in values]
        out.append({"shape": list(a.shape), "dtype": str(a.dtype),
                    "sha256": hashlib.sha256(a.tobytes()).hexdigest(),
                    "values": values})  # fmt: skip
    return out


#: the training run: a shuffling DataLoader, dropout, SGD with momentum, 3 epochs
TRAINING = """
X = T.randn(96, 12)
y = T.randint(0, 3, (96,))
model = T.nn.Sequential(T.nn.Linear(12, 16), T.nn.ReLU(), T.nn.Dropout(0.25), T.nn.Linear(16, 3))
loader = T.utils.data.DataLoader(T.utils.data.TensorDataset(X, y), batch_size=16, shuffle=True)
opt = T.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
losses = []
for epoch in range(3):
    for xb, yb in loader:
        opt.zero_grad()
        loss = T.nn.functional.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
        losses.append(loss.item())
after = T.rand(4)
"""


def run_training(T: Any) -> tuple[list[float], Any]:
    """The losses of :data:`TRAINING` with `T` (seeded with 0) and the draw after it."""
    T.manual_seed(0)
    scope: dict = {"T": T}
    exec(TRAINING, scope)  # the run is shared code, stored as text
    return scope["losses"], scope["after"]


def main() -> None:
    import torch  # noqa: PLC0415 - only for regenerating, never a dependency

    torch.set_num_threads(1)
    records = []
    for seed, code in cases():
        torch.manual_seed(seed)
        results = record(eval(code, {"T": torch}))  # our own case list
        bitwise = exact(code, [np.zeros(r["shape"], r["dtype"]) for r in results])
        for r in results:
            if bitwise and len(r["values"]) > 64:
                del r["values"]
        records.append({"seed": seed, "code": code, "results": results})
    torch.manual_seed(5)
    torch.randn(3)  # a cached normal sample
    torch.rand(630)  # past mt19937's first twist
    state = torch.get_rng_state().numpy()
    after = record((torch.randn(5, dtype=torch.float64), torch.rand(3)))
    losses, tail = run_training(torch)
    data = {
        "torch": torch.__version__,
        "cases": records,
        "state": {"hex": state.tobytes().hex(), "after": after},
        "training": {"losses": losses, "after": record(tail)},
    }
    OUTPUT.write_text(json.dumps(data, separators=(",", ":")) + "\n")
    print(f"wrote {OUTPUT} ({len(records)} cases)")


if __name__ == "__main__":
    main()
