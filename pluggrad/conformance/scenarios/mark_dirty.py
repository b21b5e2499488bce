"""Custom in-place Functions: mark_dirty."""

import pluggrad as torch


def first_sentence(e):
    return f"{type(e).__name__}: {str(e).splitlines()[0].split('. ')[0].split(': [')[0]}"


class AddOneInplace(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        x.add_(1)
        ctx.mark_dirty(x)
        return x

    @staticmethod
    def backward(ctx, g):
        return g


def main():
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = a * 2
    v = b._version
    c = AddOneInplace.apply(b)
    print(c is b, b._version - v, b.grad_fn.name(), b)
    (b * b).sum().backward()
    print(a.grad)

    try:
        AddOneInplace.apply(a)
    except Exception as e:
        print(first_sentence(e))


if __name__ == "__main__":
    main()
