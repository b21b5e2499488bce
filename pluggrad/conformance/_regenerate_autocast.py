"""PyTorch's autocast on the CPU: the dtype each operation returns inside an
``autocast("cpu", dtype=D)`` region, for float32 arguments and for arguments of dtype ``D``
(which tells the lower-precision, float32 and unlisted policies apart), the graph of a cast
``Linear`` and a small network's loss and gradients, recorded in ``autocast_torch.json`` for
``test_autocast`` (which runs without torch).

Run by hand, with torch installed (pluggrad never needs it otherwise)::

    python -m pluggrad.conformance._regenerate_autocast

Each case is an expression over ``T`` (``torch``, or ``pluggrad`` in the test), ``F`` (its
``nn.functional``) and ``a`` (a 4x4 tensor of the dtype under test).
"""

from __future__ import annotations

import json
import pathlib
from typing import Any

OUTPUT = pathlib.Path(__file__).with_name("autocast_torch.json")
DTYPES = ("float16", "bfloat16")

CASES = {
    "matmul": "T.matmul(a, a)",
    "operator @": "a @ a",
    "mm": "T.mm(a, a)",
    "bmm": "T.bmm(a[None], a[None])",
    "addmm": "T.addmm(a, a, a)",
    "baddbmm": "T.baddbmm(a[None], a[None], a[None])",
    "addbmm": "T.addbmm(a, a[None], a[None])",
    "vecdot": "T.linalg.vecdot(a, a)",
    "einsum": "T.einsum('ij,jk', a, a)",
    "tensordot": "T.tensordot(a, a, 1)",
    "matrix_power": "T.linalg.matrix_power(a, 3)",
    "multi_dot": "T.linalg.multi_dot([a, a, a])",
    "linear": "F.linear(a, a)",
    "linear with bias": "F.linear(a, a, a[0])",
    "Linear": "T.nn.Linear(4, 2).to(a.dtype)(a)",
    "conv1d": "F.conv1d(a[None], a[:, :, None])",
    "conv2d": "F.conv2d(a[None, None], a[None, None, :2, :2])",
    "conv3d": "F.conv3d(a.reshape(1, 1, 2, 2, 4), a.reshape(1, 1, 2, 2, 4)[..., :2])",
    "conv_transpose1d": "F.conv_transpose1d(a[None], a[:, :, None])",
    "conv_transpose2d": "F.conv_transpose2d(a[None, None], a[None, None, :2, :2])",
    "prelu": "F.prelu(a, a[0, :1])",
    "scaled_dot_product_attention": "F.scaled_dot_product_attention(a[None], a[None], a[None])",
    "addmv": "T.addmv(a[0], a, a[0])",
    "addr": "T.addr(a, a[0], a[0])",
    "mv": "T.mv(a, a[0])",
    "dot": "T.dot(a[0], a[0])",
    "outer": "T.outer(a[0], a[0])",
    "kron": "T.kron(a, a)",
    "bilinear": "F.bilinear(a, a, a[None])",
    "matrix_exp": "T.linalg.matrix_exp(a)",
    "prod": "T.prod(a)",
    "cdist": "T.cdist(a, a)",
    "trace": "T.trace(a)",
    "quantile": "T.quantile(a, 0.5)",
    "nanquantile": "T.nanquantile(a, 0.5)",
    "inverse": "T.inverse(a)",
    "linalg.inv": "T.linalg.inv(a)",
    "cholesky": "T.linalg.cholesky(a @ a.mT)",
    "qr": "T.linalg.qr(a)[0]",
    "svd": "T.linalg.svd(a)[1]",
    "svdvals": "T.linalg.svdvals(a)",
    "eigh": "T.linalg.eigh(a + a.mT)[0]",
    "solve": "T.linalg.solve(a, a)",
    "lstsq": "T.linalg.lstsq(a, a)[0]",
    "rfft": "T.fft.rfft(a).real",
    "polar": "T.polar(a.abs(), a).real",
    "mse_loss": "F.mse_loss(a, a)",
    "l1_loss": "F.l1_loss(a, a)",
    "cross_entropy": "F.cross_entropy(a, T.tensor([0, 1, 2, 3]))",
    "nll_loss": "F.nll_loss(a, T.tensor([0, 1, 2, 3]))",
    "binary_cross_entropy": "F.binary_cross_entropy(a.sigmoid(), a.sigmoid())",
    "binary_cross_entropy_with_logits": "F.binary_cross_entropy_with_logits(a, a.sigmoid())",
    "kl_div": "F.kl_div(a, a)",
    "smooth_l1_loss": "F.smooth_l1_loss(a, a)",
    "huber_loss": "F.huber_loss(a, a)",
    "margin_ranking_loss": "F.margin_ranking_loss(a, a, a)",
    "soft_margin_loss": "F.soft_margin_loss(a, a)",
    "hinge_embedding_loss": "F.hinge_embedding_loss(a, a)",
    "cosine_embedding_loss": "F.cosine_embedding_loss(a, a, T.ones(4))",
    "poisson_nll_loss": "F.poisson_nll_loss(a, a)",
    "triplet_margin_loss": "F.triplet_margin_loss(a, a, a)",
    "multi_margin_loss": "F.multi_margin_loss(a, T.tensor([0, 1, 2, 3]))",
    "multilabel_margin_loss": "F.multilabel_margin_loss(a, T.tensor([[1, -1, 0, 0]] * 4))",
    "triplet_margin_with_distance_loss": "F.triplet_margin_with_distance_loss(a, a, a)",
    "ctc_loss": "F.ctc_loss(a.log_softmax(1)[:, None], T.tensor([[1, 2]]), (4,), (2,))",
    "max_unpool2d": "F.max_unpool2d(*F.max_pool2d(a[None, None], 2, return_indices=True), 2)",
    "adaptive_max_pool3d": "F.adaptive_max_pool3d(a.reshape(1, 1, 2, 2, 4), 1)",
    "avg_pool3d": "F.avg_pool3d(a.reshape(1, 1, 2, 2, 4), 2)",
    "max_pool3d": "F.max_pool3d(a.reshape(1, 1, 2, 2, 4), 2)",
    "adaptive_avg_pool3d": "F.adaptive_avg_pool3d(a.reshape(1, 1, 2, 2, 4), 1)",
    "pad reflect": "F.pad(a[None], (1, 1), mode='reflect')",
    "pad replicate": "F.pad(a[None], (1, 1), mode='replicate')",
    "pad circular": "F.pad(a[None], (1, 1), mode='circular')",
    "grid_sample": (
        "F.grid_sample(a[None, None], T.zeros(1, 2, 2, 2, dtype=a.dtype), align_corners=False)"
    ),
    "softmax": "T.softmax(a, 0)",
    "log_softmax": "T.log_softmax(a, 0)",
    "layer_norm": "F.layer_norm(a, (4,))",
    "group_norm": "F.group_norm(a[None], 2)",
    "sum": "a.sum()",
    "mean": "a.mean()",
    "exp": "a.exp()",
    "cumsum": "a.cumsum(0)",
    "avg_pool2d": "F.avg_pool2d(a[None], 2)",
    "interpolate": "F.interpolate(a[None], scale_factor=2)",
    "cosine_similarity": "F.cosine_similarity(a, a)",
    "logsumexp": "T.logsumexp(a, 0)",
    "var": "a.var()",
    "gelu": "F.gelu(a)",
    "embedding": "F.embedding(T.tensor([0]), a)",
    "add float32": "a + T.ones(4)",
    "cat float32": "T.cat([a, T.ones(1, 4)])",
    "MultiheadAttention": "T.nn.MultiheadAttention(4, 1)(a[None], a[None], a[None])[0]",
}


