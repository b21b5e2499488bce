"""The dask backend's ``linalg`` and ``fft``: ``array_api_compat.dask.array``'s, with what Dask
lacks or restricts made to work on any chunks.

``fft``: Dask transforms along axes of one chunk only; here the transformed axes are rechunked
to one chunk first (the others keep theirs).

``linalg``: the standard's matrix functions that Dask lacks or restricts run by NumPy, one task
per chunk of matrices.

``dask.array.linalg`` has no ``det``, ``slogdet``, ``eigh``, ``eigvalsh``, ``pinv`` or
``cross``, and its ``solve``, ``inv``, ``cholesky`` and ``qr`` take one 2-d matrix in square (or
tall-and-skinny) chunks only, where the standard takes stacks of matrices.  Here each of these
functions is a generalised ufunc (``dask.array.apply_gufunc``) over NumPy's: a stack of matrices
chunked along its batch dimensions runs one task per chunk, each matrix whole in its chunk.  The
norms, ``matmul``, ``tensordot``, ``vecdot``, ``diagonal`` and ``trace`` stay Dask's (chunked
reductions)."""

from __future__ import annotations

import functools
import types
from collections.abc import Callable
from typing import Any

import array_api_compat.dask.array.fft as _dask_fft
import array_api_compat.dask.array.linalg as _dask_linalg
import array_api_compat.numpy.linalg as _numpy_linalg_module
import dask.array as da
import numpy as np

__all__ = ["fft_namespace", "linalg_namespace"]

_numpy_linalg: Any = _numpy_linalg_module  # (its functions are not in its type stubs)


def _stand_in(core: str, dtype: Any) -> np.ndarray:
    """A small well-conditioned array with `core` dimensions (``"n,n"``, ``"n"``, ``""``), to
    learn the dtypes of a NumPy function's outputs."""
    ndim = len([d for d in core.split(",") if d])
    return np.eye(2, dtype=dtype) if ndim == 2 else np.ones((2,) * ndim, dtype=dtype)


def _cores(signature: str) -> tuple[list[str], list[str]]:
    inputs, outputs = signature.split("->")
    split = lambda part: [c.strip("()") for c in part.split("),(")]
    return split(inputs), split(outputs)


def _per_matrix(
    fn: Callable, signature: str, result: Callable | None = None, sizes: Callable | None = None
) -> Callable:
    """`fn` (NumPy's, on stacks of matrices) applied per chunk of the dask arrays it is given,
    as the generalised ufunc `signature`; `result` packs several outputs (a named tuple),
    `sizes(*arrays, **kwargs)` gives the sizes of output dimensions no input has."""
    inputs, _ = _cores(signature)

    ranks = [len([d for d in core.split(",") if d]) for core in inputs]

    def wrapped(*arrays: Any, **kwargs: Any) -> Any:
        arrays = tuple(a if isinstance(a, da.Array) else da.asarray(a) for a in arrays)
        # the stack dimensions broadcast first (apply_gufunc wants them of one length)
        stack = np.broadcast_shapes(*(a.shape[: a.ndim - r] for a, r in zip(arrays, ranks)))
        arrays = tuple(da.broadcast_to(a, stack + a.shape[a.ndim - r :])
                       for a, r in zip(arrays, ranks))  # fmt: skip
        kernel = functools.partial(fn, **kwargs)
        if any(0 in a.shape for a in arrays):  # nothing to chunk (apply_gufunc divides by 0)
            empty = kernel(*(np.zeros(a.shape, a.dtype) for a in arrays))
            if not isinstance(empty, tuple):
                return da.from_array(np.asarray(empty))
            packed = [da.from_array(np.asarray(e)) for e in empty]
            return result(*packed) if result is not None else tuple(packed)
        probe = kernel(*(_stand_in(c, a.dtype) for c, a in zip(inputs, arrays)))
        outputs = probe if isinstance(probe, tuple) else (probe,)
        out = da.apply_gufunc(
            lambda *blocks: tuple(kernel(*blocks)) if isinstance(probe, tuple) else kernel(*blocks),
            signature,
            *arrays,
            output_dtypes=[np.asarray(o).dtype for o in outputs] if len(outputs) > 1
            else np.asarray(outputs[0]).dtype,
            output_sizes=None if sizes is None else sizes(*arrays, **kwargs),
            allow_rechunk=True,  # each matrix whole in its chunk
        )  # fmt: skip
        return result(*out) if result is not None else out

    wrapped.__name__ = wrapped.__qualname__ = getattr(fn, "__name__", "linalg")
    return wrapped


def _smaller(*arrays: Any, **kwargs: Any) -> dict[str, int]:
    return {"k": min(arrays[0].shape[-2:])}


def _solve(x1: Any, x2: Any, /) -> Any:
    """The standard's ``solve``: `x2` is a vector only when it is 1-d, a stack of matrices
    otherwise."""
    if np.ndim(x2) == 1:
        vector = lambda a, b: np.linalg.solve(a, b[..., None])[..., 0]
        return _per_matrix(vector, "(n,n),(n)->(n)")(x1, x2)
    return _per_matrix(np.linalg.solve, "(n,n),(n,k)->(n,k)")(x1, x2)


