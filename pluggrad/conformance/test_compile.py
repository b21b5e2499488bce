"""``pluggrad.compile``: a compiled function gives what the eager one gives, state included.

On the jax backend the function is traced into one ``jax.jit`` program; on the other backends
pluggrad's tracer records it as a flat program of kernel calls, replayed by later calls
(pluggrad._trace).  Every test runs the same code both ways, on fresh copies of the same
tensors, and compares outputs, the arguments' data, their ``.grad`` and their version counters.
"""

from __future__ import annotations

import numpy as np
import pytest

import pluggrad
from pluggrad.conformance.helpers import values

F64 = pluggrad.float64


@pytest.fixture(autouse=True)
def _planner_debug_mode(monkeypatch):
    """The tracer's planner poisons the buffers it releases (PLUGGRAD_COMPILE_DEBUG): a buffer
    released or reused while still read turns results into NaN here."""
    monkeypatch.setenv("PLUGGRAD_COMPILE_DEBUG", "1")


def _tensor(array, requires_grad=False):
    return pluggrad.tensor(np.asarray(array, dtype=np.float64), requires_grad=requires_grad)


def _inputs(seed=0, n=4, m=3):
    rng = np.random.default_rng(seed)
    w = _tensor(rng.standard_normal((n, m)), requires_grad=True)
    b = _tensor(rng.standard_normal(m), requires_grad=True)
    x = _tensor(rng.standard_normal((5, n)))
    return w, b, x


def _copies(*tensors):
    """Independent tensors with the same data, requires_grad and .grad."""
    out = []
    for t in tensors:
        c = _tensor(values(t), requires_grad=t.requires_grad)
        if t.grad is not None:
            c.grad = _tensor(values(t.grad))
        out.append(c)
    return out


def _assert_same(a, b, rtol=1e-10, atol=1e-12):
    """Two pytrees of tensors (or None/numbers) are equal in structure and values."""
    if isinstance(a, pluggrad.Tensor):
        assert isinstance(b, pluggrad.Tensor), f"{type(b).__name__} is not a Tensor"
        assert a.dtype is b.dtype and tuple(a.shape) == tuple(b.shape)
        np.testing.assert_allclose(values(a), values(b), rtol=rtol, atol=atol)
    elif isinstance(a, (tuple, list)):
        assert type(a) is type(b) and len(a) == len(b)
        for x, y in zip(a, b):
            _assert_same(x, y, rtol, atol)
    elif isinstance(a, dict):
        assert a.keys() == b.keys()
        for k in a:
            _assert_same(a[k], b[k], rtol, atol)
    else:
        assert a == b


def _assert_state(eager_tensors, compiled_tensors):
    """Arguments agree in data, requires_grad, .grad and version counter."""
    for e, c in zip(eager_tensors, compiled_tensors):
        _assert_same(e, c)
        assert e.requires_grad == c.requires_grad
        assert e.is_leaf and c.is_leaf
        assert e._version == c._version
        assert (e.grad is None) == (c.grad is None)
        if e.grad is not None:
            _assert_same(e.grad, c.grad)
            assert e.grad._version == c.grad._version
            assert not c.grad.requires_grad


def _is_jax(backend) -> bool:
    return backend.name == "jax"


# ---- results ---------------------------------------------------------------------------------
def test_loss_value(backend):
    def loss(w, b, x):
        return (pluggrad.tanh(x @ w + b) ** 2).sum()

    compiled = pluggrad.compile(loss)
    w, b, x = _inputs()
    expected = loss(w, b, x)
    for _ in range(2):  # the second call runs the cached program
        got = compiled(w, b, x)
        _assert_same(got.detach(), expected.detach())
        assert got.requires_grad  # differentiable, as the eager result
    assert w.grad is None and b.grad is None


def test_autograd_grad_inside(backend):
    def grads(w, b, x):
        loss = (pluggrad.exp(pluggrad.sin(x @ w) * 0.5) + b).sum()
        return pluggrad.autograd.grad(loss, (w, b))

    w, b, x = _inputs(1)
    expected = grads(w, b, x)
    got = pluggrad.compile(grads)(w, b, x)
    assert isinstance(got, tuple) and len(got) == 2
    _assert_same(got, expected)


