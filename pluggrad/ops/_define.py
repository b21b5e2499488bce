"""Defining a primitive of the ops layer: the core's :class:`Primitive` with its entry of the
derivative table (:mod:`pluggrad.ops.derivatives`)."""

from __future__ import annotations

from collections.abc import Callable

from .._core.primitive import Primitive
from .derivatives import DERIVATIVES, NONDIFFERENTIABLE

__all__ = ["primitive", "linalg_kernel"]


def primitive(
    name: str,
    inputs: tuple[str, ...],
    *,
    elementwise: bool = False,
    forward: Callable | None = None,
    n_outputs: int | None = 1,
    view: Callable | None = None,
) -> Primitive:
    """The primitive `name`, its node name and formulas taken from the derivative table.

    Parameters are :class:`~pluggrad._core.primitive.Primitive`'s.  A primitive without a
    table entry must be listed in ``NONDIFFERENTIABLE``.

    Raises
    ------
    LookupError
        If `name` is in neither the table nor ``NONDIFFERENTIABLE``.
    """
    scalar_overloads: tuple[str, ...] = ()
    saved_as: dict[str, str] = {}
    saved_outputs = None
    if name in DERIVATIVES:
        entry = DERIVATIVES[name]
        node, formulas = entry.node, entry.formulas
        scalar_overloads, saved_as = entry.scalar_overloads, entry.saved_as
        saved_outputs = entry.saved_outputs
    elif name in NONDIFFERENTIABLE:
        node, formulas = None, {}
    else:
        raise LookupError(f"primitive {name!r} has no entry in the derivative table")
    return Primitive(
        name,
        inputs,
        node=node,
        formulas=formulas,
        elementwise=elementwise,
        forward=forward,
        n_outputs=n_outputs,
        view=view,
        scalar_overloads=scalar_overloads,
        saved_as=saved_as,
        saved_outputs=saved_outputs,
    )


def linalg_kernel(name: str) -> Callable:
    """Forward kernel ``xp.linalg.<name>(*arrays, **params)`` of a primitive."""

    def forward(backend, *arrays, **params):
        return getattr(backend.xp.linalg, name)(*arrays, **params)

    forward.__name__ = f"linalg_{name}"
    return forward
