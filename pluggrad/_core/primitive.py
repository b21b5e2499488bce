"""Primitives: one forward kernel each, plus their entry in the derivative table.

:func:`apply` runs a primitive's kernel on the backend's arrays and, when grad mode is on and
an input requires grad, records an :class:`OpNode` that can later run the primitive's
derivative formulas (the table itself is :mod:`pluggrad.ops.derivatives`, one layer up: the
ops layer hands each primitive its entry when it defines it).

A formula is written once against an array namespace ``ns`` and serves two purposes:

* for a plain backward, the engine calls it with the backend's raw arrays and the backend's own
  namespace: no graph is built and no Tensor is allocated;
* for ``create_graph=True`` it calls it with Tensors and the backend's differentiable
  namespace (``backend.tensor_ns``: pluggrad's operations, creating tensors on that backend), so
  the backward pass is itself recorded and can be differentiated again.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .grad_fit import cast_grad, sum_to
from .grad_mode import grad_enabled
from .graph import (
    FREED_MESSAGE,
    Node,
    modified_by_inplace_error,
    remember_origin,
    saved_tensors_hooks_in_force,
)
from .saving import (
    _DTYPE,
    _INPUT,
    _RESULT,
    _SHAPE,
    _STRIDES,
    _holds_array,
    _pack_saved,
    _SavePlan,
    _torch_input_names,
)
from .size import broadcast_mismatch
from .tensor import Tensor, _make
from .views import MULTI_OUTPUT_NODE, geometry_of, make_alias

# pluggrad's parameter names that PyTorch spells otherwise in its _saved_<name> attributes
_TORCH_PARAMS = {"axis": "dim", "keepdims": "keepdim"}

# what a released node holds instead of its saved values (typed Any: it stands in for that dict)
_FREED: Any = object()


PRIMITIVES: dict[str, Primitive] = {}  # every primitive, by name


class Formula:
    """A derivative formula ``fn(ns, g, *args)`` and the names of the values it needs."""

    __slots__ = ("fn", "argnames")

    def __init__(self, fn: Callable):
        self.fn = fn
        params = list(inspect.signature(fn).parameters)
        if params[:2] != ["ns", "g"]:
            raise TypeError(f"a derivative formula must start with (ns, g, ...), got {params}")
        self.argnames = tuple(params[2:])


class Primitive:
    """An operation with a forward kernel and a derivative-table entry.

    The ops layer makes primitives through :func:`pluggrad.ops._define.primitive`, which
    passes the primitive's entry of the derivative table (:mod:`pluggrad.ops.derivatives`).

    Parameters
    ----------
    name : str
        The operation's name; also the kernel's name in the backend namespace unless `forward`
        is given.
    inputs : tuple of str
        Names of the array arguments (positional), e.g. ``("x1", "x2")``.
    node : str, dict or callable, optional
        The backward node's PyTorch name (see the derivative table's format); None for a
        primitive whose outputs are never differentiable.
    formulas : mapping, optional
        Input name -> derivative formula ``fn(ns, g, *saved)``, for the differentiable inputs.
    elementwise : bool
        Inputs broadcast; gradients are summed back to each input's shape.
    forward : callable, optional
        ``forward(backend, *arrays, **params)`` when the kernel is not ``xp.<name>``.
    n_outputs : int or None
        Number of outputs (the kernel then returns a tuple or namedtuple), or None when each call
        decides (``split``, ``unstack``: the kernel returns a tuple of any length).  Formulas of
        a multi-output primitive receive ``g`` as a tuple with one gradient per output (zeros
        for outputs that received none) and ``result`` as a tuple.
    view : callable, optional
        For an operation whose outputs are views of its first input (PyTorch's view
        operations: indexing, ``transpose``, ``reshape``...): ``view(geometry, params, index)``
        gives output `index`'s :class:`~pluggrad._core.views.Geometry` from the input's.  A
        call with the parameter ``copy=True`` makes no view (a ``reshape`` that must copy).
    scalar_overloads, saved_as, saved_outputs
        From the operation's entry of the derivative table
        (:class:`~pluggrad.ops.derivatives._helpers.Entry`); `saved_outputs` (None: all) are the
        outputs saved for the formulas' ``result``.
    """

    __slots__ = (
        "name", "inputs", "node", "formulas", "elementwise", "forward", "differentiable",
        "n_outputs", "multi_output", "view", "scalar_overloads", "saved_as", "saved_outputs",
        "_node_classes", "_plans", "_fixed_node_class",
    )  # fmt: skip

    def __init__(
        self,
        name: str,
        inputs: tuple[str, ...],
        *,
        node: str | dict | Callable | None = None,
        formulas: Mapping[str, Callable] | None = None,
        elementwise: bool = False,
        forward: Callable | None = None,
        n_outputs: int | None = 1,
        view: Callable | None = None,
        scalar_overloads: tuple[str, ...] = (),
        saved_as: Mapping[str, str] | None = None,
        saved_outputs: tuple[int, ...] | None = None,
    ):
        formulas = formulas or {}
        self.name = name
        self.inputs = tuple(inputs)
        self.node = node
        unknown = set(formulas) - set(self.inputs)
        if unknown:
            raise ValueError(f"{name}: formulas for unknown inputs {sorted(unknown)}")
        self.formulas = tuple(Formula(formulas[i]) if i in formulas else None for i in self.inputs)
        self.differentiable = any(f is not None for f in self.formulas)
        self.elementwise = elementwise
        self.forward = forward
        self.n_outputs = n_outputs
        self.multi_output = n_outputs != 1
        self.view = view
        self.scalar_overloads = scalar_overloads
        self.saved_as = dict(saved_as or {})
        self.saved_outputs = saved_outputs
        self._node_classes: dict[tuple[str, int], type] = {}
        self._plans: dict[tuple, _SavePlan] = {}
        fixed = isinstance(node, str) and n_outputs is not None
        self._fixed_node_class = (
            self.node_class((), None, n_outputs) if fixed and n_outputs is not None else None
        )
        if name in PRIMITIVES:
            raise ValueError(f"primitive {name!r} is defined twice")
        PRIMITIVES[name] = self

    def node_class(self, args: tuple, params: dict | None, n_outputs: int) -> type:
        """The OpNode subclass (named like PyTorch's) for a call making `n_outputs` outputs."""
        node = self.node
        signature = None
        if isinstance(node, str):
            name = node
        elif isinstance(node, dict):
            signature = "".join("t" if isinstance(a, Tensor) else "s" for a in args)
            name = node[signature]
        elif node is not None:
            name = node(args, params or {})
        else:
            raise TypeError(f"primitive {self.name!r} is not differentiable: it has no node")
        cls = self._node_classes.get((name, n_outputs))
        if cls is None:
            namespace = {"__slots__": (), "prim": self, "num_outputs": n_outputs}
            if signature in self.scalar_overloads:  # no edges for the Python scalars
                namespace["_edge_inputs"] = tuple(
                    i for i, kind in enumerate(signature) if kind == "t"
                )
            cls = type(name, (OpNode,), namespace)
            cls.__module__ = "pluggrad.autograd.graph"
            self._node_classes[name, n_outputs] = cls
        return cls

    def __repr__(self) -> str:
        return f"<primitive {self.name}>"


class OpNode(Node):
    """Backward node of a primitive: holds what the formulas need and runs them."""

    # _plan: the primitive's _SavePlan for this call (which inputs get a gradient, what is saved)
    __slots__ = ("_kept", "_kept_tensors", "_meta", "_out_meta", "_plan")
    _kept: dict  # values the formulas read, by name (_FREED once released)
    # (name, tensor or result array, version counter, version at save); a pack hook's entries
    # are (name, packed, None, unpack)
    # (an input's name or an output's index, ...)
    _kept_tensors: Sequence[tuple[str | int, Any, list[int] | None, Any]]
    _meta: Sequence[tuple | None]  # per input: (shape, dtype) to fit its gradient to, or None
    _out_meta: list[tuple] | None  # per output of a multi-output primitive: (shape, dtype)
    _plan: _SavePlan

    prim: Primitive  # set on each generated subclass
    # the inputs that have an edge, when not all do (PyTorch's Scalar overloads: pow(x, 2))
    _edge_inputs: tuple[int, ...] | None = None

    def apply(self, grad_outputs: list, create_graph: bool) -> list:
        saved = self._kept
        if saved is _FREED:
            raise RuntimeError(FREED_MESSAGE)
        backend = self._backend
        ns = backend.tensor_ns if create_graph else backend.formula_ns
        if create_graph or self._kept_tensors:
            values = self._unpack(saved, backend, create_graph)
        else:  # nothing to unpack: the formulas only read the saved values
            values = saved
        if not self.prim.multi_output:
            g = grad_outputs[0]
        else:  # formulas of multi-output primitives get every output's gradient, zeros if unused
            g = tuple(  # (_out_meta is None for single-output nodes only)
                _zeros(ns, backend, meta, create_graph) if grad is None else grad
                for grad, meta in zip(grad_outputs, self._out_meta)  # type: ignore[arg-type]
            )
        metas = self._meta
        grads = [None] * len(metas)
        lookup = values.__getitem__
        run = None if create_graph else backend.run_formula
        for i, formula in self._plan.grad_formulas:
            if run is None:
                grad = formula.fn(ns, g, *map(lookup, formula.argnames))
            else:
                grad = run(formula, g, list(map(lookup, formula.argnames)))
            meta = metas[i]
            if meta is not None:
                grad = _fit(ns, grad, meta, backend, create_graph)
            grads[i] = grad
        edge_inputs = self._edge_inputs
        if edge_inputs is not None:
            return [grads[i] for i in edge_inputs]
        return grads  # a list: the engine drops each gradient from it as it stores it

    # ---- PyTorch's _saved_<name> attributes -----------------------------------------------
    def _torch_saved_names(self) -> dict[str, str]:
        """PyTorch's name (``self``, ``other``, ``result``, ``self_sym_sizes``...) of each value
        this node saved, mapped to pluggrad's."""
        inputs = self.prim.inputs
        renamed = _torch_input_names(self.prim)
        names = {}
        for kind, name, index in self._plan.saves:
            if kind == _RESULT:
                names["result"] = name
            elif kind == _INPUT:
                names[renamed.get(name, name)] = name
            elif kind == _SHAPE:
                names[renamed.get(inputs[index], inputs[index]) + "_sym_sizes"] = name
            elif kind == _DTYPE:
                names[renamed.get(inputs[index], inputs[index]) + "_scalar_type"] = name
            elif kind == _STRIDES:
                names[renamed.get(inputs[index], inputs[index]) + "_sym_strides"] = name
            else:
                names[_TORCH_PARAMS.get(name, name)] = name
        return names

    def __getattr__(self, attribute: str):
        if not attribute.startswith("_saved_") or attribute in OpNode.__slots__:
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{attribute}'")
        name = self._torch_saved_names().get(attribute[len("_saved_") :])
        if name is None:
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{attribute}'")
        if self._kept is _FREED:
            raise RuntimeError(FREED_MESSAGE)
        if name == "result":  # the (first saved) output, as the tensor it is
            for saved_name, obj, counter, version in self._kept_tensors:
                if type(saved_name) is int:
                    if counter is None:
                        return version(obj)
                    return _make(obj, self._backend, True, self, saved_name)
        for saved_name, obj, counter, version in self._kept_tensors:
            if saved_name == name:
                return version(obj) if counter is None else obj
        value = self._kept[name]
        return value if not name.endswith("_dtype") else self._backend.from_native[value]

    def __dir__(self):
        return [*super().__dir__(), *("_saved_" + n for n in self._torch_saved_names())]

    def _unpack(self, saved: dict, backend, create_graph: bool) -> dict:
        """The saved values by name, as raw arrays or (under create_graph) as Tensors."""
        values = dict(saved)
        results: dict[int, Any] = {}  # the saved outputs, by index
        for name, obj, counter, version in self._kept_tensors:
            if counter is None:  # packed by a saved_tensors_hooks pack hook; version = unpack
                tensor = version(obj)
                value = tensor if create_graph else tensor._data
            elif type(name) is int:  # an output
                if counter[0] != version:
                    raise modified_by_inplace_error(
                        _make(obj, backend), counter[0], version, self, name
                    )
                if not create_graph:
                    value = obj
                elif obj.dtype in backend.differentiable_natives:
                    value = _make(obj, backend, True, self, name)
                else:  # indices, as the forward gave them: no history
                    value = _make(obj, backend)
            else:
                if counter[0] != version:
                    raise modified_by_inplace_error(obj, counter[0], version)
                value = obj if create_graph else obj._data
            if type(name) is int:
                results[name] = value
            else:
                values[name] = value
        if results:
            if self.prim.multi_output:  # unsaved outputs are None
                values["result"] = tuple(map(results.get, range(len(self._out_meta or ()))))
            else:
                values["result"] = results[0]
        if create_graph:
            for name, value in saved.items():
                if name.endswith("_dtype"):
                    values[name] = backend.from_native[value]
        return values

    def release(self) -> None:
        # Like PyTorch, a node that saved no input or output (AddBackward0, or MulBackward0 of
        # a tensor by a Python scalar... which saves the scalar) stays usable after release; one
        # that saved index arrays (x[mask]: PyTorch's IndexBackward0 saves its indices) does not.
        kept = self._kept
        if (
            self._kept_tensors
            or (self._plan.saves_inputs and kept is not _FREED)
            or (kept is not _FREED and any(map(_holds_array, kept.values())))
        ):
            self._kept = _FREED
            self._kept_tensors = ()


def _zeros(ns, backend, meta, create_graph: bool):
    shape, native = meta
    return ns.zeros(shape, dtype=backend.from_native[native] if create_graph else native)


def _fit(ns, grad, meta, backend, create_graph):
    """Sum a broadcast gradient back to its input's shape and cast it to the input's dtype."""
    shape, native = meta
    if tuple(grad.shape) != shape:
        grad = sum_to(ns, grad, shape)
    if native is not None:
        dtype = backend.from_native[native] if create_graph else native
        grad = cast_grad(ns, grad, dtype)
    return grad


def mixed_backend_error(a, b) -> RuntimeError:
    return RuntimeError(
        "Expected all tensors to be on the same backend, but found at least two backends, "
        f"{a.name} and {b.name}!"
    )


def apply(prim: Primitive, args: tuple, params: dict | None = None):
    """Run `prim` on `args` (Tensors or Python scalars) and record the graph if needed.

    Returns a Tensor, or for a multi-output primitive a tuple (or the kernel's namedtuple
    type) of Tensors.
    """
    backend: Any = None  # a Backend: the first Tensor argument's
    arrays = []
    requires = []  # which arguments require grad: the key of the primitive's save plan
    for a in args:
        if isinstance(a, Tensor):
            if backend is None:
                backend = a._backend
            elif a._backend is not backend:
                raise mixed_backend_error(backend, a._backend)
            arrays.append(a._data)
            requires.append(a._requires_grad)
        else:
            arrays.append(a)
            requires.append(False)
    if backend is not None and backend.multi_device:
        _check_same_device(backend, args)
    if prim.forward is not None:
        out = prim.forward(backend, *arrays, **params) if params else prim.forward(backend, *arrays)
    else:
        kernel = backend.kernels[prim.name]
        try:
            out = kernel(*arrays, **params) if params else kernel(*arrays)
        except (ValueError, TypeError):  # the backend's own error for shapes: PyTorch's instead
            mismatch = prim.elementwise and broadcast_mismatch(
                [a.shape for a in arrays if hasattr(a, "shape")]
            )
            if mismatch:
                raise mismatch from None
            raise
    if True in requires and prim.differentiable:
        if not grad_enabled():
            return _untracked(prim, out, backend, args, params)
        record_graph = True
    else:
        record_graph = False
    if prim.multi_output:
        outs = [o if type(o) is backend.array_type else backend.normalize(o) for o in out]
        tensors = record(prim, outs, backend, args, params, requires) if record_graph else None
        if tensors is None:
            tensors = [_make(o, backend) for o in outs]
        if prim.view is not None:
            _mark_views(prim, tensors, args, params)
        return type(out)(*tensors) if hasattr(out, "_fields") else tuple(tensors)
    if type(out) is not backend.array_type:
        out = backend.normalize(out)
    result = None
    if record_graph:
        recorded = record(prim, [out], backend, args, params, requires)
        if recorded is not None:
            result = recorded[0]
    if result is None:
        result = _make(out, backend)
    if prim.view is not None:
        _mark_views(prim, (result,), args, params)
    return result


def _check_same_device(backend, args: tuple) -> None:
    """PyTorch's error for tensors on different devices in one operation."""
    first = None
    for a in args:
        if isinstance(a, Tensor):
            where = backend.device_of(a._data)
            if first is None:
                first = where
            elif where != first:
                _check_mixed_devices(backend, args)
                return


def _check_mixed_devices(backend, args: tuple) -> None:
    """Raise PyTorch's error unless the tensors on other devices are 0-dim tensors on the CPU,
    which PyTorch lets mix with tensors on any device (a scalar made with ``tensor(2.0)``, or
    by an operation from a Python number, next to a tensor on a GPU or laid out over several
    devices, a JAX sharding)."""
    places = [(backend.device_of(a._data), a._data.ndim) for a in args if isinstance(a, Tensor)]
    kept = [w for w, ndim in places if ndim or backend.torch_device(w).type != "cpu"]
    first, *others = kept or [places[0][0]]
    for where in others:
        if where != first:
            raise RuntimeError(
                "Expected all tensors to be on the same device, but found at least two "
                f"devices, {backend.torch_device(first)} and {backend.torch_device(where)}!"
            )


def _mark_views(prim: Primitive, outputs, args: tuple, params: dict | None) -> None:
    """Make the outputs of a view operation views of its first argument (if the call made
    views: a ``reshape`` may copy)."""
    base = args[0]
    params = params or {}
    if not isinstance(base, Tensor) or params.get("copy"):
        return
    step: Any = prim.view
    multi = len(outputs) > 1 or prim.multi_output
    function = ""
    if multi and prim.node is not None:
        function = prim.node_class(args, params, len(outputs)).__name__
        function = function[: function.rfind("Backward")] if "Backward" in function else function
    for index, t in enumerate(outputs):
        make_alias(
            t,
            base,
            step,
            params,
            index=index,
            creation=MULTI_OUTPUT_NODE if multi and grad_enabled() else None,
            function=function,
        )


def _untracked(prim: Primitive, out, backend, args: tuple, params: dict | None):
    """Results of a differentiable op on tensors that require grad, made with grad mode off:
    remembered as such, so that explain_missing_grad can say why they have no graph."""
    if prim.multi_output:
        outs = [o if type(o) is backend.array_type else backend.normalize(o) for o in out]
        tensors = [_make(o, backend) for o in outs]
        for t in tensors:
            remember_origin(t, "no_grad")
        if prim.view is not None:
            _mark_views(prim, tensors, args, params)
        return type(out)(*tensors) if hasattr(out, "_fields") else tuple(tensors)
    result = _make(out if type(out) is backend.array_type else backend.normalize(out), backend)
    remember_origin(result, "no_grad")
    if prim.view is not None:
        _mark_views(prim, (result,), args, params)
    return result


def record(prim: Primitive, outs: list, backend, args: tuple, params: dict | None, requires: list):
    """Tensors for `outs` whose ``grad_fn`` differentiates `prim` w.r.t. `args`.

    `requires` says which of `args` require grad.  Returns None when no output is
    differentiable (integer or boolean results).  This runs once per recorded operation: it
    avoids comprehensions and calls where a plain loop does.
    """
    natives = backend.differentiable_natives
    single = not prim.multi_output
    if single:
        if outs[0].dtype not in natives:
            return None
    else:
        differentiable = [o.dtype in natives for o in outs]
        if not any(differentiable):
            return None
    key = tuple(requires)
    plan = prim._plans.get(key)
    if plan is None:
        plan = prim._plans[key] = _SavePlan(prim, key)
    node = (prim._fixed_node_class or prim.node_class(args, params, len(outs)))()

    n_args = len(args)
    next_functions = [_NO_EDGE] * n_args
    # (shape, dtype) per input whose gradient must be summed back or cast; usually none, then
    # a shared tuple: fewer objects per node, fewer garbage-collector passes
    meta: tuple | list = _NO_META[n_args] if n_args < len(_NO_META) else (None,) * n_args
    out = outs[0]
    out_shape, out_dtype = out.shape, out.dtype
    elementwise = prim.elementwise
    for i in plan.grad_inputs:
        a = args[i]
        grad_fn = a._grad_fn
        next_functions[i] = (grad_fn, a._output_nr) if grad_fn is not None else a._gradient_edge()
        data = a._data
        dtype = data.dtype
        if dtype != out_dtype or (elementwise and data.shape != out_shape):
            if isinstance(meta, tuple):
                meta = list(meta)
            meta[i] = (data.shape, dtype if dtype != out_dtype else None)
    edge_inputs = node._edge_inputs
    if edge_inputs is not None:  # a Scalar overload: the scalars are not inputs of the node
        next_functions = [next_functions[i] for i in edge_inputs]
    node._init_node(tuple(next_functions))
    node._backend = backend
    node._meta = meta
    node._plan = plan
    if single:
        node._out_meta = None
        results = [_make(out, backend, True, node, 0)]
    else:
        node._out_meta = [(o.shape, o.dtype) for o in outs]
        results = [
            _make(o, backend, True, node, i) if diff else _make(o, backend)
            for i, (o, diff) in enumerate(zip(outs, differentiable))
        ]

    saved = {}
    # (an input's name or an output's index, value, version counter, version at save)
    saved_tensors: list[tuple[str | int, Any, Any, Any]] = []
    for kind, name, index in plan.saves:
        if kind == _INPUT:
            a = args[index]
            if isinstance(a, Tensor):
                saved_tensors.append((name, a, a._vc, a._vc[0]))
            else:
                saved[name] = a
        elif kind == _DTYPE:
            saved[name] = args[index]._data.dtype
        elif kind == _RESULT:  # an output is saved under its index
            for i in range(len(outs)) if prim.saved_outputs is None else prim.saved_outputs:
                saved_tensors.append((i, outs[i], results[i]._vc, 0))
        elif kind == _SHAPE:
            saved[name] = tuple(args[index]._data.shape)
        elif kind == _STRIDES:  # PyTorch's strides (in elements) of the tensor's view
            saved[name] = geometry_of(args[index]).strides
        else:  # a parameter: the plan saves one only for a primitive that takes it
            saved[name] = params[name]  # type: ignore[index]
    node._kept = saved
    hooks = saved_tensors_hooks_in_force.get()
    if hooks:
        saved_tensors = _pack_saved(hooks[-1], saved_tensors, results)
    node._kept_tensors = saved_tensors
    return results


_NO_EDGE = (None, 0)
_NO_META = tuple((None,) * n for n in range(8))
