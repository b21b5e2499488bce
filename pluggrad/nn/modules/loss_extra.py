"""The multi-class margin losses and the CTC loss as modules (PyTorch's ``MultiMarginLoss``,
``MultiLabelMarginLoss``, ``TripletMarginWithDistanceLoss`` and ``CTCLoss``): the reduction
and options set at construction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..._core.tensor import Tensor
from .. import functional as F
from .distance import PairwiseDistance
from .loss import _Loss, _WeightedLoss

__all__ = ["MultiMarginLoss", "MultiLabelMarginLoss", "TripletMarginWithDistanceLoss", "CTCLoss"]


class MultiMarginLoss(_WeightedLoss):
    """The multi-class hinge loss ``sum over i != y of max(0, margin - x[y] + x[i]) ** p / C``
    (see :func:`pluggrad.nn.functional.multi_margin_loss`).

    Parameters
    ----------
    p : int
        1 or 2.
    margin : float
        The margin (default 1).
    weight : Tensor, optional
        ``(C,)`` class weights (a buffer of the module).
    size_average, reduce
        Deprecated (see `reduction`).
    reduction : str
        ``'none'``, ``'mean'`` or ``'sum'``.
    """

    def __init__(self, p: int = 1, margin: float = 1.0, weight: Tensor | None = None,
                 size_average: Any = None, reduce: Any = None,
                 reduction: str = "mean") -> None:  # fmt: skip
        super().__init__(weight, size_average, reduce, reduction)
        if p not in (1, 2):
            raise ValueError("only p == 1 and p == 2 supported")
        if weight is not None and weight.dim() != 1:
            raise ValueError(
                "MultiMarginLoss: expected weight to be None or 1D tensor, got "
                f"{weight.dim()}D instead"
            )
        self.p = p
        self.margin = margin

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
        return F.multi_margin_loss(input, target, p=self.p, margin=self.margin,
                                   weight=self.weight, reduction=self.reduction)  # fmt: skip


class MultiLabelMarginLoss(_Loss):
    """The multi-label hinge loss of each target class against each class that is not one
    (see :func:`pluggrad.nn.functional.multilabel_margin_loss`)."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.multilabel_margin_loss(input, target, reduction=self.reduction)


class TripletMarginWithDistanceLoss(_Loss):
    """``max(0, margin + d(a, p) - d(a, n))`` with a distance of the caller's.

    Parameters
    ----------
    distance_function : callable, optional
        ``d(x, y)`` (default a :class:`PairwiseDistance`, registered as a submodule).
    margin : float
        A positive margin (default 1).
    swap : bool
        Whether the negative distance is the smaller of ``d(a, n)`` and ``d(p, n)``.
    reduction : str
        ``'none'``, ``'mean'`` or ``'sum'``.
    """

    def __init__(self, *, distance_function: Callable[[Tensor, Tensor], Tensor] | None = None,
                 margin: float = 1.0, swap: bool = False,
                 reduction: str = "mean") -> None:  # fmt: skip
        super().__init__(None, None, reduction)
        if margin <= 0:
            raise ValueError(
                "TripletMarginWithDistanceLoss: expected margin to be greater than 0, got "
                f"{margin} instead"
            )
        self.distance_function = (
            distance_function if distance_function is not None else PairwiseDistance()
        )
        self.margin = margin
        self.swap = swap

    def forward(self, anchor: Tensor, positive: Tensor, negative: Tensor) -> Tensor:
        return F.triplet_margin_with_distance_loss(
            anchor, positive, negative, distance_function=self.distance_function,
            margin=self.margin, swap=self.swap, reduction=self.reduction,
        )  # fmt: skip


class CTCLoss(_Loss):
    """The Connectionist Temporal Classification loss (see
    :func:`pluggrad.nn.functional.ctc_loss`).

    Parameters
    ----------
    blank : int
        The blank class (default 0).
    reduction : str
        ``'none'``, ``'mean'`` (each loss divided by its target's length, then averaged) or
        ``'sum'``.
    zero_infinity : bool
        Whether impossible alignments count as ``0`` (with a zero gradient).
    """

    def __init__(self, blank: int = 0, reduction: str = "mean",
                 zero_infinity: bool = False) -> None:  # fmt: skip
        super().__init__(None, None, reduction)
        self.blank = blank
        self.zero_infinity = zero_infinity

    def forward(self, log_probs: Tensor, targets: Tensor, input_lengths: Any,
                target_lengths: Any) -> Tensor:  # fmt: skip
        return F.ctc_loss(log_probs, targets, input_lengths, target_lengths, self.blank,
                          self.reduction, self.zero_infinity)  # fmt: skip
