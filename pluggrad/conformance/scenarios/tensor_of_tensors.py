"""torch.tensor of nested sequences that hold tensors: their values are copied, as PyTorch
reads them (one-element tensors as numbers, the dtype from the elements)."""

import warnings

import pluggrad as torch

warnings.simplefilter("ignore")

a = torch.tensor(2.0, requires_grad=True)
b = torch.tensor([1.0, 2.0])
for label, make in [
    ("0-d that require grad", lambda: torch.tensor([a, a * 3])),
    ("mixed with numbers", lambda: torch.tensor([[1.0, a], [a, 4]])),
    ("one-element 1-d", lambda: torch.tensor([torch.tensor([1.0]), torch.tensor([[2.0]])])),
    ("int and float64", lambda: torch.tensor([torch.tensor(1), 2])),
    ("float64 wins", lambda: torch.tensor([torch.tensor(1.0, dtype=torch.float64), 2])),
    ("float32 and a float", lambda: torch.tensor([torch.tensor(1.0, dtype=torch.float32), 2.5])),
    (
        "complex and float64",
        lambda: torch.tensor([torch.tensor(1j), torch.tensor(2.0, dtype=torch.float64)]),
    ),
    ("bool and int", lambda: torch.tensor([torch.tensor(True), 3])),
    ("int32 and int", lambda: torch.tensor([torch.tensor(1, dtype=torch.int32), 2])),
    ("nested deeper", lambda: torch.tensor([[[a]], [[b[0]]]])),
    ("a tensor", lambda: torch.tensor(b)),
    ("a tensor, new dtype", lambda: torch.tensor(a, dtype=torch.float64)),
    ("several elements", lambda: torch.tensor([b, b])),
    ("ragged", lambda: torch.tensor([b, torch.tensor([1.0])])),
]:
    try:
        t = make()
        print(label, t.tolist(), str(t.dtype).split(".")[1], t.requires_grad, t.grad_fn, t.is_leaf)
    except Exception as e:
        print(label, type(e).__name__, str(e).splitlines()[0])

# the values are copied: changing the source does not change the new tensor
c = torch.tensor([b[0], b[1]])
b.add_(10)
print(c.tolist(), b.tolist())
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    torch.tensor(b)
print([str(w.message).split(",")[0] for w in caught])
