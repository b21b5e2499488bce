"""``pluggrad.linalg``: the array API ``linalg`` extension, differentiable.

Every function of the standard's extension, with PyTorch's derivative formulas, plus
``torch.linalg.norm`` as :func:`norm`.  The functions are implemented in
:mod:`pluggrad.ops.linalg`; only the matrix products and a few PyTorch spellings are also in the
main namespace.
"""

from __future__ import annotations

from ._torch_keywords import adapt_namespace
from .ops._composite_linalg import (
    cond,
    lstsq,
    matrix_exp,
    multi_dot,
    solve_triangular,
    tensorinv,
    tensorsolve,
    vander,
)
from .ops._composite_lu import (
    cholesky_ex,
    householder_product,
    inv_ex,
    lu,
    lu_factor,
    lu_factor_ex,
    lu_solve,
    solve_ex,
)
from .ops.linalg import (
    cholesky,
    cross,
    det,
    diagonal,
    eig,
    eigh,
    eigvals,
    eigvalsh,
    inv,
    matmul,
    matrix_norm,
    matrix_power,
    matrix_rank,
    matrix_transpose,
    outer,
    pinv,
    qr,
    solve,
    svd,
    svdvals,
    tensordot,
    trace,
    vecdot,
    vector_norm,
)
from .ops.linalg import linalg_norm as norm
from .ops.linalg import linalg_slogdet as slogdet

__all__ = [
    "cholesky", "cross", "det", "diagonal", "eig", "eigh", "eigvals", "eigvalsh", "inv", "matmul",
    "matrix_norm",
    "matrix_power", "matrix_rank", "matrix_transpose", "norm", "outer", "pinv", "qr", "slogdet",
    "solve", "svd", "svdvals", "tensordot", "trace", "vecdot", "vector_norm",
    "cond", "lstsq", "matrix_exp", "multi_dot", "solve_triangular", "tensorinv", "tensorsolve",
    "vander", "cholesky_ex", "householder_product", "inv_ex", "lu", "lu_factor", "lu_factor_ex",
    "lu_solve", "solve_ex",
]  # fmt: skip

# PyTorch's keyword names (``torch.linalg.solve(A=a, B=b)``) and ``out=``
adapt_namespace(globals(), "linalg")
