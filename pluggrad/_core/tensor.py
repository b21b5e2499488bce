"""The :class:`Tensor`: an array of some backend plus PyTorch's autograd state.

A tensor holds a native array (``_data``) of the backend it was made on, and for autograd:
``requires_grad``, ``grad_fn`` (the node that made it, None for a leaf), ``grad`` and the hooks
registered on it.  Arithmetic lives in :mod:`pluggrad.ops`; the methods here delegate to it.
"""

from __future__ import annotations

import sys
import warnings
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .. import _dtypes
from ..backends import Backend, load_backend
from .grad_mode import inference_enabled
from .graph import AccumulateGrad, Node, remember_origin
from .hooks import RemovableHandle, add_hook
from .size import Size
from .views import ViewMeta, make_alias, provide_tensor_maker

NON_LEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
    "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. "
    "If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor "
    "instead. See github.com/pytorch/pytorch/pull/30531 for more information."
)
DETACH_VIEW_ERROR = (
    "Can't detach views in-place. Use detach() instead. If you are using "
    "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set as True, "
    "gradients are views of DDP buckets, and hence detach_() cannot be called on these "
    "gradients. To fix this error, please refer to the Optimizer.zero_grad() function in "
    "torch/optim/optimizer.py as the solution."
)
DEEPCOPY_NON_LEAF_ERROR = (
    "Only Tensors created explicitly by the user (graph leaves) support the deepcopy protocol at "
    "the moment.  If you were attempting to deepcopy a module, this may be because of a "
    "torch.nn.utils.weight_norm usage, see https://github.com/pytorch/pytorch/pull/103001"
)
# PyTorch words this error three ways, depending on how requires_grad was asked for
REQUIRES_GRAD_DTYPE_ERROR = "only Tensors of floating point and complex dtype can require gradients"
REQUIRES_GRAD_METHOD_DTYPE_ERROR = "only Tensors of floating point dtype can require gradients"
REQUIRES_GRAD_FACTORY_DTYPE_ERROR = (
    "Only Tensors of floating point and complex dtype can require gradients"
)


class _NumelAndSize(int):
    """``x.size``: the number of elements, and callable as PyTorch's ``x.size()``.

    The array API makes ``size`` an attribute holding the element count; PyTorch makes it a
    method returning the shape.  This int answers both.
    """

    _shape: tuple[int, ...]

    def __new__(cls, shape: tuple):
        n = 1
        for d in shape:
            n *= d
        self = super().__new__(cls, n)
        self._shape = shape
        return self

    def __call__(self, dim: int | None = None):
        return Size(self._shape) if dim is None else self._shape[dim]


# how mypy sees a method attached from above (any arguments, a Tensor back)
_Method = Callable[..., "Tensor"]


