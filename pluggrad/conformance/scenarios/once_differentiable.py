"""once_differentiable: a backward that cannot be differentiated again."""

import pluggrad as torch
from pluggrad.autograd.function import once_differentiable


def first_sentence(e):
    return f"{type(e).__name__}: {str(e).splitlines()[0].split('. ')[0].split(': [')[0]}"


class Square(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    @once_differentiable
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        print(
            "in backward: grad enabled", torch.is_grad_enabled(), "g requires grad", g.requires_grad
        )
        return 2 * x * g


def main():
    x = torch.tensor([3.0], requires_grad=True)
    y = Square.apply(x)
    y.backward()
    print(x.grad)

    x = torch.tensor([3.0], requires_grad=True)
    (g,) = torch.autograd.grad(Square.apply(x), x, create_graph=True)
    print(g.requires_grad, g.grad_fn is not None)
    try:
        g.backward()
    except Exception as e:
        print(first_sentence(e))

    x = torch.tensor([3.0], requires_grad=True)
    y = Square.apply(x)
    y.backward(torch.ones(1, requires_grad=True), create_graph=True)
    print(x.grad.requires_grad, x.grad.grad_fn is not None)
    try:
        x.grad.sum().backward()
    except Exception as e:
        print(first_sentence(e))


if __name__ == "__main__":
    main()
