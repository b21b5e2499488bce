"""Computing lazy tensors: :func:`compute` and ``Tensor.persist()``.

On a backend of lazy arrays (Dask) operations and ``backward()`` only build a task graph;
reading one value (``.item()``) runs the graph of that value alone.  ``compute`` runs the graphs
of several tensors in one pass, so that the work they share (the forward pass under a loss and
its gradients) runs once; ``persist`` keeps a tensor's values in memory (on a cluster's workers)
while it stays lazy to the code that uses it.  On eager backends (NumPy, JAX, array-api-strict)
both return at once: the values are there already.
"""

from __future__ import annotations

from typing import Any

from ._core.tensor import Tensor, _make

__all__ = ["compute", "persist"]


def compute(*tensors: Any) -> tuple:
    """The values of several tensors, computed together in one pass of the backend's scheduler.

    Parameters
    ----------
    *tensors : Tensor or object
        Tensors to compute (other objects pass through unchanged, as ``dask.compute`` does).

    Returns
    -------
    tuple
        One entry per argument: for a tensor, a new tensor on the same backend holding its
        computed values (on Dask, an array of in-memory chunks, chunked as the original), a
        leaf that does not require grad (as ``detach()``); other arguments as they were.

    Examples
    --------
    >>> loss.backward()
    >>> loss_value, grad = pluggrad.compute(loss, w.grad)  # one graph execution
    """
    results: list[Any] = list(tensors)
    by_backend: dict[int, list[int]] = {}
    for i, t in enumerate(tensors):
        if isinstance(t, Tensor):
            by_backend.setdefault(id(t._backend), []).append(i)
    for positions in by_backend.values():
        backend = tensors[positions[0]]._backend
        arrays = backend.compute([tensors[i]._data for i in positions])
        for i, array in zip(positions, arrays):
            results[i] = _make(array, backend)
    return tuple(results)


def persist(*tensors: Tensor) -> tuple[Tensor, ...]:
    """Compute several tensors together and keep their values in memory (with a
    ``dask.distributed`` client, on the cluster's workers, in the background: it returns at
    once); return the tensors themselves.

    Their graphs (``grad_fn``), ``requires_grad`` and versions stay: only the arrays behind
    them change, from task graphs to the same values held in memory, so that later uses (the
    next steps of a training loop, ``compute``) start from them instead of recomputing them;
    work the tensors share runs once.  A no-op on eager backends.
    """
    by_backend: dict[int, list[Tensor]] = {}
    for t in tensors:
        by_backend.setdefault(id(t._backend), []).append(t)
    for group in by_backend.values():
        arrays = group[0]._backend.persist([t._data for t in group])
        for t, array in zip(group, arrays):
            t._data = array
    return tensors


def _persist_method(self: Tensor) -> Tensor:
    """Compute this tensor and keep its values in memory; the tensor itself (see
    :func:`pluggrad.persist`, which persists several tensors in one pass)."""
    persist(self)
    return self


Tensor.persist = _persist_method  # type: ignore[attr-defined]
