"""Function transforms of ``torch.autograd.functional``: ``vjp``, ``jvp``, ``jacobian``,
``hessian``, ``hvp`` and ``vhp``, with PyTorch's signatures, output structures and errors.

All are built on :func:`pluggrad.autograd.grad` (reverse mode); ``jvp`` uses the double-vjp
trick, as PyTorch's does.  A function may take and return a Tensor or a tuple of Tensors; the
results mirror that structure.  ``vectorize=True`` is accepted and computes the same thing row
by row (pluggrad has no batching transform).
"""

from __future__ import annotations

from .._core.grad_mode import enable_grad
from .._core.tensor import Tensor
from ..ops.creation import ones_like, zeros, zeros_like
from ..ops.manipulation import clone, reshape, stack
from .gradients import grad as _grad

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]


# ---- argument handling -------------------------------------------------------------------------
def _tensor_tuple(value, arg_name: str, fn_name: str) -> tuple[bool, tuple]:
    """``(was_tuple, values)``, checking that every value is a Tensor."""
    is_tuple = isinstance(value, tuple)
    values = value if is_tuple else (value,)
    for i, v in enumerate(values):
        if not isinstance(v, Tensor):
            where = f"the value at index {i}" if is_tuple else f"the given {arg_name}"
            raise TypeError(
                f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of Tensors "
                f"but {where} has type {type(v)}."
            )
    return is_tuple, values


def _unpack(values: tuple, is_tuple) -> object:
    """Undo :func:`_tensor_tuple`: nested for a pair of flags (jacobian, hessian)."""
    if isinstance(is_tuple, tuple):
        outer, inner = is_tuple
        if not inner:
            values = tuple(v[0] for v in values)
        return values if outer else values[0]
    return values if is_tuple else values[0]


def _prepare_inputs(inputs: tuple, create_graph: bool) -> tuple:
    """Inputs the function is differentiated at: fresh leaves, or (create_graph) still
    connected to the caller's graph."""
    if create_graph:
        return tuple(
            clone(t) if t.requires_grad else t.detach().requires_grad_(True) for t in inputs
        )
    return tuple(t.detach().requires_grad_(True) for t in inputs)


def _finish(values: tuple, create_graph: bool) -> tuple:
    """Detach results unless the caller asked for a graph."""
    if create_graph:
        return values
    return tuple(
        v.detach() if isinstance(v, Tensor) else _finish(v, False) if isinstance(v, tuple) else v
        for v in values
    )


def _validate_v(v: tuple, other: tuple, other_is_tuple: bool) -> None:
    if len(v) != len(other):
        if other_is_tuple:
            raise RuntimeError(
                f"v is a tuple of invalid length: should be {len(other)} but got {len(v)}."
            )
        raise RuntimeError("The given v should contain a single Tensor.")
    for i, (a, b) in enumerate(zip(v, other)):
        if tuple(a.shape) != tuple(b.shape):
            prefix = f"Entry {i} in " if other_is_tuple else ""
            raise RuntimeError(
                f"{prefix}v has invalid size: should be {b.shape!r} but got {a.shape!r}."
            )


def _check_outputs_require_grad(outputs: tuple, strict: bool) -> None:
    if not strict:
        return
    for i, out in enumerate(outputs):
        if not out.requires_grad:
            raise RuntimeError(
                f"Output {i} of the user-provided function does not require gradients. The "
                "outputs must be computed in a differentiable manner from the input when running "
                "in strict mode."
            )


def _grads(outputs, inputs, grad_outputs=None, create_graph=False, retain_graph=None) -> tuple:
    """``autograd.grad`` that tolerates outputs without a graph (their gradients are None)."""
    pairs = [
        (o, g) for o, g in zip(outputs, grad_outputs or (None,) * len(outputs)) if o.requires_grad
    ]
    if not pairs:
        return (None,) * len(inputs)
    outs, gs = zip(*pairs)
    return _grad(
        outs,
        inputs,
        gs,
        create_graph=create_graph,
        retain_graph=retain_graph,
        allow_unused=True,
    )


def _zeros_for_none(grads: tuple, refs: tuple, strict: bool, what: str) -> tuple:

    filled = []
    for i, (g, ref) in enumerate(zip(grads, refs)):
        if g is None:
            if strict:
                raise RuntimeError(
                    f"The {what} of the user-provided function is independent of input {i}. "
                    "This is not allowed in strict mode."
                )
            g = zeros_like(ref)
        filled.append(g)
    return tuple(filled)


