"""autograd tools beyond backward/grad: the functional transforms, anomaly detection, the
missing-grad explanation, saved-tensor hooks, checkpointing and graph pictures.  Expected
values are PyTorch 2.13's."""

from __future__ import annotations

import numpy as np
import pytest

import pluggrad as pg
from pluggrad.autograd.functional import hvp, jvp, vhp, vjp
from pluggrad.utils.checkpoint import checkpoint

from .helpers import assert_values, values


def _x():
    return pg.tensor([1.0, 2.0], dtype=pg.float64)


def test_vjp_and_jvp(backend):
    out, g = vjp(lambda x: x**2, _x(), pg.ones(2, dtype=pg.float64))
    assert_values(out, [1, 4])
    assert_values(g, [2, 4])
    out, t = jvp(lambda x: x**2, _x(), pg.ones(2, dtype=pg.float64))
    assert_values(t, [2, 4])
    assert not g.requires_grad and not t.requires_grad


def test_vjp_of_several_inputs_and_outputs(backend):
    x = _x()
    ones = pg.ones(2, dtype=pg.float64)
    outs, grads = vjp(lambda a, b: (a * b, a + b), (x, x), (ones, ones))
    assert isinstance(outs, tuple) and isinstance(grads, tuple)
    assert_values(grads[0], [2, 3])
    assert_values(grads[1], [2, 3])


def test_vjp_needs_v_for_non_scalar_outputs(backend):
    with pytest.raises(RuntimeError, match="The vector v can only be None"):
        vjp(lambda x: x**2, _x())
    out, g = vjp(lambda x: x.sum(), _x())
    assert_values(g, [1, 1])


def test_hvp_and_vhp(backend):
    f = lambda a: (a**3).sum()
    for product in (hvp, vhp):
        out, h = product(f, _x(), pg.ones(2, dtype=pg.float64))
        assert_values(out, 9)
        assert_values(h, [6, 12])


def test_strict_mode_rejects_outputs_without_graph(backend):
    with pytest.raises(RuntimeError, match="Output 0 of the user-provided function does not"):
        vjp(lambda x: pg.ones(2, dtype=pg.float64), _x(), pg.ones(2, dtype=pg.float64), strict=True)
    _, g = vjp(lambda x: pg.ones(2, dtype=pg.float64), _x(), pg.ones(2, dtype=pg.float64))
    assert_values(g, [0, 0])


def test_vjp_with_create_graph_is_differentiable(backend):
    x = pg.tensor([1.0, 2.0], dtype=pg.float64, requires_grad=True)
    _, g = vjp(lambda a: a**3, x, pg.ones(2, dtype=pg.float64), create_graph=True)
    (gg,) = pg.autograd.grad(g.sum(), x)
    assert_values(gg, [6, 12])


def test_anomaly_mode_names_the_node_and_the_forward_line(backend):
    x = pg.tensor([0.0], requires_grad=True)
    with pytest.warns(UserWarning, match="Anomaly Detection has been enabled"):
        mode = pg.autograd.detect_anomaly()
    with mode, np.errstate(all="ignore"):
        y = pg.sqrt(x) * 0
        ratio = y / y
        with pytest.warns(UserWarning, match="Error detected in DivBackward0") as caught:
            with pytest.raises(RuntimeError, match=r"^Function 'DivBackward0' returned nan values"):
                ratio.sum().backward()
    assert "ratio = y / y" in str(caught[0].message)
    assert not pg.autograd.is_anomaly_enabled()
    assert x.grad is None  # the failed backward left .grad alone


