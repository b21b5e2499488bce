"""Random numbers as PyTorch users write them: ``manual_seed``, ``Generator``, ``rand``,
``randn``, ``randint``, ``randperm``, ``normal``, ``bernoulli``, ``multinomial``, the ``*_like``
variants and the in-place samplers (``uniform_``, ``normal_``, ``random_``, ``exponential_``,
``bernoulli_``).

A :class:`Generator` holds a seed and, for each backend it has drawn on, that backend's
stream (:class:`~pluggrad.backends._random.RandomSource`).  NumPy, array_api_strict and every
backend fed by NumPy arrays share one :class:`~pluggrad.backends._random.CPUGenerator`,
PyTorch's CPU generator bit for bit: ``manual_seed(0)`` then ``randn``, ``nn.Linear``'s
initialisation or a shuffled ``DataLoader`` give PyTorch's numbers, and ``get_rng_state`` is
PyTorch's 5056-byte state (``set_rng_state`` takes one saved by PyTorch).  JAX draws from a key
split once per call (users never thread keys), so that draws trace inside
``pluggrad.compile``; its numbers differ from PyTorch's, and a generator that has drawn on JAX
appends the keys to its state bytes.

Samplers make leaves (``requires_grad=`` as in PyTorch).  The in-place samplers overwrite a
tensor as an in-place operation: with grad mode on, the old value gets a zero gradient
(PyTorch's ``UniformBackward0``, ``NormalBackward0``...), and a leaf that requires grad
refuses them (``nn.init`` calls them under ``no_grad``).
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from .. import _dtypes
from .._core.primitive import apply
from .._core.tensor import Tensor
from .._dtypes import to_dtype
from ..backends import Backend
from ._args import as_tensor_arg
from ._define import primitive
from ._generator import (
    Generator,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)
from ._generator import stream as _stream
from ._leaf import leaf as _leaf
from ._leaf import resolve_backend as _backend
from .creation import _pop_size, _shape, _size_of
from .inplace import check_inplace_allowed, commit

__all__ = [
    "Generator", "default_generator", "manual_seed", "seed", "initial_seed", "get_rng_state",
    "set_rng_state", "rand", "randn", "randint", "randperm", "normal", "bernoulli",
    "multinomial", "rand_like", "randn_like", "randint_like", "poisson", "binomial",
]  # fmt: skip


def _float_dtype(dtype, name: str) -> _dtypes.DType:
    dtype = _dtypes.get_default_dtype() if dtype is None else to_dtype(dtype)
    if not dtype.is_floating_point:
        raise RuntimeError(f"\"{name}\" not implemented for '{dtype.torch_name}'")
    return dtype


def _float_samples(draw: str, check: str, shape: tuple, backend: Backend, generator, dtype,
                   requires_grad: bool) -> Tensor:  # fmt: skip
    """A leaf of `shape` drawn by the stream's method `draw` (``"uniform"``, ``"normal"``) in a
    floating `dtype` (PyTorch names its kernel, `check`, when the dtype is not one)."""
    dtype = _dtypes.get_default_dtype() if dtype is None else to_dtype(dtype)
    if dtype.is_complex:
        return _leaf(_complex_samples(draw, shape, backend, generator, dtype), backend,
                     requires_grad)  # fmt: skip
    native = backend.to_native[_float_dtype(dtype, check)]
    data = getattr(_stream(generator, backend), draw)(shape, native)
    return _leaf(data, backend, requires_grad)


def _complex_samples(draw: str, shape: tuple, backend: Backend, generator, dtype) -> Any:
    """PyTorch's complex draws (:func:`_complex_pairs`), a normal one with std ``1/sqrt(2)``
    so that the complex value has variance 1."""
    args = (0.0, 1.0 / math.sqrt(2.0)) if draw == "normal" else ()
    sample = _complex_pairs(lambda s, shape, native, *a: getattr(s, draw)(shape, native, *a))
    return sample(_stream(generator, backend), shape, backend.to_native[dtype], *args)


def _complex_pairs(draw):
    """`draw(source, shape, native_dtype, *args)` for complex tensors as PyTorch's samplers do
    it: the real and imaginary parts drawn, with the same arguments, as one real array of
    ``(*shape, 2)`` (the tensor's ``view_as_real``)."""

    def run(source, shape, native, *args):
        backend = source.backend
        dtype = backend.from_native.get(native)
        if dtype is None or not dtype.is_complex:
            return draw(source, shape, native, *args)
        real = _dtypes.float64 if dtype is _dtypes.complex128 else _dtypes.float32
        pairs = draw(source, (*shape, 2), backend.to_native[real], *args)
        xp = backend.xp
        return xp.astype(pairs[..., 0], native) + xp.astype(pairs[..., 1], native) * 1j

    return run


def _size(size: tuple, kwargs: dict, name: str) -> tuple[int, ...]:
    """The shape of ``rand(2, 3)``, ``rand((2, 3))`` or ``rand(size=(2, 3))``."""
    return _shape(_size_of(size[0] if size else None, size[1:], _pop_size(kwargs, name)))


# ---- samplers that make new tensors --------------------------------------------------------------
def rand(*size, generator=None, dtype=None, device=None, requires_grad: bool = False,
         **kwargs) -> Tensor:  # fmt: skip
    """Uniform samples on ``[0, 1)`` of the given shape (``rand(2, 3)`` or ``rand((2, 3))``)."""
    shape = _size(size, kwargs, "rand")
    return _float_samples(
        "uniform", "check_uniform_bounds", shape, _backend(None), generator, dtype, requires_grad
    )


def randn(*size, generator=None, dtype=None, device=None, requires_grad: bool = False,
          **kwargs) -> Tensor:  # fmt: skip
    """Standard normal samples of the given shape."""
    shape = _size(size, kwargs, "randn")
    return _float_samples(
        "normal", "normal_kernel_cpu", shape, _backend(None), generator, dtype, requires_grad
    )


def randint(low, high=None, size=None, *, generator=None, dtype=None, device=None,
            requires_grad: bool = False) -> Tensor:  # fmt: skip
    """Integers uniform on ``[low, high)`` of shape `size` (``randint(high, size)`` too); int64
    unless `dtype` says otherwise."""
    if size is None:  # randint(high, size)
        if high is None:
            raise TypeError("randint() missing required argument 'size'")
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    low, high = int(low), int(high)
    if low >= high:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )
    backend = _backend(None)
    dtype = _dtypes.int64 if dtype is None else to_dtype(dtype)
    data = _stream(generator, backend).integers(
        low, high, _shape((size,)), backend.to_native[dtype]
    )
    return _leaf(data, backend, requires_grad)