# ---- the transforms ----------------------------------------------------------------------------
def vjp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """Vector-Jacobian product of `func` at `inputs` with the vector `v`.

    Returns
    -------
    (func_output, vjp)
        ``vjp`` has the structure of `inputs`.
    """
    with enable_grad():
        inputs_is_tuple, inputs = _tensor_tuple(inputs, "inputs", "vjp")
        inputs = _prepare_inputs(inputs, create_graph)
        outputs_is_tuple, outputs = _tensor_tuple(
            func(*inputs), "outputs of the user-provided function", "vjp"
        )
        _check_outputs_require_grad(outputs, strict)
        if v is not None:
            _, v = _tensor_tuple(v, "v", "vjp")
            _validate_v(v, outputs, outputs_is_tuple)
        elif len(outputs) != 1 or outputs[0].numel() != 1:
            raise RuntimeError(
                "The vector v can only be None if the user-provided function returns a single "
                "Tensor with a single element."
            )
        grads = _grads(outputs, inputs, v, create_graph=create_graph)
        vjps = _zeros_for_none(grads, inputs, strict, "output")
    return (
        _unpack(_finish(outputs, create_graph), outputs_is_tuple),
        _unpack(_finish(vjps, create_graph), inputs_is_tuple),
    )


def jvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """Jacobian-vector product of `func` at `inputs` with the vector `v` (double-vjp trick).

    Returns
    -------
    (func_output, jvp)
        ``jvp`` has the structure of the outputs.
    """

    with enable_grad():
        inputs_is_tuple, inputs = _tensor_tuple(inputs, "inputs", "jvp")
        inputs = _prepare_inputs(inputs, create_graph)
        if v is not None:
            _, v = _tensor_tuple(v, "v", "jvp")
            _validate_v(v, inputs, inputs_is_tuple)
        elif len(inputs) != 1 or inputs[0].numel() != 1:
            raise RuntimeError(
                "The vector v can only be None if the input to the user-provided function is a "
                "single Tensor with a single element."
            )
        outputs_is_tuple, outputs = _tensor_tuple(
            func(*inputs), "outputs of the user-provided function", "jvp"
        )
        _check_outputs_require_grad(outputs, strict)
        # u is a dummy cotangent; d(u . J)/du applied to v is J v
        cotangents = tuple(zeros_like(o, requires_grad=True) for o in outputs)
        grads = _grads(outputs, inputs, cotangents, create_graph=True)
        grads = _zeros_for_none(grads, inputs, strict, "output")
        v = v if v is not None else tuple(zeros_like(t) + 1 for t in inputs)
        jvps = _grads(grads, cotangents, v, create_graph=create_graph)
        jvps = _zeros_for_none(jvps, outputs, strict, "gradient")
    return (
        _unpack(_finish(outputs, create_graph), outputs_is_tuple),
        _unpack(_finish(jvps, create_graph), outputs_is_tuple),
    )


