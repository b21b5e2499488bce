"""Every op of the op database, on every backend: forward value, first and second derivatives
against finite differences in float64, gradients equal to the NumPy backend's, and on JAX equal
to ``jax.vjp`` of the reference."""

from __future__ import annotations

import numpy as np
import pytest

import pluggrad as pg
from pluggrad import ops
from pluggrad._core.primitive import PRIMITIVES
from pluggrad.ops import derivatives

from .helpers import values
from .op_db import OP_DB, sample_id, samples

PAIRS = samples()


def _tensor_args(sample, requires_grad=True):
    args = []
    for a in sample.args:
        if isinstance(a, np.ndarray) and a.dtype.kind == "f":
            args.append(pg.tensor(a, dtype=pg.float64, requires_grad=requires_grad))
        elif isinstance(a, np.ndarray):
            args.append(pg.tensor(a))
        else:
            args.append(a)
    return args


def _grad_positions(sample):
    return [
        i for i, a in enumerate(sample.args) if isinstance(a, np.ndarray) and a.dtype.kind == "f"
    ]


def _first_output(out):
    return out[0] if isinstance(out, tuple) else out


@pytest.mark.parametrize("pair", PAIRS, ids=sample_id)
def test_forward_matches_reference(pair, backend):
    record, sample = pair
    out = record.op(*_tensor_args(sample, requires_grad=False), **sample.kwargs)
    expected = record.ref(np, *sample.args, **sample.kwargs)
    np.testing.assert_allclose(values(out), expected, rtol=1e-6, atol=1e-9)
    assert out.shape == np.shape(expected)


@pytest.mark.parametrize("pair", PAIRS, ids=sample_id)
def test_gradcheck(pair, backend):
    _check(pg.autograd.gradcheck, *pair, backend)


@pytest.mark.parametrize("pair", [p for p in PAIRS if p[0].second_order], ids=sample_id)
def test_gradgradcheck(pair, backend):
    _check(pg.autograd.gradgradcheck, *pair, backend)


def _check(check, record, sample, backend):
    """Run gradcheck or gradgradcheck on one sample of a record, in float64."""
    if backend.lazy and sample is not record.samples[0]:
        # a lazy backend (Dask) builds a task graph per finite-difference evaluation (a few ms
        # per op): it checks each record's first sample, and every sample's gradients equal
        # the NumPy backend's (test_gradients_agree_with_numpy_backend)
        pytest.skip("lazy backend: finite differences on each record's first sample only")
    args = _tensor_args(sample)
    assert check(
        lambda *a: record.op(*a, **sample.kwargs),
        tuple(args),
        rtol=record.rtol,
        atol=record.atol,
        eps=record.eps,
    )


def _vjp(record, sample, backend_name):
    with pg.use_backend(backend_name):
        args = _tensor_args(sample)
        out = record.op(*args, **sample.kwargs)
        cotangent = pg.tensor(np.linspace(-1.0, 1.0, out.numel()).reshape(tuple(out.shape)),
                              dtype=out.dtype)  # fmt: skip
        inputs = [args[i] for i in _grad_positions(sample)]
        grads = pg.autograd.grad(out, inputs, cotangent, allow_unused=True)
        return [None if g is None else values(g) for g in grads], cotangent


@pytest.mark.parametrize("pair", PAIRS, ids=sample_id)
def test_gradients_agree_with_numpy_backend(pair, backend):
    record, sample = pair
    mine, _ = _vjp(record, sample, backend)
    reference, _ = _vjp(record, sample, "numpy")
    for a, b in zip(mine, reference):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("pair", PAIRS, ids=sample_id)
def test_gradients_match_jax_vjp(pair, backend):
    if backend.name != "jax":
        pytest.skip("the jax.vjp oracle runs on the jax backend")
    import jax  # noqa: PLC0415 - optional: the oracle runs on the jax backend only
    import jax.numpy as jnp  # noqa: PLC0415 - as above

    record, sample = pair
    positions = _grad_positions(sample)
    mine, cotangent = _vjp(record, sample, backend)

    def ref(*diff_args):
        args = list(sample.args)
        for i, a in zip(positions, diff_args):
            args[i] = a
        return record.ref(jnp, *args, **sample.kwargs)

    primals = [jnp.asarray(sample.args[i]) for i in positions]
    _, vjp = jax.vjp(ref, *primals)
    expected = vjp(jnp.asarray(values(cotangent)))
    for a, b in zip(mine, expected):
        np.testing.assert_allclose(a, np.asarray(b), rtol=1e-10, atol=1e-12)


# Samplers (pluggrad.ops.random): PyTorch defines their gradients as zero, which finite
# differences of a sample path do not see, so gradcheck cannot check them; test_random does.
SAMPLERS = frozenset(ops.random.__all__)


def test_every_differentiable_function_of_the_namespace_has_an_op_record():
    covered = {f for record in OP_DB for f in record.functions} | SAMPLERS
    missing = [
        name
        for topic in ops.TOPICS
        for name in topic.__all__
        if name not in topic.NONDIFFERENTIABLE_FUNCTIONS and name not in covered
    ]
    assert not missing, f"differentiable functions without an op-database record: {missing}"


def test_every_differentiable_primitive_has_an_op_record():
    covered = {p for record in OP_DB for p in record.primitives}
    differentiable = {name for name, prim in PRIMITIVES.items() if prim.differentiable}
    # copy: AccumulateGrad's, tested in engine; samplers: see SAMPLERS
    missing = differentiable - covered - {"copy"} - set(ops.random.PRIMITIVES)
    assert not missing, f"primitives without an op-database record: {sorted(missing)}"


def test_derivative_table_and_primitives_match():
    assert set(derivatives.DERIVATIVES) <= set(PRIMITIVES)
    for name, prim in PRIMITIVES.items():
        assert name in derivatives.DERIVATIVES or name in derivatives.NONDIFFERENTIABLE
        assert prim.differentiable == (name in derivatives.DERIVATIVES)