def test_set_detect_anomaly_as_call_and_context(backend):
    pg.autograd.set_detect_anomaly(True)
    assert pg.autograd.is_anomaly_enabled()
    pg.autograd.set_detect_anomaly(False)
    with pg.autograd.set_detect_anomaly(True):
        assert pg.autograd.is_anomaly_enabled()
    assert not pg.autograd.is_anomaly_enabled()


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("non_leaf", "is not a leaf"),
        ("no_grad", "computed under no_grad"),
        ("detached", "made by detach()"),
        ("constant", "does not require grad"),
        ("unused", "does not depend on this tensor"),
        ("before_backward", "No backward pass has reached"),
    ],
)
def test_explain_missing_grad(backend, case, expected):
    x = pg.tensor([1.0, 2.0], requires_grad=True)
    unused = pg.tensor([1.0], requires_grad=True)
    y = x * 2
    with pg.no_grad():
        c = x * 3
    out = (y * 2).sum()
    tensor = {
        "non_leaf": y,
        "no_grad": c,
        "detached": x.detach(),
        "constant": pg.tensor([1.0]),
        "unused": unused,
        "before_backward": x,
    }[case]
    assert expected in pg.autograd.explain_missing_grad(tensor, out)


def test_saved_tensors_hooks_see_every_saved_tensor(backend):
    packed = []

    def pack(t):
        packed.append(values(t).copy())
        return len(packed) - 1

    x = pg.tensor([1.0, 2.0], dtype=pg.float64, requires_grad=True)
    with pg.autograd.graph.saved_tensors_hooks(pack, lambda i: pg.tensor(packed[i])):
        y = (x * x).exp()
    assert len(packed) == 3  # x twice for the product, the result of exp
    y.sum().backward()
    np.testing.assert_allclose(values(x.grad), 2 * np.array([1.0, 2.0]) * np.exp([1.0, 4.0]))


@pytest.mark.parametrize("use_reentrant", [False, True])
def test_checkpoint_gives_the_same_gradients(backend, use_reentrant):
    rng = np.random.default_rng(0)
    w = pg.tensor(rng.standard_normal((3, 3)), requires_grad=True)

    def block(x):
        return pg.tanh(pg.matmul(x, w)) * x

    x = pg.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    checkpoint(block, x, use_reentrant=use_reentrant).sum().backward()
    checkpointed = values(x.grad).copy(), values(w.grad).copy()
    x.grad = w.grad = None
    block(x).sum().backward()
    np.testing.assert_allclose(checkpointed[0], values(x.grad), rtol=1e-12)
    np.testing.assert_allclose(checkpointed[1], values(w.grad), rtol=1e-12)


def test_checkpoint_without_reentry_works_with_autograd_grad(backend):
    w = pg.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=pg.float64, requires_grad=True)
    x = pg.tensor([1.0, -1.0], dtype=pg.float64, requires_grad=True)
    out = checkpoint(lambda a: pg.sin(pg.matmul(w, a)), x, use_reentrant=False).sum()
    gx, gw = pg.autograd.grad(out, [x, w])
    c = np.cos(np.array([[1.0, 2.0], [3.0, 4.0]]) @ np.array([1.0, -1.0]))
    np.testing.assert_allclose(values(gx), np.array([[1.0, 2.0], [3.0, 4.0]]).T @ c)
    np.testing.assert_allclose(values(gw), np.outer(c, [1.0, -1.0]))
    assert w.grad is None and x.grad is None


def test_checkpoint_without_use_reentrant_warns(backend):
    x = pg.tensor([1.0], requires_grad=True)
    with pytest.warns(UserWarning, match="use_reentrant"):
        checkpoint(lambda a: a * 2, x)


def test_to_dot_draws_the_graph(backend):
    x = pg.tensor([1.0, 2.0], requires_grad=True)
    w = pg.tensor([3.0, 4.0], requires_grad=True)
    dot = pg.viz.to_dot((x * w + x).sum(), params={"x": x, "w": w})
    assert dot.startswith('digraph "autograd" {')
    for name in ("SumBackward0", "AddBackward0", "MulBackward0", 'label="x\\n(2,)"', "w\\n(2,)"):
        assert name in dot
    assert dot.count("->") == 6


def test_to_dot_labels_cpp_nodes_without_their_namespace(backend):
    # torchviz shows CopySlices, not torch::autograd::CopySlices
    x = pg.ones(3, requires_grad=True)
    y = x.clone()
    y[0] = 5.0
    dot = pg.viz.to_dot((y * x).sum())
    assert 'label="CopySlices"' in dot
    assert "::" not in dot
