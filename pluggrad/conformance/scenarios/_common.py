"""What the torch-comparison scenarios print with: rounded values, the exception a call raises,
a module's output and its gradients.

The scenarios run twice: on pluggrad (``test_scenarios``) and on real PyTorch (``_regenerate``
writes the ``.expected`` files), so nothing here imports either: tensors are used only through
the methods both have.
"""

from __future__ import annotations

import warnings

__all__ = ["check", "failure", "fixed", "head", "rounded", "states"]


def rounded(values, digits: int = 5):
    """`values` (a number or nested lists, as ``Tensor.tolist()`` gives) with every float
    rounded to `digits` places, and ``-0.0`` printed as ``0.0``: the sign of a zero is not
    part of what the scenarios compare."""
    if isinstance(values, list):
        return [rounded(v, digits) for v in values]
    return round(values, digits) + 0.0 if isinstance(values, float) else values


def failure(label: str, make, cut: str | tuple[str, ...] = ()) -> None:
    """Print the type and first line of the exception ``make()`` raises, or ``no error``.

    The line ends before the first of `cut` in it: what follows names a Size or a dtype,
    which print as pluggrad's (``pluggrad.Size``) outside ``python -m pluggrad run``."""
    try:
        make()
    except Exception as exc:  # the scenario prints what each call raises
        message = str(exc).split("\n")[0]
        for end in (cut,) if isinstance(cut, str) else cut:
            message = message.split(end)[0]
        print(label, type(exc).__name__, message)
    else:
        print(label, "no error")


def check(label: str, make, *inputs) -> None:
    """Print ``make(*leaves)``'s shape and values and the leaves' gradients of a weighted sum of
    it (weights from 0.5 to 1.5, so each output element's gradient differs); the leaves are
    detached copies of `inputs`.  A ``(values, indices)`` result prints its indices too."""
    leaves = [t.detach().clone().requires_grad_() for t in inputs]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = make(*leaves)
    indices = None
    if isinstance(out, tuple):
        out, indices = out
    n = out.numel()
    weights = [0.5 + i / max(n - 1, 1) for i in range(n)]
    (out * out.new_tensor(weights).double().reshape(out.shape)).sum().backward()
    grads = [rounded(t.grad.tolist()) if t.grad is not None else None for t in leaves]
    print(label, list(out.shape), rounded(out.detach().tolist()), grads)
    if indices is not None:
        print("  indices", str(indices.dtype).split(".")[-1], indices.tolist())


def head(t, n: int = 8) -> list:
    """`t`'s shape and its first `n` values (in memory order), rounded."""
    return [list(t.shape), rounded(t.reshape(-1)[:n].tolist())]


def fixed(layer):
    """`layer` in float64 with every parameter set to evenly spaced values from -0.5 to 0.5
    (the same in both libraries, unlike their random initializations)."""
    layer = layer.double()
    for p in layer.parameters():
        n = p.numel()
        values = [-0.5 + i / max(n - 1, 1) for i in range(n)]
        p.data.copy_(p.new_tensor(values).reshape(p.shape))
    return layer


def states(value) -> list:
    """A recurrent layer's hidden state as a list: ``(h, c)`` for an LSTM, ``[h]`` otherwise."""
    return list(value) if isinstance(value, tuple) else [value]
