"""``gradcheck`` and ``gradgradcheck``: compare autograd's derivatives with finite differences.

As in PyTorch, ``gradcheck`` builds the full Jacobian of every differentiable output with
respect to every input that requires grad twice: numerically, by central differences, and
analytically, one vector-Jacobian product per output element.  ``gradgradcheck`` runs
``gradcheck`` on the function that returns the first derivatives (computed with
``create_graph=True``), which checks the second derivatives.

Inputs are perturbed on a NumPy copy and rebuilt on their own backend, so the checks work the
same on every backend.  Use float64 inputs: float32 differences are too coarse.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np

from .._core.grad_mode import no_grad
from .._core.tensor import Tensor
from ..ops.creation import tensor
from .gradients import grad as autograd_grad

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """Raised by :func:`gradcheck` when analytical and numerical derivatives differ."""


_UNSUPPORTED = ("check_batched_grad", "check_batched_forward_grad", "check_forward_ad")


def _reject_unsupported(options: dict) -> None:
    """PyTorch flags for checks pluggrad cannot make (it has no forward-mode or batched AD)."""
    for name, value in options.items():
        if name in _UNSUPPORTED and value:
            raise ValueError(f"{name}=True is not supported: pluggrad has no such AD mode")
        if name not in _UNSUPPORTED + ("check_grad_dtypes", "check_backward_ad", "masked"):
            raise TypeError(f"gradcheck() got an unexpected keyword argument {name!r}")


def _tuple_of(x) -> tuple:
    """`x` as a tuple: a tuple as it is, a list's items, anything else alone."""
    return x if isinstance(x, tuple) else tuple(x) if isinstance(x, list) else (x,)


def _differentiable_outputs(outputs) -> list[Tensor]:
    return [o for o in _tuple_of(outputs) if isinstance(o, Tensor) and o.dtype.is_differentiable]


def _numpy(t: Tensor) -> np.ndarray:
    return np.array(t._backend.to_numpy(t._data), copy=True)


def _rebuilt(t: Tensor, array: np.ndarray) -> Tensor:

    return tensor(array, dtype=t.dtype, backend=t._backend, requires_grad=t._requires_grad)


def _numpy_all(tensors: list[Tensor]) -> list[np.ndarray]:
    """The values of `tensors` as NumPy copies, read together per backend: a lazy backend
    (Dask) computes them in one pass instead of one pass per tensor."""
    values: list = [None] * len(tensors)
    by_backend: dict[int, list[int]] = {}
    for i, t in enumerate(tensors):
        by_backend.setdefault(id(t._backend), []).append(i)
    for positions in by_backend.values():
        backend = tensors[positions[0]]._backend
        arrays = backend.to_numpy_all([tensors[i]._data for i in positions])
        for i, array in zip(positions, arrays):
            values[i] = np.array(array, copy=True)
    return values


def _real_coordinates(values: np.ndarray) -> np.ndarray:
    """A tensor's values as real coordinates: a complex tensor's real parts, then its
    imaginary parts (PyTorch's gradcheck checks a complex function as a real function of twice
    as many real variables)."""
    flat = values.reshape(-1)
    return np.concatenate([flat.real, flat.imag]) if np.iscomplexobj(flat) else flat


def _numerical_jacobians(func, inputs: tuple, eps: float) -> dict:
    """``{(input index, output index): J}`` with ``J[i, j] = d out_j / d in_i`` over the real
    coordinates of both (see :func:`_real_coordinates`)."""
    jacobians = {}
    for i, t in enumerate(inputs):
        if not (isinstance(t, Tensor) and t._requires_grad):
            continue
        base = _numpy(t)
        flat = base.reshape(-1)
        # a complex element is moved along its real and then its imaginary axis
        directions = (1.0, 1j) if np.iscomplexobj(flat) else (1.0,)
        evaluations = []  # the outputs at +eps and -eps of each coordinate in turn
        for direction in directions:
            for k in range(flat.size):
                for step in (eps, -eps):
                    perturbed = flat.copy()
                    perturbed[k] += step * direction
                    args = list(inputs)
                    args[i] = _rebuilt(t, perturbed.reshape(base.shape))
                    with no_grad():
                        evaluations.append(_differentiable_outputs(func(*args)))
        read = iter(_numpy_all([o for outs in evaluations for o in outs]))
        diffs = [[_real_coordinates(next(read)) for _ in outs] for outs in evaluations]
        columns = [
            [(p - m) / (2 * eps) for p, m in zip(plus, minus)]
            for plus, minus in zip(diffs[0::2], diffs[1::2])
        ]
        for j in range(len(columns[0]) if columns else 0):
            jacobians[(i, j)] = np.stack([c[j] for c in columns]) if columns else None
    return jacobians


