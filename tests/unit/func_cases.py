"""The cases of test_func (more in ``func_cases_modules.py``): each takes a library (``torch``
or ``pluggrad``) and returns what its ``func`` transforms give, so that the same code runs on
PyTorch (``_regenerate_func.py`` writes ``func_torch.json``) and on pluggrad (``test_func.py``
compares).  Nothing here imports either library."""

from __future__ import annotations

CASES: dict = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


def t(lib, values):
    return lib.tensor(values, dtype=lib.float64)


def encode(lib, value):
    """A JSON-able form of `value`: tensors as shape, values and requires_grad."""
    if lib.is_tensor(value):
        return {"shape": list(value.shape), "values": value.detach().tolist(),
                "requires_grad": value.requires_grad}  # fmt: skip
    if isinstance(value, tuple):
        return {"tuple": [encode(lib, v) for v in value]}
    if isinstance(value, list):
        return {"list": [encode(lib, v) for v in value]}
    if isinstance(value, dict):
        return {"dict": {k: encode(lib, v) for k, v in value.items()}}
    return value


def run(lib, name):
    """The encoded result of case `name`, or the error it raises (type and first line)."""
    try:
        return encode(lib, CASES[name](lib))
    except Exception as exc:  # the cases compare errors too
        return {"error": type(exc).__name__, "message": str(exc).split("\n")[0]}


# ---- grad ----------------------------------------------------------------------------------------
@case
def grad_basic(lib):
    return lib.func.grad(lambda x: (x.sin() * x).sum())(t(lib, [0.5, -1.0, 2.0]))


@case
def grad_argnums_tuple(lib):
    f = lambda x, y: (x * y.exp()).sum()
    return lib.func.grad(f, argnums=(0, 1))(t(lib, [1.0, 2.0]), t(lib, [0.1, 0.2]))


@case
def grad_negative_argnum(lib):
    f = lambda x, y: (x**2 * y).sum()
    return lib.func.grad(f, argnums=-1)(t(lib, [1.0, 2.0]), t(lib, [3.0, 4.0]))


@case
def grad_dict_input(lib):
    def f(p, x):
        return (p["w"] * x + p["b"]).tanh().sum()

    p = {"w": t(lib, [0.5, -0.5]), "b": t(lib, [0.1, 0.2])}
    return lib.func.grad(f)(p, t(lib, [1.0, 2.0]))


@case
def grad_has_aux(lib):
    def f(x):
        y = x.cos()
        return y.sum(), {"y": y, "twice": [y * 2]}

    return lib.func.grad(f, has_aux=True)(t(lib, [0.3, 0.7]))


@case
def grad_error_aux_not_tensors(lib):
    return lib.func.grad(lambda x: (x.sum(), 3), has_aux=True)(t(lib, [0.3, 0.7]))


@case
def grad_and_value_has_aux(lib):
    return lib.func.grad_and_value(lambda x: ((x**2).sum(), x * 2), has_aux=True)(
        t(lib, [1.0, 3.0])
    )


@case
def grad_of_grad(lib):
    g = lib.func.grad(lib.func.grad(lambda x: x.sin() * x**3))
    return g(t(lib, 0.7)), lib.func.grad(g)(t(lib, 0.7))


@case
def grad_closure_over_outer_variable(lib):
    # the inner gradient is w; the outer differentiates it with respect to w
    def outer(w):
        return lib.func.grad(lambda x: (w * x**2).sum())(t(lib, [1.0, 2.0])).sum()

    return lib.func.grad(outer)(t(lib, [0.5, 1.5]))


@case
def grad_no_graph_leak(lib):
    x = t(lib, [1.0, 2.0])
    g = lib.func.grad(lambda x: (x**3).sum())(x)
    return g, x.requires_grad, x.grad is None


@case
def grad_input_that_requires_grad(lib):
    x = t(lib, [1.0, 2.0]).requires_grad_()
    g = lib.func.grad(lambda x: (x**3).sum())(x)
    g.sum().backward()
    return g, x.grad


@case
def grad_closure_requires_grad(lib):
    w = t(lib, [2.0, 3.0]).requires_grad_()
    g = lib.func.grad(lambda x: (w * x).sum())(t(lib, [1.0, 1.0]))
    (g * t(lib, [1.0, 10.0])).sum().backward()
    return g, w.grad


@case
def grad_under_no_grad(lib):
    x = t(lib, [1.0, 2.0]).requires_grad_()
    with lib.no_grad():
        g = lib.func.grad(lambda x: (x**2).sum())(x)
    return g


@case
def grad_unused_input(lib):
    return lib.func.grad(lambda x, y: (x * 2).sum(), argnums=(0, 1))(t(lib, [1.0]), t(lib, [2.0]))


@case
def grad_constant_output(lib):
    return lib.func.grad(lambda x: t(lib, 3.0))(t(lib, [1.0, 2.0]))


@case
def grad_kwargs(lib):
    return lib.func.grad(lambda x, scale=1.0: (x * scale).sum())(t(lib, [1.0, 2.0]), scale=3.0)


