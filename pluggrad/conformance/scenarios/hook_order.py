"""The order of hook calls during backward, with their arguments."""

import pluggrad as torch


def first_sentence(e):
    return f"{type(e).__name__}: {str(e).splitlines()[0].split('. ')[0].split(': [')[0]}"


x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x * 3
z = y.exp().sum() if False else (y * y).sum()
y.retain_grad()


def tensor_hook(tag):
    def hook(g):
        print(tag, "tensor hook", g, "y.grad is", y.grad)

    return hook


def prehook(tag):
    def hook(grad_outputs):
        print(tag, "node prehook", grad_outputs, "y.grad is", y.grad)

    return hook


def posthook(tag):
    def hook(grad_inputs, grad_outputs):
        print(tag, "node hook", grad_inputs, grad_outputs)

    return hook


y.grad_fn.register_prehook(prehook("y1"))
y.register_hook(tensor_hook("y1"))
y.grad_fn.register_hook(posthook("y1"))
y.register_hook(tensor_hook("y2"))
y.grad_fn.register_prehook(prehook("y2"))
x.register_hook(lambda g: print("x tensor hook", g, "x.grad is", x.grad))
x.register_post_accumulate_grad_hook(lambda t: print("x post-accumulate", t is x, t.grad))
acc = y.grad_fn.next_functions[0][0]
print(type(acc).__name__, acc.name(), acc.variable is x)
acc.register_prehook(lambda go: print("AccumulateGrad prehook", go))
acc.register_hook(lambda gi, go: print("AccumulateGrad hook", gi, go))
z.grad_fn.register_hook(posthook("z"))
z.grad_fn.register_prehook(prehook("z"))
z.backward()
print("x.grad", x.grad, "y.grad", y.grad)

# replacement gradients: each hook sees the previous one's result
w = torch.tensor([1.0], requires_grad=True)
v = w * 1
v.register_hook(lambda g: g * 2)
v.register_hook(lambda g: print("second sees", g))
h = v.register_hook(lambda g: g + 100)
h.remove()
w.register_hook(lambda g: g * 10)
v.backward()
print("w.grad", w.grad)

# node prehook and hook replacing gradients
a = torch.tensor([1.0, 1.0], requires_grad=True)
b = a * 2
b.grad_fn.register_prehook(lambda go: (go[0] * 5,))
b.grad_fn.register_hook(lambda gi, go: (gi[0] + 1,) + gi[1:])
b.sum().backward()
print("a.grad", a.grad)

# post-accumulate-grad hooks: on leaves only, called once per accumulation
p = torch.tensor([1.0, 2.0], requires_grad=True)
calls = []
handle = p.register_post_accumulate_grad_hook(lambda t: calls.append(t.grad.clone()))
(p * p).sum().backward()
(p * 3).sum().backward()
print(calls)
handle.remove()
(p * 3).sum().backward()
print(len(calls), p.grad)
try:
    (p * 2).register_post_accumulate_grad_hook(lambda t: None)
except Exception as e:
    print(first_sentence(e))
try:
    torch.tensor([1.0]).register_post_accumulate_grad_hook(lambda t: None)
except Exception as e:
    print(first_sentence(e))
try:
    torch.tensor([1.0]).register_hook(lambda g: None)
except Exception as e:
    print(first_sentence(e))

# hooks and retains_grad
q = torch.tensor([2.0], requires_grad=True)
r = q * q
print(r.retains_grad, q.retains_grad)
r.retain_grad()
r.register_hook(lambda g: g * 0 + 7)
r.backward()
print(r.retains_grad, r.grad, q.grad)
