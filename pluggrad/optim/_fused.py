"""Adam's update run as the backend's kernels writing into the optimizer's own arrays.

The single-tensor update (``Adam._update``) is about a dozen in-place tensor operations per
parameter, four of them making a parameter-sized temporary; on NumPy each is one pass over
memory plus the dispatch of a Tensor method.  Where the backend writes arrays in place
(``Backend.in_place_kernels``: ufuncs with ``out=`` on NumPy) and the values are at hand (host
memory, outside a trace), :func:`adam_update` runs the same operations, in the same order and
dtype, as kernels over two scratch arrays, one cache-sized block of the arrays at a time
(every pass over a block while it is in cache, not a dozen passes over memory): the results
are bit-identical to the tensor path and the version counters advance as they would there.
Elsewhere (JAX, a trace, a view among the tensors that does not hold its storage's array) it
returns False and the tensor path runs.
"""

from __future__ import annotations

from typing import Any

from .._core.grad_mode import grad_enabled
from .._core.tensor import Tensor
from ..ops._alias_writes import writes_in_place, wrote_in_place

__all__: list[str] = []

_NEEDED = ("add", "subtract", "multiply", "divide", "sqrt")
# Adam's dozen passes run over one block of each array at a time where the backend gives flat
# views (`Backend.flat_view`): a block of the five arrays and two scratch blocks stay in the
# L2 cache (128 KiB each: 1.5x faster than whole arrays on W7's MLP, measured against 16, 32
# and 256 KiB); the operations are elementwise, so the results are the same bit for bit
_BLOCK_BYTES = 128 * 1024


def _kernels(p: Tensor, tensors: tuple[Tensor, ...], amsgrad: bool) -> dict[str, Any] | None:
    """The backend's in-place kernels if Adam's update of `p` may run on the arrays of
    `tensors` (``p``, its gradient and its state) directly, else None."""
    backend = p._backend
    kernels = backend.in_place_kernels
    if grad_enabled() or any(name not in kernels for name in _NEEDED):
        return None
    if amsgrad and "maximum" not in kernels:
        return None
    if p.dtype.kind != "f" or not backend.has_values(p._data):
        return None
    for t in tensors:
        if t._backend is not backend or t.dtype is not p.dtype or t.shape != p.shape:
            return None
    if not all(writes_in_place(t) for t in tensors if t is not tensors[1]):  # the gradient is read
        return None
    return kernels


def _update(k, p, g, m, v, mx, d, e, constants) -> None:
    """One block of Adam's update (the arrays `p`, `g`, `m`, `v`, `mx` or parts of them, `d`
    and `e` scratch of their size), PyTorch's operations in PyTorch's order."""
    add, sub, mul, div = k["add"], k["subtract"], k["multiply"], k["divide"]
    weight, beta2, one_minus_beta2, bias_correction2_sqrt, eps, minus_step_size = constants
    sub(g, m, out=d)  # lerp: PyTorch's two formulas, each exact at its own end
    if abs(weight) < 0.5:
        mul(d, weight, out=d)
        add(m, d, out=m)
    else:
        mul(d, 1 - weight, out=d)
        sub(g, d, out=m)  # -(end - x)(1 - w) + end, with the negation folded (exact)
    mul(v, beta2, out=v)
    mul(g, one_minus_beta2, out=d)
    mul(d, g, out=d)
    add(v, d, out=v)
    second = v
    if mx is not None:
        k["maximum"](mx, v, out=mx)
        second = mx
    k["sqrt"](second, out=d)
    div(d, bias_correction2_sqrt, out=d)
    add(d, eps, out=d)
    mul(m, minus_step_size, out=e)
    div(e, d, out=e)
    add(p, e, out=p)


def adam_update(
    p: Tensor,
    grad: Tensor,
    exp_avg: Tensor,
    exp_avg_sq: Tensor,
    max_exp_avg_sq: Tensor | None,
    *,
    beta1: float,
    beta2: float,
    step_size: float,
    bias_correction2_sqrt: float,
    eps: float,
) -> bool:
    """Adam's update of `p` after the weight decay, in PyTorch's single-tensor order::

        exp_avg.lerp_(grad, 1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        max_exp_avg_sq = maximum(max_exp_avg_sq, exp_avg_sq)          (amsgrad)
        denom = (second.sqrt() / bias_correction2_sqrt).add_(eps)
        p.addcdiv_(exp_avg, denom, value=-step_size)

    run as kernels writing into the arrays (see the module's docstring).  Returns False, having
    changed nothing, where that cannot be done."""
    tensors = (p, grad, exp_avg, exp_avg_sq) + (() if max_exp_avg_sq is None else (max_exp_avg_sq,))
    k = _kernels(p, tensors, max_exp_avg_sq is not None)
    if k is None:
        return False
    backend = p._backend
    arrays = [t._data for t in tensors]
    flats: list[Any] = [backend.flat_view(a) for a in arrays]
    constants = (1 - beta1, beta2, 1 - beta2, bias_correction2_sqrt, eps, -step_size)
    if any(f is None for f in flats):  # no flat view without a copy: the arrays in one go
        d, e = backend.xp.empty_like(arrays[0]), backend.xp.empty_like(arrays[0])
        mx = arrays[4] if len(arrays) > 4 else None
        _update(k, arrays[0], arrays[1], arrays[2], arrays[3], mx, d, e, constants)
    else:
        size, step = flats[0].shape[0], max(1, _BLOCK_BYTES // p.element_size())
        d, e = backend.xp.empty_like(flats[0][:step]), backend.xp.empty_like(flats[0][:step])
        for i in range(0, size, step):
            part = [f[i : i + step] for f in flats]
            n = part[0].shape[0]  # (the last block may be shorter)
            mx = part[4] if len(part) > 4 else None
            _update(k, part[0], part[1], part[2], part[3], mx, d[:n], e[:n], constants)
    if max_exp_avg_sq is not None:
        wrote_in_place(max_exp_avg_sq)
    # the tensor path's in-place operations: p.add_, exp_avg.add_ (or copy_), exp_avg_sq.mul_
    # and .add_ (amsgrad: max_exp_avg_sq.copy_, counted above)
    exp_avg_sq._vc[0] += 1
    for t in (p, exp_avg, exp_avg_sq):
        wrote_in_place(t)
    return True
