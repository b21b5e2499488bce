"""The cases of test_func about ``vmap``, ``functional_call`` and ``stack_module_state``
(the transforms' cases are in ``func_cases.py``, which holds the registry)."""

from __future__ import annotations

import functools

from .func_cases import case, t


# ---- vmap ---------------------------------------------------------------------------------------
@case
def vmap_basic(lib):
    return lib.func.vmap(lambda x: x.sin() * x.sum())(t(lib, [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]))


@case
def vmap_in_dims(lib):
    x, y = t(lib, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), t(lib, [10.0, 20.0])
    return (
        lib.func.vmap(lambda a, b: a * b, in_dims=(1, None))(x, y),
        lib.func.vmap(lambda a, b: a.sum() * b, in_dims=(0, 0))(x, y),
        lib.func.vmap(lambda a: a.sum(), in_dims=-1)(x),
    )


@case
def vmap_out_dims(lib):
    x = t(lib, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    return (
        lib.func.vmap(lambda a: (a * 2, a.sum()), out_dims=(1, 0))(x),
        lib.func.vmap(lambda a: a * 2, out_dims=(1,))(x),
        lib.func.vmap(lambda a: (a, x.sum()), out_dims=(0, None))(x),
    )


@case
def vmap_pytree(lib):
    def f(d, pair):
        return {"u": d["a"] + pair[0], "v": [d["b"] * pair[1]]}

    d = {"a": t(lib, [[1.0, 2.0], [3.0, 4.0]]), "b": t(lib, [5.0, 6.0])}
    pair = (t(lib, [[0.5, 0.5], [1.0, 1.0]]), t(lib, 2.0))
    return lib.func.vmap(f, in_dims=({"a": 0, "b": 0}, (1, None)))(d, pair)


@case
def vmap_nested(lib):
    x = t(lib, [[[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]], [[9.0, 1.0], [2.0, 3.0]]])
    return lib.func.vmap(lib.func.vmap(lambda r: r / r.sum(), in_dims=1), in_dims=0)(x)


@case
def vmap_kwargs_and_chunks(lib):
    x = t(lib, [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    f = lambda a, scale=1.0: a * scale
    return lib.func.vmap(f, chunk_size=2)(x, scale=3.0)


@case
def vmap_is_differentiable(lib):
    x = t(lib, [[1.0, 2.0], [3.0, 4.0]]).requires_grad_()
    out = lib.func.vmap(lambda r: (r**2).sum())(x)
    (out * t(lib, [1.0, 10.0])).sum().backward()
    return out, x.grad


@case
def grad_of_vmap(lib):
    return lib.func.grad(lambda x: lib.func.vmap(lambda r: r.sin().sum())(x).sum())(
        t(lib, [[1.0, 2.0], [3.0, 4.0]])
    )


@case
def vmap_of_grad(lib):
    return lib.func.vmap(lib.func.grad(lambda x: (x**3).sum()))(t(lib, [[1.0, 2.0], [3.0, 4.0]]))


@case
def vmap_randomness_same(lib):
    out = lib.func.vmap(lambda x: x + lib.rand(3, dtype=lib.float64), randomness="same")(
        lib.zeros(4, 3, dtype=lib.float64)
    )
    return bool((out == out[0]).all())


@case
def vmap_randomness_different(lib):
    out = lib.func.vmap(lambda x: x + lib.rand(3, dtype=lib.float64), randomness="different")(
        lib.zeros(4, 3, dtype=lib.float64)
    )
    return bool((out[0] != out[1]).any())


def _vmap_error(name, make):
    def fn(lib):
        return make(lib)

    fn.__name__ = f"vmap_error_{name}"
    case(fn)


def _x(lib):
    return t(lib, [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])


def named_sin(a):
    return a.sin()


_vmap_error("sizes", lambda lib: lib.func.vmap(lib.add)(_x(lib), lib.ones(4, 2)))
_vmap_error("in_dims_structure", lambda lib: lib.func.vmap(named_sin, in_dims=(0, 0))(_x(lib)))
_vmap_error("in_dims_list", lambda lib: lib.func.vmap(named_sin, in_dims=[0])(_x(lib)))
_vmap_error("in_dim_range", lambda lib: lib.func.vmap(named_sin, in_dims=2)(_x(lib)))
_vmap_error("in_dim_float", lambda lib: lib.func.vmap(named_sin, in_dims=(0.5,))(_x(lib)))
_vmap_error("no_inputs", lambda lib: lib.func.vmap(named_sin)())
_vmap_error("non_tensor_output", lambda lib: lib.func.vmap(lambda a: 1)(_x(lib)))
_vmap_error("nothing_mapped", lambda lib: lib.func.vmap(named_sin, in_dims=(None,))(_x(lib)))
_vmap_error("out_dims_structure", lambda lib: lib.func.vmap(named_sin, out_dims=(0, 1))(_x(lib)))
_vmap_error("out_dims_type", lambda lib: lib.func.vmap(named_sin, out_dims="a")(_x(lib)))
_vmap_error("non_tensor_input", lambda lib: lib.func.vmap(named_sin)(3))
_vmap_error("randomness_value", lambda lib: lib.func.vmap(named_sin, randomness="x"))
_vmap_error("random_op", lambda lib: lib.func.vmap(lambda a: a + lib.rand(2))(_x(lib)))
_vmap_error("batched_out_dims_none", lambda lib: lib.func.vmap(named_sin, out_dims=None)(_x(lib)))
_vmap_error("chunk_size", lambda lib: lib.func.vmap(named_sin, chunk_size=0))


def scaled(a, factor):
    return a * factor


_vmap_error(
    "partial_name",
    lambda lib: lib.func.vmap(functools.partial(scaled, factor=2.0), in_dims=[0])(_x(lib)),
)


# ---- modules ------------------------------------------------------------------------------------
def _model(lib):
    lib.manual_seed(0)
    model = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Tanh(), lib.nn.Linear(4, 2)).double()
    with lib.no_grad():
        for i, p in enumerate(model.parameters()):
            n = p.numel()
            p.copy_(lib.linspace(-0.5, 0.5 + i / 10, n, dtype=lib.float64).reshape(p.shape))
    return model


@case
def per_sample_gradients(lib):
    model = _model(lib)
    params = {k: v.detach() for k, v in model.named_parameters()}
    buffers = {k: v.detach() for k, v in model.named_buffers()}
    data = lib.linspace(-1, 1, 15, dtype=lib.float64).reshape(5, 3)
    targets = lib.linspace(0, 1, 10, dtype=lib.float64).reshape(5, 2)

    def loss(params, buffers, x, y):
        out = lib.func.functional_call(model, (params, buffers), (x.unsqueeze(0),))
        return lib.nn.functional.mse_loss(out, y.unsqueeze(0))

    grads = lib.func.vmap(lib.func.grad(loss), in_dims=(None, None, 0, 0))(
        params, buffers, data, targets
    )
    # the mean of the per-sample gradients is the batch gradient
    model.zero_grad()
    lib.nn.functional.mse_loss(model(data), targets, reduction="none").mean(1).mean().backward()
    batch = {
        k: bool((grads[k].mean(0) - p.grad).abs().max() < 1e-12)
        for k, p in model.named_parameters()
    }
    return grads, batch


@case
def functional_call_restores_after_error(lib):
    model = _model(lib)
    before = model[0].weight

    def raises(x):
        raise ValueError("boom")

    model[0].register_forward_hook(lambda m, i, o: raises(o))
    try:
        lib.func.functional_call(
            model,
            {"0.weight": lib.zeros(4, 3, dtype=lib.float64)},
            lib.ones(1, 3, dtype=lib.float64),
        )
    except ValueError:
        pass
    return model[0].weight is before, type(model[0].weight).__name__


@case
def functional_call_values(lib):
    model = _model(lib)
    x = lib.ones(2, 3, dtype=lib.float64)
    new = {"2.bias": t(lib, [10.0, 20.0])}
    return lib.func.functional_call(model, new, x), lib.func.functional_call(
        model, new, args=(x,), kwargs={}
    )


@case
def functional_call_tied_weights(lib):
    class Tied(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = lib.nn.Linear(2, 2, bias=False).double()
            self.b = lib.nn.Linear(2, 2, bias=False).double()
            self.b.weight = self.a.weight

        def forward(self, x):
            return self.b(self.a(x))

    m = Tied()
    x = t(lib, [[1.0, 2.0]])
    w = t(lib, [[1.0, 0.0], [0.0, 2.0]])
    tied = lib.func.functional_call(m, {"a.weight": w}, x)
    untied = lib.func.functional_call(m, {"a.weight": w}, x, tie_weights=False)
    return tied, bool((untied - (x @ w.T) @ m.a.weight.T).abs().max() < 1e-12)


@case
def functional_call_error_tied_values(lib):
    m = lib.nn.Linear(2, 2)
    m.register_buffer("w2", None)
    seq = lib.nn.Sequential(m, m)
    return lib.func.functional_call(
        seq, {"0.weight": lib.ones(2, 2), "1.weight": lib.zeros(2, 2)}, lib.ones(1, 2)
    )


@case
def functional_call_error_strict(lib):
    m = lib.nn.Linear(2, 2)
    return lib.func.functional_call(
        m, {"weight": lib.ones(2, 2), "extra": lib.ones(1)}, lib.ones(1, 2), strict=True
    )


@case
def functional_call_error_repeated_keys(lib):
    m = lib.nn.Linear(2, 2)
    return lib.func.functional_call(
        m, ({"weight": lib.ones(2, 2)}, {"weight": lib.ones(2, 2)}), lib.ones(1, 2)
    )


@case
def functional_call_error_type(lib):
    return lib.func.functional_call(lib.nn.Linear(2, 2), 3, lib.ones(1, 2))


@case
def functional_call_buffers(lib):
    bn = lib.nn.BatchNorm1d(2).double()
    bn.eval()
    state = {"running_mean": t(lib, [1.0, 2.0]), "running_var": t(lib, [4.0, 9.0])}
    out = lib.func.functional_call(bn, state, t(lib, [[3.0, 5.0]]))
    return out, bn.running_mean


@case
def stack_module_state_ensemble(lib):
    models = []
    for k in range(3):
        m = lib.nn.Linear(2, 2).double()
        with lib.no_grad():
            m.weight.copy_(t(lib, [[1.0, 2.0], [3.0, 4.0]]) * (k + 1))
            m.bias.fill_(k)
        models.append(m)
    params, buffers = lib.func.stack_module_state(models)

    def call(p, b, x):
        return lib.func.functional_call(models[0], (p, b), (x,))

    out = lib.func.vmap(call, in_dims=(0, 0, None))(params, buffers, t(lib, [[1.0, -1.0]]))
    return out, params["weight"].requires_grad, params["weight"].is_leaf


@case
def stack_module_state_errors(lib):
    a, b = lib.nn.Linear(2, 2), lib.nn.Linear(2, 2)
    b.eval()
    errors = []
    for models in ([], [a, b], [a, lib.nn.Tanh()]):
        try:
            lib.func.stack_module_state(models)
        except RuntimeError as exc:
            errors.append(str(exc))
    return errors


@case
def vmap_empty_batch(lib):
    return lib.func.vmap(lambda r: r * 2)(lib.ones(0, 3, dtype=lib.float64))


@case
def vmap_out_dims_none_for_a_number(lib):
    return lib.func.vmap(lambda a: (a * 2, 3), out_dims=(-1, None))(
        t(lib, [[1.0, 2.0], [3.0, 4.0]])
    )