def test_double_backward_inside(backend):
    """A Hessian-vector product by double backward, as in ``create_graph=True``."""

    def hvp(x, w, v):
        f = (pluggrad.tanh(w @ x) ** 2).sum()
        (g,) = pluggrad.autograd.grad(f, x, create_graph=True)
        return pluggrad.autograd.grad((g * v).sum(), x)

    rng = np.random.default_rng(2)
    x = _tensor(rng.standard_normal(6), requires_grad=True)
    w = _tensor(rng.standard_normal((6, 6)))
    v = _tensor(rng.standard_normal(6))
    _assert_same(pluggrad.compile(hvp)(x, w, v), hvp(x, w, v))


def test_transposed_products(backend):
    """Matrix products of transposed operands (folded into the product under compile)."""

    def f(a, b, c):
        return (
            a.mT @ b,
            b.mT @ a[:, 0],
            pluggrad.matmul(pluggrad.permute_dims(c, (0, 2, 1)), a[None, :, :2]),
            pluggrad.tensordot(pluggrad.permute_dims(c, (2, 0, 1)), b, axes=1),
            pluggrad.autograd.grad((pluggrad.tanh(a @ b.mT) ** 2).sum(), (a, b)),
        )

    rng = np.random.default_rng(3)
    a = _tensor(rng.standard_normal((4, 3)), requires_grad=True)
    b = _tensor(rng.standard_normal((4, 3)), requires_grad=True)
    c = _tensor(rng.standard_normal((2, 4, 3)))
    _assert_same(pluggrad.compile(f)(a, b, c), f(a, b, c))


# ---- side effects on the arguments ------------------------------------------------------------
def test_backward_and_grad_reads(backend):
    def step(w, b, x):
        loss = (pluggrad.tanh(x @ w + b) ** 2).mean()
        loss.backward()
        return loss, w.grad * 2, b.grad.sum()

    compiled = pluggrad.compile(step)
    eager_args = _inputs(4)
    compiled_args = _copies(*eager_args)
    for _ in range(3):  # .grad is created, then accumulated into (the same Tensor object)
        expected = step(*eager_args)
        grad_objects = [t.grad for t in compiled_args]
        got = compiled(*compiled_args)
        _assert_same(got, tuple(o.detach() for o in expected))
        _assert_state(eager_args, compiled_args)
        for before, t in zip(grad_objects, compiled_args):
            if before is not None:
                assert t.grad is before


@pytest.mark.parametrize("reset", ["zero_", "none"])
def test_sgd_training_loop(backend, reset):
    lr = 0.1

    def train_step(params, x, target):
        w, b = params
        loss = ((pluggrad.tanh(x @ w + b) - target) ** 2).mean()
        loss.backward()
        with pluggrad.no_grad():
            for p in params:
                p -= lr * p.grad
                if reset == "zero_":
                    p.grad.zero_()
                else:
                    p.grad = None
        return loss

    compiled = pluggrad.compile(train_step)
    w, b, x = _inputs(5)
    target = _tensor(np.random.default_rng(6).standard_normal((5, 3)))
    eager_params = [w, b]
    compiled_params = _copies(w, b)
    losses_eager, losses_compiled = [], []
    for _ in range(4):
        losses_eager.append(values(train_step(eager_params, x, target)))
        losses_compiled.append(values(compiled(compiled_params, x, target)))
    np.testing.assert_allclose(losses_compiled, losses_eager, rtol=1e-10)
    assert losses_eager[-1] < losses_eager[0]
    _assert_state(eager_params, compiled_params)
    assert compiled_params[0].requires_grad and compiled_params[0].is_leaf
    # no .grad at the first call, then a .grad (zero_) or none again: at most two traces
    assert compiled.traces == (2 if reset == "zero_" else 1)