def _analytical_jacobians(func, inputs: tuple) -> dict:
    """As :func:`_numerical_jacobians`, by one vector-Jacobian product per real coordinate of
    each output: the cotangent 1 at an element for its real part, 1j for its imaginary part.
    The gradient of a complex input is ``d/d re + 1j * d/d im`` (PyTorch's convention), so its
    real and imaginary parts are the two rows of that coordinate."""
    diff_inputs = [t for t in inputs if isinstance(t, Tensor) and t._requires_grad]
    positions = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t._requires_grad]
    outputs = _differentiable_outputs(func(*inputs))
    jacobians = {}
    for j, out in enumerate(outputs):
        size, shape = out.numel(), tuple(out.shape)
        units = (1.0, 1j) if out.dtype.is_complex else (1.0,)
        products = []  # per output coordinate, the gradients of the inputs (None: unused)
        for unit in units:
            for k in range(size):
                onehot = np.zeros(size, dtype=np.dtype(out.dtype.name))
                onehot[k] = unit
                grads: Sequence[Tensor | None]
                if not out._requires_grad:
                    grads = [None] * len(diff_inputs)
                else:
                    seed = tensor(onehot.reshape(shape), dtype=out.dtype, backend=out._backend)
                    grads = autograd_grad(
                        out, diff_inputs, seed, retain_graph=True, allow_unused=True
                    )
                products.append(grads)
        read = iter(_numpy_all([g for grads in products for g in grads if g is not None]))
        rows: dict[int, list] = {i: [] for i in positions}
        for grads in products:
            for i, t, g in zip(positions, diff_inputs, grads):
                width = t.numel() * (2 if t.dtype.is_complex else 1)
                if g is None:
                    rows[i].append(np.zeros(width))
                    continue
                value = next(read)
                if not t.dtype.is_complex:
                    value = value.real  # a real input's gradient is real
                rows[i].append(_real_coordinates(value))
        for i in positions:
            # rows[i][k] is d out_k / d input (one vector-Jacobian product per coordinate)
            jacobians[(i, j)] = np.stack(rows[i], axis=1) if rows[i] else None
    return jacobians


def gradcheck(
    func,
    inputs,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_undefined_grad: bool = True,
    fast_mode: bool = False,
    **options,
) -> bool:
    """Check the analytical gradients of `func` at `inputs` against finite differences.

    Parameters
    ----------
    func : callable
        Takes the tensors of `inputs` and returns a tensor or a tuple of tensors.
    inputs : Tensor or tuple of Tensor
        Points of evaluation; those with ``requires_grad=True`` are differentiated.
    eps : float
        Finite-difference step.
    atol, rtol : float
        Absolute and relative tolerance.
    raise_exception : bool
        Raise :class:`GradcheckError` on a mismatch (otherwise return False).
    nondet_tol, check_undefined_grad, fast_mode
        Accepted for PyTorch compatibility; pluggrad always runs the full (slow-mode) check.

    Returns
    -------
    bool
        True if every Jacobian matches.
    """
    _reject_unsupported(options)
    inputs = _tuple_of(inputs)
    diff = [t for t in inputs if isinstance(t, Tensor) and t._requires_grad]
    if not diff:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, "
                         "but none of them have requires_grad=True.")  # fmt: skip
    for position, t in enumerate(inputs):
        if (
            isinstance(t, Tensor)
            and t._requires_grad
            and t.dtype.name not in ("float64", "complex128")
        ):
            warnings.warn(
                f"Input #{position} requires gradient and is not a double precision floating "
                "point or complex. This check will likely fail if all the inputs are not of double "
                "precision floating point or complex. ",
                UserWarning,
                stacklevel=2,
            )
    numerical = _numerical_jacobians(func, inputs, eps)
    analytical = _analytical_jacobians(func, inputs)
    for key in sorted(analytical):
        a, n = analytical[key], numerical.get(key)
        if a is None or n is None:
            continue
        if not np.allclose(a, n, rtol=rtol, atol=atol):
            message = (
                f"Jacobian mismatch for output {key[1]} with respect to input {key[0]},\n"
                f"numerical:{n}\nanalytical:{a}\n"
            )
            if raise_exception:
                raise GradcheckError(message)
            return False
    return True


def _random_like(rng: np.random.Generator, t: Tensor) -> np.ndarray:
    """Standard normal values of `t`'s shape, with a random imaginary part if it is complex."""
    values = rng.standard_normal(tuple(t.shape))
    return values + 1j * rng.standard_normal(tuple(t.shape)) if t.dtype.is_complex else values


def gradgradcheck(
    func,
    inputs,
    grad_outputs=None,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    gen_non_contig_grad_outputs: bool = False,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_undefined_grad: bool = True,
    fast_mode: bool = False,
    **options,
) -> bool:
    """Check second derivatives: :func:`gradcheck` of the first derivatives of `func`.

    Parameters
    ----------
    func, inputs, eps, atol, rtol, raise_exception
        As in :func:`gradcheck`.
    grad_outputs : tuple of Tensor, optional
        The vectors of the first vector-Jacobian product; random (seeded) when omitted.
    """

    _reject_unsupported(options)
    inputs = _tuple_of(inputs)
    diff_positions = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t._requires_grad]
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        outputs = _differentiable_outputs(func(*inputs))
        grad_outputs = tuple(
            tensor(
                _random_like(rng, o),
                dtype=o.dtype,
                backend=o._backend,
                requires_grad=True,
            )  # fmt: skip
            for o in outputs
        )
    grad_outputs = _tuple_of(grad_outputs)
    n_inputs = len(inputs)

    def first_derivatives(*args):
        primals, cotangents = args[:n_inputs], args[n_inputs:]
        outputs = [o for o in _differentiable_outputs(func(*primals)) if o._requires_grad]
        diff_inputs = [primals[i] for i in diff_positions]
        grads = autograd_grad(
            outputs, diff_inputs, cotangents[: len(outputs)], create_graph=True, allow_unused=True
        )
        return tuple(g for g in grads if g is not None)

    return gradcheck(
        first_derivatives,
        inputs + grad_outputs,
        eps=eps,
        atol=atol,
        rtol=rtol,
        raise_exception=raise_exception,
    )