def randperm(n: int, *, generator=None, dtype=None, device=None,
             requires_grad: bool = False) -> Tensor:  # fmt: skip
    """A random permutation of ``0 .. n-1`` (int64 unless `dtype` says otherwise)."""
    n = int(n)
    if n < 0:
        raise RuntimeError(f"n must be non-negative, got{n}")
    backend = _backend(None)
    dtype = _dtypes.int64 if dtype is None else to_dtype(dtype)
    data = _stream(generator, backend).permutation(n, backend.to_native[dtype])
    return _leaf(data, backend, requires_grad)


def _like_args(x: Tensor, dtype) -> tuple[Backend, _dtypes.DType]:
    if not isinstance(x, Tensor):
        raise TypeError(f"expected a Tensor, got {type(x).__name__}")
    return x._backend, x.dtype if dtype is None else to_dtype(dtype)


def rand_like(input, *, generator=None, dtype=None, device=None,  # noqa: A002 - PyTorch's name
              requires_grad: bool = False) -> Tensor:  # fmt: skip
    """:func:`rand` with the shape, dtype and backend of `input`."""
    backend, dtype = _like_args(input, dtype)
    shape = tuple(input.shape)
    return _float_samples(
        "uniform", "check_uniform_bounds", shape, backend, generator, dtype, requires_grad
    )


def randn_like(input, *, generator=None, dtype=None, device=None,  # noqa: A002 - PyTorch's name
               requires_grad: bool = False) -> Tensor:  # fmt: skip
    """:func:`randn` with the shape, dtype and backend of `input`."""
    backend, dtype = _like_args(input, dtype)
    shape = tuple(input.shape)
    return _float_samples(
        "normal", "normal_kernel_cpu", shape, backend, generator, dtype, requires_grad
    )


