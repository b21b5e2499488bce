"""Making tensors from what data code has at hand, and PyTorch's errors when it is wrong:
ragged nested lists (the first sequence whose length differs from the first element's at its
depth), a number where a list belongs, negative sizes."""

import pluggrad as torch


def attempt(label, fn):
    try:
        out = fn()
    except Exception as exc:  # the class can be more than PyTorch's: what it is, is printed
        kinds = [k.__name__ for k in (RuntimeError, ValueError, TypeError) if isinstance(exc, k)]
        print(label, kinds[0] if kinds else type(exc).__name__, "|", exc)
    else:
        print(label, "ok", out.tolist())


attempt("ragged", lambda: torch.tensor([[1, 2], [3]]))
attempt("ragged-longer", lambda: torch.tensor([[1], [2, 3]]))
attempt("ragged-deep", lambda: torch.tensor([[[1, 2], [3, 4]], [[5, 6], [7]]]))
attempt("ragged-tuple", lambda: torch.tensor(([1, 2], [3, 4, 5])))
attempt("ragged-inner", lambda: torch.tensor([[[1], [2]], [[3]]]))
attempt("not-a-sequence", lambda: torch.tensor([[1, 2], 3]))
attempt("mixed", lambda: torch.tensor([[1, 2], (3, 4)]))
attempt("zeros-neg", lambda: torch.ones(2, -1))
attempt("empty-neg", lambda: torch.empty(-2))
attempt("full-neg", lambda: torch.full((3, -4), 1.0))
attempt("zeros-0", lambda: torch.zeros(0, 2))
