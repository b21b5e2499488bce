"""The differentiable operations, under their array API names.

One module per topic of the standard (the topics of :data:`pluggrad.ops.derivatives.TOPICS`, plus
``dtype_functions``, whose functions make no primitive); each lists its public functions in
``__all__``, the functions whose results never carry gradients in ``NONDIFFERENTIABLE_FUNCTIONS``
(every other function must have a record in the conformance op database), and the PyTorch-style
Tensor methods it provides in ``TENSOR_METHODS``.  A topic module may export functions defined
in a private module below it (``_shape``, ``_products``...), which the other topics build on.

The modules import one another in this order only, bottom first: a module imports only modules
listed before it, so the imports form no cycle; and none imports in a function body:

1. ``derivatives`` (the derivative table, one module per topic; imports no other ops module)
2. ``_define`` (a primitive with its table entry)
3. ``_leaf`` (leaf tensors from data: ``tensor``)
4. ``_args`` (arguments: axes, ``axis``/``dim``, array-likes as tensors)
5. ``_convert`` (``astype``, ``clone``, dtype promotion rules)
6. ``_shape`` (reshaping, broadcasting, axis order, the matrix diagonal)
7. ``dtype_functions``, ``creation``, ``elementwise``, ``indexing``, ``sets``, ``sorting``,
   ``searching``
8. ``manipulation``
9. ``_along_axis`` (cumulative sums, ``diff``, softmax), then ``reductions``
10. ``_products`` (matrix products), then ``linalg``
11. ``fft``, ``inplace`` (then ``_inplace_views``), ``_composite_shape``, ``_composite_linalg``
    then ``composite`` (PyTorch's functions made of the others), ``special``, ``convolution``
    (no topic: the primitive behind ``nn.functional``'s convolutions, for formulas only),
    ``losses`` (no topic: ``nn.functional``'s losses that are one operation in PyTorch)
12. this package, which gathers the topics' namespaces

This package also builds, for each backend, the namespace that derivative formulas run against
under ``create_graph=True`` (``backend.tensor_ns``, see :func:`tensor_namespace`), so every name
a formula uses must exist both here and in each backend's array namespace.
"""

from __future__ import annotations

import functools
import importlib
import types

from ..backends import Backend, use_backend
from . import _devices, convolution, creation, elementwise, fft, linalg, special
from . import activations as activations  # its primitives, which the table's entries name
from . import losses as losses  # its primitives, which the derivative table's entries name
from ._convert import accumulation_copy
from .composite import *  # noqa: F403
from .creation import *  # noqa: F403
from .derivatives import TOPICS as _DIFFERENTIABLE_TOPICS
from .derivatives import sum_to
from .dtype_functions import *  # noqa: F403
from .elementwise import *  # noqa: F403
from .indexing import *  # noqa: F403
from .indexing import put_along_axis_add
from .indexing import scatter_add as _scatter_add_at_key
from .linalg import *  # noqa: F403
from .manipulation import *  # noqa: F403
from .random import *  # noqa: F403
from .reductions import *  # noqa: F403
from .searching import *  # noqa: F403
from .sets import *  # noqa: F403
from .sorting import *  # noqa: F403
from .special import *  # noqa: F403

# the topic modules (all the differentiable topics and dtype_functions), in alphabetical order
TOPICS = tuple(
    importlib.import_module(f"{__name__}.{topic}")
    for topic in sorted((*_DIFFERENTIABLE_TOPICS, "dtype_functions"))
)

__all__ = [name for topic in TOPICS for name in topic.__all__] + ["sum_to"]

_FORMULA_EXTRAS = {
    "move": _devices.move,
    "scatter_add": _scatter_add_at_key,  # the backward of x[key]; PyTorch's is composite's
    "put_along_axis_add": put_along_axis_add,
    "accumulation_copy": accumulation_copy,
    "threshold_backward": elementwise.threshold_backward,
    "binary_cross_entropy_backward": losses.binary_cross_entropy_backward,
    "mse_loss_backward": losses.mse_loss_backward,
    "convolution": convolution.convolution,
}


def _bound(function, backend: Backend):
    """`function` (a creation function) making its tensors on `backend`."""

    @functools.wraps(function)
    def on_backend(*args, **kwargs):
        with use_backend(backend):
            return function(*args, **kwargs)

    return on_backend


def tensor_namespace(backend: Backend) -> types.SimpleNamespace:
    """The differentiable namespace bound to `backend` (``backend.tensor_ns``).

    Every public operation, with the creation functions that take no tensor (``zeros``,
    ``eye``, ``fftfreq``...) making their tensors on `backend`; the standard's extensions as
    ``ns.linalg`` and ``ns.fft``; and ``differentiable = True`` (``backend.formula_ns``, the raw
    one, says False), for the few formulas that take an exact path at higher orders.
    """
    names = {name: globals()[name] for name in __all__}
    names.update(_FORMULA_EXTRAS)
    for name in creation.BACKEND_CREATORS:
        names[name] = _bound(names[name], backend)
    extensions = {
        "linalg": dict(linalg.EXTENSION),
        "fft": {name: getattr(fft, name) for name in fft.PUBLIC},
        "special": {name: getattr(special, name) for name in special.FORMULA_FUNCTIONS},
    }
    for name in fft.BACKEND_CREATORS:
        extensions["fft"][name] = _bound(extensions["fft"][name], backend)
    for extension, members in extensions.items():
        names[extension] = types.SimpleNamespace(**members)
    names["differentiable"] = True
    return types.SimpleNamespace(**names)


Backend.provide_tensor_namespace(tensor_namespace)
