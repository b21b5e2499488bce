"""PyTorch's keyword names and ``out=`` on pluggrad's public functions (pluggrad._torch_keywords).

The scenario ``torch_keywords`` compares the common calls with PyTorch's output; these tests
hold the table to the namespaces and check the edges: nothing written when ``out=`` is refused,
the wrapper's cost-free path, the function's own keywords winning over the table's.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import pluggrad as pg
from pluggrad import _torch_keywords

NAMESPACES = {"torch": pg, "linalg": pg.linalg, "fft": pg.fft, "special": pg.special}


@pytest.mark.parametrize("namespace", sorted(NAMESPACES))
def test_every_name_in_the_table_is_public(namespace):
    module = NAMESPACES[namespace]
    missing = [name for name in _torch_keywords._TABLE[namespace] if not hasattr(module, name)]
    assert missing == []


def test_every_method_in_the_table_exists():
    missing = [name for name in _torch_keywords._TABLE["Tensor"] if not hasattr(pg.Tensor, name)]
    assert missing == []


def test_wrappers_keep_the_signature_and_the_function():
    assert pg.matmul.__wrapped__ is pg.ops.matmul  # (itself autocast's wrapper of matmul)
    assert inspect.signature(pg.matmul) == inspect.signature(pg.ops.matmul)
    assert pg.matmul.__doc__ == pg.ops.matmul.__doc__


def test_a_name_pytorch_lacks_is_left_alone():
    assert _torch_keywords.adapt(len, "torch", "no_such_function") is len


def test_unknown_keyword_raises_type_error():
    with pytest.raises(TypeError, match="unexpected keyword"):
        pg.exp(pg.ones(2), nonsense=1)


def test_keyword_given_twice_raises():
    a = pg.ones(2, 2)
    with pytest.raises(TypeError, match="multiple values for argument 'input'"):
        pg.matmul(a, input=a)


def test_refused_tuple_out_writes_nothing():
    a = pg.tensor([[1.0, 5.0], [7.0, 2.0]])
    values = pg.full((2,), -1.0)
    indices = pg.zeros(2, dtype=pg.bool)  # int64 cannot be cast to bool
    with pytest.raises(RuntimeError, match="can't be cast to the desired output type Bool"):
        pg.max(a, 1, out=(values, indices))
    np.testing.assert_array_equal(values.numpy(), [-1.0, -1.0])


def test_out_of_wrong_length_or_type():
    a = pg.ones(2, 2)
    with pytest.raises(TypeError, match="must be tuple of 2 Tensors"):
        pg.max(a, 1, out=pg.empty(2))
    with pytest.raises(TypeError, match="'out' must be Tensor, not list"):
        pg.exp(a, out=[1.0])


def test_out_bumps_the_version_and_keeps_identity():
    a = pg.ones(3)
    out = pg.zeros(3)
    before = out._version
    assert pg.exp(a, out=out) is out
    assert out._version > before
    np.testing.assert_allclose(out.numpy(), np.e)


def test_out_none_is_an_ordinary_call():
    a = pg.ones(2, requires_grad=True)
    y = pg.mul(a, 2, out=None)
    assert y.grad_fn is not None


def test_linalg_message_uses_pytorch_name():
    a = pg.eye(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"^linalg_inv\(\): functions with out="):
        pg.linalg.inv(a, out=pg.empty(2, 2))


def test_storage_options_are_taken_where_pytorch_takes_them():
    x = pg.ones(1, 2, 3, 4)
    assert pg.zeros(2, layout=pg.strided, pin_memory=False).tolist() == [0.0, 0.0]
    assert pg.arange(3, layout=pg.strided).tolist() == [0, 1, 2]
    assert x.new_zeros(2, layout=pg.strided).shape == (2,)
    like = pg.zeros_like(x, memory_format=pg.preserve_format)
    assert like.shape == x.shape and like.sum().item() == 0
    assert pg.empty(2, 3, memory_format=pg.contiguous_format).shape == (2, 3)
    assert bool((x.clone(memory_format=pg.channels_last) == x).all())  # the same values
    assert repr(pg.channels_last) == "pluggrad.channels_last"
    with pytest.raises(TypeError, match=r"zeros\(\): argument 'layout' must be torch.layout"):
        pg.zeros(2, layout="strided")
    with pytest.raises(TypeError, match="argument 'memory_format' must be torch.memory_format"):
        pg.ones_like(x, memory_format="channels_last")
    if not pg.cuda.is_available():
        with pytest.raises(RuntimeError, match="pin_memory=True requires a CUDA or other"):
            pg.zeros(2, pin_memory=True)
    with pytest.raises(TypeError, match="unexpected keyword argument 'layout'"):
        pg.exp(x, layout=pg.strided)  # PyTorch's exp takes no storage option either


def test_positional_arguments_past_the_functions_own_take_pytorchs_names():
    # the array API's ``ord`` is keyword-only; PyTorch's is the second positional parameter
    a = pg.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert pg.linalg.matrix_norm(a, 1).item() == 6.0
    assert pg.linalg.matrix_norm(a, "nuc", (-2, -1), True).shape == (1, 1)
    assert pg.linalg.vector_norm(a, 1, 0).tolist() == [4.0, 6.0]
    with pytest.raises(TypeError, match="multiple values for argument 'ord'"):
        pg.linalg.matrix_norm(a, 2, ord=1)
    with pytest.raises(TypeError, match="takes 1 positional argument but 3 were given"):
        pg.exp(a, 1, 2)  # PyTorch has no third parameter: the function's own error
