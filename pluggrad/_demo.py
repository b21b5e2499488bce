"""The tutorial's key results, printed by ``python -m pluggrad`` (or ``... demo``)."""

from __future__ import annotations

import warnings

import pluggrad as torch


def _section(title: str) -> None:
    print(f"\n== {title} ==")


def _show(label: str, value) -> None:
    print(f"{label:<34} {value}")


def run() -> None:
    """Run the founding tutorial's main examples and print what they give."""
    backend = torch.get_backend()
    print(f"pluggrad {torch.__version__} -- the autograd tutorial on the {backend.name!r} backend")

    _section("1. y = x ** 2 at x = 5")
    x = torch.Tensor([5])
    x.requires_grad = True
    y = x**2
    _show("y", y)
    _show("y.grad_fn", y.grad_fn)
    _show("x.is_leaf, y.is_leaf", (x.is_leaf, y.is_leaf))
    y.backward()
    _show("x.grad (dy/dx = 2x)", x.grad)

    _section("2. y = (x - 5) ** 2 + 3 on linspace(0, 10, 100)")
    x = torch.linspace(0, 10, 100)
    x.requires_grad = True
    y = (x - 5) ** 2 + 3
    y.sum().backward()
    expected = 2 * (x.detach() - 5)
    grad = x.grad
    assert grad is not None  # filled by the backward above (mypy reads .grad as Tensor | None)
    _show("x.grad == 2 * (x - 5)", bool((grad == expected).numpy().all()))
    _show("x.grad[:3]", grad[:3])

    _section("4. z = 2x + 3y, z.backward(x): a vector-Jacobian product")
    x = torch.Tensor([1, 2, 3])
    x.requires_grad = True
    y = torch.Tensor([4, 5, 6])
    z = 2 * x + 3 * y
    z.backward(x)
    _show("x.grad, y.grad", (x.grad, y.grad))

    _section("10. a complex graph: (x + y) ** 2 * z ** 3")
    x, y, z = torch.Tensor([1, 2, 3]), torch.Tensor([3, 4, 5]), torch.Tensor([1, 2, 3])
    for t in (x, y, z):
        t.requires_grad = True
    xy = x + y
    xy2 = xy**2
    z3 = z**3
    out = xy2 * z3
    out.backward(torch.Tensor([1.0, 1.0, 1.0]))
    _show("x.grad", x.grad)
    _show("z.grad", z.grad)
    _show(
        "grad_fns", (xy.grad_fn.name(), xy2.grad_fn.name(), z3.grad_fn.name(), out.grad_fn.name())
    )

    _section("11. a hook reads the gradient of an intermediate")
    x, y, z = torch.Tensor([1, 2, 3]), torch.Tensor([3, 4, 5]), torch.Tensor([1, 2, 3])
    for t in (x, y, z):
        t.requires_grad = True
    xy = x + y
    xy.register_hook(lambda grad: _show("hook: d(xyz)/d(xy)", grad))
    torch.dot(xy, z).backward()
    _show("z.grad", z.grad)

    _section("15. higher order: autograd.grad with create_graph=True")
    x = torch.Tensor([1])
    x.requires_grad = True
    first = torch.autograd.grad(x**6, x, create_graph=True)
    second = torch.autograd.grad(first, x)
    _show("d(x^6)/dx at 1", first)
    _show("d2(x^6)/dx2 at 1", second)

    _section("12. higher order through .backward(create_graph=True)")
    x = torch.Tensor([1])
    x.requires_grad = True
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyTorch's reference-cycle warning
        (x**6).backward(create_graph=True)
        _show("x.grad", x.grad)
        grad = x.grad
        assert grad is not None  # filled by the backward above
        grad.backward(create_graph=True)
    _show("x.grad after the second backward", x.grad)

    _section("16-22. grad modes")
    x = torch.Tensor([1, 2, 3])
    x.requires_grad = True
    with torch.no_grad():
        a = x * 2
        with torch.enable_grad():
            b = x * 2
    _show("no_grad / nested enable_grad", (a.requires_grad, b.requires_grad))

    @torch.no_grad()
    def doubled(t):
        return t * 2

    _show("@no_grad() decorated", (doubled.__name__, doubled(x).requires_grad))
    torch.autograd.set_grad_enabled(False)
    c = x * 2
    torch.autograd.set_grad_enabled(True)
    _show("set_grad_enabled(False) as a call", c.requires_grad)

    _section("errors, in PyTorch's words")
    try:
        torch.tensor([1, 2, 3]).requires_grad = True
    except RuntimeError as error:
        _show("int tensor requires_grad", f"RuntimeError: {error}")
    try:
        (torch.Tensor([1, 2]) * 2).sum().backward()
    except RuntimeError as error:
        _show("nothing requires grad", f"RuntimeError: {error}")