def test_inplace_update_of_an_argument_is_seen_by_the_caller(backend):
    def f(a, b):
        a.add_(b)
        a.mul_(2.0)
        return a, a.sum()

    a, b = _tensor([1.0, 2.0]), _tensor([3.0, 4.0])
    a_eager, b_eager = _copies(a, b)
    out_a, total = pluggrad.compile(f)(a, b)
    out_a_eager, total_eager = f(a_eager, b_eager)
    assert out_a is a  # an output that is an argument comes back as that tensor
    _assert_same(total, total_eager)
    _assert_state([a_eager, b_eager], [a, b])
    assert a._version == 2


def test_grad_assigned_inside(backend):
    def f(w, g):
        w.grad = g * 3
        return w.grad

    w, g = _tensor([1.0, 2.0], requires_grad=True), _tensor([0.5, 0.25])
    got = pluggrad.compile(f)(w, g)
    assert got is w.grad
    _assert_same(w.grad, _tensor([1.5, 0.75]))


def test_outputs_are_differentiable(backend):
    def f(w, x):
        return {"loss": (pluggrad.tanh(x @ w) ** 2).sum(), "scaled": w * 3, "const": x * 2}

    compiled = pluggrad.compile(f)
    w, _, x = _inputs(9)
    (w_eager,) = _copies(w)
    out, expected = compiled(w, x), f(w_eager, x)
    assert out["loss"].requires_grad and out["loss"].grad_fn is not None
    assert not out["const"].requires_grad
    (out["loss"] + out["scaled"].sum()).backward()
    (expected["loss"] + expected["scaled"].sum()).backward()
    _assert_same(w.grad, w_eager.grad)
    # gradients flow on into the graph the arguments came from
    leaf = _tensor(values(w), requires_grad=True)
    (leaf_eager,) = _copies(leaf)
    compiled(leaf * 2, x)["loss"].backward()
    f(leaf_eager * 2, x)["loss"].backward()
    _assert_same(leaf.grad, leaf_eager.grad)
    if _is_jax(backend):
        assert out["loss"].grad_fn.name() == "CompiledFunctionBackward"
        again = compiled(w, x)["loss"]
        with pytest.raises(RuntimeError, match="pluggrad.compile.*once"):
            pluggrad.autograd.grad(again, w, create_graph=True)
        with pluggrad.no_grad():
            assert not compiled(w, x)["loss"].requires_grad


def test_outputs_of_a_training_step_are_detached(backend):
    def step(w):
        loss = (w * w).sum()
        loss.backward()
        with pluggrad.no_grad():
            w -= 0.1 * w.grad
        return loss

    w = _tensor([1.0, 2.0], requires_grad=True)
    loss = pluggrad.compile(step)(w)
    _assert_same(loss.detach(), _tensor(5.0))
    assert loss.grad_fn is None and not loss.requires_grad


