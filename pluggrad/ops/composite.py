"""PyTorch's functions that are compositions of other operations: ``addmm`` and the other fused
multiply-adds, ``lerp``, ``xlogy``, ``einsum``, ``kron``, ``index_add``, ``scatter_add``,
``nansum``... They make no primitive of their own, so their derivatives (every order) are those
of the operations they are made of; each has a record in the conformance op database.

PyTorch's argument names are the keywords (``torch.addmm(input, mat1, mat2, beta=, alpha=)``).
"""

from __future__ import annotations

import builtins
import math
import string

from .._core.tensor import Tensor
from ._args import as_tensor_arg, result_type, tensor_method
from ._autocast import lower_precision
from ._composite_linalg import (
    cholesky,
    cholesky_inverse,
    cholesky_solve,
    cross,
    frobenius_norm,
    matrix_exp,
    nuclear_norm,
    qr,
    svd,
    triangular_solve,
)
from ._composite_lu import lu_unpack
from ._composite_lu import torch_lu as lu
from ._composite_lu import torch_lu_solve as lu_solve
from ._composite_methods import LEGACY_METHODS
from ._composite_pointwise import (
    allclose,
    angle,
    complex,  # noqa: A004
    conj_physical,
    deg2rad,
    float_power,
    fmax,
    fmin,
    frac,
    gcd,
    heaviside,
    is_conj,
    is_neg,
    is_signed,
    isclose,
    isneginf,
    isposinf,
    isreal,
    lcm,
    ldexp,
    lerp,
    logaddexp2,
    logit,
    nan_to_num,
    polar,
    rad2deg,
    resolve_conj,
    resolve_neg,
    rsub,
    sinc,
    xlogy,
)
from ._composite_scans import (
    combinations,
    cummax,
    cummin,
    frexp,
    gradient,
    histogram,
    is_distributed,
    is_inference,
    isin,
    logcumsumexp,
    mode,
    nanmedian,
    nonzero_static,
    norm_except_dim,
    rms_norm,
    scatter,
    unique_consecutive,
)
from ._composite_scatter import scatter_reduce
from ._composite_shape import (
    as_strided_scatter,
    atleast_1d,
    atleast_2d,
    atleast_3d,
    block_diag,
    cartesian_prod,
    column_stack,
    diag,
    diag_embed,
    diagflat,
    diagonal_scatter,
    dsplit,
    dstack,
    fliplr,
    flipud,
    hsplit,
    index_add,
    index_copy,
    index_fill,
    index_put,
    is_complex,
    is_floating_point,
    is_nonzero,
    is_same_size,
    masked_scatter,
    masked_select,
    numel,
    put,
    ravel,
    rot90,
    row_stack,
    scatter_add,
    select_scatter,
    slice_scatter,
    split_with_sizes,
    tensor_split,
    unflatten,
    unsafe_chunk,
    unsafe_split,
    unsafe_split_with_sizes,
    vsplit,
)
from ._composite_stats import (
    bincount,
    bucketize,
    cdist,
    corrcoef,
    cov,
    cumulative_trapezoid,
    histc,
    kthvalue,
    median,
    msort,
    nanquantile,
    quantile,
    renorm,
    trapezoid,
    trapz,
    unravel_index,
)
from ._convert import astype
from ._products import fused_addmm, matmul
from ._shape import broadcast_shapes, broadcast_to, expand_dims, permute_dims, reshape
from .elementwise import (
    isnan,
    logical_not,
    multiply,
)
from .linalg import vector_norm
from .manipulation import diagonal, where
from .reductions import amax, amin, mean, std, sum, var  # noqa: A004

