"""``torch.func.vmap``, by a loop: ``func`` runs once per batch index and the results are
stacked.

pluggrad has no batching interpreter (no BatchedTensor), so ``vmap(func)(x)`` calls
``func(x.select(in_dim, i))`` for every ``i`` in Python and stacks the outputs along
``out_dims``, the way functorch itself falls back for operations without a batching rule.  The
cost is one call of ``func`` per sample; in exchange anything ``func`` does works, and the
slicing and stacking are ordinary differentiable operations, so gradients flow through
``vmap`` and the transforms nest in either order (``vmap(grad(f))``, ``grad(vmap(f))``,
``vmap(vmap(f))``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, NoReturn

from .._core.tensor import Tensor
from ..ops.creation import zeros
from ..ops.manipulation import stack
from ..ops.random import get_rng_state, set_rng_state
from . import _pytree as pytree
from ._common import func_name

__all__ = ["vmap", "check_randomness_arg", "raise_random_in_error_mode"]


def check_randomness_arg(randomness: str) -> None:
    if randomness not in ["error", "different", "same"]:
        raise RuntimeError(
            "Only allowed values for randomness are 'error', 'different', or 'same'. Got "
            f"{randomness}"
        )


def raise_random_in_error_mode() -> NoReturn:
    raise RuntimeError(
        "vmap: called random operation while in randomness error mode. Please either use the "
        "'same' or 'different' randomness flags on vmap or perform the randomness operation "
        "out of vmap"
    )


def _check_out_dims(out_dims: Any, func: Callable) -> None:
    if isinstance(out_dims, int):
        return
    for value in pytree.tree_flatten(out_dims)[0]:
        if not (value is None or isinstance(value, int)):
            raise ValueError(
                f"vmap({func_name(func)}, ..., out_dims={out_dims}): `out_dims` must be an int, "
                "None or a python collection of ints representing where in the outputs the "
                "vmapped dimension should appear."
            )


def _batched_inputs(in_dims: Any, args: tuple, func: Callable) -> tuple[int, list, list, Any]:
    """``(batch_size, flat_in_dims, flat_args, args_spec)``, checked as PyTorch does."""
    name = func_name(func)
    if not isinstance(in_dims, (int, tuple)):
        raise ValueError(
            f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): expected `in_dims` to be int or a "
            "(potentially nested) tuple matching the structure of inputs, got: "
            f"{type(in_dims)}."
        )
    if len(args) == 0:
        raise ValueError(
            f"vmap({name})(<inputs>): got no inputs. Maybe you forgot to add inputs, or you are "
            "trying to vmap over a function with no inputs. The latter is unsupported."
        )
    flat_args, args_spec = pytree.tree_flatten(args)
    flat_in_dims = pytree.broadcast_to_and_flatten(in_dims, args_spec)
    if flat_in_dims is None:
        raise ValueError(
            f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): in_dims is not compatible with the "
            f"structure of `inputs`. in_dims has structure {pytree.tree_flatten(in_dims)[1]} but "
            f"inputs has structure {args_spec}."
        )
    for i, (arg, in_dim) in enumerate(zip(flat_args, flat_in_dims)):
        prefix = f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={in_dim} for "
        if not isinstance(in_dim, int) and in_dim is not None:
            raise ValueError(
                prefix + "an input but in_dim must be either an integer dimension or None."
            )
        if isinstance(in_dim, int) and not isinstance(arg, Tensor):
            raise ValueError(
                prefix + f"an input but the input is of type {type(arg)}. We cannot vmap over "
                "non-Tensor arguments, please use None as the respective in_dim"
            )
        if in_dim is not None and not -arg.dim() <= in_dim < arg.dim():
            raise ValueError(
                prefix + f"some input, but that input is a Tensor of dimensionality "
                f"{arg.dim()} so expected in_dim to satisfy -{arg.dim()} <= in_dim < {arg.dim()}."
            )
        if in_dim is not None and in_dim < 0:
            flat_in_dims[i] = in_dim % arg.dim()
    sizes = [arg.shape[d] for d, arg in zip(flat_in_dims, flat_args) if d is not None]
    if not sizes:
        raise ValueError("vmap: Expected at least one Tensor to vmap over")
    if any(size != sizes[0] for size in sizes):
        raise ValueError(
            "vmap: Expected all tensors to have the same size in the mapped dimension, got sizes "
            f"{sizes} for the mapped dimension"
        )
    return sizes[0], flat_in_dims, flat_args, args_spec


def _sample(flat_args: list, flat_in_dims: list, index: int | None, spec: Any) -> tuple:
    """The arguments of one call: sample `index` of each mapped input (None: an all-zero
    sample, to learn the output structure of an empty batch)."""
    values = []
    for arg, dim in zip(flat_args, flat_in_dims):
        if dim is None:
            values.append(arg)
        elif index is None:
            shape = tuple(arg.shape[:dim]) + tuple(arg.shape[dim + 1 :])
            values.append(zeros(*shape, dtype=arg.dtype))
        else:
            values.append(arg.select(dim, index))
    return pytree.tree_unflatten(values, spec)


def _flat_out_dims(output: Any, out_dims: Any, func: Callable) -> tuple[list, list, Any]:
    flat_output, output_spec = pytree.tree_flatten(output)
    if isinstance(output, Tensor):
        # one Tensor takes an int, None or a 1-tuple (torch's test_out_dims_edge_case)
        if isinstance(out_dims, tuple) and len(out_dims) == 1:
            flat = list(out_dims)
        elif out_dims is None or isinstance(out_dims, int):
            flat = [out_dims]
        else:
            flat = None
    else:
        flat = pytree.broadcast_to_and_flatten(out_dims, output_spec)
    if flat is None:
        raise ValueError(
            f"vmap({func_name(func)}, ..., out_dims={out_dims})(<inputs>): out_dims is not "
            f"compatible with the structure of `outputs`. out_dims has structure "
            f"{pytree.tree_flatten(out_dims)[1]} but outputs has structure {output_spec}."
        )
    return flat_output, flat, output_spec


def _combine(samples: list, out_dims: Any, func: Callable, batch_size: int) -> Any:
    """Stack the per-sample outputs along their out_dims."""
    flat_output, flat_out_dims, spec = _flat_out_dims(samples[0], out_dims, func)
    flat_samples = [pytree.tree_flatten(s)[0] for s in samples]
    name = func_name(func)
    combined = []
    for k, (first, out_dim) in enumerate(zip(flat_output, flat_out_dims)):
        column = [flat[k] for flat in flat_samples]
        if out_dim is None:
            # unbatched: the value may not vary with the sample (a BatchedTensor would)
            if isinstance(first, Tensor) and any(
                v is not first
                and (tuple(v.shape) != tuple(first.shape) or not bool((v == first).all()))
                for v in column[1:]
            ):
                raise ValueError(
                    f"vmap({name}, ...): `{name}` can not return a BatchedTensor when out_dim is "
                    "None"
                )
            combined.append(first)
            continue
        if not isinstance(first, Tensor):
            raise ValueError(
                f"vmap({name}, ...): `{name}` must only return Tensors, got type {type(first)}. "
                "Did you mean to set out_dims= to None for output?"
            )
        if batch_size == 0:  # samples holds the zero sample only
            combined.append(stack(column, dim=out_dim).narrow(out_dim, 0, 0))
        else:
            combined.append(stack(column, dim=out_dim))
    return pytree.tree_unflatten(combined, spec)


def vmap(func: Callable, in_dims: int | tuple = 0, out_dims: int | tuple = 0,
         randomness: str = "error", *, chunk_size: int | None = None) -> Callable:  # fmt: skip
    """Map `func` over a dimension of its inputs: ``vmap(f)(x)[i] == f(x[i])``.

    Parameters
    ----------
    func : callable
        Takes Tensors (or pytrees of them) and returns a Tensor or a pytree of Tensors.
    in_dims : int or tuple, optional
        The dimension mapped over in each argument: an int for all of them, or a tuple (nested
        to match pytree arguments) of ints and ``None`` (an argument passed to every call
        unchanged).
    out_dims : int or tuple, optional
        Where the mapped dimension goes in each output (``None``: an output that does not vary
        with the sample, returned once).
    randomness : {'error', 'different', 'same'}, optional
        ``'error'``: `func` may not draw random numbers (checked by the default generator's
        state after the loop; PyTorch's error).  ``'different'``: each sample draws its own.
        ``'same'``: the generator's state is restored before each sample, so each draws the same
        numbers; afterwards it is where one call would have left it.
    chunk_size : int, optional
        Accepted for PyTorch's signature (None or positive); the loop runs one sample at a time
        in any case, so it does not change the memory used.

    Returns
    -------
    callable
        ``wrapped(*args, **kwargs)``; keyword arguments are passed to every call unmapped.

    Notes
    -----
    The samples are computed by a Python loop, one call of `func` each (pluggrad has no batching
    interpreter).  Values returned with ``out_dims=None`` are checked to be the same for every
    sample, which is how PyTorch's "can not return a BatchedTensor" error shows here.
    """
    check_randomness_arg(randomness)
    if not (chunk_size is None or chunk_size > 0):
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got {chunk_size})")

    @functools.wraps(func)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        _check_out_dims(out_dims, func)
        batch_size, flat_in_dims, flat_args, args_spec = _batched_inputs(in_dims, args, func)
        state = get_rng_state() if randomness != "different" else None
        samples = []
        for index in range(batch_size) if batch_size else [None]:
            if randomness == "same" and state is not None:
                set_rng_state(state)
            samples.append(func(*_sample(flat_args, flat_in_dims, index, args_spec), **kwargs))
        if randomness == "error" and state is not None:
            if not bool((get_rng_state() == state).all()):
                raise_random_in_error_mode()
        return _combine(samples, out_dims, func, batch_size)

    return wrapped
