"""What a primitive's backward node saves, and how saved-tensor hooks pack it.

:class:`_SavePlan` works out, once per primitive and per set of inputs that require grad,
which inputs, outputs, shapes, dtypes and parameters the derivative formulas read, in the order
PyTorch's nodes save them (so ``saved_tensors_hooks`` pack in PyTorch's order).  Split from
:mod:`pluggrad._core.primitive`, which records the saves and runs the formulas.
"""

from __future__ import annotations

from typing import Any

# a pluggrad._core.primitive.Primitive (that module imports this one)
Primitive = Any

_RESULT, _INPUT, _SHAPE, _DTYPE, _PARAM, _STRIDES = range(6)


def _torch_input_names(prim: Primitive) -> dict[str, str]:
    """PyTorch's name of each input of `prim` that has one: ``self``, ``other``, or the table's
    ``saved_as`` (``exponent``)."""
    renamed = {name: ("self", "other")[i] for i, name in enumerate(prim.inputs[:2])}
    renamed.update(prim.saved_as)
    return renamed


class _SavePlan:
    """What :func:`record` saves for a primitive when a given set of its inputs needs grad.

    Computed once per (primitive, which inputs require grad) and cached on the primitive, so
    that recording an operation does no name parsing.
    """

    __slots__ = ("grad_inputs", "grad_formulas", "saves", "saves_inputs")

    def __init__(self, prim: Primitive, requires: tuple):
        self.grad_formulas = tuple(
            (i, f) for i, (r, f) in enumerate(zip(requires, prim.formulas)) if r and f is not None
        )
        self.grad_inputs = tuple(i for i, _ in self.grad_formulas)
        # the order in which PyTorch's nodes save (and saved_tensors_hooks pack) their values:
        # the inputs by PyTorch's names, alphabetically (its generated code sorts them: mul
        # saves other then self, pow exponent then self), then the results
        torch_names = _torch_input_names(prim)
        needed = sorted(
            dict.fromkeys(n for _, f in self.grad_formulas for n in f.argnames),
            key=lambda name: (name == "result", torch_names.get(name, name)),
        )
        # (kind, name, the input's position for _INPUT, _SHAPE and _DTYPE, else None)
        saves: list[tuple[int, str, Any]] = []
        for name in needed:
            base = name.rsplit("_", 1)[0]
            if name == "result":
                saves.append((_RESULT, name, None))
            elif name in prim.inputs:
                saves.append((_INPUT, name, prim.inputs.index(name)))
            elif name.endswith("_shape") and base in prim.inputs:
                saves.append((_SHAPE, name, prim.inputs.index(base)))
            elif name.endswith("_dtype") and base in prim.inputs:
                saves.append((_DTYPE, name, prim.inputs.index(base)))
            elif name.endswith("_strides") and base in prim.inputs:
                saves.append((_STRIDES, name, prim.inputs.index(base)))
            else:
                saves.append((_PARAM, name, None))
        self.saves = tuple(saves)
        # an input is saved (a Tensor, or a Python scalar kept in the node's dict): release frees
        self.saves_inputs = any(kind == _INPUT for kind, _, _ in saves)


def _holds_array(value) -> bool:
    """Whether a saved parameter is or holds an array (an indexing key's index arrays)."""
    if isinstance(value, tuple):
        return any(map(_holds_array, value))
    return hasattr(value, "shape") and hasattr(value, "dtype") and hasattr(value, "ndim")


def _pack_saved(hooks: tuple, saved_tensors: list, results: list) -> list:
    """Saved tensors passed through a ``saved_tensors_hooks`` pack hook."""
    pack, unpack = hooks
    packed = []
    for name, obj, _, _ in saved_tensors:
        if type(name) is int:  # an output, packed as the tensor it is
            obj = results[name]
        packed.append((name, pack(obj), None, unpack))
    return packed