@case
def grad_error_not_scalar(lib):
    return lib.func.grad(lambda x: x * 2)(t(lib, [1.0, 2.0]))


@case
def grad_error_not_tensor_output(lib):
    return lib.func.grad(lambda x: 3.0)(t(lib, [1.0, 2.0]))


@case
def grad_error_aux_not_pair(lib):
    return lib.func.grad(lambda x: x.sum(), has_aux=True)(t(lib, [1.0, 2.0]))


@case
def grad_error_argnum_out_of_range(lib):
    return lib.func.grad(lambda x: x.sum(), argnums=2)(t(lib, [1.0]))


@case
def grad_error_argnums_repeated(lib):
    return lib.func.grad(lambda x, y: x.sum(), argnums=(0, 0))(t(lib, [1.0]), t(lib, [1.0]))


@case
def grad_error_argnums_type(lib):
    return lib.func.grad(lambda x: x.sum(), argnums=[0])(t(lib, [1.0]))


@case
def grad_error_non_tensor_input(lib):
    return lib.func.grad(lambda x: x)(2.0)


# ---- vjp / jvp / linearize ----------------------------------------------------------------
@case
def vjp_tuple_outputs(lib):
    def f(x, y):
        return x * y, (x + y).sum()

    out, fn = lib.func.vjp(f, t(lib, [1.0, 2.0]), t(lib, [3.0, 4.0]))
    return out, fn((t(lib, [1.0, -1.0]), t(lib, 2.0)))


@case
def vjp_dict_primal_has_aux(lib):
    def f(p):
        return p["a"] ** 2 * p["b"], p["a"].sum()

    out, fn, aux = lib.func.vjp(f, {"a": t(lib, [1.0, 2.0]), "b": t(lib, 3.0)}, has_aux=True)
    return out, fn(t(lib, [1.0, 1.0])), aux


@case
def vjp_error_cotangent_structure(lib):
    _, fn = lib.func.vjp(lambda x: (x, x * 2), t(lib, [1.0]))
    return fn(t(lib, [1.0]))


@case
def vjp_error_integer_output(lib):
    return lib.func.vjp(lambda x: x.argmax(), t(lib, [1.0, 2.0]))


@case
def vjp_error_non_tensor_output(lib):
    return lib.func.vjp(lambda x: (x, 3), t(lib, [1.0, 2.0]))


@case
def jvp_basic(lib):
    return lib.func.jvp(lambda x: x.sin() * x, (t(lib, [0.5, 1.0]),), (t(lib, [1.0, 2.0]),))


@case
def jvp_pytree(lib):
    def f(x, p):
        return {"s": (x * p[0]).sum(), "v": x * p[1]}

    primals = (t(lib, [1.0, 2.0]), (t(lib, 3.0), t(lib, [0.5, 0.25])))
    tangents = (t(lib, [1.0, 0.0]), (t(lib, 1.0), t(lib, [0.0, 1.0])))
    return lib.func.jvp(f, primals, tangents)


@case
def jvp_has_aux(lib):
    return lib.func.jvp(lambda x: (x**2, x + 1), (t(lib, [3.0]),), (t(lib, [1.0]),), has_aux=True)


@case
def jvp_constant_output(lib):
    return lib.func.jvp(lambda x: t(lib, [1.0, 2.0]), (t(lib, [3.0]),), (t(lib, [1.0]),))


@case
def jvp_error_strict(lib):
    f = lambda x: t(lib, [1.0, 2.0])
    return lib.func.jvp(f, (t(lib, [3.0]),), (t(lib, [1.0]),), strict=True)


@case
def jvp_error_primals_not_tuple(lib):
    return lib.func.jvp(lambda x: x, t(lib, [3.0]), t(lib, [1.0]))


@case
def jvp_error_structure(lib):
    return lib.func.jvp(lambda x, y: x, (t(lib, [3.0]), t(lib, [1.0])), (t(lib, [1.0]),))


@case
def jvp_error_tangent_shape(lib):
    return lib.func.jvp(lambda x: x, (t(lib, [3.0, 1.0]),), (t(lib, [1.0]),))


@case
def linearize_basic(lib):
    out, fn = lib.func.linearize(lambda x, y: x.sin() * y, t(lib, [0.5, 1.0]), t(lib, [2.0, 3.0]))
    return (
        out,
        fn(t(lib, [1.0, 0.0]), t(lib, [0.0, 1.0])),
        fn(t(lib, [2.0, 2.0]), t(lib, [0.0, 0.0])),
    )


@case
def linearize_error_tangent_shape(lib):
    _, fn = lib.func.linearize(lambda x: x * 2, t(lib, [0.5, 1.0]))
    return fn(t(lib, [1.0]))


