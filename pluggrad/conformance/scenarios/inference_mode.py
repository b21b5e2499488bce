"""inference_mode: context manager, decorator, inference tensors."""

import pluggrad as torch


def first_sentence(e):
    return f"{type(e).__name__}: {str(e).splitlines()[0].split('. ')[0].split(': [')[0]}"


@torch.inference_mode()
def f(t):
    return t * 3, torch.is_inference_mode_enabled()


@torch.inference_mode
def g(t):
    return t * 4


@torch.inference_mode(mode=False)
def h(t):
    return t * 5


def main():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    print(torch.is_inference_mode_enabled(), torch.is_grad_enabled())
    with torch.inference_mode():
        print(torch.is_inference_mode_enabled(), torch.is_grad_enabled())
        y = x * 2
        z = torch.ones(2)
        print(y.requires_grad, y.grad_fn, y.is_inference(), z.is_inference())
        with torch.inference_mode(False):
            print("inner", torch.is_inference_mode_enabled(), torch.is_grad_enabled())
            u = x * 2
            print(u.requires_grad, u.is_inference())
    print(torch.is_inference_mode_enabled(), x.is_inference())

    try:
        (y * x).sum().backward()
    except Exception as e:
        print(first_sentence(e))
    try:
        torch.autograd.grad((x * y).sum(), x)
    except Exception as e:
        print(first_sentence(e))
    print((y + 1).is_inference(), (y + 1).requires_grad)
    try:
        y.add_(1)
    except Exception as e:
        print(first_sentence(e))
    try:
        y.requires_grad_()
    except Exception as e:
        print(first_sentence(e))
    print(y.clone().is_inference())
    w = (x + y).sum()
    print(w.requires_grad)
    w.backward()
    print(x.grad)

    r, flag = f(x)
    print(r, flag, r.is_inference())
    print(g(x).is_inference(), torch.is_inference_mode_enabled())
    with torch.inference_mode():
        print(h(x).requires_grad, h(x).is_inference())

    with torch.inference_mode():
        with torch.enable_grad():
            print("enable_grad inside", torch.is_grad_enabled(), (x * 2).requires_grad)

    # inference tensors work in no_grad
    with torch.no_grad():
        print((y * 2).is_inference(), torch.is_inference_mode_enabled())

    mode = torch.inference_mode()
    print(torch.is_inference_mode_enabled())
    with mode:
        print(torch.is_inference_mode_enabled())
    print(torch.is_inference_mode_enabled())


if __name__ == "__main__":
    main()