def randint_like(input, low=0, high=None, *, generator=None, dtype=None, device=None,  # noqa: A002 - PyTorch's name
                 requires_grad: bool = False) -> Tensor:  # fmt: skip
    """:func:`randint` with the shape, dtype and backend of `input` (``randint_like(x, high)``
    too)."""
    if high is None:
        low, high = 0, low
    backend, dtype = _like_args(input, dtype)
    native = backend.to_native[dtype]
    data = _stream(generator, backend).integers(int(low), int(high), tuple(input.shape), native)
    return _leaf(data, backend, requires_grad)


# ---- samplers that may take tensors: primitives with zero gradients ------------------------------
def _normal_forward(backend, mean, std, *, shape, source):
    dtype = next((a.dtype for a in (mean, std) if not isinstance(a, numbers.Number)), None)
    if dtype is None:
        dtype = backend.to_native[_dtypes.get_default_dtype()]
    return source.normal(shape, dtype, mean, std)


_NORMAL = primitive("normal", ("mean", "std"), elementwise=True, forward=_normal_forward)
_BERNOULLI = primitive(
    "bernoulli",
    ("x",),
    forward=lambda backend, x, *, source: source.bernoulli(x, tuple(x.shape), x.dtype),
)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None, device=None,
           requires_grad: bool = False) -> Tensor:  # fmt: skip
    """Normal samples with `mean` and `std`: tensors (broadcast together; the result's shape)
    or numbers with `size`.  Tensor means and stds get zero gradients, as in PyTorch."""
    tensors = [a for a in (mean, std) if isinstance(a, Tensor)]
    if not tensors:
        if size is None:
            raise TypeError("normal() with float mean and std needs a size")
        backend = _backend(None)
        dtype = _dtypes.get_default_dtype() if dtype is None else to_dtype(dtype)
        source = _stream(generator, backend)
        data = source.normal(_shape((size,)), backend.to_native[dtype], float(mean), float(std))
        return _leaf(data, backend, requires_grad)
    if isinstance(std, Tensor) and bool((std < 0).any()):
        raise RuntimeError("normal expects all elements of std >= 0.0")
    if not isinstance(std, Tensor) and std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    shape = tuple(np.broadcast_shapes(*(tuple(t.shape) for t in tensors)))
    if size is not None and _shape((size,)) != shape:
        raise RuntimeError(f"inconsistent tensor, output size ({list(size)}) is not the same as "
                           f"broadcast size ({list(shape)})")  # fmt: skip
    source = _stream(generator, tensors[0]._backend)
    return apply(_NORMAL, (mean, std), {"shape": shape, "source": source})


def bernoulli(input, p=None, *, generator=None) -> Tensor:  # noqa: A002
    """0/1 samples, 1 with the probability in each element of `input` (or with `p`), in
    `input`'s dtype."""
    if p is not None:
        return _bernoulli_inplace(input.detach().clone(), p, generator=generator)
    if not input.dtype.is_floating_point:
        raise RuntimeError(f'"bernoulli_tensor_cpu_p_" not implemented for '
                           f"'{input.dtype.torch_name}'")  # fmt: skip
    return apply(_BERNOULLI, (input,), {"source": _stream(generator, input._backend)})


_POISSON = primitive(
    "poisson",
    ("x",),
    forward=lambda backend, x, *, source: source.poisson(x, x.dtype),
)


def poisson(input, generator=None) -> Tensor:  # noqa: A002 - PyTorch's name
    """Poisson counts with the rates in `input` (non-negative), in `input`'s floating dtype;
    the rates get a zero gradient (``PoissonBackward0``), as in PyTorch."""
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"poisson_cpu\" not implemented for '{input.dtype.torch_name}'")
    if bool((input < 0).any()):
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    return apply(_POISSON, (input,), {"source": _stream(generator, input._backend)})


