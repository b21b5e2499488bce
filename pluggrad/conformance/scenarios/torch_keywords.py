"""PyTorch's argument names as keywords, and ``out=``: the calls PyTorch programs make with
``input=``, ``other=``, ``dim=``..., and results written into given tensors (resized, cast,
refused under autograd) as PyTorch writes them."""

import warnings

import pluggrad as torch
from pluggrad.conformance.scenarios._common import rounded


def show(label, t):
    print(label, rounded(t.detach().tolist()))


def attempt(label, call):
    try:
        result = call()
    except (RuntimeError, TypeError) as error:
        print(label, type(error).__name__, str(error).splitlines()[0])
    else:
        show(label, result)


a = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
b = torch.tensor([[0.5, -1.0], [2.0, 0.25]])

# keywords named as PyTorch names them (accepted at run time: the signatures a type checker sees
# are pluggrad's own, hence the ignores)
show("matmul", torch.matmul(input=a, other=b))
show("add alpha", torch.add(input=a, other=b, alpha=2))
show("sub", torch.sub(a, other=b))
show("mul scalar", torch.mul(input=a, other=3))
show("pow", torch.pow(input=a, exponent=2))
show("exp", torch.exp(input=b))
show("sum", torch.sum(input=a, dim=1, keepdim=True))
show("mean", torch.mean(input=a, dim=0))
show("where", torch.where(condition=a > 2, input=a, other=b))
show("clamp", torch.clamp(input=b, min=0.0, max=1.0))
show("cat", torch.cat(tensors=[a, b], dim=1))
show("stack", torch.stack(tensors=[a, b], dim=0))
show("addcmul", torch.addcmul(input=a, tensor1=a, tensor2=b, value=0.5))
show("addmm", torch.addmm(input=a, mat1=a, mat2=b))
show("transpose", torch.transpose(input=a, dim0=0, dim1=1))
show("gather", torch.gather(input=a, dim=1, index=torch.tensor([[1, 0], [0, 0]])))
show("linalg.solve", torch.linalg.solve(A=a, B=b))  # type: ignore[call-arg]
show("linalg.norm", torch.linalg.norm(input=a, ord=2))  # type: ignore[call-arg]
show("fft.rfft", torch.fft.rfft(input=torch.tensor([1.0, 2.0, 3.0, 4.0]), n=6).abs())  # type: ignore[call-arg]
show("special.erf", torch.special.erf(input=b))
show("method add", a.add(other=b, alpha=3))
show("method pow", a.pow(exponent=3))
show("method addcmul", a.addcmul(tensor1=b, tensor2=b))
show("method sum", a.sum(dim=0, keepdim=True))
show("method permute", a.permute(dims=(1, 0)))
show("method expand", torch.tensor([1.0, 2.0]).expand(size=(3, 2)))
show("method gather", a.gather(dim=0, index=torch.tensor([[1, 0]])))
show("method max", a.max(dim=1).values)
show("max other", torch.max(input=a, other=b))

# out=: written into the given tensor, which is returned
out = torch.empty(2, 2)
result = torch.add(a, b, out=out)
print("out is result", result is out)
show("out add", out)
out = torch.zeros(2, 2, dtype=torch.float64)
torch.mul(a, b, out=out)
print("out cast", out.dtype == torch.float64)
show("out mul", out)
empty = torch.empty(0)
torch.exp(b, out=empty)
show("out resized from empty", empty)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    wrong = torch.zeros(3)
    torch.matmul(a, b, out=wrong)
print("resize warns", len(caught), str(caught[0].message).split(".")[0] if caught else None)
show("out resized", wrong)
values, indices = torch.empty(0), torch.empty(0, dtype=torch.int64)
found = torch.max(a, 1, out=(values, indices))
print("max out", found[0] is values, found[1] is indices)
show("max values", values)
show("max indices", indices)
base = torch.zeros(2, 4)
torch.add(a, b, out=base[:, 1:3])
show("out into a view", base)

# out= refused as PyTorch refuses it, before anything is written
target = torch.zeros(2, 2)
leaf = a.clone().requires_grad_()
attempt("out with grad", lambda: torch.add(leaf, b, out=target))
attempt("out requiring grad", lambda: torch.add(a, b, out=torch.zeros(2, 2, requires_grad=True)))
attempt("out integer", lambda: torch.add(a, b, out=torch.zeros(2, 2, dtype=torch.int64)))
show("target untouched", target)
with torch.no_grad():
    torch.add(leaf, b, out=target)
show("out under no_grad", target)
