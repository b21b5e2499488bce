"""Behaviours the array API standard's own test suite (data-apis/array-api-tests) checks, pinned
here so that they hold without it: signatures as the standard spells them (checked against
``array_api_strict``, the standard's reference implementation, when installed), creation
functions taking ``shape=`` by keyword, ``linspace`` inferring a complex dtype, and
``expand_dims`` taking its axis positionally."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import pluggrad as pg

from .helpers import assert_values, values

_NOT_FUNCTIONS = {"__array_namespace_info__", "finfo", "iinfo"}


def _strict_functions():
    xs = pytest.importorskip("array_api_strict")
    found = []
    for module, prefix in ((xs, ""), (xs.linalg, "linalg."), (xs.fft, "fft.")):
        # the functions the standard lists in each namespace: array_api_strict's __all__
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name, None)
            if inspect.isfunction(obj) and not name.endswith("_array_api_strict_flags"):
                found.append((prefix + name, obj))
    return found


def _pluggrad_function(qualname: str):
    obj = pg
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def _keyword_problems(spec, ours) -> list[str]:
    sp = inspect.signature(spec).parameters
    op = inspect.signature(ours).parameters
    var_kw = any(p.kind is p.VAR_KEYWORD for p in op.values())
    var_pos = any(p.kind is p.VAR_POSITIONAL for p in op.values())
    problems = []
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    n_spec = sum(p.kind in positional for p in sp.values())
    n_ours = sum(p.kind in positional for p in op.values())
    if n_ours < n_spec and not var_pos:
        problems.append(f"takes {n_ours} positional arguments, the standard {n_spec}")
    for name, p in sp.items():
        if p.kind is p.VAR_POSITIONAL and not var_pos:
            problems.append(f"no *{name}")
        if p.kind not in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY):
            continue
        q = op.get(name)
        if q is None:
            if not var_kw:
                problems.append(f"no keyword {name!r}")
        elif q.kind is q.POSITIONAL_ONLY:
            problems.append(f"{name!r} is positional-only")
        elif p.default is not p.empty and q.default is q.empty:
            problems.append(f"{name!r} has no default")
    return problems


def test_every_function_takes_the_standards_arguments():
    """Each parameter the standard lets callers pass by keyword is a keyword here too, each
    optional one is optional, and positional parameters are not fewer."""
    report = {}
    for qualname, spec in _strict_functions():
        try:
            ours = _pluggrad_function(qualname)
        except AttributeError:
            report[qualname] = ["missing"]
            continue
        if qualname in _NOT_FUNCTIONS:
            continue
        problems = _keyword_problems(spec, ours)
        if problems:
            report[qualname] = problems
    assert not report, report


def _signature_problems(sig: inspect.Signature, stub: inspect.Signature) -> list[str]:
    """The rules of the standard's test suite (array-api-tests' ``test_signatures``): the
    parameters before the keyword-only ones come first, in order, under the standard's names
    (unless positional-only) and of the same kind when positional-or-keyword or variadic; each
    keyword-only parameter exists, keyword-only or positional-or-keyword. Extra parameters after
    those are free (PyTorch's ``dim=``, ``requires_grad=``...)."""
    P = inspect.Parameter
    variadic = (P.VAR_POSITIONAL, P.VAR_KEYWORD)
    params = list(sig.parameters.values())
    stub_params = list(stub.parameters.values())
    leading = [p for p in stub_params if p.kind is not P.KEYWORD_ONLY]
    problems = []
    for i, sp in enumerate(leading):
        if len(params) <= i:
            problems.append(f"argument {sp.name!r} missing")
            continue
        p = params[i]
        if sp.kind not in (P.POSITIONAL_ONLY, *variadic) and p.name != sp.name:
            problems.append(f"argument {i} is {p.name!r}, the standard's {sp.name!r}")
        if sp.kind in (P.POSITIONAL_OR_KEYWORD, *variadic) and p.kind is not sp.kind:
            problems.append(f"{p.name!r} is {p.kind.description}, not {sp.kind.description}")
    for sp in stub_params[len(leading) :]:
        keyword = sig.parameters.get(sp.name)
        if keyword is None:
            problems.append(f"keyword {sp.name!r} missing")
        elif keyword.kind not in (P.KEYWORD_ONLY, P.POSITIONAL_OR_KEYWORD):
            problems.append(f"{sp.name!r} is {keyword.kind.description}")
    return problems


def test_every_function_has_the_standards_signature():
    """Each function of the standard (array_api_strict's signatures standing in for the
    standard's stubs) passes the standard's test suite's signature rules."""
    report = {}
    for qualname, spec in _strict_functions():
        try:
            ours = _pluggrad_function(qualname)
        except AttributeError:
            continue  # reported by the test above
        problems = _signature_problems(inspect.signature(ours), inspect.signature(spec))
        if problems:
            report[qualname] = problems
    assert not report, report


# array_api_strict's own deviation: the standard makes ``to_device``'s ``stream`` keyword-only.
_STRICT_METHOD_DEVIATIONS = {"to_device"}
_NOT_STANDARD_METHODS = {
    "__init__", "__new__", "__repr__", "__str__", "__hash__", "__format__", "__getstate__",
    "__setstate__", "__buffer__",
    "__setitem__",  # tested with the in-place operations
}  # fmt: skip


def test_every_array_method_has_the_standards_signature(backend):
    xs = pytest.importorskip("array_api_strict")
    array_type = type(xs.asarray(1.0))
    x = pg.asarray([1.0])
    report = {}
    for name, spec in inspect.getmembers(array_type, inspect.isfunction):
        if name.startswith("_") and not name.startswith("__"):
            continue  # array_api_strict's internals
        if name in _STRICT_METHOD_DEVIATIONS or name in _NOT_STANDARD_METHODS:
            continue
        if not hasattr(x, name):
            report[name] = ["missing"]
            continue
        stub = inspect.signature(spec)
        stub = stub.replace(parameters=[p for p in stub.parameters.values() if p.name != "self"])
        problems = _signature_problems(inspect.signature(getattr(x, name)), stub)
        if problems:
            report[name] = problems
    assert not report, report


@pytest.mark.parametrize("name", ["zeros", "ones", "empty"])
def test_creation_takes_shape_by_keyword(backend, name):
    fn = getattr(pg, name)
    assert fn(shape=(2, 3)).shape == (2, 3)
    assert fn(shape=4, dtype=pg.int8).dtype is pg.int8
    assert fn(size=(1, 2)).shape == (1, 2)  # PyTorch's keyword
    assert fn(2, 3).shape == fn((2, 3)).shape == (2, 3)
    assert fn(()).shape == ()
    with pytest.raises(TypeError):
        fn(2, shape=(2,))
    with pytest.raises(TypeError):
        fn(2, bogus=1)


def test_full_takes_shape_and_fill_value_by_keyword(backend):
    assert_values(pg.full(shape=(2,), fill_value=3), [3, 3], dtype=pg.int64)
    assert_values(pg.full(size=(1, 2), fill_value=1.5), [[1.5, 1.5]], dtype=pg.float32)
    assert pg.full((), True).dtype is pg.bool
    with pytest.raises(TypeError):
        pg.full((2,))
    with pytest.raises(TypeError):
        pg.full((2,), 1, size=(2,))


def test_linspace_infers_complex_from_complex_endpoints(backend):
    t = pg.linspace(0j, 1 + 2j, 3)
    assert t.dtype is pg.complex64
    np.testing.assert_allclose(values(t), [0, 0.5 + 1j, 1 + 2j])
    assert pg.linspace(0, 1j, 2, dtype=pg.complex128).dtype is pg.complex128
    assert pg.linspace(0, 1, 3).dtype is pg.float32


def test_isdtype_takes_keywords():
    assert pg.isdtype(dtype=pg.int8, kind="integral")
    assert not pg.isdtype(pg.float32, kind=("integral", pg.bool))


def test_expand_dims_takes_axis_positionally_and_as_a_tuple(backend):
    x = pg.zeros((2, 3))
    assert pg.expand_dims(x, 1).shape == (2, 1, 3)
    assert pg.expand_dims(x, axis=-1).shape == (2, 3, 1)
    assert pg.expand_dims(x).shape == (1, 2, 3)
    assert pg.expand_dims(x, (0, -1)).shape == (1, 2, 3, 1)
    with pytest.raises(ValueError):
        pg.expand_dims(x, (1, 1))
    with pytest.raises(IndexError):
        pg.expand_dims(x, 3)
    y = pg.tensor([1.0, 2.0], dtype=pg.float64, requires_grad=True)
    (g,) = pg.autograd.grad(pg.sum(pg.expand_dims(y, (0, 2)) * 3), [y])
    assert_values(g, [3.0, 3.0])


def _bits(t):
    """Values with the sign of each zero made visible."""
    v = values(t)
    return [(float(a), bool(np.signbit(a))) for a in v.ravel()]


def test_remainder_and_floor_divide_sign_their_zeros_as_the_standard(backend):
    """The standard's special cases (NumPy's results): a zero remainder takes the sign of the
    divisor; a zero quotient is negative exactly when the operands' signs differ."""
    x1 = pg.tensor([-0.0, -1.0, 1.0, 0.0, -0.0, -1.0, -0.0], dtype=pg.float64)
    x2 = pg.tensor([1.0, 1.0, -1.0, -np.inf, np.inf, -np.inf, -2.5], dtype=pg.float64)
    r = pg.remainder(x1, x2)
    assert _bits(r)[:4] == [(0.0, False), (0.0, False), (0.0, True), (0.0, True)]
    assert _bits(r)[4] == (0.0, False)
    q = pg.floor_divide(x1, x2)
    assert _bits(q)[0] == (0.0, True)  # -0 // 1
    assert _bits(q)[3] == (0.0, True)  # 0 // -inf
    assert _bits(q)[4] == (0.0, True)  # -0 // inf
    assert _bits(q)[5] == (0.0, False)  # -1 // -inf
    assert _bits(q)[6] == (0.0, False)  # -0 // -2.5
    assert _bits(x1 % x2) == _bits(r)
    assert _bits(x1 // x2) == _bits(q)


def test_sign_of_signed_zero_is_positive_zero(backend):
    s = pg.sign(pg.tensor([-0.0, 0.0, -2.0, np.nan], dtype=pg.float32))
    assert _bits(s)[:3] == [(0.0, False), (0.0, False), (-1.0, True)]
    assert np.isnan(values(s)[3])


def test_complex_square_is_the_product_with_itself(backend):
    """The standard's special cases for complex ``square`` are those of ``x * x``."""
    z = pg.tensor([complex(-0.0, 0.0), 1e300 + 1e300j, 0.7 + 0.7j], dtype=pg.complex128)
    with np.errstate(over="ignore", invalid="ignore"):
        squares = (pg.square(z), z**2, pg.pow(z, 2))
    for sq in squares:
        v = values(sq)
        assert not np.signbit(v[0].real) and np.signbit(v[0].imag)  # (-0+0j)**2 == 0-0j
        assert v[1].real == -np.inf and v[1].imag == np.inf
        np.testing.assert_allclose(v[2], (0.7 + 0.7j) * (0.7 + 0.7j))
    z = pg.tensor([1 + 2j, -0.5 + 1j], dtype=pg.complex128, requires_grad=True)
    (g,) = pg.autograd.grad(pg.sum(pg.real(pg.square(z))), [z])
    np.testing.assert_allclose(values(g), 2 * np.conj([1 + 2j, -0.5 + 1j]))


def test_inspection_answers_with_the_types_the_standard_asks(backend):
    """As array-api-tests' ``test_inspection_functions``: capabilities are a dict with bools and
    an int "max dimensions" (2024.12), devices a tuple (2025.12) holding the default device,
    default dtypes for every kind, dtypes usable to create arrays on every device."""
    info = pg.__array_namespace_info__()
    caps = info.capabilities()
    assert isinstance(caps, dict)
    assert isinstance(caps["boolean indexing"], bool)
    assert isinstance(caps["data-dependent shapes"], bool)
    assert isinstance(caps["max dimensions"], int) and caps["max dimensions"] >= 32
    devices = info.devices()
    assert isinstance(devices, tuple) and info.default_device() in devices
    for device in devices:
        defaults = info.default_dtypes(device=device)
        assert {"real floating", "complex floating", "integral", "indexing"} <= set(defaults)
        for kind in (None, "bool", "signed integer", "unsigned integer", "numeric",
                     ("real floating", "complex floating")):  # fmt: skip
            for name, dtype in info.dtypes(kind=kind, device=device).items():
                assert pg.empty(1, dtype=dtype, device=device).dtype is dtype, name


def test_rtol_may_be_an_array_one_value_per_matrix(backend):
    """The standard lets ``matrix_rank``/``pinv`` take ``rtol`` as an array broadcast against
    the stack of matrices (a constant for differentiation)."""
    rows = np.diag([1.0, 0.3, 0.01])
    x = pg.tensor(np.stack([rows, rows]), dtype=pg.float64, requires_grad=True)
    rtol = pg.tensor([0.1, 0.001], dtype=pg.float64)
    assert values(pg.linalg.matrix_rank(x, rtol=rtol)).tolist() == [2, 3]
    p = pg.linalg.pinv(x, rtol=rtol)
    np.testing.assert_allclose(values(p)[0], np.diag([1.0, 1 / 0.3, 0.0]))
    np.testing.assert_allclose(values(p)[1], np.diag([1.0, 1 / 0.3, 100.0]))
    (g,) = pg.autograd.grad(pg.sum(p), [x])
    assert g.shape == x.shape


def test_where_with_a_python_scalar_keeps_the_tensors_dtype(backend):
    """Python scalars are weak in ``where`` as in arithmetic: ``where(c, float32, 0)`` is
    float32 and ``where(c, int8, 5)`` int8 (NumPy would widen a 0-d int64 array; the strict
    backend refused to mix them)."""
    c = pg.tensor([True, False])
    x = pg.tensor([1.0, 2.0], dtype=pg.float32, requires_grad=True)
    i = pg.tensor([1, 2], dtype=pg.int8)
    assert_values(pg.where(c, x, 0), [1.0, 0.0], dtype=pg.float32)
    assert_values(pg.where(c, 2, x), [2.0, 2.0], dtype=pg.float32)
    assert_values(pg.where(c, i, 5), [1, 5], dtype=pg.int8)
    assert_values(pg.where(c, x, True), [1.0, 1.0], dtype=pg.float32)
    assert pg.where(c, i, 1.5).dtype is pg.float32  # a float scalar promotes integers
    assert pg.where(c, x, 1j).dtype is pg.complex64
    (g,) = pg.autograd.grad(pg.sum(pg.where(c, x, 0) * 3), [x])
    assert_values(g, [3.0, 0.0])


@pytest.mark.parametrize(
    "reduce",
    [
        lambda x, **kw: pg.sum(x, **kw),
        lambda x, **kw: pg.prod(x, **kw),
        lambda x, **kw: pg.mean(x, **kw),
        lambda x, **kw: pg.amax(x, **kw),
        lambda x, **kw: pg.amin(x, **kw),
        lambda x, **kw: pg.max(x, **kw).values,
        lambda x, **kw: pg.var(x, correction=0, **kw) + x,
        lambda x, **kw: pg.logsumexp(x, **kw),
    ],
    ids=["sum", "prod", "mean", "amax", "amin", "max", "var", "logsumexp"],
)
def test_zero_dimensional_tensors_reduce_over_dim_0_or_minus_1(backend, reduce):
    """PyTorch treats a 0-d tensor as having one dimension for ``dim=0``/``dim=-1``; every
    backend reduces it as a whole (JAX's kernels refused the axis)."""
    x = pg.tensor(2.0, dtype=pg.float64, requires_grad=True)
    for kw in ({"dim": 0}, {"dim": -1}, {"dim": 0, "keepdim": True}):
        y = reduce(x, **kw)
        assert y.shape == ()
        (g,) = pg.autograd.grad(y, [x])
        assert g.shape == ()
    assert pg.all(pg.tensor(True), dim=-1).shape == ()
    assert pg.any(pg.tensor(False), axis=0).shape == ()