def binomial(count, prob, generator=None) -> Tensor:
    """Binomial successes of `count` trials with probability `prob` (floating tensors that
    broadcast together).  Not differentiable: PyTorch has no derivative for it either."""
    if not count.dtype.is_floating_point:
        raise ValueError(
            f"binomial only supports floating-point dtypes for count, got: {count.dtype.torch_name}"
        )
    backend = count._backend
    native = backend.to_native[count.dtype]
    source = _stream(generator, backend)
    return _leaf(source.binomial(count._data, as_tensor_arg(prob, count)._data, native), backend,
                 False)  # fmt: skip


def multinomial(input, num_samples: int, replacement: bool = False, *,  # noqa: A002
                generator=None) -> Tensor:  # fmt: skip
    """Indices drawn from the categories weighted by each row of `input` (1-d or 2-d), int64."""
    if input.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if not input.dtype.is_floating_point:
        raise RuntimeError("multinomial only supports floating-point dtypes for input")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    if not replacement and num_samples > input.shape[-1]:
        raise RuntimeError(
            "cannot sample n_sample > prob_dist.size(-1) samples without replacement"
        )
    if bool((input < 0).any()):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if bool((input.sum(-1) == 0).any()):
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    backend = input._backend
    source = _stream(generator, backend)
    native = backend.to_native[_dtypes.int64]
    return _leaf(
        source.multinomial(input._data, int(num_samples), replacement, native), backend, False
    )


# ---- in-place samplers ---------------------------------------------------------------------------
def _sampler(name: str, draw):
    """The in-place sampling of ``name``: ``draw(source, shape, native_dtype, *args)`` makes the
    new values; the old ones get a zero gradient (PyTorch's ``<Name>Backward``)."""
    prim = primitive(
        name,
        ("x",),
        forward=lambda backend, x, *, source, args: draw(source, tuple(x.shape), x.dtype, *args),
    )

    def sample_(x: Tensor, args: tuple, generator) -> Tensor:
        check_inplace_allowed(x)
        source = _stream(generator, x._backend)
        return commit(x, apply(prim, (x,), {"source": source, "args": args}))

    return sample_


def _floating_only(name: str, x: Tensor) -> None:
    if not x.dtype.is_floating_point:
        raise RuntimeError(f"\"{name}\" not implemented for '{x.dtype.torch_name}'")


def _floating_or_complex(name: str, x: Tensor) -> None:
    if not (x.dtype.is_floating_point or x.dtype.is_complex):
        raise RuntimeError(f"\"{name}\" not implemented for '{x.dtype.torch_name}'")


_uniform = _sampler(
    "uniform_",
    _complex_pairs(lambda s, shape, dt, low, high: s.uniform(shape, dt, low, high)),
)
_normal = _sampler(
    "normal_", _complex_pairs(lambda s, shape, dt, mean, std: s.normal(shape, dt, mean, std))
)
_exponential = _sampler("exponential_", lambda s, shape, dt, rate: s.exponential(shape, dt, rate))
# `given` (how many bounds the caller gave) only picks the node: RandomBackward0/1/2
_random = _sampler(
    "random_", lambda s, shape, dt, low, high, given: s.integers(low, high, shape, dt)
)
_bernoulli = _sampler("bernoulli_", lambda s, shape, dt, p: s.bernoulli(p, shape, dt))
_cauchy = _sampler(
    "cauchy_", lambda s, shape, dt, median, sigma: s.cauchy(shape, dt, median, sigma)
)
_log_normal = _sampler(
    "log_normal_", lambda s, shape, dt, mean, std: s.log_normal(shape, dt, mean, std)
)
_geometric = _sampler("geometric_", lambda s, shape, dt, p: s.geometric(shape, dt, p))


def _uniform_(self, from_=0.0, to=1.0, *, generator=None) -> Tensor:
    """Fill with samples uniform on ``[from, to)``, in place (complex tensors: both parts)."""
    _floating_or_complex("uniform_", self)
    if from_ > to:
        raise RuntimeError(
            f"uniform_ expects to return a [from, to) range, but found from={from_} > to={to}"
        )
    return _uniform(self, (float(from_), float(to)), generator)