def inputs(T, dtype: str) -> dict[str, Any]:
    """``a``: a well-conditioned 4x4 matrix of `dtype` (float32 when `dtype` is float32)."""
    a = (T.linspace(-1.0, 1.0, 16).reshape(4, 4) + 4 * T.eye(4)).to(getattr(T, dtype))
    return {"T": T, "F": T.nn.functional, "a": a}


def dtypes_under_autocast(T, dtype: str) -> dict[str, list[str]]:
    """``{case: [dtype for float32 arguments, dtype for arguments of `dtype`]}``."""
    out = {}
    with T.autocast("cpu", dtype=getattr(T, dtype)):
        for name, code in CASES.items():
            out[name] = [
                str(eval(code, inputs(T, d)).dtype).split(".")[-1]  # the case table above
                for d in ("float32", dtype)
            ]
    return out


def network(T, dtype: str) -> dict[str, Any]:
    """A two-layer network's loss and gradients, computed inside an autocast region."""
    model = T.nn.Sequential(T.nn.Linear(6, 5), T.nn.ReLU(), T.nn.Linear(5, 3))
    with T.no_grad():  # the same parameters on every backend, whatever its generator
        for i, p in enumerate(model.parameters()):
            p.copy_(T.linspace(-0.5, 0.6 + 0.1 * i, p.numel()).reshape(p.shape))
    x = T.linspace(-2.0, 2.0, 24).reshape(4, 6)
    with T.autocast("cpu", dtype=getattr(T, dtype)):
        out = model(x)
        loss = T.nn.functional.cross_entropy(out, T.tensor([0, 2, 1, 2]))
    loss.backward()
    node = out.grad_fn
    return {
        "out_dtype": str(out.dtype).split(".")[-1],
        "loss_dtype": str(loss.dtype).split(".")[-1],
        "graph": [
            type(node).__name__,
            [None if n is None else type(n).__name__ for n, _ in node.next_functions],
        ],  # fmt: skip
        "loss": loss.item(),
        "grads": {name: p.grad.tolist() for name, p in model.named_parameters()},
        "grad_dtypes": sorted({str(p.grad.dtype).split(".")[-1] for p in model.parameters()}),
    }


def main() -> None:
    import torch  # noqa: PLC0415 - the oracle, only when regenerating by hand

    record = {
        dtype: {"dtypes": dtypes_under_autocast(torch, dtype), "network": network(torch, dtype)}
        for dtype in DTYPES
    }
    OUTPUT.write_text(json.dumps(record, indent=1) + "\n")


if __name__ == "__main__":
    main()
