"""Loss primitives behind :mod:`pluggrad.nn.functional` whose backward PyTorch writes as one
formula (no topic of the standard: :data:`pluggrad.ops.derivatives.INTERNAL`).

``mse_loss`` is one operation too (``MseLossBackward0``, the node a printed loss names), and
``binary_cross_entropy``, ``BinaryCrossEntropyBackward0``, and not only for
speed: its input gradient ``(x - t) / max((1 - x) x, 1e-12) * grad`` is finite where the input is
exactly 0 or 1 (a saturated sigmoid in float32), where differentiating the clamped logarithms
gives ``0 * inf = nan``.  Under ``create_graph=True`` that gradient is itself one operation,
``binary_cross_entropy_backward`` (``BinaryCrossEntropyBackwardBackward0``), with PyTorch's
double-backward formulas.

``binary_cross_entropy_with_logits`` is one operation in PyTorch, ``BinaryCrossEntropyWithLogits
Backward0``, whose input gradient is ``(sigmoid(x) - t) * grad`` (with its weight terms): made of
the elementwise operations, its backward would differentiate each of them (the masks of a stable
``softplus``, the broadcast of the mean), several times the work and, on Dask, several times the
tasks.  Its formulas (:mod:`pluggrad.ops.derivatives.losses`) are written with the namespace's
operations, so derivatives of every order work.
"""

from __future__ import annotations

from .._core.primitive import apply
from .._core.tensor import Tensor
from ._define import primitive
from .derivatives.losses import bce_input_grad, mse_input_grad

__all__ = [
    "binary_cross_entropy", "binary_cross_entropy_backward", "binary_cross_entropy_with_logits",
    "check_probabilities", "log_sigmoid_of", "mse_loss", "mse_loss_backward", "nll_loss_rows",
]  # fmt: skip


def log_sigmoid_of(xp, x):
    """``log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|))`` (PyTorch's CPU kernel): no overflow
    and no branch, on raw arrays of namespace `xp` or on Tensors."""
    return xp.minimum(x, 0.0) - xp.log1p(xp.exp(-xp.abs(x)))


def _reduced(xp, loss, weight, reduction: str):
    """`loss` times `weight` (None: 1), reduced as `reduction` says."""
    if weight is not None:
        loss = loss * weight
    if reduction == "mean":
        return xp.mean(loss)
    return xp.sum(loss) if reduction == "sum" else loss


def check_probabilities(values) -> None:
    """PyTorch's error for a binary cross-entropy input (NumPy's values) outside [0, 1] (NaN
    included)."""
    if not ((values >= 0) & (values <= 1)).all():
        raise RuntimeError("all elements of input should be between 0 and 1")


def _bce_forward(backend, input, target, weight, *, reduction):  # noqa: A002
    xp = backend.xp
    input = backend.checked_when_computed(input, check_probabilities)  # noqa: A001 - lazy ones
    # PyTorch's CPU kernel: (t - 1) max(log1p(-x), -100) - t max(log(x), -100)
    loss = (target - 1) * xp.maximum(xp.log1p(-input), -100.0) - target * xp.maximum(
        xp.log(input), -100.0
    )
    return _reduced(xp, loss, weight, reduction)


_BCE = primitive("binary_cross_entropy", ("input", "target", "weight"), forward=_bce_forward)


def binary_cross_entropy(
    input: Tensor,  # noqa: A002 - PyTorch's names
    target: Tensor,
    weight: Tensor | None,
    reduction: str,
) -> Tensor:
    """PyTorch's ``binary_cross_entropy`` as one operation, for `input` (values in [0, 1]) and
    `target` of one real floating dtype and shape, `weight` None or a tensor of that dtype that
    broadcasts to the input's shape and needs no gradient, `reduction` ``"none"``, ``"mean"``
    or ``"sum"``: ``-(t log x + (1 - t) log(1 - x))``, each logarithm at least -100, times
    `weight`, reduced.  ``nn.functional`` checks the arguments."""
    return apply(_BCE, (input, target, weight), {"reduction": reduction})


def _bce_backward_forward(backend, grad_output, input, target, weight, *, reduction):  # noqa: A002
    return bce_input_grad(backend.xp, grad_output, input, target, weight, reduction)


_BCE_BACKWARD = primitive(
    "binary_cross_entropy_backward",
    ("grad_output", "input", "target", "weight"),
    forward=_bce_backward_forward,
)


def binary_cross_entropy_backward(grad_output, input, target, weight, reduction: str) -> Tensor:  # noqa: A002
    """The input gradient of :func:`binary_cross_entropy` as one operation (PyTorch's
    ``binary_cross_entropy_backward``): what its backward records under ``create_graph=True``,
    so that a second backward runs PyTorch's double-backward formulas."""
    return apply(_BCE_BACKWARD, (grad_output, input, target, weight), {"reduction": reduction})


