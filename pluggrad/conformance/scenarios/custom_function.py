"""Custom autograd.Function: ctx, saved tensors, needs_input_grad, non-tensor arguments,
multiple outputs, non-differentiable outputs, materialized grads, setup_context."""

import pluggrad as torch


def first_sentence(e):
    return f"{type(e).__name__}: {str(e).splitlines()[0].split('. ')[0].split(': [')[0]}"


class MulConst(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, k, y):
        print("needs_input_grad", ctx.needs_input_grad)
        ctx.k = k
        ctx.save_for_backward(x, y)
        return x * y * k

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        print("backward got", g)
        gx = g * y * ctx.k if ctx.needs_input_grad[0] else None
        gy = g * x * ctx.k if ctx.needs_input_grad[2] else None
        return gx, None, gy


class SplitTwo(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        idx = torch.tensor([0, 1])
        ctx.mark_non_differentiable(idx)
        return x * 2, x * 3, idx

    @staticmethod
    def backward(ctx, g1, g2, gidx):
        print("grads", g1, g2, gidx)
        return g1 * 2 + g2 * 3


class NoMaterialize(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.set_materialize_grads(False)
        return x.clone(), x.clone()

    @staticmethod
    def backward(ctx, g1, g2):
        print("g1 is None:", g1 is None, "g2 is None:", g2 is None)
        return g1 if g2 is None else g1 + g2


class Cube(torch.autograd.Function):
    @staticmethod
    def forward(x):
        return x**3

    @staticmethod
    def setup_context(ctx, inputs, output):
        (x,) = inputs
        ctx.save_for_backward(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 3 * x**2 * g


class WrongCount(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, y):
        return x + y

    @staticmethod
    def backward(ctx, g):
        return g


class Freed(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * 1

    @staticmethod
    def backward(ctx, g):
        return g


class Keep(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return a * 2

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * a


def main():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = torch.tensor([3.0, 4.0])
    out = MulConst.apply(x, 2.0, y)
    print(out)
    print(out.grad_fn.name(), type(out.grad_fn).__name__)
    print([(type(n).__name__ if n is not None else None, i) for n, i in out.grad_fn.next_functions])
    out.sum().backward()
    print(x.grad, y.grad)

    x = torch.tensor([1.0, 1.0], requires_grad=True)
    a, b, idx = SplitTwo.apply(x)
    print(a.requires_grad, b.requires_grad, idx.requires_grad, a.grad_fn is b.grad_fn)
    print(a.output_nr if hasattr(a, "output_nr") else None, b.output_nr)
    a.sum().backward()
    print(x.grad)

    x = torch.tensor([1.0, 2.0], requires_grad=True)
    p, q = NoMaterialize.apply(x)
    p.sum().backward()
    print(x.grad)

    x = torch.tensor([2.0], requires_grad=True)
    y = Cube.apply(x)
    print(y, y.grad_fn.name())
    (g,) = torch.autograd.grad(y, x, create_graph=True)
    print(g)
    (gg,) = torch.autograd.grad(g, x)
    print(gg)

    x = torch.tensor([1.5, -0.5], dtype=torch.float64, requires_grad=True)
    print("gradcheck", torch.autograd.gradcheck(Cube.apply, (x,)))
    print("gradgradcheck", torch.autograd.gradgradcheck(Cube.apply, (x,)))

    x = torch.tensor([1.0], requires_grad=True)
    try:
        WrongCount.apply(x, x).backward()
    except Exception as e:
        print(first_sentence(e))

    z = Freed.apply(torch.tensor([1.0], requires_grad=True))
    z.backward()
    try:
        print(z.grad_fn.saved_tensors)
    except Exception as e:
        print(first_sentence(e))

    for make in (
        lambda: torch.ones(2, requires_grad=True) * 1,
        lambda: torch.ones(2, 3, dtype=torch.float64, requires_grad=True).exp(),
        lambda: torch.ones(2, requires_grad=True),
    ):
        a = make()
        out = Keep.apply(a)
        with torch.no_grad():
            a.add_(1)
        try:
            out.sum().backward()
        except RuntimeError as e:
            print(str(e).split(" Hint:")[0])


if __name__ == "__main__":
    main()