__all__ = [
    "addmm", "addmv", "addr", "baddbmm", "addbmm", "addcmul", "addcdiv", "lerp", "xlogy",
    "float_power", "deg2rad", "rad2deg", "frac", "logit", "sinc", "fmax", "fmin", "nan_to_num",
    "isclose", "allclose", "nansum", "nanmean", "aminmax", "std_mean", "var_mean", "vdot",
    "ger", "kron", "einsum", "dist", "chain_matmul", "index_add", "index_fill", "index_copy",
    "scatter_add", "masked_select", "fliplr", "flipud", "rot90", "atleast_1d", "atleast_2d",
    "atleast_3d", "column_stack", "dstack", "row_stack", "ravel", "unflatten", "diag_embed",
    "diag", "diagflat", "block_diag", "cartesian_prod", "numel", "is_floating_point",
    "is_complex", "is_nonzero", "is_same_size", "matrix_exp", "ldexp", "logaddexp2",
    "heaviside", "gcd", "lcm", "angle", "complex", "polar", "conj_physical", "resolve_conj",
    "resolve_neg", "is_conj", "is_neg", "isneginf", "isposinf", "isreal", "is_signed", "rsub",
    "median", "kthvalue", "quantile", "nanquantile", "msort", "cov", "corrcoef", "trapezoid",
    "cdist", "trapz", "cumulative_trapezoid", "renorm", "histc", "bincount", "bucketize",
    "unravel_index", "tensor_split", "hsplit", "vsplit", "dsplit", "split_with_sizes",
    "unsafe_chunk", "unsafe_split", "unsafe_split_with_sizes", "diagonal_scatter", "select_scatter",
    "slice_scatter", "as_strided_scatter", "index_put", "put", "masked_scatter", "cholesky",
    "cholesky_solve", "cholesky_inverse", "qr", "svd", "triangular_solve", "frobenius_norm",
    "nuclear_norm", "cross", "adjoint", "detach", "get_device", "cummax", "cummin",
    "logcumsumexp", "mode", "nanmedian", "scatter", "gradient", "combinations", "rms_norm",
    "norm_except_dim", "unique_consecutive", "histogram", "frexp", "isin", "nonzero_static",
    "is_inference", "is_distributed", "lu", "lu_solve", "lu_unpack", "scatter_reduce",
]  # fmt: skip

NONDIFFERENTIABLE_FUNCTIONS: frozenset[str] = frozenset(
    {
        "unique_consecutive",
        "histogram",
        "frexp",
        "isin",
        "nonzero_static",
        "is_inference",
        "is_distributed",
        "is_conj",
        "is_neg",
        "isneginf",
        "isposinf",
        "isreal",
        "is_signed",
        "histc",
        "bincount",
        "bucketize",
        "unravel_index",
        "detach",
        "get_device",
        "heaviside",
        "gcd",
        "lcm",
        "isclose",
        "allclose",
        "numel",
        "is_floating_point",
        "is_complex",
        "is_nonzero",
        "is_same_size",
    }  # fmt: skip
)


def _t(x, like: Tensor | None = None) -> Tensor:
    return as_tensor_arg(x, like=like)


# ---- fused multiply-adds -------------------------------------------------------------------------
def _scaled(beta, input: Tensor, alpha, product: Tensor) -> Tensor:  # noqa: A002
    """``beta * input + alpha * product``; with ``beta == 0`` input is ignored (its NaNs too),
    as in PyTorch."""
    if alpha != 1:
        product = product * alpha
    if beta == 0:
        return broadcast_to(product, tuple(product.shape)) * 1
    return (input if beta == 1 else input * beta) + product


@lower_precision
def addmm(input, mat1, mat2, *, beta=1, alpha=1) -> Tensor:  # noqa: A002
    """``beta * input + alpha * (mat1 @ mat2)`` for matrices."""
    mat1, mat2 = _t(mat1), _t(mat2, mat1)
    if mat1.ndim != 2 or mat2.ndim != 2:
        raise RuntimeError("mat1 and mat2 must be matrices")
    added = _t(input, mat1)
    product_shape = (mat1.shape[0], mat2.shape[1])
    if (
        mat1.dtype is mat2.dtype is added.dtype
        and mat1.dtype.is_differentiable
        and added.ndim <= 2
        and mat1.shape[1] == mat2.shape[0]
        and broadcast_shapes(tuple(added.shape), product_shape) == product_shape
    ):
        return fused_addmm(added, mat1, mat2, beta, alpha)
    return _scaled(beta, added, alpha, matmul(mat1, mat2))


def addmv(input, mat, vec, *, beta=1, alpha=1) -> Tensor:  # noqa: A002
    """``beta * input + alpha * (mat @ vec)``."""
    mat = _t(mat)
    if mat.ndim != 2 or _t(vec).ndim != 1:
        raise RuntimeError("vector + matrix @ vector expected")
    return _scaled(beta, _t(input, mat), alpha, matmul(mat, vec))


def addr(input, vec1, vec2, *, beta=1, alpha=1) -> Tensor:  # noqa: A002
    """``beta * input + alpha * outer(vec1, vec2)``."""
    vec1, vec2 = _t(vec1), _t(vec2)
    if vec1.ndim != 1 or vec2.ndim != 1:
        raise RuntimeError("addr: Expected 1-D argument vec1 and vec2")
    return _scaled(beta, _t(input, vec1), alpha, expand_dims(vec1, axis=1) * vec2)