class Tensor:
    """A multi-dimensional array that records operations for automatic differentiation.

    ``Tensor(data)`` is PyTorch's legacy constructor: it always makes a tensor of the default
    float dtype (float32), e.g. ``Tensor([5])`` is ``tensor([5.])``; ``Tensor(2, 3)`` makes an
    uninitialised 2x3 tensor.  Prefer :func:`pluggrad.tensor`, which infers the dtype.

    Attributes
    ----------
    requires_grad : bool
        Whether operations on this tensor are recorded.  Settable on leaves.
    grad : Tensor or None
        The accumulated gradient of a leaf (or of a non-leaf after ``retain_grad()``).
    grad_fn : Node or None
        The backward node of the operation that created the tensor; None for leaves.
    """

    __slots__ = (
        "_data",
        "_backend",
        "_requires_grad",
        "_grad_fn",
        "_output_nr",
        "_grad",
        "_vc",
        "_backward_hooks",
        "_retains_grad",
        "_accumulator",
        "_post_acc_hooks",
        "_is_inference",
        "_view",
        "_aliases",
        "__weakref__",
    )
    _data: Any  # an array of the backend's library
    _backend: Backend
    _requires_grad: bool
    _grad_fn: Node | None
    _output_nr: int
    _grad: Tensor | None
    _vc: list[int]  # the version counter, shared by views (a list: one mutable cell)
    _backward_hooks: dict | None
    _retains_grad: bool
    _accumulator: weakref.ref[AccumulateGrad] | None
    _post_acc_hooks: dict | None
    _is_inference: bool
    _view: ViewMeta | None  # how this tensor shares another's elements (None: it owns them)
    _aliases: list | None  # weak references to the tensors sharing this one's elements

    if TYPE_CHECKING:
        # Attached by pluggrad._tensor_methods, from the layers above this one: the legacy
        # constructor ``Tensor(...)`` (it builds arrays the way the creation functions do),
        # Python's operators, and the named methods of each ops topic's TENSOR_METHODS
        # (``x.sum()``, ``x.sigmoid()``..., which mypy sees through __getattr__ as Any).
        # tests/unit/test_tensor_declarations.py checks that the operators match.
        def __init__(self, *args: Any, **kwargs: Any) -> None: ...
        def __getattr__(self, name: str) -> Any: ...

        __abs__: _Method
        __add__: _Method
        __and__: _Method
        __eq__: _Method  # type: ignore[assignment]  # elementwise, as in PyTorch: a Tensor
        __floordiv__: _Method
        __ge__: _Method
        __getitem__: _Method
        __gt__: _Method
        __iadd__: _Method
        __iand__: _Method
        __ifloordiv__: _Method
        __ilshift__: _Method
        __imatmul__: _Method
        __imod__: _Method
        __imul__: _Method
        __invert__: _Method
        __ior__: _Method
        __ipow__: _Method
        __irshift__: _Method
        __isub__: _Method
        __itruediv__: _Method
        __ixor__: _Method
        __le__: _Method
        __lshift__: _Method
        __lt__: _Method
        __matmul__: _Method
        __mod__: _Method
        __mul__: _Method
        __ne__: _Method  # type: ignore[assignment]  # elementwise, as in PyTorch: a Tensor
        __neg__: _Method
        __or__: _Method
        __pos__: _Method
        __pow__: _Method
        __radd__: _Method
        __rand__: _Method
        __rfloordiv__: _Method
        __rlshift__: _Method
        __rmatmul__: _Method
        __rmod__: _Method
        __rmul__: _Method
        __ror__: _Method
        __rpow__: _Method
        __rrshift__: _Method
        __rshift__: _Method
        __rsub__: _Method
        __rtruediv__: _Method
        __rxor__: _Method
        __setitem__: Callable[..., None]
        __sub__: _Method
        __truediv__: _Method
        __xor__: _Method

    # ---------------------------------------------------------------------------------------
    # autograd attributes
    # ---------------------------------------------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        self._set_requires_grad(bool(value), REQUIRES_GRAD_DTYPE_ERROR)

    def _set_requires_grad(self, value: bool, dtype_error: str) -> None:
        if self._grad_fn is not None:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use "
                "a computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach()."
            )
        if value and not self.dtype.is_differentiable:
            raise RuntimeError(dtype_error)
        if value and self._is_inference and not inference_enabled():
            raise RuntimeError(
                "Setting requires_grad=True on inference tensor outside InferenceMode is not "
                "allowed."
            )
        self._requires_grad = value

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` in place and return the tensor."""
        if self._grad_fn is not None and requires_grad:
            return self  # a non-leaf already requires grad (PyTorch allows this spelling)
        self._set_requires_grad(bool(requires_grad), REQUIRES_GRAD_METHOD_DTYPE_ERROR)
        return self

    @property
    def is_leaf(self) -> bool:
        """True for tensors the user created (and results of ops that do not require grad)."""
        return self._grad_fn is None

    @property
    def grad_fn(self):
        return self._grad_fn

    @property
    def grad(self) -> Tensor | None:
        if self._grad_fn is not None and not self._retains_grad:
            warnings.warn(NON_LEAF_GRAD_WARNING, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"assigned grad expected to be a Tensor or None but got grad of type "
                    f"{type(value).__name__}"
                )
            if value._backend is not self._backend:
                raise RuntimeError(
                    f"assigned grad has data on backend {value._backend.name} but the tensor "
                    f"is on backend {self._backend.name}"
                )
            if value.dtype is not self.dtype:
                raise RuntimeError("assigned grad has data of a different type")
            if tuple(value.shape) != tuple(self.shape):
                raise RuntimeError("assigned grad has data of a different size")
        self._grad = value

    @grad.deleter
    def grad(self) -> None:
        self._grad = None

    @property
    def retains_grad(self) -> bool:
        """True if ``retain_grad()`` was called on this non-leaf tensor."""
        return self._retains_grad

    @property
    def output_nr(self) -> int:
        """Which output of its ``grad_fn`` this tensor is."""
        return self._output_nr

    @property
    def _version(self) -> int:
        """How many times the tensor was modified in place."""
        if self._is_inference:
            raise RuntimeError("Inference tensors do not track version counter.")
        return self._vc[0]

    def retain_grad(self) -> None:
        """Make backward fill ``.grad`` of this non-leaf tensor too (a no-op on leaves)."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._grad_fn is None or self._retains_grad:
            return
        self._grad_fn._retain_grad_of(self._output_nr, self)
        self._retains_grad = True

    def register_hook(self, hook) -> RemovableHandle:
        """Register ``hook(grad)``, called with the gradient of this tensor during backward.

        The hook may return a tensor that replaces the gradient.  Hooks run in the order they
        were registered; ``handle.remove()`` unregisters one.
        """
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._grad_fn is not None:
            return self._grad_fn._add_tensor_pre_hook(self._output_nr, hook)
        self._backward_hooks, handle = add_hook(self._backward_hooks, hook)
        return handle

    def register_post_accumulate_grad_hook(self, hook) -> RemovableHandle:
        """Register ``hook(tensor)``, called after backward accumulated into this leaf's ``.grad``.

        It runs once per accumulation (``backward``, not ``autograd.grad``), after the
        tensor's ``register_hook`` hooks and the accumulation; only leaves that require grad
        accept such hooks.  The hook may update the tensor (under ``no_grad``) and reset its
        ``.grad``: the optimizer-step-in-backward pattern.

        Parameters
        ----------
        hook : callable
            ``hook(tensor) -> None``; it receives the tensor itself (read ``tensor.grad``).

        Returns
        -------
        RemovableHandle
            ``handle.remove()`` unregisters the hook.
        """
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._grad_fn is not None:
            raise RuntimeError(
                "post accumulate grad hooks cannot be registered on non-leaf tensors"
            )
        self._post_acc_hooks, handle = add_hook(self._post_acc_hooks, hook)
        return handle

    def is_inference(self) -> bool:
        """True if the tensor was made in :class:`~pluggrad.inference_mode`."""
        return self._is_inference

    def _gradient_edge(self):
        """``(node, input_nr)`` that a gradient for this tensor flows to."""
        if self._grad_fn is not None:
            return (self._grad_fn, self._output_nr)
        if self._requires_grad:
            return (self._grad_accumulator(), 0)
        return (None, 0)

    def _grad_accumulator(self) -> AccumulateGrad:
        """The leaf's AccumulateGrad node, kept alive by the graph and cached weakly here."""
        acc = self._accumulator() if self._accumulator is not None else None
        if acc is None:
            acc = AccumulateGrad(self)
            self._accumulator = weakref.ref(acc)
        return acc

    # ---------------------------------------------------------------------------------------
    # array attributes
    # ---------------------------------------------------------------------------------------
    @property
    def dtype(self) -> _dtypes.DType:
        return self._backend.from_native[self._data.dtype]

    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    @property
    def size(self) -> _NumelAndSize:
        """The number of elements (the array API's ``x.size``), also callable as PyTorch's
        ``x.size()`` (the shape) and ``x.size(dim)`` (the length of one dimension)."""
        return _NumelAndSize(self._data.shape)

    @property
    def ndim(self) -> int:
        return len(self._data.shape)

    def dim(self) -> int:
        """The number of dimensions."""
        return len(self._data.shape)

    def numel(self) -> int:
        """The number of elements."""
        return Size(self._data.shape).numel()

    nelement = numel

    @property
    def device(self):
        """Where the elements live, as a :class:`pluggrad.device` (``device(type='cpu')``)."""
        backend = self._backend
        return backend.torch_device(backend.device_of(self._data))

    @property
    def backend(self):
        """The backend whose arrays hold this tensor's data."""
        return self._backend

    def is_floating_point(self) -> bool:
        """True if the dtype is a real floating-point type."""
        return self.dtype.is_floating_point

    def is_complex(self) -> bool:
        """True if the dtype is complex."""
        return self.dtype.is_complex

    @property
    def data(self) -> Tensor:
        """A tensor sharing this one's elements, detached from the graph, with a version counter
        of its own (changes through it are not seen by autograd, as in PyTorch)."""
        t = make_alias(_make(self._data, self._backend), self, autograd=False)
        t._vc = [0]
        t._is_inference = self._is_inference
        return t

    @data.setter
    def data(self, value: Tensor) -> None:
        # this tensor takes `value`'s elements; views taken from it keep the old ones
        self._view = None
        self._data = value._data
        self._backend = value._backend

    @property
    def _base(self) -> Tensor | None:
        """The tensor this one is a view of (the first that is not itself a view), or None."""
        meta = self._view
        return None if meta is None else meta.base

    def _is_view(self) -> bool:
        """True if this tensor is a view of another (``_base`` is not None)."""
        meta = self._view
        return meta is not None and meta.base is not None

    is_view = _is_view

    # ---------------------------------------------------------------------------------------
    # conversion
    # ---------------------------------------------------------------------------------------
    def detach(self) -> Tensor:
        """A new leaf tensor sharing this one's elements and version counter, that does not
        require grad: a change through either is seen by both."""
        t = make_alias(_make(self._data, self._backend), self, autograd=False)
        t._is_inference = self._is_inference
        if self._requires_grad:
            remember_origin(t, "detached")
        return t

    def detach_(self) -> Tensor:
        """Detach this tensor from the graph in place (it becomes a leaf); not for views."""
        if self._is_view():
            raise RuntimeError(DETACH_VIEW_ERROR)
        self._grad_fn = None
        self._requires_grad = False
        return self

    def numpy(self, *, force: bool = False):
        """The data as a NumPy array (refuses on a tensor that requires grad, as torch does)."""
        if self._requires_grad and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead."
            )
        return self._backend.to_numpy(self._data)

    def __deepcopy__(self, memo: dict) -> Tensor:
        """A leaf of the same type with copied elements, ``requires_grad`` and ``.grad``."""
        if self._grad_fn is not None:
            raise RuntimeError(DEEPCOPY_NON_LEAF_ERROR)
        copied = memo.get(id(self))
        if copied is None:
            copied = memo[id(self)] = _new(type(self))
            _init(copied, self._backend.copy(self._data), self._backend, self._requires_grad)
            if self._grad is not None:
                copied._grad = self._grad.__deepcopy__(memo)
        return copied

    def __reduce_ex__(self, protocol):
        # the elements travel as a NumPy array with the backend's name (backends and their
        # array types need not pickle); as in PyTorch, the copy is a leaf (its graph stays)
        array = self._backend.to_numpy(self._data)
        return (_rebuild, (type(self), self._backend.name, array, self._requires_grad))

    def __array__(self, dtype=None, copy=None):
        array = self.numpy()
        if dtype is not None and array.dtype != dtype:
            return array.astype(dtype)
        return array.copy() if copy else array

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self.numel() != 1:
            raise RuntimeError(
                f"a Tensor with {self.numel()} elements cannot be converted to Scalar"
            )
        return self._backend.to_numpy(self._data).item()

    def tolist(self):
        """The data as (nested) Python lists of Python numbers."""
        return self._backend.to_numpy(self._data).tolist()

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __bool__(self) -> bool:
        if self.numel() != 1:
            raise RuntimeError(
                "Boolean value of Tensor with more than one value is ambiguous"
                if self.numel() > 1
                else "Boolean value of Tensor with no values is ambiguous"
            )
        return bool(self.item())

    def __index__(self) -> int:
        if self.dtype.kind not in "iub" or self.numel() != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __len__(self) -> int:
        if not self._data.shape:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if not self._data.shape:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    __hash__ = object.__hash__

    def __format__(self, format_spec: str) -> str:
        if self.ndim == 0:
            return self.item().__format__(format_spec)
        return object.__format__(self, format_spec)

    def __array_namespace__(self, *, api_version=None):
        """The pluggrad module: the array API namespace of tensors."""
        if api_version not in (None, "2021.12", "2022.12", "2023.12", "2024.12", "2025.12"):
            raise ValueError(f"unsupported array API version {api_version!r}")
        # the package whose top level is the namespace (no import: it is loaded by now)
        return sys.modules[__name__.partition(".")[0]]

    def __complex__(self) -> complex:
        return complex(self.item())

    def __dlpack__(self, *, stream=None, max_version=None, dl_device=None, copy=None):
        """Export the data through DLPack (refuses on a tensor that requires grad, as torch)."""
        if self._requires_grad:
            raise RuntimeError("Can't export tensors that require gradient, use tensor.detach()")
        versions = {} if max_version is None else {"max_version": max_version}
        return self._backend.dlpack_source(self._data).__dlpack__(stream=stream, **versions)

    def __dlpack_device__(self):
        return self._backend.dlpack_device(self._data)


def _init(t: Tensor, data, backend, requires_grad=False, grad_fn=None, output_nr=0) -> None:
    t._data = data
    t._backend = backend
    t._requires_grad = requires_grad
    t._grad_fn = grad_fn
    t._output_nr = output_nr
    t._grad = None
    t._vc = [0]
    t._backward_hooks = None
    t._retains_grad = False
    t._accumulator = None
    t._post_acc_hooks = None
    t._is_inference = inference_enabled()
    t._view = None
    t._aliases = None


_new = object.__new__


def _rebuild(cls: type, backend_name: str, array, requires_grad: bool) -> Tensor:
    """Unpickle a tensor (see ``Tensor.__reduce_ex__``) on the backend it was pickled from."""
    backend = load_backend(backend_name)
    t: Any = _new(cls)
    _init(t, backend.asarray(array), backend, requires_grad)
    return t


def _make(data, backend, requires_grad=False, grad_fn=None, output_nr=0) -> Tensor:
    """Wrap a native array in a Tensor (the internal constructor: no checks, no copies)."""
    t = _new(Tensor)
    _init(t, data, backend, requires_grad, grad_fn, output_nr)
    return t


provide_tensor_maker(_make)

# the public path of the classes (``type(t)`` prints ``<class 'pluggrad.Tensor'>``)
Tensor.__module__ = Size.__module__ = "pluggrad"