def jacobian(func, inputs, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode"):  # fmt: skip
    """The Jacobian of `func` at `inputs`.

    For one input and one output the result is a Tensor of shape ``output.shape +
    input.shape``; for tuples, ``result[i][j]`` is the Jacobian of output ``i`` w.r.t. input ``j``.
    """

    if strategy not in ("reverse-mode", "forward-mode"):
        raise ValueError(
            'Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
            'function has more outputs than inputs, "forward-mode" tends to be more performant. '
            'Otherwise, prefer to use "reverse-mode".'
        )
    with enable_grad():
        inputs_is_tuple, inputs = _tensor_tuple(inputs, "inputs", "jacobian")
        inputs = _prepare_inputs(inputs, create_graph)
        outputs_is_tuple, outputs = _tensor_tuple(
            func(*inputs), "outputs of the user-provided function", "jacobian"
        )
        _check_outputs_require_grad(outputs, strict)
        blocks = []
        for i, out in enumerate(outputs):
            rows: list[list] = [[] for _ in inputs]
            flat = reshape(out, (-1,))
            for k in range(flat.numel()):
                if out.requires_grad:
                    row = _grad(flat[k], inputs, retain_graph=True, create_graph=create_graph,
                                allow_unused=True)  # fmt: skip
                else:
                    row = (None,) * len(inputs)
                for j, (g, inp) in enumerate(zip(row, inputs)):
                    if g is None:
                        if strict:
                            raise RuntimeError(
                                f"Output {i} of the user-provided function is independent of "
                                f"input {j}. This is not allowed in strict mode."
                            )
                        g = zeros(*inp.shape, dtype=inp.dtype)
                    rows[j].append(g)
            blocks.append(
                tuple(
                    _stack_rows(rows[j], tuple(out.shape) + tuple(inp.shape), inp)
                    for j, inp in enumerate(inputs)
                )
            )
    result = tuple(_finish(b, create_graph) for b in blocks)
    return _unpack(result, (outputs_is_tuple, inputs_is_tuple))


def _stack_rows(rows: list, shape: tuple, like: Tensor) -> Tensor:

    if not rows:
        return zeros(*shape, dtype=like.dtype)
    return reshape(stack(rows), shape)


def hessian(func, inputs, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode"):  # fmt: skip
    """The Hessian of a scalar function `func` at `inputs` (a Jacobian of its gradient)."""
    inputs_is_tuple, inputs = _tensor_tuple(inputs, "inputs", "hessian")

    def gradient(*args):
        out = func(*args)
        out_is_tuple, outs = _tensor_tuple(out, "outputs of the user-provided function", "hessian")
        if out_is_tuple or outs[0].numel() != 1:
            raise RuntimeError(
                "The function given to hessian should return a single Tensor with a single "
                "element" if out_is_tuple else
                "The Tensor returned by the function given to hessian should contain a single "
                "element"
            )  # fmt: skip
        grads = _grads(outs, args, create_graph=True)
        return _zeros_for_none(grads, args, strict, "hessian")

    # gradient returns a tuple and takes the inputs as a tuple: result[i][j] = d2f/dx_i dx_j
    result = jacobian(gradient, inputs, create_graph=create_graph, strict=strict,
                      strategy=outer_jacobian_strategy)  # fmt: skip
    return result if inputs_is_tuple else result[0][0]


def _second_order_product(name: str, func, inputs, v, create_graph: bool, strict: bool, left: bool):
    """``vhp`` (``left=True``: v^T H) and ``hvp`` (H v) of a scalar function."""
    with enable_grad():
        inputs_is_tuple, inputs = _tensor_tuple(inputs, "inputs", name)
        inputs = _prepare_inputs(inputs, create_graph)
        if v is not None:
            _, v = _tensor_tuple(v, "v", name)
            _validate_v(v, inputs, inputs_is_tuple)
        elif len(inputs) != 1 or inputs[0].numel() != 1:
            raise RuntimeError(
                "The vector v can only be None if the input to the user-provided function is a "
                "single Tensor with a single element."
            )
        out_is_tuple, outputs = _tensor_tuple(
            func(*inputs), "outputs of the user-provided function", name
        )
        if out_is_tuple or outputs[0].numel() != 1:
            raise RuntimeError(
                f"The function given to {name} should return a single Tensor with a single element"
            )
        if not outputs[0].requires_grad and strict:
            raise RuntimeError(
                f"The Tensor returned by the function given to {name} does not require gradients."
            )
        grads = _zeros_for_none(
            _grads(outputs, inputs, create_graph=True), inputs, strict, "output"
        )
        if v is None:
            v = tuple(ones_like(t) for t in inputs)
        if left:
            products = _grads(grads, inputs, v, create_graph=create_graph)
        else:  # H v through the symmetric second derivative: grad of (grad . v)
            dots = sum((g * w).sum() for g, w in zip(grads, v) if g.requires_grad)
            products = (
                _grads((dots,), inputs, create_graph=create_graph)
                if isinstance(dots, Tensor)
                else (None,) * len(inputs)
            )
        products = _zeros_for_none(products, inputs, strict, "hessian")
    return (
        _finish(outputs, create_graph)[0],
        _unpack(_finish(products, create_graph), inputs_is_tuple),
    )


def vhp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """Vector-Hessian product ``v^T H`` of a scalar function; returns ``(output, vhp)``."""
    return _second_order_product("vhp", func, inputs, v, create_graph, strict, left=True)


def hvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """Hessian-vector product ``H v`` of a scalar function; returns ``(output, hvp)``."""
    return _second_order_product("hvp", func, inputs, v, create_graph, strict, left=False)