@lower_precision
def baddbmm(input, batch1, batch2, *, beta=1, alpha=1) -> Tensor:  # noqa: A002
    """``beta * input + alpha * (batch1 @ batch2)`` for batches of matrices."""
    batch1 = _t(batch1)
    if batch1.ndim != 3 or _t(batch2).ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    return _scaled(beta, _t(input, batch1), alpha, matmul(batch1, batch2))


@lower_precision
def addbmm(input, batch1, batch2, *, beta=1, alpha=1) -> Tensor:  # noqa: A002
    """``beta * input + alpha * sum_b(batch1[b] @ batch2[b])``."""
    batch1 = _t(batch1)
    if batch1.ndim != 3 or _t(batch2).ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    return _scaled(beta, _t(input, batch1), alpha, sum(matmul(batch1, batch2), axis=0))


def addcmul(input, tensor1, tensor2, *, value=1) -> Tensor:  # noqa: A002
    """``input + value * tensor1 * tensor2``."""
    product = multiply(tensor1, tensor2)
    return _t(input, product) + (product if value == 1 else product * value)


def addcdiv(input, tensor1, tensor2, *, value=1) -> Tensor:  # noqa: A002
    """``input + value * tensor1 / tensor2``."""
    t1 = _t(tensor1)
    if t1.dtype.kind in "biu" and _t(tensor2, t1).dtype.kind in "biu":
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future release "
            "addcdiv will perform a true division of tensor1 and tensor2."
        )
    quotient = t1 / tensor2
    return _t(input, t1) + (quotient if value == 1 else quotient * value)


