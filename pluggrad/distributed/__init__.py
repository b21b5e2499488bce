"""Several devices and several processes on the ``jax`` backend, in JAX's own terms.

A program over many devices is one program over a *mesh* of devices whose axes have names
(``"data"``, ``"model"``); each tensor says how its dimensions are split over those axes with a
*partition spec*, and XLA inserts the collectives (all-reduce, all-gather) that the program
needs.  This module re-exports JAX's :class:`Mesh`, :class:`PartitionSpec` (``P``) and
:class:`NamedSharding`, and adds what a pluggrad program needs around them: a mesh whose axes
let XLA place the collectives (:func:`make_mesh`), tensors and modules placed on a mesh
(:func:`shard`, :func:`replicate`, :func:`shard_module`), and several processes, one per host,
each owning its local devices of one global mesh (:func:`initialize`, :func:`from_process_local`,
:func:`gather`).  A sharded tensor is a pluggrad Tensor like any other: eager operations,
``backward()``, optimizers and :func:`pluggrad.compile` work on it unchanged.

Importing this module imports JAX; :func:`initialize` must run before the first tensor of the
``jax`` backend is made (JAX starts its devices then).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import jax
import numpy as np
from jax.experimental import multihost_utils
from jax.sharding import AxisType, Mesh, NamedSharding, PartitionSpec, Sharding

from .._core.grad_mode import no_grad
from .._core.tensor import Tensor, _make
from ..backends import load_backend

__all__ = [
    "Mesh",
    "NamedSharding",
    "P",
    "PartitionSpec",
    "Sharding",
    "from_process_local",
    "gather",
    "initialize",
    "make_mesh",
    "replicate",
    "shard",
    "shard_module",
]

P = PartitionSpec


def make_mesh(
    shape: Sequence[int] | int | None = None,
    axis_names: Sequence[str] | str = ("data",),
    *,
    devices: Sequence[Any] | None = None,
) -> Mesh:
    """A mesh of devices with named axes (``jax.make_mesh``), every axis of type ``Auto``.

    ``Auto`` axes let XLA's sharding propagation choose the layout of intermediate results and
    insert the collectives, so code written for one device runs unchanged (JAX's *explicit*
    axes would instead ask every ambiguous operation for its output sharding).

    Parameters
    ----------
    shape : sequence of int, int or None
        The size of each axis; None: one axis over all devices (``jax.device_count()``, over
        all processes after :func:`initialize`).
    axis_names : sequence of str or str
        The axes' names, one per axis (``("data", "model")``).
    devices : sequence of jax devices, optional
        The devices to lay out (default: all of them, in JAX's order).

    Returns
    -------
    jax.sharding.Mesh
    """
    names = (axis_names,) if isinstance(axis_names, str) else tuple(axis_names)
    if shape is None:
        count = len(devices) if devices is not None else jax.device_count()
        shape = (count,)
    elif isinstance(shape, int):
        shape = (shape,)
    if len(shape) != len(names):
        raise ValueError(f"make_mesh: {len(shape)} axis sizes for {len(names)} axis names")
    types = (AxisType.Auto,) * len(names)
    return jax.make_mesh(tuple(shape), names, axis_types=types, devices=devices)


def _spec(spec: Any) -> PartitionSpec:
    """`spec` as a PartitionSpec: one already, None (replicated), an axis name, or a sequence
    of axis names (or None, or tuples of names) per dimension."""
    if isinstance(spec, PartitionSpec):
        return spec
    if spec is None:
        return PartitionSpec()
    if isinstance(spec, str):
        return PartitionSpec(spec)
    return PartitionSpec(*spec)


def shard(tensor: Tensor, mesh: Mesh, spec: Any = None) -> Tensor:
    """`tensor` laid out over `mesh` as `spec` says: ``tensor.to(NamedSharding(mesh, spec))``.

    Parameters
    ----------
    tensor : Tensor
        A tensor of the ``jax`` backend.
    mesh : jax.sharding.Mesh
        See :func:`make_mesh`.
    spec : PartitionSpec, str, sequence or None
        Per dimension, the mesh axis (or axes) it is split over, None for a dimension held
        whole: ``P("data")`` splits dimension 0 over the ``data`` axis, ``P(None, "model")``
        dimension 1 over ``model``; None (or ``P()``) replicates the tensor on every device.

    Returns
    -------
    Tensor
        The sharded tensor, differentiable as ``Tensor.to`` is (its gradient goes back to the
        layout of `tensor`).  Its ``.sharding`` is the NamedSharding.
    """
    return tensor.to(NamedSharding(mesh, _spec(spec)))


def replicate(tensor: Tensor, mesh: Mesh) -> Tensor:
    """`tensor` with a whole copy on every device of `mesh` (``shard(tensor, mesh, P())``)."""
    return shard(tensor, mesh, PartitionSpec())


def shard_module(module: Any, mesh: Mesh, specs: Mapping[str, Any] | None = None) -> Any:
    """Lay out the parameters and buffers of `module` over `mesh`, in place, and return it.

    Each parameter keeps its identity (an optimizer made before or after sees the same
    Parameter objects); only the array it holds moves, as ``param.data = ...`` would.

    Parameters
    ----------
    module : pluggrad.nn.Module
    mesh : jax.sharding.Mesh
    specs : mapping of str to spec, optional
        Partition specs by parameter or buffer name (as ``named_parameters()`` names them,
        ``"0.weight"``); any other is replicated.

    Returns
    -------
    pluggrad.nn.Module
        `module` itself.

    Examples
    --------
    Megatron-style model parallelism of a two-layer MLP: the first layer's outputs (rows of its
    weight, and its bias) split over ``"model"``, the second layer's inputs (its weight's
    columns) too, so XLA all-reduces once, after the second product::

        shard_module(mlp, mesh, {"0.weight": P("model", None), "0.bias": P("model"),
                                 "2.weight": P(None, "model")})
    """
    specs = dict(specs or {})
    named = [*module.named_parameters(), *module.named_buffers()]
    unknown = set(specs) - {name for name, _ in named}
    if unknown:
        raise KeyError(f"shard_module: no parameter or buffer named {sorted(unknown)}")
    with no_grad():
        for name, tensor in named:
            sharding = NamedSharding(mesh, _spec(specs.get(name)))
            tensor.data = tensor.detach().to(sharding)
    return module


def initialize(
    coordinator_address: str | None = None,
    num_processes: int | None = None,
    process_id: int | None = None,
    local_device_ids: int | Sequence[int] | None = None,
    **kwargs: Any,
) -> None:
    """Join this process to a multi-process JAX program: ``jax.distributed.initialize``, with
    JAX's gloo collectives for CPU devices (so a CPU mesh spanning processes can all-reduce).

    Call it in every process, before the first tensor of the ``jax`` backend is made; afterwards
    ``jax.devices()`` lists the devices of all processes and :func:`make_mesh` lays them out
    in one global mesh.  On a cluster whose scheduler JAX recognises (Slurm, Open MPI, Cloud
    TPU) every argument may be left out.

    Parameters
    ----------
    coordinator_address : str, optional
        ``host:port`` of process 0, which all processes reach.
    num_processes : int, optional
        How many processes take part.
    process_id : int, optional
        This process's index, from 0 (the coordinator) to ``num_processes - 1``.
    local_device_ids : int or sequence of int, optional
        The local devices this process owns (default: all of them).
    **kwargs
        Passed to ``jax.distributed.initialize``.
    """
    jax.config.update("jax_cpu_collectives_implementation", "gloo")
    jax.distributed.initialize(
        coordinator_address,
        num_processes,
        process_id,
        local_device_ids=local_device_ids,
        **kwargs,
    )


def from_process_local(data: Any, mesh: Mesh, spec: Any = None) -> Tensor:
    """One global tensor of the ``jax`` backend from each process's part of it.

    In a multi-process program every process holds the rows of the global batch its devices
    own; this assembles them (``jax.make_array_from_process_local_data``) into a tensor laid
    out over `mesh` as `spec` says, without copying between processes.  With one process it is
    :func:`shard` of `data`.

    Parameters
    ----------
    data : Tensor or array_like
        This process's part: for ``spec=P("data")`` over all processes, the global array's rows
        ``[process_index * n : (process_index + 1) * n]``.
    mesh : jax.sharding.Mesh
    spec : PartitionSpec, str, sequence or None
        As for :func:`shard`.

    Returns
    -------
    Tensor
    """
    local = data._data if isinstance(data, Tensor) else np.asarray(data)
    sharding = NamedSharding(mesh, _spec(spec))
    array = jax.make_array_from_process_local_data(sharding, local)
    return _make(array, load_backend("jax"))


def gather(tensor: Tensor) -> np.ndarray:
    """All the elements of `tensor` as a NumPy array, in every process.

    A tensor laid out over the devices of several processes cannot be read by one of them
    (``.numpy()`` raises there); this gathers it (``multihost_utils.process_allgather``).
    With one process it is ``tensor.numpy()``.
    """
    array = tensor._data
    if getattr(array, "is_fully_addressable", True):
        return np.asarray(array)
    return np.asarray(multihost_utils.process_allgather(array, tiled=True))
