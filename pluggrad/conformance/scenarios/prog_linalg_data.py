"""Idioms of tutorial PyTorch programs that once differed: the named results of
``torch.linalg``'s ``slogdet``, ``eigh``, ``svd``, ``qr`` and ``lstsq`` (PyTorch's
``torch.return_types.linalg_*``, ``slogdet`` for ``torch.slogdet``), ``Tensor.nbytes`` and
``itemsize``, and ``default_collate`` keeping a field of strings as the tuple ``zip`` gives."""

from collections import namedtuple

import pluggrad as torch
from pluggrad.utils.data import DataLoader, default_collate


def shown(value):
    # a return type prints as pluggrad's outside ``python -m pluggrad run``
    return repr(value).replace("pluggrad.", "torch.")


A = torch.tensor([[4.0, 2.0], [2.0, 3.0]])
print(shown(torch.slogdet(A)), shown(A.slogdet()))
print(shown(torch.linalg.slogdet(A)))
sign, logabsdet = torch.linalg.slogdet(A)
print("slogdet", sign.item(), round(logabsdet.item(), 4), type(torch.linalg.slogdet(A)).__name__)
for result in (
    torch.linalg.eigh(A),
    torch.linalg.svd(A, full_matrices=False),
    torch.linalg.qr(A),
    torch.linalg.lstsq(A, A),
):
    print(type(result).__name__, len(result), [list(t.shape) for t in result])
print("eigh", [round(v, 4) for v in torch.linalg.eigh(A).eigenvalues.tolist()])
print(
    "svd", [round(v, 4) for v in torch.linalg.svd(A).S.tolist()], list(torch.linalg.qr(A).R.shape)
)

x = torch.ones(2, 3)
print("bytes", x.nbytes, x.itemsize, x[:, :1].nbytes, x.expand(4, 2, 3).nbytes)
print("bytes", torch.tensor(True).itemsize, torch.arange(5).nbytes, x.double().itemsize)

print(default_collate([(1, 2.0, "a"), (3, 4.0, "b")])[2])
print(default_collate(["a", "b"]), default_collate([{"name": "a"}, {"name": "b"}]))
Pair = namedtuple("Pair", ["text", "label"])
print(default_collate([Pair("x", 0), Pair("y", 1)]).text)
print(default_collate([[1, "p"], [2, "q"]])[1])
words = [("hello", 0), ("world", 1), ("again", 0)]
for texts, labels in DataLoader(words, batch_size=2):
    print(texts, labels.tolist())