def _normal_(self, mean=0.0, std=1.0, *, generator=None) -> Tensor:
    """Fill with normal samples of `mean` and `std`, in place (complex tensors: both parts of
    mean `mean` and std ``std / sqrt(2)``, as PyTorch's)."""
    _floating_or_complex("normal_", self)
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    if self.dtype.is_complex:
        std = std / math.sqrt(2.0)
    return _normal(self, (float(mean), float(std)), generator)


def _exponential_(self, lambd=1.0, *, generator=None) -> Tensor:
    """Fill with exponential samples of rate `lambd`, in place."""
    _floating_only("exponential_", self)
    if lambd <= 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
    return _exponential(self, (float(lambd),), generator)


def _cauchy_(self, median=0.0, sigma=1.0, *, generator=None) -> Tensor:
    """Fill with Cauchy samples of location `median` and scale `sigma`, in place."""
    if not self.dtype.is_floating_point:
        name = _C_TYPE_NAMES.get(self.dtype.name, self.dtype.name)
        raise RuntimeError(
            "Cauchy distribution is a continuous probability distribution. dtype must be a "
            f"floating point but you specified {name}"
        )
    if sigma <= 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={sigma}")
    return _cauchy(self, (float(median), float(sigma)), generator)


def _log_normal_(self, mean=1.0, std=2.0, *, generator=None) -> Tensor:
    """Fill with ``exp`` of normal samples of `mean` and `std`, in place."""
    if not self.dtype.is_floating_point:
        raise NotImplementedError(
            f"\"log_normal_cpu\" not implemented for '{self.dtype.torch_name}'"
        )
    if std <= 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std}")
    return _log_normal(self, (float(mean), float(std)), generator)


def _geometric_(self, p, *, generator=None) -> Tensor:
    """Fill with the number of Bernoulli(`p`) trials up to the first success, in place."""
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p}")
    return _geometric(self, (float(p),), generator)


# C's names of the dtypes, in PyTorch's messages about them
_C_TYPE_NAMES = {"int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
                 "uint8": "unsigned char", "bool": "bool"}  # fmt: skip


def _random_(self, *bounds, generator=None) -> Tensor:
    """Fill with integers uniform on ``[from, to)`` (``random_(to)``; ``random_()``: every
    integer the dtype holds exactly)."""
    low, high = _random_bounds(self, bounds)
    return _random(self, (low, high, len(bounds)), generator)


def _random_bounds(x: Tensor, args: tuple) -> tuple[int, int]:
    """``random_()``, ``random_(to)`` and ``random_(from, to)``: PyTorch's bounds."""
    if len(args) == 2:
        low, high = int(args[0]), int(args[1])
    elif len(args) == 1:
        low, high = 0, int(args[0])
    else:
        dtype = x.dtype
        if dtype.is_floating_point:  # integers exactly representable in the dtype
            high = 2 ** (np.finfo(dtype.name).nmant + 1) + 1
        elif dtype is _dtypes.bool:
            high = 2
        else:
            high = int(np.iinfo(dtype.name).max) + 1
        low = 0
    if low >= high:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )
    return low, high


def _bernoulli_inplace(self, p=0.5, *, generator=None) -> Tensor:
    """Fill with 0/1 samples, 1 with probability `p` (a number or a tensor), in place."""
    return _bernoulli(self, (p._data if isinstance(p, Tensor) else p,), generator)


NONDIFFERENTIABLE_FUNCTIONS: frozenset[str] = frozenset(__all__) - {
    "normal", "bernoulli", "poisson",
}  # fmt: skip
# the primitives of this module (their gradients are zero, as PyTorch defines them)
PRIMITIVES = (
    "normal", "bernoulli", "poisson", "uniform_", "normal_", "exponential_", "random_",
    "bernoulli_", "cauchy_", "log_normal_", "geometric_",
)  # fmt: skip

TENSOR_METHODS: dict = {
    "uniform_": _uniform_,
    "normal_": _normal_,
    "exponential_": _exponential_,
    "random_": _random_,
    "bernoulli_": _bernoulli_inplace,
    "cauchy_": _cauchy_,
    "log_normal_": _log_normal_,
    "geometric_": _geometric_,
    "bernoulli": bernoulli,
    "multinomial": multinomial,
}
