"""The parametrization behind :func:`pluggrad.nn.utils.parametrizations.orthogonal`:
``_Orthogonal`` maps a matrix (or batch) to an orthogonal (unitary) one by the matrix
exponential or the Cayley map of a skew-symmetric matrix, or by a product of Householder
reflectors, as PyTorch's ``torch.nn.utils.parametrizations._Orthogonal`` does; with the
"dynamic trivialization" (the default) the result is multiplied by a stored orthogonal ``base``.

``_geqrf`` is LAPACK's ``geqrf`` (Householder QR: the reflectors below the diagonal, R on and
above it, and the scalars ``tau``), the convention ``torch.geqrf`` follows and
``householder_product`` undoes.
"""

from __future__ import annotations

from enum import Enum, auto
from typing import Any

from ... import ops as _ops
from ..._core.grad_mode import no_grad
from ..._core.tensor import Tensor
from ...ops._composite_linalg import matrix_exp
from ...ops._composite_lu import householder_product
from ...ops.linalg import solve, vector_norm
from ..modules.module import Module

__all__: list[str] = []


def _geqrf(A: Tensor) -> tuple[Tensor, Tensor]:
    """LAPACK's unblocked Householder QR (``geqr2``) of the matrices `A` (``(..., m, n)``,
    real or complex), outside the graph: ``(a, tau)`` as ``torch.geqrf`` returns them."""
    with no_grad():
        a = A.clone()
        m, n = a.shape[-2], a.shape[-1]
        taus = []
        for j in range(min(m, n)):
            alpha = a[..., j, j]
            x = a[..., j + 1 :, j]
            xnorm = vector_norm(x, dim=-1) if j + 1 < m else _ops.zeros_like(alpha.real)
            # LAPACK's larfg: beta = -sign(alpha) * ||(alpha, x)||, tau = (beta - alpha) / beta,
            # v = x / (alpha - beta); no reflection (tau = 0) when there is nothing to zero
            alphr = alpha.real if alpha.is_complex() else alpha
            norm = _ops.sqrt(alpha.abs() ** 2 + xnorm**2)
            beta = _ops.where(alphr >= 0, -norm, norm)
            if alpha.is_complex():
                trivial = (xnorm == 0) & (alpha.imag == 0)
                tau = _ops.complex((beta - alphr) / beta, -alpha.imag / beta)
            else:
                trivial = xnorm == 0
                tau = (beta - alpha) / beta
            tau = _ops.where(trivial, _ops.zeros_like(tau), tau)
            new_diag = _ops.where(trivial, alpha, beta.to(alpha.dtype))
            scale = _ops.where(trivial, _ops.ones_like(alpha), 1 / (alpha - beta))
            v = x * scale.unsqueeze(-1)
            a[..., j, j] = new_diag
            if j + 1 < m:
                a[..., j + 1 :, j] = v
            if j + 1 < n:
                # apply H^H = I - conj(tau) v v^H (v with its implicit leading 1) on the left
                ones = _ops.ones_like(alpha).unsqueeze(-1)
                vfull = _ops.cat([ones, v], dim=-1)
                trailing = a[..., j:, j + 1 :]
                w = vfull.conj().unsqueeze(-2) @ trailing
                update = tau.conj()[..., None, None] * vfull.unsqueeze(-1) * w
                a[..., j:, j + 1 :] = trailing - update
            taus.append(tau)
        tau_all = (
            _ops.stack(taus, dim=-1) if taus else a.new_zeros((*a.shape[:-2], 0), dtype=a.dtype)
        )
        return a, tau_all


def _is_orthogonal(Q: Tensor, eps: float | None = None) -> bool:
    n, k = Q.size(-2), Q.size(-1)
    Id = _ops.eye(k, dtype=Q.dtype, device=Q.device)
    # a reasonable eps, but not too large
    eps = 10.0 * n * _ops.finfo(Q.dtype).eps
    return bool(_ops.allclose(Q.mH @ Q, Id, atol=eps))


def _make_orthogonal(A: Tensor) -> Tensor:
    """The Q factor of the tall matrices `A` with ``diag(R)`` real and non-negative."""
    X, tau = _geqrf(A)
    Q = householder_product(X, tau)
    # the diagonal of X is R's (always real): normalise by its signs
    return Q * X.diagonal(dim1=-2, dim2=-1).sgn().unsqueeze(-2)  # type: ignore[no-any-return]


class _OrthMaps(Enum):
    matrix_exp = auto()
    cayley = auto()
    householder = auto()