# ---- reductions ----------------------------------------------------------------------------------
def nansum(input, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:  # noqa: A002
    """The sum, NaNs counted as zero."""
    x = _t(input)
    return sum(where(isnan(x), 0.0, x), axis=dim, keepdims=keepdim, dtype=dtype)


def nanmean(input, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:  # noqa: A002
    """The mean of the elements that are not NaN."""
    x = _t(input)
    kept = logical_not(isnan(x))
    count = sum(astype(kept, x.dtype), axis=dim, keepdims=keepdim)
    return nansum(x, dim, keepdim, dtype=dtype) / count


_MinMax = result_type("aminmax", "min", "max")


def aminmax(input, *, dim=None, keepdim: bool = False):  # noqa: A002
    """``(amin, amax)`` as a named tuple."""
    x = _t(input)
    if dim is None:
        return _MinMax(amin(x, axis=None, keepdims=keepdim), amax(x, axis=None, keepdims=keepdim))
    return _MinMax(amin(x, dim, keepdim), amax(x, dim, keepdim))


def std_mean(input, dim=None, *, correction=None, keepdim: bool = False, unbiased=None):  # noqa: A002
    """``(std, mean)`` over `dim` (PyTorch's default correction 1)."""
    x = _t(input)
    return std(x, **_var_options(dim, keepdim, correction, unbiased)), mean(
        x, axis=dim, keepdims=keepdim
    )


def var_mean(input, dim=None, *, correction=None, keepdim: bool = False, unbiased=None):  # noqa: A002
    """``(var, mean)`` over `dim` (PyTorch's default correction 1)."""
    x = _t(input)
    return var(x, **_var_options(dim, keepdim, correction, unbiased)), mean(
        x, axis=dim, keepdims=keepdim
    )


def _var_options(dim, keepdim, correction, unbiased) -> dict:
    """`var`/`std`'s arguments for PyTorch's ``var_mean``/``std_mean``: correction 1 unless
    `correction` or `unbiased` says otherwise, whatever `dim`."""
    if correction is None and unbiased is None:
        correction = 1
    return {"dim": dim, "keepdim": keepdim, "correction": correction, "unbiased": unbiased}


# ---- products ------------------------------------------------------------------------------------
def vdot(input, other) -> Tensor:  # noqa: A002
    """``sum(conj(input) * other)`` of two vectors."""
    a, b = _t(input), _t(other)
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    return sum(a.conj() * b)


def ger(input, vec2) -> Tensor:  # noqa: A002
    """The outer product (PyTorch's old name of ``outer``)."""
    a = _t(input)
    return expand_dims(a, axis=1) * _t(vec2, a)


def kron(input, other) -> Tensor:  # noqa: A002
    """The Kronecker product: blocks ``input[i] * other``."""
    a, b = _t(input), _t(other)
    nd = builtins.max(a.ndim, b.ndim)
    a = reshape(a, (1,) * (nd - a.ndim) + tuple(a.shape))
    b = reshape(b, (1,) * (nd - b.ndim) + tuple(b.shape))
    # a's axes interleaved with b's: (a0, b0, a1, b1, ...), then merged pairwise
    a_shape = [n for d in a.shape for n in (d, 1)]
    b_shape = [n for d in b.shape for n in (1, d)]
    product = reshape(a, tuple(a_shape)) * reshape(b, tuple(b_shape))
    return reshape(product, tuple(m * n for m, n in zip(a.shape, b.shape)))


def dist(input, other, p=2) -> Tensor:  # noqa: A002
    """The `p`-norm of ``input - other``."""
    return vector_norm(_t(input) - other, ord=p)


def chain_matmul(*matrices) -> Tensor:
    """``matrices[0] @ matrices[1] @ ...`` (PyTorch's deprecated name of ``linalg.multi_dot``)."""
    if len(matrices) == 1 and isinstance(matrices[0], (list, tuple)):
        matrices = tuple(matrices[0])
    out = _t(matrices[0])
    for m in matrices[1:]:
        out = matmul(out, m)
    return out


@lower_precision
def einsum(equation: str, *operands) -> Tensor:
    """Einstein summation: ``einsum("ij,jk->ik", a, b)``; ``...`` broadcasts; without ``->``
    the output takes the letters seen once, in alphabetical order.

    Operands are contracted two at a time, each step one batched matrix product, after summing
    over the letters that only one operand has; a letter repeated within one operand takes its
    diagonal.
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    tensors = [_t(o) for o in operands]
    inputs, arrow, output = equation.replace(" ", "").partition("->")
    specs = inputs.split(",")
    if len(specs) != len(tensors):
        more = len(tensors) > len(specs)
        raise RuntimeError(
            f"einsum(): {'more' if more else 'fewer'} operands were provided than specified in "
            "the equation"
        )
    specs, ellipsis = _expand_ellipsis(specs, tensors, inputs + output)
    if arrow:
        out = output.replace("...", ellipsis)
    else:
        letters = "".join(specs)
        out = ellipsis + "".join(
            sorted(c for c in set(letters) if letters.count(c) == 1 and c not in ellipsis)
        )
    for c in out:
        if c not in "".join(specs):
            raise RuntimeError(
                f"einsum(): output subscript {c} does not appear in the equation "
                "for any input operand"
            )
    for i in range(len(tensors)):
        tensors[i], specs[i] = _diagonals(tensors[i], specs[i])
    sizes: dict[str, int] = {}
    for spec, t in zip(specs, tensors):
        for c, n in zip(spec, t.shape):
            if n != 1 and sizes.get(c, 1) not in (1, n):
                raise RuntimeError(
                    f"einsum(): operands do not broadcast with remapped shapes (original->"
                    f"remapped): subscript {c} has sizes {sizes[c]} and {n}"
                )
            if n != 1 or c not in sizes:
                sizes[c] = n
    result, spec = _sum_unneeded(tensors[0], specs[0], out + "".join(specs[1:]))
    for k in range(1, len(tensors)):
        later = out + "".join(specs[k + 1 :])
        other, other_spec = _sum_unneeded(tensors[k], specs[k], later + spec)
        result, spec = _contract(result, spec, other, other_spec, later, sizes)
    result, spec = _sum_unneeded(result, spec, out)
    if spec != out:
        result = permute_dims(result, tuple(spec.index(c) for c in out))
    return result


def _expand_ellipsis(specs: list[str], tensors: list[Tensor], used: str):
    """The specs with ``...`` replaced by letters not in the equation (the broadcast axes of
    every operand, aligned right), and those letters."""
    spare = [c for c in string.ascii_letters if c not in used]
    widths = [t.ndim - (len(s) - 3) for s, t in zip(specs, tensors) if "..." in s]
    width = builtins.max(widths, default=0)
    ellipsis = "".join(spare[:width])
    expanded = []
    for i, (spec, t) in enumerate(zip(specs, tensors)):
        if "..." in spec:
            spec = spec.replace("...", ellipsis[width - (t.ndim - (len(spec) - 3)) :])
        if len(spec) != t.ndim:
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({len(spec)}) does not match "
                f"the number of dimensions ({t.ndim}) for operand {i} and no ellipsis was given"
            )
        expanded.append(spec)
    return expanded, ellipsis


def _diagonals(t: Tensor, spec: str):
    """`t` with each letter that `spec` repeats reduced to its diagonal."""
    while len(set(spec)) != len(spec):
        c = next(c for c in spec if spec.count(c) > 1)
        first = spec.index(c)
        second = spec.index(c, first + 1)
        t = diagonal(t, 0, first, second)
        spec = spec[:first] + spec[first + 1 : second] + spec[second + 1 :] + c
    return t, spec


def _sum_unneeded(t: Tensor, spec: str, needed: str):
    """`t` summed over its letters that `needed` does not have."""
    axes = tuple(i for i, c in enumerate(spec) if c not in needed)
    if not axes:
        return t, spec
    return sum(t, axis=axes), "".join(c for c in spec if c in needed)


def _contract(a: Tensor, sa: str, b: Tensor, sb: str, later: str, sizes: dict):
    """`a` (letters `sa`) times `b` (letters `sb`), summed over the letters they share that
    `later` does not need: one batched matrix product."""
    batch = [c for c in sa if c in sb and c in later]
    summed = [c for c in sa if c in sb and c not in later]
    only_a = [c for c in sa if c not in sb]
    only_b = [c for c in sb if c not in sa]
    dims_a = [a.shape[sa.index(c)] for c in only_a]
    dims_b = [b.shape[sb.index(c)] for c in only_b]
    lead = tuple(sizes[c] for c in batch)
    inner = tuple(sizes[c] for c in summed)
    a = permute_dims(a, tuple(sa.index(c) for c in batch + only_a + summed))
    b = permute_dims(b, tuple(sb.index(c) for c in batch + summed + only_b))
    a = broadcast_to(a, lead + tuple(dims_a) + inner)
    b = broadcast_to(b, lead + inner + tuple(dims_b))
    k = math.prod(inner)
    a = reshape(a, lead + (math.prod(dims_a), k))
    b = reshape(b, lead + (k, math.prod(dims_b)))
    product = reshape(matmul(a, b), lead + tuple(dims_a) + tuple(dims_b))
    return product, "".join(batch + only_a + only_b)


def adjoint(input) -> Tensor:  # noqa: A002
    """The conjugate transpose of the matrices (PyTorch's ``x.mH``)."""
    return _t(input).mT.conj()


def detach(input) -> Tensor:  # noqa: A002
    """``input.detach()``."""
    return _t(input).detach()


def get_device(input) -> int:  # noqa: A002
    """The index of the tensor's GPU, -1 on the CPU."""
    return _t(input).get_device()


# ---- Tensor methods ------------------------------------------------------------------------------
TENSOR_METHODS: dict = {
    name: tensor_method(globals()[name])
    for name in (
        "addmm", "addmv", "addr", "baddbmm", "addbmm", "addcmul", "addcdiv", "lerp", "xlogy",
        "float_power", "deg2rad", "rad2deg", "frac", "logit", "sinc", "fmax", "fmin",
        "nan_to_num", "isclose", "allclose", "nansum", "nanmean", "aminmax", "vdot", "ger",
        "kron", "dist", "index_add", "index_fill", "index_copy", "scatter_add", "masked_select",
        "fliplr", "flipud", "rot90", "ravel", "unflatten", "diag_embed", "diag", "diagflat",
        "is_nonzero", "is_same_size", "matrix_exp", "ldexp", "logaddexp2", "heaviside", "gcd",
        "lcm", "angle", "conj_physical", "resolve_conj", "resolve_neg", "is_conj", "is_neg",
        "isneginf", "isposinf", "isreal", "is_signed", "median", "kthvalue", "quantile",
        "nanquantile", "msort", "renorm", "histc", "bincount", "tensor_split", "hsplit",
        "vsplit", "dsplit", "split_with_sizes", "unsafe_chunk", "unsafe_split",
        "unsafe_split_with_sizes", "diagonal_scatter", "select_scatter", "slice_scatter",
        "as_strided_scatter", "index_put", "put", "masked_scatter", "cholesky",
        "cholesky_solve", "cholesky_inverse", "qr", "svd", "frobenius_norm", "nuclear_norm",
        "cross", "adjoint",
        "cummax", "cummin", "logcumsumexp", "mode", "nanmedian", "scatter",
        "unique_consecutive", "histogram", "frexp", "cov", "corrcoef", "triangular_solve",
        "isin",
        "lu", "lu_solve", "scatter_reduce",
    )
}  # fmt: skip
TENSOR_METHODS.update(LEGACY_METHODS)
