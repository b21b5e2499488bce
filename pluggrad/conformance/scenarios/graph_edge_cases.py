"""Edge cases that graphs generated at random found (issue 14): what PyTorch saves for backward
(a view's shared version counter, only the operand a gradient needs, sort's indices only), the
bounds of clamp at ties, hooks and autograd.grad, NaN second derivatives at 0, requires_grad_
after use, and out-of-bounds slices in assignments."""

import pluggrad as torch


def attempt(label, call):
    try:
        result = call()
    except RuntimeError as error:
        print(label, "RuntimeError", str(error).split("; expected")[0])
    else:
        print(label, result)


def view_saved_then_base_changed():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1
    v = y[:2]
    z = (v * v).sum()
    y.mul_(2)  # v shares y's version counter: z's backward must refuse
    z.backward()
    return x.grad.tolist()


def detach_shares_elements():
    y = torch.tensor([1.0, 2.0])
    y.detach().mul_(2)
    return y.tolist()


def matmul_keeps_what_each_gradient_needs():
    a = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    b = torch.tensor([[0.5, 1.0], [1.5, 2.0]])
    c = a @ b  # a's gradient needs b only
    with torch.no_grad():
        a.mul_(3)
    c.sum().backward()
    w = torch.tensor([[1.0], [2.0]], requires_grad=True)
    m = torch.tensor([[1.0, 1.0], [2.0, 0.5]])
    d = m @ w  # w's gradient needs m only: changing m must fail
    m.add_(1)
    try:
        d.sum().backward()
    except RuntimeError as error:
        return a.grad.tolist(), str(error).split(",")[0]
    return a.grad.tolist(), w.grad.tolist()


def selected_values_changed():
    x = torch.tensor([3.0, 1.0, 2.0], requires_grad=True)
    grads = []
    for name, take in [
        ("sort", lambda t: t.sort()[0]),
        ("sort dim", lambda t: torch.sort(t, dim=0, descending=True).values),
        ("topk", lambda t: t.topk(2)[0]),
        ("max", lambda t: t.max(0)[0]),
        ("min", lambda t: t.min(dim=0).values),
    ]:
        x.grad = None
        values = take(x * 1)
        values.mul_(2)  # only the indices are saved
        (values * torch.arange(1.0, 1.0 + values.numel()).reshape(values.shape)).sum().backward()
        grads.append((name, x.grad.tolist()))
    return grads


def clamp_at_ties():
    rows = []
    for low, high in [(1.0, 2.0), (1.0, 1.0), (2.0, 1.0)]:
        x = torch.tensor([0.5, 1.0, 1.5, 2.0, 2.5], requires_grad=True)
        lo = torch.full((5,), low, requires_grad=True)
        hi = torch.full((5,), high, requires_grad=True)
        torch.clamp(x, lo, hi).sum().backward()
        rows.append((x.grad.tolist(), lo.grad.tolist(), hi.grad.tolist()))
    return rows


def grad_of_hooked_non_leaf():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.register_hook(lambda g: g * 100)
    z = (y * y).sum()
    return (
        torch.autograd.grad(z, y, retain_graph=True)[0].tolist(),
        torch.autograd.grad(z, x)[0].tolist(),
    )


def second_derivatives_at_zero():
    x = torch.zeros(3, requires_grad=True)
    (g,) = torch.autograd.grad(torch.linalg.vector_norm(x), x, create_graph=True)
    (h,) = torch.autograd.grad(g.sum(), x)
    x3 = torch.tensor([0.0, 1.0, -2.0], requires_grad=True)
    (g3,) = torch.autograd.grad(torch.linalg.vector_norm(x3, ord=3), x3, create_graph=True)
    (h3,) = torch.autograd.grad(g3.sum(), x3)
    y = torch.tensor([0.0, 1.0], requires_grad=True)
    (gc,) = torch.autograd.grad(torch.copysign(y, torch.tensor([-1.0, -1.0])).sum(), y,
                                create_graph=True)  # fmt: skip
    (hc,) = torch.autograd.grad(gc.sum(), y)
    return h.tolist(), [round(v, 6) for v in h3.tolist()], gc.tolist(), hc.tolist()


def requires_grad_after_use():
    x = torch.tensor([1.0, 2.0])
    y = x * x
    x.requires_grad_()
    z = (x**3).sum()
    (g,) = torch.autograd.grad(z, x, create_graph=True)
    (h,) = torch.autograd.grad(g.sum(), x)
    return g.tolist(), h.tolist(), y.requires_grad


def assign_past_the_end():
    x = torch.zeros(3, 4)
    x[1:10] = 1.0
    x[..., 3:100] = 2.0
    x[-10:1, 1:7] = 3.0
    return x.tolist()


attempt("view saved then base changed", view_saved_then_base_changed)
attempt("detach shares elements", detach_shares_elements)
attempt("matmul keeps what each gradient needs", matmul_keeps_what_each_gradient_needs)
attempt("selected values changed", selected_values_changed)
attempt("clamp at ties", clamp_at_ties)
attempt("grad of hooked non-leaf", grad_of_hooked_non_leaf)
attempt("second derivatives at zero", second_derivatives_at_zero)
attempt("requires_grad_ after use", requires_grad_after_use)
attempt("non-contiguous view(-1)", lambda: torch.ones(2, 3).t().view(-1))
attempt("assign past the end", assign_past_the_end)
