"""The backward pass against PyTorch 2.13's behaviour, on every backend: freeing and
retaining the graph, accumulation into ``.grad``, errors of ``backward``, failed passes,
broadcasting and dtypes, and very long graphs.

Values, exception types and the first sentence of each message are PyTorch's, each scenario
run with real PyTorch first (``torch.`` spelled ``pluggrad.`` in reprs).
"""

from __future__ import annotations

import numpy as np
import pytest

import pluggrad as pg

from .helpers import assert_values, leaf, raises_runtime, values

FREED = "Trying to backward through the graph a second time"


# ---------------------------------------------------------------------------------------------
# retain_graph
# ---------------------------------------------------------------------------------------------


def test_second_backward_through_freed_graph_raises(backend):
    """The saved tensors are freed by the first backward; the failed second one writes nothing."""
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward()
    with raises_runtime(FREED):
        y.backward()
    assert_values(x.grad, [2.0, 4.0])


def test_freed_graph_message_mentions_retain_graph(backend):
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="Specify retain_graph=True"):
        y.backward()


def test_autograd_grad_frees_the_graph_too(backend):
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    pg.autograd.grad(y, x)
    with raises_runtime(FREED):
        pg.autograd.grad(y, x)


def test_retain_graph_allows_a_second_backward_that_accumulates(backend):
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward(retain_graph=True)
    assert_values(x.grad, [2.0, 4.0])
    y.backward()
    assert_values(x.grad, [4.0, 8.0])


def test_graph_without_saved_tensors_can_be_backwarded_twice(backend):
    """``AddBackward0`` and ``SumBackward0`` save nothing, so there is nothing to free."""
    a = leaf([1.0])
    b = leaf([2.0])
    s = (a + b).sum()
    s.backward()
    s.backward()
    assert_values(a.grad, [2.0])
    assert_values(b.grad, [2.0])


# ---------------------------------------------------------------------------------------------
# accumulation into .grad
# ---------------------------------------------------------------------------------------------


def test_gradients_accumulate_across_backward_calls(backend):
    x = leaf([1.0, 2.0, 3.0])
    for i in range(1, 4):
        (x * x).sum().backward()
        assert_values(x.grad, [2.0 * i, 4.0 * i, 6.0 * i])


def test_accumulation_keeps_the_grad_tensor(backend):
    """A leaf's ``.grad`` is updated in place: a reference taken earlier sees the new values."""
    x = leaf([1.0, 2.0])
    (x * 3).sum().backward()
    g = x.grad
    assert_values(g, [3.0, 3.0])
    (x * 3).sum().backward()
    assert g is x.grad
    assert_values(g, [6.0, 6.0])


def test_grad_set_to_none_restarts_accumulation(backend):
    x = leaf([1.0, 2.0])
    (x * 3).sum().backward()
    x.grad = None
    (x * 5).sum().backward()
    assert_values(x.grad, [5.0, 5.0])


def test_gradients_summed_in_a_buffer_never_change_an_alias_held_elsewhere(backend):
    # add's backward hands the same array (made by the * 1.0 node's backward) to both inputs:
    # y's buffer and x's. y's buffer then receives a second gradient (from y * 5, whose node
    # runs later because it was made earlier); summing it in place would change x's too
    # (NumPy reuses a buffer's array only when nothing else refers to it).
    x = pg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1.0
    t = (y * 5.0).sum()
    s = ((y + x) * 1.0).sum()
    out = s + t
    out.backward()
    assert values(x.grad).tolist() == [7.0, 7.0]


# ---------------------------------------------------------------------------------------------
# errors of backward()
# ---------------------------------------------------------------------------------------------


def test_non_scalar_backward_needs_a_gradient(backend):
    x = leaf([1.0, 2.0])
    with raises_runtime("grad can be implicitly created only for scalar outputs"):
        (x * 3).backward()


def test_gradient_of_the_wrong_shape_is_rejected(backend):
    x = leaf([1.0, 2.0])
    with raises_runtime(
        "Mismatch in shape: grad_output[0] has a shape of pluggrad.Size([3]) and output[0] has "
        "a shape of pluggrad.Size([2])."
    ):
        (x * 3).backward(pg.ones(3))


def test_backward_on_a_tensor_that_does_not_require_grad(backend):
    message = "element 0 of tensors does not require grad and does not have a grad_fn"
    with raises_runtime(message):
        pg.tensor([1.0]).backward()
    with raises_runtime(message):
        pg.tensor([1.0, 2.0]).sum().backward()