def test_recorded_inplace_on_argument_is_an_error(backend):
    def f(a, w):
        a.mul_(w)  # a becomes part of w's graph
        return a.sum()

    a, w = _tensor([1.0, 2.0]), _tensor([3.0, 4.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="pluggrad.compile.*no_grad"):
        pluggrad.compile(f)(a, w)


# ---- caching and retracing --------------------------------------------------------------------
def test_retrace_on_shape_dtype_and_requires_grad_change(backend):
    calls = []

    @pluggrad.compile
    def f(x, scale):
        calls.append(tuple(x.shape))
        return (x * scale).sum()

    x3, x3b, x4 = _tensor([1.0, 2.0, 3.0]), _tensor([4.0, 5.0, 6.0]), _tensor([1.0, 2, 3, 4])
    _assert_same(f(x3, 2.0), _tensor(12.0))
    _assert_same(f(x3b, 2.0), _tensor(30.0))  # same signature: cached
    _assert_same(f(x4, 2.0), _tensor(20.0))  # new shape
    _assert_same(f(x4, 3.0), _tensor(30.0))  # new static argument
    f(pluggrad.tensor([1.0, 2.0, 3.0], dtype=pluggrad.float32), 2.0)  # new dtype
    f(_tensor([1.0, 2.0, 3.0], requires_grad=True), 2.0)  # new requires_grad
    f(x3, 2.0)  # cached again
    assert f.traces == 5
    # the tracer (not jax) runs the signature whose output needs a grad_fn eagerly after its trace
    assert len(calls) == (5 if _is_jax(backend) else 6)


def test_pytree_arguments_and_results(backend):
    def f(params, data, *, mode, power=2):
        loss = sum(((data["x"] @ p["w"]) ** power).sum() for p in params)
        grads = pluggrad.autograd.grad(loss, [p["w"] for p in params])
        return {"loss": loss, "grads": list(grads), "meta": (mode, None)}

    rng = np.random.default_rng(7)
    params = [{"w": _tensor(rng.standard_normal((3, 2)), requires_grad=True)} for _ in range(2)]
    data = {"x": _tensor(rng.standard_normal((4, 3)))}
    compiled = pluggrad.compile(f)
    expected = f(params, data, mode="train")
    expected["loss"] = expected["loss"].detach()
    for power in (2, 2, 3):
        got = compiled(params, data, mode="train", power=power)
        if power == 2:
            _assert_same(got, expected)
    assert got["meta"] == ("train", None)
    assert compiled.traces == 2


def test_same_tensor_twice(backend):
    def f(a, b):
        (ga,) = pluggrad.autograd.grad((a * b).sum(), a)
        return ga

    x = _tensor([1.0, 2.0, 3.0], requires_grad=True)
    _assert_same(pluggrad.compile(f)(x, x), f(x, x))


def test_plain_tensors_and_flattened_arguments_share_a_signature(backend):
    """Calls of plain tensors skip flattening (quicker); a call with the same tensors reached
    by flattening (a Parameter, a Tensor subclass) has the same signature, and a changed
    structure (keyword arguments) a new one."""

    @pluggrad.compile
    def f(w, x):
        (g,) = pluggrad.autograd.grad((w * x).sum(), w)
        return g

    w, x = _tensor([1.0, 2.0], requires_grad=True), _tensor([3.0, 4.0])
    _assert_same(f(w, x), x)
    _assert_same(f(pluggrad.nn.Parameter(_tensor([5.0, 6.0])), _tensor([7.0, 8.0])),
                 _tensor([7.0, 8.0]))  # fmt: skip
    _assert_same(f(*[w, x]), x)
    assert f.traces == 1
    _assert_same(f(w, x=x), x)
    assert f.traces == 2


def test_nested_compiled_functions(backend):
    inner = pluggrad.compile(lambda x: pluggrad.autograd.grad((x**3).sum(), x)[0])
    outer = pluggrad.compile(lambda x: inner(x).sum() + (x * 2).sum())
    x = _tensor([1.0, 2.0], requires_grad=True)
    _assert_same(outer(x), _tensor(3 * (1 + 4) + 6.0))


# ---- API and errors ---------------------------------------------------------------------------
def test_item_inside_is_a_clear_error(backend):
    @pluggrad.compile
    def f(x):
        return x * x.sum().item()

    x = _tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match=r"pluggrad\.compile.*\.item\(\).*disable=True"):
        f(x)
    with pytest.raises(RuntimeError, match="pluggrad.compile"):
        pluggrad.compile(lambda x: x * 2 if x.sum() > 0 else x)(x)  # bool of a traced value


def test_decorator_forms_and_disable(backend):
    @pluggrad.compile()
    def f(x):
        return x + 1

    g = pluggrad.compile(lambda x: x + 1, disable=True)
    x = _tensor([1.0])
    _assert_same(f(x), _tensor([2.0]))
    _assert_same(g(x), _tensor([2.0]))
    assert g.traces == 0
    assert f.__name__ == "f"
    with pytest.raises(TypeError, match="callable"):
        pluggrad.compile(3)


def test_unhashable_static_argument(backend):
    f = pluggrad.compile(lambda x, extra: x * len(extra))
    x = _tensor([1.0])
    with pytest.raises(TypeError, match="hashable"):
        f(x, np.zeros(2))
