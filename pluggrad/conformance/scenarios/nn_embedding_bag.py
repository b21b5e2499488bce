"""nn.EmbeddingBag and F.embedding_bag: sums, means and maxima of bags given by offsets (with
include_last_offset, empty bags) or by the rows of a 2-D input, per_sample_weights, padding_idx
left out of the bags and of the means, ties in max (the first row wins), the module's
initialisation, repr and from_pretrained, and PyTorch's error messages: values and gradients
as PyTorch computes them."""

import pluggrad as torch
from pluggrad import nn
from pluggrad.conformance.scenarios._common import failure, rounded
from pluggrad.nn import functional as F


def bag(label, indices, offsets=None, weights=None, **kwargs):
    table = (torch.arange(14, dtype=torch.float64).reshape(7, 2) * 5 % 9 - 3).requires_grad_()
    if weights is not None:
        weights = weights.detach().clone().requires_grad_()
    out = F.embedding_bag(indices, table, offsets, per_sample_weights=weights, **kwargs)
    scale = torch.linspace(0.5, 1.5, out.numel(), dtype=torch.float64).reshape(out.shape)
    (out * scale).sum().backward()
    grads = [rounded(table.grad.tolist())]
    if weights is not None:
        grads.append(rounded(weights.grad.tolist()))
    print(label, kwargs, list(out.shape), rounded(out.tolist()), grads)


flat = torch.tensor([1, 2, 4, 5, 4, 3, 2, 0, 6, 6])
offsets = torch.tensor([0, 2, 5, 5, 8])
for mode in ("sum", "mean", "max"):
    bag("offsets", flat, offsets, mode=mode)
    # the last offset is the input's length, as PyTorch's documentation asks
    bag("last offset", flat, torch.tensor([0, 2, 5, 5, 10]), mode=mode, include_last_offset=True)
    bag("padding", flat, offsets, mode=mode, padding_idx=4)
    bag("negative padding", flat, offsets, mode=mode, padding_idx=-1)
    bag("2d", flat.reshape(2, 5), mode=mode)
    bag("2d padding", flat.reshape(5, 2), mode=mode, padding_idx=6)
sample_weights = torch.linspace(-1.0, 2.0, 10, dtype=torch.float64)
bag("per sample", flat, offsets, sample_weights, mode="sum")
bag("per sample padding", flat, offsets, sample_weights, mode="sum", padding_idx=2)
bag("per sample 2d", flat.reshape(2, 5), None, sample_weights.reshape(2, 5), mode="sum")
bag("int32", flat.to(torch.int32), offsets.to(torch.int32), mode="mean")

torch.manual_seed(0)
module = nn.EmbeddingBag(10, 3)
print(module, list(module.weight.shape), module.weight.requires_grad, module.mode)
padded = nn.EmbeddingBag(10, 3, mode="max", padding_idx=-2, include_last_offset=True)
print(padded, padded.padding_idx, padded.weight[8].tolist(), padded.include_last_offset)
print(nn.EmbeddingBag(5, 2, max_norm=1.0, norm_type=1.0, mode="sum"))
pretrained = nn.EmbeddingBag.from_pretrained(
    torch.arange(8.0).reshape(4, 2), mode="sum", padding_idx=0
)
print(pretrained, pretrained.weight.requires_grad)
print(pretrained(torch.tensor([0, 1, 3, 2]), torch.tensor([0, 1])).tolist())
print(pretrained(torch.tensor([[0, 1], [3, 2]]), per_sample_weights=torch.ones(2, 2)).tolist())
trainable = nn.EmbeddingBag.from_pretrained(torch.ones(3, 2), freeze=False)
print(trainable, trainable.weight.requires_grad)

weight = torch.ones(6, 2)
failure("offsets[0]", lambda: F.embedding_bag(flat, weight, torch.tensor([1, 2])))
failure("no offsets", lambda: F.embedding_bag(flat, weight))
failure("2d offsets", lambda: F.embedding_bag(flat.reshape(2, 5), weight, offsets))
failure(
    "mean weights",
    lambda: F.embedding_bag(flat, weight, offsets, per_sample_weights=torch.ones(10)),
)
failure("mode", lambda: F.embedding_bag(flat, weight, offsets, mode="min"))
failure(
    "weights shape",
    lambda: F.embedding_bag(flat, weight, offsets, mode="sum", per_sample_weights=torch.ones(9)),
)
failure("offsets rank", lambda: F.embedding_bag(flat, weight, offsets.reshape(1, 5)))
failure("input rank", lambda: F.embedding_bag(flat.reshape(1, 2, 5), weight))
failure("last offset", lambda: F.embedding_bag(flat, torch.ones(7, 2), torch.tensor([0, 11])))
failure("float input", lambda: F.embedding_bag(flat.float(), weight, offsets))
failure("padding range", lambda: F.embedding_bag(flat, torch.ones(7, 2), offsets, padding_idx=9))
failure("module padding", lambda: nn.EmbeddingBag(5, 2, padding_idx=7))
failure("pretrained rank", lambda: nn.EmbeddingBag.from_pretrained(torch.ones(3)))