def test_gradient_of_another_float_dtype_is_cast(backend):
    """A float64 gradient for a float32 output is accepted; ``.grad`` keeps the leaf's dtype."""
    x = leaf([1.0, 2.0])
    x.sum().backward(pg.tensor(2.0, dtype=pg.float64))
    assert_values(x.grad, [2.0, 2.0], dtype=pg.float32)


# ---------------------------------------------------------------------------------------------
# a failed backward
# ---------------------------------------------------------------------------------------------


def test_backward_failing_in_a_hook_leaves_grad_unchanged(backend):
    x = leaf([1.0, 2.0])
    (x * 2).sum().backward()
    y = x * 3

    def boom(grad):
        raise ValueError("boom")

    y.register_hook(boom)
    with pytest.raises(ValueError, match="boom"):
        (y * y + x).sum().backward()
    assert_values(x.grad, [2.0, 2.0])


def test_hook_returning_the_wrong_shape_fails(backend):
    x = leaf([1.0, 2.0])
    y = x * 3

    def wrong_shape(grad):
        return pg.ones(3)

    y.register_hook(wrong_shape)
    with raises_runtime("hook 'wrong_shape' has changed the size of value"):
        y.sum().backward()
    assert x.grad is None


# ---------------------------------------------------------------------------------------------
# broadcasting and dtypes
# ---------------------------------------------------------------------------------------------


def test_broadcast_gradients_have_their_input_shapes(backend):
    a = pg.ones(3, 1, requires_grad=True)
    b = pg.ones(1, 4, requires_grad=True)
    (a + b).sum().backward()
    assert a.grad.shape == pg.Size([3, 1])
    assert b.grad.shape == pg.Size([1, 4])
    assert_values(a.grad, np.full((3, 1), 4.0))
    assert_values(b.grad, np.full((1, 4), 3.0))


def test_broadcast_gradients_sum_over_the_broadcast_axes(backend):
    a = pg.ones(3, 1, requires_grad=True)
    b = pg.ones(4, requires_grad=True)
    c = pg.arange(12.0).reshape(3, 4)
    (a * b * c).sum().backward()
    assert_values(a.grad, [[6.0], [22.0], [38.0]])
    assert_values(b.grad, [12.0, 15.0, 18.0, 21.0])


def test_zero_dim_input_broadcast_gets_a_zero_dim_grad(backend):
    s = leaf(2.0)
    v = leaf([1.0, 2.0, 3.0])
    (s * v).sum().backward()
    assert s.grad.shape == pg.Size([])
    assert_values(s.grad, 6.0)
    assert_values(v.grad, [2.0, 2.0, 2.0])


def test_float32_stays_float32_through_backward(backend):
    x = leaf([1.0, 2.0])
    y = pg.exp(x * x).sum()
    assert y.dtype is pg.float32
    y.backward()
    assert_values(x.grad, 2 * np.array([1.0, 2.0]) * np.exp([1.0, 4.0]), rtol=1e-6)
    assert x.grad.dtype is pg.float32


def test_mixed_float32_float64_gives_each_input_its_own_dtype(backend):
    f = leaf([1.0, 2.0])
    d = leaf([3.0, 4.0], dtype=pg.float64)
    out = f * d
    assert out.dtype is pg.float64
    out.sum().backward()
    assert_values(f.grad, [3.0, 4.0], dtype=pg.float32)
    assert_values(d.grad, [1.0, 2.0], dtype=pg.float64)


# ---------------------------------------------------------------------------------------------
# very long graphs
# ---------------------------------------------------------------------------------------------


def _chain(x, length: int):
    """``x * 1.0`` applied `length` times: a graph `length` nodes deep."""
    y = x
    for _ in range(length):
        y = y * 1.0
    return y


@pytest.mark.slow
def test_a_chain_of_a_million_ops_backpropagates(backend):
    """The engine does not recurse: a 1e6-node chain needs no deep Python stack."""
    if backend.name != "numpy":
        pytest.skip("one backend is enough for the 1e6-node chain (the engine is shared)")
    x = leaf([2.0])
    y = _chain(x, 1_000_000)
    y.sum().backward()
    assert_values(x.grad, [1.0])


def test_deleting_a_long_graph_does_not_crash(backend):
    """Freeing 200,000 nested nodes must not overflow the C stack (or hit RecursionError)."""
    if backend.lazy:
        pytest.skip("lazy arrays: 200,000 ops are a 200,000-layer task graph (a few ms each); "
                    "the engine that frees the nodes is the same on every backend")  # fmt: skip
    x = leaf([2.0])
    y = _chain(x, 200_000)
    del y
    y = _chain(x, 1_000)  # the leaf is still usable afterwards
    y.sum().backward()
    assert_values(x.grad, [1.0])