# ---- jacrev / jacfwd / hessian ------------------------------------------------------------------
def _jac_cases(name):
    def elementwise(lib):
        return getattr(lib.func, name)(lambda x: x.sin() * x**2)(t(lib, [0.5, 1.0, 2.0]))

    def matrix_input(lib):
        w = t(lib, [[1.0, 2.0, 3.0], [-1.0, 0.5, 0.0]])
        return getattr(lib.func, name)(lambda x: (w @ x).tanh())(
            t(lib, [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]])
        )

    def multi(lib):
        def f(x, y):
            return {"p": x * y, "s": (x**2).sum() * y[0]}

        jac = getattr(lib.func, name)
        x, y = t(lib, [1.0, 2.0]), t(lib, [3.0, 4.0])
        return jac(f, argnums=(0, 1))(x, y), jac(f, argnums=1)(x, y)

    def aux(lib):
        return getattr(lib.func, name)(lambda x: (x.exp(), x.sum()), has_aux=True)(
            t(lib, [0.0, 1.0])
        )

    def dict_input(lib):
        f = lambda p: p["a"] * p["b"]
        return getattr(lib.func, name)(f)({"a": t(lib, [1.0, 2.0]), "b": t(lib, [3.0, 4.0])})

    def nested(lib):
        jac = getattr(lib.func, name)
        return jac(jac(lambda x: (x**3).sum() * x[0]))(t(lib, [1.0, 2.0]))

    def vmapped(lib):
        jac = getattr(lib.func, name)
        return lib.func.vmap(jac(lambda x: x.sin() * x.sum()))(
            t(lib, [[0.1, 0.2], [0.3, 0.4], [1.0, 2.0]])
        )

    def error_complex(lib):
        return getattr(lib.func, name)(lambda x: x * 2)(lib.tensor([1 + 1j]))

    for fn in (elementwise, matrix_input, multi, aux, dict_input, nested, vmapped, error_complex):
        fn.__name__ = f"{name}_{fn.__name__}"
        case(fn)


_jac_cases("jacrev")
_jac_cases("jacfwd")


@case
def jacrev_chunk_size(lib):
    return lib.func.jacrev(lambda x: x.cumsum(0), chunk_size=2)(t(lib, [1.0, 2.0, 3.0]))


@case
def jacrev_error_chunk_size(lib):
    return lib.func.jacrev(lambda x: x, chunk_size=0)


@case
def jacfwd_error_randomness(lib):
    return lib.func.jacfwd(lambda x: x * lib.rand(2, dtype=lib.float64))(t(lib, [1.0, 2.0]))


@case
def jacfwd_same_randomness(lib):
    lib.manual_seed(0)
    j = lib.func.jacfwd(lambda x: x * (lib.rand(2, dtype=lib.float64) + 1), randomness="same")
    out = j(t(lib, [1.0, 2.0]))
    return out.shape, bool((out.diagonal() >= 1).all()), bool((out - out.diag().diag() == 0).all())


@case
def hessian_basic(lib):
    return lib.func.hessian(lambda x: (x.sin() * x**2).sum())(t(lib, [0.5, 1.0, 2.0]))


@case
def hessian_argnums(lib):
    f = lambda x, y: (x**2 * y.exp()).sum()
    return lib.func.hessian(f, argnums=(0, 1))(t(lib, [1.0, 2.0]), t(lib, [0.5, -0.5]))


@case
def hessian_matches_grad_of_grad(lib):
    f = lambda x: (x.sin() * x).sum()
    h = lib.func.hessian(f)(t(lib, [0.3, 0.9]))
    j = lib.func.jacrev(lib.func.grad(f))(t(lib, [0.3, 0.9]))
    return bool((h - j).abs().max() < 1e-12)


# ---- forward and reverse mode nested ------------------------------------------------------------
@case
def jvp_of_jvp(lib):
    v = t(lib, [1.0, -1.0])
    inner = lambda x: lib.func.jvp(lib.sin, (x,), (v,))[1]
    return lib.func.jvp(inner, (t(lib, [0.5, 1.5]),), (v,))


@case
def jvp_of_grad(lib):
    g = lib.func.grad(lambda x: (x**3).sum())
    return lib.func.jvp(g, (t(lib, [0.5, 1.5]),), (t(lib, [1.0, -1.0]),))


@case
def grad_of_jvp(lib):
    v = t(lib, [1.0, -1.0])
    return lib.func.grad(lambda x: lib.func.jvp(lib.sin, (x,), (v,))[1].sum())(t(lib, [0.5, 1.5]))


@case
def vjp_fn_create_graph(lib):
    x = t(lib, [0.5, 1.5]).requires_grad_()
    _, fn = lib.func.vjp(lambda a: a**3, x)
    (g,) = fn(t(lib, [1.0, 1.0]), create_graph=True)
    g.sum().backward()
    return g, x.grad


@case
def hessian_of_vector_function(lib):
    return lib.func.hessian(lambda x: x**3)(t(lib, [0.5, 1.5]))


@case
def jacobians_of_a_constant(lib):
    f = lambda x: lib.ones(2, dtype=lib.float64)
    x = t(lib, [0.5, 1.5])
    return lib.func.jacrev(f)(x), lib.func.jacfwd(f)(x)


@case
def linearize_tuple_output(lib):
    out, fn = lib.func.linearize(lambda x: (x.sin(), x.sum()), t(lib, [0.5, 1.5]))
    return out, fn(t(lib, [1.0, -1.0]))