class _Orthogonal(Module):
    """The orthogonal parametrization (see
    :func:`pluggrad.nn.utils.parametrizations.orthogonal`)."""

    base: Tensor

    def __init__(
        self, weight: Tensor, orthogonal_map: _OrthMaps, *, use_trivialization: bool = True
    ) -> None:
        super().__init__()
        # complex reflectors cannot parametrize the unitary matrices (tau is not determined
        # by them), as PyTorch notes
        if weight.is_complex() and orthogonal_map == _OrthMaps.householder:
            raise ValueError("The householder parametrization does not support complex tensors.")
        self.shape = weight.shape
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, X: Tensor) -> Tensor:
        """The orthogonal matrices parametrized by `X`."""
        n, k = X.size(-2), X.size(-1)
        transposed = n < k
        if transposed:
            X = X.mT
            n, k = k, n
        # here X is tall (n >= k)
        if self.orthogonal_map in (_OrthMaps.matrix_exp, _OrthMaps.cayley):
            # n * k - k * (k - 1) / 2 parameters: the lower triangle, embedded in a square
            X = X.tril()
            if n != k:
                X = _ops.cat([X, X.new_zeros(n, n - k).expand(*X.shape[:-2], -1, -1)], dim=-1)
            A = X - X.mH  # skew-symmetric (skew-hermitian)
            if self.orthogonal_map == _OrthMaps.matrix_exp:
                Q = matrix_exp(A)
            else:
                # the Cayley retraction (I + A/2)(I - A/2)^{-1}
                Id = _ops.eye(n, dtype=A.dtype, device=A.device)
                Q = solve(_ops.add(Id, A, alpha=-0.5), _ops.add(Id, A, alpha=0.5))
            if n != k:
                Q = Q[..., :k]
        else:
            # X is real (householder rejects complex tensors)
            A = X.tril(diagonal=-1)
            tau = 2.0 / (1.0 + (A * A).sum(dim=-2))
            Q = householder_product(A, tau)
            # X's diagonal holds 1s and -1s; cast so that it is neither differentiated nor
            # updated
            Q = Q * X.diagonal(dim1=-2, dim2=-1).int().unsqueeze(-2)
        if hasattr(self, "base"):
            Q = self.base @ Q
        if transposed:
            Q = Q.mT
        return Q

    def right_inverse(self, Q: Tensor) -> Tensor:
        """An original `X` with ``forward(X) == Q`` (storing `Q` in ``base`` under the
        trivialization; the QR reflectors for ``householder`` without it)."""
        with no_grad():
            return self._right_inverse(Q)

    def _right_inverse(self, Q: Tensor) -> Tensor:
        if Q.shape != self.shape:
            raise ValueError(
                f"Expected a matrix or batch of matrices of shape {self.shape}. "
                f"Got a tensor of shape {Q.shape}."
            )
        Q_init = Q
        n, k = Q.size(-2), Q.size(-1)
        transpose = n < k
        if transpose:
            Q = Q.mT
            n, k = k, n
        if not hasattr(self, "base"):
            # the inverse of the Cayley map or the exponential restricted to these
            # matrices is not known (see PyTorch's note [right_inverse expm cayley])
            if self.orthogonal_map in (_OrthMaps.cayley, _OrthMaps.matrix_exp):
                raise NotImplementedError(
                    "It is not possible to assign to the matrix exponential "
                    "or the Cayley parametrizations when use_trivialization=False."
                )
            # householder: the reflectors of Q's QR, with diag(R) > 0 (Q = (-Q)(-I) is a QR
            # decomposition too); the diagonal of the reflectors holds the signs, LAPACK's
            # tau == 0 (no reflection) flipping them
            A, tau = _geqrf(Q)
            signs = A.diagonal(dim1=-2, dim2=-1).sign()
            signs = _ops.where(tau == 0.0, -signs, signs)
            E = _ops.eye(n, k, dtype=A.dtype, device=A.device)
            A = A * (1 - E) + E * signs.unsqueeze(-2)
            return A.mT if transpose else A
        if n == k:
            Q = Q.clone() if _is_orthogonal(Q) else _make_orthogonal(Q)
        else:
            # complete Q into a full n x n orthogonal matrix
            N = _ops.randn(*(tuple(Q.size()[:-2]) + (n, n - k)), dtype=Q.dtype, device=Q.device)
            Q = _make_orthogonal(_ops.cat([Q, N], dim=-1))
        self.base = Q
        # -Id: householder(zeros) would be eye, and the diagonal holds the reflections' signs
        return _neg_identity_like(Q_init)


def _neg_identity_like(Q: Tensor) -> Tensor:
    n, k = Q.size(-2), Q.size(-1)
    eye = _ops.eye(n, k, dtype=Q.dtype, device=Q.device)
    return -(eye.expand(*Q.shape).clone())  # type: ignore[no-any-return]


def _orthogonal_map_of(weight: Tensor, orthogonal_map: Any) -> _OrthMaps:
    """PyTorch's default map ("matrix_exp" for square or complex matrices, "householder"
    otherwise), and its check of a given one."""
    if orthogonal_map is None:
        square = weight.size(-2) == weight.size(-1)
        orthogonal_map = "matrix_exp" if square or weight.is_complex() else "householder"
    orth_enum = getattr(_OrthMaps, orthogonal_map, None)
    if orth_enum is None:
        raise ValueError(
            'orthogonal_map has to be one of "matrix_exp", "cayley", "householder". '
            f"Got: {orthogonal_map}"
        )
    return orth_enum  # type: ignore[no-any-return]