def _svd(x: Any, /, *, full_matrices: bool = True) -> Any:
    signature = "(m,n)->(m,m),(k),(n,n)" if full_matrices else "(m,n)->(m,k),(k),(k,n)"
    return _per_matrix(_numpy_linalg.svd, signature, _dask_linalg.SVDResult, _smaller)(
        x, full_matrices=full_matrices
    )


def _qr(x: Any, /, *, mode: str = "reduced") -> Any:
    signature = "(m,n)->(m,k),(k,n)" if mode == "reduced" else "(m,n)->(m,m),(m,n)"
    return _per_matrix(_numpy_linalg.qr, signature, _dask_linalg.QRResult, _smaller)(x, mode=mode)


def _with_rtol(name: str, signature: str) -> Callable:
    """``pinv`` / ``matrix_rank``, whose `rtol` may be an array (one value per matrix): then an
    input of the generalised ufunc, broadcast over the stack like the matrices."""
    fn = getattr(_numpy_linalg, name)

    def wrapped(x: Any, /, *, rtol: Any = None, **kwargs: Any) -> Any:
        if rtol is None or np.ndim(rtol) == 0:
            return _per_matrix(fn, signature)(x, rtol=rtol, **kwargs)
        per = lambda m, r: fn(m, rtol=r, **kwargs)
        inputs, outputs = signature.split("->")
        return _per_matrix(per, f"{inputs},()->{outputs}")(x, rtol)

    wrapped.__name__ = wrapped.__qualname__ = name
    return wrapped


def _cross(x1: Any, x2: Any, /, *, axis: int = -1) -> Any:
    """The cross product of 3-vectors along `axis`, elementwise in Dask (chunked)."""
    a, b = (da.moveaxis(v, axis, -1) for v in da.broadcast_arrays(x1, x2))
    parts = [a[..., (i + 1) % 3] * b[..., (i + 2) % 3] - a[..., (i + 2) % 3] * b[..., (i + 1) % 3]
             for i in range(3)]  # fmt: skip
    return da.moveaxis(da.stack(parts, axis=-1), -1, axis)


def linalg_namespace() -> types.ModuleType:
    """``array_api_compat.dask.array.linalg`` with the matrix functions replaced (the module
    itself is left as it is)."""
    ns = types.ModuleType("pluggrad.backends.dask.xp.linalg", _dask_linalg.__doc__)
    ns.__dict__.update({k: v for k, v in vars(_dask_linalg).items() if not k.startswith("__")})
    square = "(n,n)->(n,n)"
    ns.__dict__.update(
        cholesky=_per_matrix(_numpy_linalg.cholesky, square),
        inv=_per_matrix(_numpy_linalg.inv, square),
        matrix_power=_per_matrix(_numpy_linalg.matrix_power, square),
        det=_per_matrix(_numpy_linalg.det, "(n,n)->()"),
        slogdet=_per_matrix(_numpy_linalg.slogdet, "(n,n)->(),()", _dask_linalg.SlogdetResult),
        eigh=_per_matrix(_numpy_linalg.eigh, "(n,n)->(n),(n,n)", _dask_linalg.EighResult),
        eigvalsh=_per_matrix(_numpy_linalg.eigvalsh, "(n,n)->(n)"),
        svdvals=_per_matrix(_numpy_linalg.svdvals, "(m,n)->(k)", sizes=_smaller),
        pinv=_with_rtol("pinv", "(m,n)->(n,m)"),
        matrix_rank=_with_rtol("matrix_rank", "(m,n)->()"),
        solve=_solve,
        svd=_svd,
        qr=_qr,
        cross=_cross,
    )
    return ns


def _whole_axes(fn: Callable, many: bool, default: tuple | None = None) -> Callable:
    """`fn` (a transform of ``fft``) with the axes it transforms rechunked to one chunk
    (`many`: it takes ``axes``, whose `default` is all of them, or the last ``len(s)``)."""

    def wrapped(x: Any, /, *args: Any, **kwargs: Any) -> Any:
        if many:
            axes, sizes = kwargs.get("axes", default), kwargs.get("s")
            if axes is None:
                axes = range(x.ndim) if sizes is None else range(x.ndim - len(sizes), x.ndim)
        else:
            axes = (kwargs.get("axis", -1),)
        whole = {axis % x.ndim: -1 for axis in axes}
        if any(len(x.chunks[axis]) > 1 for axis in whole):
            x = x.rechunk(whole)
        return fn(x, *args, **kwargs)

    wrapped.__name__ = wrapped.__qualname__ = fn.__name__
    wrapped.__doc__ = fn.__doc__
    return wrapped


def fft_namespace() -> types.ModuleType:
    """``array_api_compat.dask.array.fft`` with its transforms taking any chunks (the module
    itself is left as it is)."""
    ns = types.ModuleType("pluggrad.backends.dask.xp.fft", _dask_fft.__doc__)
    ns.__dict__.update({k: v for k, v in vars(_dask_fft).items() if not k.startswith("__")})
    for name in ("fft", "ifft", "rfft", "irfft", "hfft", "ihfft"):
        setattr(ns, name, _whole_axes(getattr(_dask_fft, name), many=False))
    for name in ("fftn", "ifftn", "rfftn", "irfftn"):
        setattr(ns, name, _whole_axes(getattr(_dask_fft, name), many=True))
    for name in ("fft2", "ifft2", "rfft2", "irfft2"):
        setattr(ns, name, _whole_axes(getattr(_dask_fft, name), many=True, default=(-2, -1)))
    return ns
