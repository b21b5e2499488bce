"""Hooks in PyTorch 2.13's order: tensor hooks, ``retain_grad``, node pre-hooks, the node,
node hooks; for leaves the tensor hooks, AccumulateGrad's pre-hooks, the accumulation, the
post-accumulate-grad hooks and AccumulateGrad's hooks."""

from __future__ import annotations

import pytest

import pluggrad as pg

from .helpers import assert_values, values


def test_order_of_every_kind_of_hook(backend):
    calls = []
    x = pg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    y.retain_grad()
    z = (y * y).sum()

    def grad_of_y():
        return None if y.grad is None else values(y.grad).tolist()

    y.grad_fn.register_prehook(lambda go: calls.append(("y prehook", grad_of_y())))
    y.register_hook(lambda g: calls.append(("y tensor hook", grad_of_y())))
    y.grad_fn.register_hook(lambda gi, go: calls.append(("y hook", len(gi), len(go))))
    x.register_hook(lambda g: calls.append(("x tensor hook", x.grad is None)))
    x.register_post_accumulate_grad_hook(
        lambda t: calls.append(("x post-accumulate", values(t.grad).tolist()))
    )
    acc = y.grad_fn.next_functions[0][0]
    assert acc.variable is x and acc.name() == "torch::autograd::AccumulateGrad"
    acc.register_prehook(lambda go: calls.append(("acc prehook", x.grad is None)))
    acc.register_hook(lambda gi, go: calls.append(("acc hook", gi, len(go))))
    z.backward()
    assert calls == [
        ("y tensor hook", None),
        ("y prehook", [6.0, 12.0]),  # retain_grad stored y.grad before the node pre-hooks
        ("y hook", 2, 1),
        ("x tensor hook", True),
        ("acc prehook", True),
        ("x post-accumulate", [18.0, 36.0]),
        ("acc hook", (), 1),
    ]


def test_replacement_gradients_chain_and_removed_hooks_do_not_run(backend):
    w = pg.tensor([1.0], requires_grad=True)
    v = w * 1
    seen = []
    v.register_hook(lambda g: g * 2)
    v.register_hook(lambda g: seen.append(values(g).tolist()))
    v.register_hook(lambda g: g + 100).remove()
    w.register_hook(lambda g: g * 10)
    v.backward()
    assert seen == [[2.0]]
    assert_values(w.grad, [20])
    a = pg.tensor([1.0, 1.0], requires_grad=True)
    b = a * 2
    b.grad_fn.register_prehook(lambda go: (go[0] * 5,))
    b.grad_fn.register_hook(lambda gi, go: (gi[0] + 1,) + gi[1:])
    b.sum().backward()
    assert_values(a.grad, [11, 11])


def test_post_accumulate_grad_hooks(backend):
    p = pg.tensor([1.0, 2.0], requires_grad=True)
    calls = []
    handle = p.register_post_accumulate_grad_hook(lambda t: calls.append(values(t.grad).tolist()))
    (p * p).sum().backward()
    (p * 3).sum().backward()
    assert calls == [[2.0, 4.0], [5.0, 7.0]]
    pg.autograd.grad((p * 2).sum(), p)  # autograd.grad accumulates nothing: no call
    assert len(calls) == 2
    handle.remove()
    (p * 3).sum().backward()
    assert len(calls) == 2
    with pytest.raises(RuntimeError, match="^post accumulate grad hooks cannot be registered"):
        (p * 2).register_post_accumulate_grad_hook(lambda t: None)
    with pytest.raises(RuntimeError, match="^cannot register a hook on a tensor that doesn't"):
        pg.tensor([1.0]).register_post_accumulate_grad_hook(lambda t: None)
    q = pg.tensor([1.0], requires_grad=True)
    q.register_post_accumulate_grad_hook(lambda t: 3)
    with pytest.raises(TypeError, match="^expected Variable, but hook returned 'int'"):
        (q * 2).sum().backward()


def test_post_accumulate_hook_can_step_the_parameter(backend):
    # the optimizer-in-backward pattern that the hook exists for
    p = pg.tensor([1.0, 2.0], requires_grad=True)

    def sgd(t):
        with pg.no_grad():
            t -= 0.5 * t.grad
        t.grad = None

    p.register_post_accumulate_grad_hook(sgd)
    (p * p).sum().backward()
    assert_values(p.detach(), [0.0, 0.0])
    assert p.grad is None and p.is_leaf


def test_hook_errors_in_torch_words(backend):
    a = pg.tensor([1.0, 1.0], requires_grad=True)
    b = a * 2
    b.grad_fn.register_hook(lambda gi, go: (gi[0],))
    with pytest.raises(
        RuntimeError,
        match=r"^hook '<lambda>' has returned an incorrect number of values \(got 1, but "
        r"expected 2\)",
    ):
        b.sum().backward()
    b = a * 2
    b.register_hook(lambda g: 3)
    with pytest.raises(TypeError, match="^expected Variable, but hook returned 'int'"):
        b.sum().backward()


def test_retain_grad_and_hooks(backend):
    q = pg.tensor([2.0], requires_grad=True)
    r = q * q
    assert not r.retains_grad and not q.retains_grad
    r.retain_grad()
    r.register_hook(lambda g: g * 0 + 7)
    r.backward()
    assert r.retains_grad
    assert_values(r.grad, [7])
    assert_values(q.grad, [28])


def test_metadata_and_names(backend):
    x = pg.tensor([1.0, 2.0], requires_grad=True)
    y = (x * 2).sum()
    y.grad_fn.metadata["tag"] = 1
    assert y.grad_fn.metadata == {"tag": 1}
    assert y.grad_fn.name() == "SumBackward0"
    assert repr(y.grad_fn).startswith("<SumBackward0 object at 0x")
    acc = y.grad_fn.next_functions[0][0].next_functions[0][0]
    assert repr(acc).startswith("<AccumulateGrad object at 0x")
    assert acc.next_functions == ()