def _mse_forward(backend, input, target, *, reduction):  # noqa: A002
    diff = input - target  # PyTorch's kernel: diff * diff
    return _reduced(backend.xp, diff * diff, None, reduction)


_MSE = primitive("mse_loss", ("input", "target"), forward=_mse_forward)


def mse_loss(input: Tensor, target: Tensor, reduction: str) -> Tensor:  # noqa: A002
    """PyTorch's ``mse_loss`` as one operation (``MseLossBackward0``), for `input` and `target`
    of one floating dtype and shape: ``(input - target) ** 2``, reduced.  ``nn.functional``
    broadcasts them and checks the arguments."""
    return apply(_MSE, (input, target), {"reduction": reduction})


def _mse_backward_forward(backend, grad_output, input, target, *, reduction):  # noqa: A002
    return mse_input_grad(backend.xp, grad_output, input, target, reduction)


_MSE_BACKWARD = primitive(
    "mse_loss_backward", ("grad_output", "input", "target"), forward=_mse_backward_forward
)


def mse_loss_backward(grad_output, input, target, reduction: str) -> Tensor:  # noqa: A002
    """The input gradient of :func:`mse_loss` as one operation (PyTorch's
    ``mse_loss_backward``, ``MseLossBackwardBackward0``): what its backward records under
    ``create_graph=True`` (the target's gradient too, with `input` and `target` swapped)."""
    return apply(_MSE_BACKWARD, (grad_output, input, target), {"reduction": reduction})


def _bce_with_logits_forward(backend, input, target, weight, pos_weight, *, reduction):  # noqa: A002
    xp = backend.xp
    log_sigmoid = log_sigmoid_of(xp, input)
    if pos_weight is not None:
        log_sigmoid = log_sigmoid * ((pos_weight - 1) * target + 1)
    return _reduced(xp, (1 - target) * input - log_sigmoid, weight, reduction)


_BCE_WITH_LOGITS = primitive(
    "binary_cross_entropy_with_logits",
    ("input", "target", "weight", "pos_weight"),
    forward=_bce_with_logits_forward,
)


def binary_cross_entropy_with_logits(
    input: Tensor,  # noqa: A002 - PyTorch's names
    target: Tensor,
    weight: Tensor | None,
    pos_weight: Tensor | None,
    reduction: str,
) -> Tensor:
    """PyTorch's ``binary_cross_entropy_with_logits`` as one operation, for `input` and
    `target` of one real floating dtype and shape, `weight` and `pos_weight` (None, or tensors
    of that dtype that broadcast to the input's shape and need no gradient), `reduction`
    ``"none"``, ``"mean"`` or ``"sum"``: ``(1 - t) x - (1 + (pos_weight - 1) t) log(sigmoid(x))``
    times `weight`, reduced.  ``nn.functional`` checks the arguments."""
    return apply(_BCE_WITH_LOGITS, (input, target, weight, pos_weight), {"reduction": reduction})


def _nll_loss_forward(backend, input, target, weight, *, ignore_index, reduction):  # noqa: A002
    xp = backend.xp
    kept = target != ignore_index
    safe = xp.where(kept, target, xp.zeros_like(target))
    picked = xp.take_along_axis(input, xp.expand_dims(safe, axis=1), axis=1)[:, 0]
    weights = xp.astype(kept, input.dtype)
    if weight is not None:
        weights = weights * xp.take(weight, safe, axis=0)
    losses = -picked * weights
    if reduction == "none":
        return losses
    total = xp.sum(losses)
    return total / xp.sum(weights) if reduction == "mean" else total


_NLL_LOSS = primitive("nll_loss", ("input", "target", "weight"), forward=_nll_loss_forward)


def nll_loss_rows(input: Tensor, target: Tensor, weight: Tensor | None, ignore_index: int,  # noqa: A002
                  reduction: str) -> Tensor:  # fmt: skip
    """PyTorch's ``nll_loss`` of rows as one operation (``NllLossBackward0``): for `input`
    ``(N, C)`` floating, `target` ``(N,)`` integer class indices, `weight` None or ``(C,)``
    of the input's dtype needing no gradient: ``-weight[t] input[n, t]`` (0 where ``t`` is
    `ignore_index`), reduced; the mean divides by the sum of the weights of the targets kept.
    ``nn.functional`` checks the arguments."""
    params = {"ignore_index": ignore_index, "reduction": reduction}
    return apply(_NLL_LOSS, (input, target, weight), params)
