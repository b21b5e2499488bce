"""PyTorch's process-wide settings and helpers that programs use at their top:
``pluggrad.accelerator``, ``pluggrad.backends.cudnn/cuda/mps``, thread counts, determinism,
matmul precision, ``as_tensor``, ``set_printoptions`` and ``pluggrad.testing.assert_close``
(its messages are PyTorch 2.13's, with ``torch.`` for ``pluggrad.``)."""

# ruff: noqa: E501 - the expected messages are PyTorch's, one per line
from __future__ import annotations

import warnings

import numpy as np
import pytest

import pluggrad as pg
from pluggrad.testing import assert_close

NAN = float("nan")
INF = float("inf")

# (a call of assert_close, None if it passes or the exception type and message PyTorch gives)
CASES = [
    (
        lambda: assert_close(pg.tensor([1.0, 2.0, 3.0]), pg.tensor([1.0, 2.5, 3.0])),
        (
            AssertionError,
            "Tensor-likes are not close!\n\nMismatched elements: 1 / 3 (33.3%)\nGreatest absolute difference: 0.5 at index (1,) (up to 1e-05 allowed)\nGreatest relative difference: 0.20000000298023224 at index (1,) (up to 1.3e-06 allowed)",
        ),
    ),
    (
        lambda: assert_close(
            pg.tensor([1.0, 2.0, 3.0]), pg.tensor([1.0, 2.0, 3.0], dtype=pg.float64)
        ),
        (
            AssertionError,
            "The values for attribute 'dtype' do not match: torch.float32 != torch.float64.",
        ),
    ),
    (
        lambda: assert_close(pg.tensor([1.0, 2.0]), pg.tensor([1.0, 2.0, 3.0])),
        (
            AssertionError,
            "The values for attribute 'shape' do not match: torch.Size([2]) != torch.Size([3]).",
        ),
    ),
    (
        lambda: assert_close(pg.tensor([1, 2]), pg.tensor([1, 3])),
        (
            AssertionError,
            "Tensor-likes are not equal!\n\nMismatched elements: 1 / 2 (50.0%)\nGreatest absolute difference: 1 at index (1,)\nGreatest relative difference: 0.3333333432674408 at index (1,)",
        ),
    ),
    (
        lambda: assert_close(pg.tensor([[1.0, NAN]]), pg.tensor([[1.0, NAN]])),
        (
            AssertionError,
            "Tensor-likes are not close!\n\nMismatched elements: 1 / 2 (50.0%)\nGreatest absolute difference: nan at index (0, 1) (up to 1e-05 allowed)\nGreatest relative difference: nan at index (0, 1) (up to 1.3e-06 allowed)",
        ),
    ),
    (lambda: assert_close(pg.tensor([[1.0, NAN]]), pg.tensor([[1.0, NAN]]), equal_nan=True), None),
    (lambda: assert_close(1.0, 1.0 + 1e-9), None),
    (
        lambda: assert_close(1.0, 1.5),
        (
            AssertionError,
            "Scalars are not close!\n\nExpected 1.5 but got 1.0.\nAbsolute difference: 0.5 (up to 1e-07 allowed)\nRelative difference: 0.3333333333333333 (up to 1e-07 allowed)",
        ),
    ),
    (
        lambda: assert_close([pg.tensor(1.0), pg.tensor(2.0)], [pg.tensor(1.0), pg.tensor(2.1)]),
        (
            AssertionError,
            "Scalars are not close!\n\nExpected 2.0999999046325684 but got 2.0.\nAbsolute difference: 0.09999990463256836 (up to 1e-05 allowed)\nRelative difference: 0.047619004368509764 (up to 1.3e-06 allowed)\n\nThe failure occurred for item [1]",
        ),
    ),
    (
        lambda: assert_close({"a": pg.tensor(1.0)}, {"a": pg.tensor(1.2)}),
        (
            AssertionError,
            "Scalars are not close!\n\nExpected 1.2000000476837158 but got 1.0.\nAbsolute difference: 0.20000004768371582 (up to 1e-05 allowed)\nRelative difference: 0.1666666997803569 (up to 1.3e-06 allowed)\n\nThe failure occurred for item ['a']",
        ),
    ),
    (
        lambda: assert_close(pg.tensor([1.0]), pg.tensor([1.0]), rtol=1e-3),
        (
            ValueError,
            "Both 'rtol' and 'atol' must be either specified or omitted, but got no atol.",
        ),
    ),
    (
        lambda: assert_close(pg.tensor([1.0]), [1.0]),
        (
            TypeError,
            "No comparison pair was able to handle inputs of type <class 'torch.Tensor'> and <class 'list'>.",
        ),
    ),
    (
        lambda: assert_close(pg.tensor([1.0, 2.0]), pg.tensor([1.0, 3.0]), msg="custom"),
        (AssertionError, "custom"),
    ),
    (
        lambda: assert_close(pg.tensor([1.0, 2.0]), pg.tensor([1.0, 3.0]), check_dtype=False),
        (
            AssertionError,
            "Tensor-likes are not close!\n\nMismatched elements: 1 / 2 (50.0%)\nGreatest absolute difference: 1.0 at index (1,) (up to 1e-05 allowed)\nGreatest relative difference: 0.3333333432674408 at index (1,) (up to 1.3e-06 allowed)",
        ),
    ),
    (
        lambda: assert_close(
            pg.tensor([1.0, 2.0], dtype=pg.float64), pg.tensor([1.0, 2.0]), check_dtype=False
        ),
        None,
    ),
    (
        lambda: assert_close(pg.tensor([[1.0, 2.0], [3, 4]]), pg.tensor([[1.0, 3.0], [3, 4.001]])),
        (
            AssertionError,
            "Tensor-likes are not close!\n\nMismatched elements: 2 / 4 (50.0%)\nGreatest absolute difference: 1.0 at index (0, 1) (up to 1e-05 allowed)\nGreatest relative difference: 0.3333333432674408 at index (0, 1) (up to 1.3e-06 allowed)",
        ),
    ),
    (
        lambda: assert_close(pg.tensor([1 + 1j]), pg.tensor([1 + 2j])),
        (
            AssertionError,
            "Tensor-likes are not close!\n\nMismatched elements: 1 / 1 (100.0%)\nGreatest absolute difference: 1.0 at index (0,) (up to 1e-05 allowed)\nGreatest relative difference: 0.4472135901451111 at index (0,) (up to 1.3e-06 allowed)",
        ),
    ),
    (
        lambda: assert_close(pg.tensor(True), pg.tensor(False)),
        (
            AssertionError,
            "Scalars are not equal!\n\nExpected False but got True.\nAbsolute difference: 1\nRelative difference: inf",
        ),
    ),
    (
        lambda: assert_close([1.0, 2.0], [1.0, 2.0, 3.0]),
        (AssertionError, "The length of the sequences mismatch: 2 != 3"),
    ),
    (
        lambda: assert_close({"a": 1.0}, {"b": 1.0}),
        (
            AssertionError,
            "The keys of the mappings do not match:\nMissing keys in the actual mapping: ['b']\nAdditional keys in the actual mapping: ['a']",
        ),
    ),
    (lambda: assert_close(True, False), (AssertionError, "Booleans mismatch: True is not False")),
    (
        lambda: assert_close(1, 2),
        (
            AssertionError,
            "Scalars are not equal!\n\nExpected 2 but got 1.\nAbsolute difference: 1\nRelative difference: 0.5",
        ),
    ),
    (
        lambda: assert_close(1, 1.0),
        (AssertionError, "The (d)types do not match: <class 'int'> != <class 'float'>."),
    ),
    (
        lambda: assert_close(
            pg.tensor([1.0, 2.0]),
            pg.tensor([1.0, 2.0]).to(pg.float64),
            check_dtype=False,
            rtol=0,
            atol=0,
        ),
        None,
    ),
    (
        lambda: assert_close(
            np.array([1.0, 2.0], dtype=np.float32), np.array([1.0, 2.5], dtype=np.float32)
        ),
        (
            AssertionError,
            "Tensor-likes are not close!\n\nMismatched elements: 1 / 2 (50.0%)\nGreatest absolute difference: 0.5 at index (1,) (up to 1e-05 allowed)\nGreatest relative difference: 0.20000000298023224 at index (1,) (up to 1.3e-06 allowed)",
        ),
    ),
    (lambda: assert_close(pg.tensor([1.0, 2.0], requires_grad=True), pg.tensor([1.0, 2.0])), None),
    (
        lambda: assert_close(
            pg.tensor([1.0, 2.0]), pg.tensor([1.0, 2.5]), msg=lambda m: "X" + m[:10]
        ),
        (AssertionError, "XTensor-lik"),
    ),
    (lambda: assert_close(pg.tensor([[1.0, 2.0]]), pg.tensor([[1.0, 2.0]]), atol=0, rtol=0), None),
    (
        lambda: assert_close(pg.tensor([1.0, 2.0]), (1.0, 2.0)),
        (
            TypeError,
            "No comparison pair was able to handle inputs of type <class 'torch.Tensor'> and <class 'tuple'>.",
        ),
    ),
    (lambda: assert_close((pg.tensor([1.0, 2.0]),), [pg.tensor([1.0, 2.0])]), None),
    (lambda: assert_close(None, None), None),
    (
        lambda: assert_close(pg.tensor([1, 2]), pg.tensor([1.0, 2.0])),
        (
            AssertionError,
            "The values for attribute 'dtype' do not match: torch.int64 != torch.float32.",
        ),
    ),
    (lambda: assert_close(pg.tensor([INF, 1.0]), pg.tensor([INF, 1.0])), None),
    (
        lambda: assert_close(pg.tensor([INF, 1.0]), pg.tensor([-INF, 1.0])),
        (
            AssertionError,
            "Tensor-likes are not close!\n\nMismatched elements: 1 / 2 (50.0%)\nGreatest absolute difference: inf at index (0,) (up to 1e-05 allowed)\nGreatest relative difference: nan at index (0,) (up to 1.3e-06 allowed)",
        ),
    ),
    (
        lambda: assert_close(pg.tensor([[0.0, 1.0]]), pg.tensor([[0.0, 2.0]]), rtol=0, atol=0),
        (
            AssertionError,
            "Tensor-likes are not equal!\n\nMismatched elements: 1 / 2 (50.0%)\nGreatest absolute difference: 1.0 at index (0, 1)\nGreatest relative difference: 0.5 at index (0, 1)",
        ),
    ),
    (
        lambda: assert_close(
            pg.nn.Parameter(pg.tensor([1.0])), pg.tensor([1.0]), allow_subclasses=False
        ),
        (
            TypeError,
            "No comparison pair was able to handle inputs of type <class 'torch.nn.parameter.Parameter'> and <class 'torch.Tensor'>.",
        ),
    ),
]


@pytest.mark.parametrize(("call", "expected"), CASES)
def test_assert_close_passes_and_fails_as_pytorch_does(call, expected):
    if expected is None:
        call()
        return
    kind, message = expected
    with pytest.raises(kind) as info:
        call()
    assert str(info.value).replace("pluggrad.", "torch.") == message


def test_the_accelerator_is_the_active_backends_gpu():
    has_gpu = any(d.type == "cuda" for d in pg.get_backend().devices())
    assert pg.accelerator.is_available() is has_gpu
    assert (pg.accelerator.device_count() > 0) is has_gpu
    if not has_gpu:
        assert pg.accelerator.current_accelerator() is None
        for call in (pg.accelerator.current_device_index, pg.accelerator.synchronize):
            with pytest.raises(RuntimeError, match="none is available"):
                call()
    else:
        assert pg.accelerator.current_accelerator() == pg.device("cuda")
        with pg.accelerator.device_index(0):
            assert pg.accelerator.current_device_index() == 0


def test_gpu_library_switches_keep_their_values():
    cudnn = pg.backends.cudnn
    assert (cudnn.enabled, cudnn.benchmark, cudnn.deterministic) == (True, False, False)
    with cudnn.flags(enabled=True, benchmark=True, deterministic=True):
        assert cudnn.benchmark and cudnn.deterministic
    assert not cudnn.benchmark and not cudnn.deterministic
    assert pg.backends.mps.is_available() is False
    assert cudnn.is_available() is any(d.type == "cuda" for d in pg.get_backend().devices())


def test_tf32_and_the_float32_matmul_precision_are_one_setting():
    assert pg.get_float32_matmul_precision() == "highest"
    try:
        pg.backends.cuda.matmul.allow_tf32 = True
        assert pg.get_float32_matmul_precision() == "high"
        pg.set_float32_matmul_precision("medium")
        assert pg.backends.cuda.matmul.allow_tf32
        with pytest.warns(UserWarning, match="is not one of 'highest', 'high', or 'medium'"):
            pg.set_float32_matmul_precision("fast")
        assert pg.get_float32_matmul_precision() == "medium"
    finally:
        pg.set_float32_matmul_precision("highest")
    assert not pg.backends.cuda.matmul.allow_tf32


def test_threads_and_determinism_settings():
    before = pg.get_num_threads()
    try:
        pg.set_num_threads(1)
        assert pg.get_num_threads() == 1
    finally:
        pg.set_num_threads(before)
    with pytest.raises(RuntimeError, match="set_num_threads expects a positive integer"):
        pg.set_num_threads(0)
    pg.use_deterministic_algorithms(True, warn_only=True)
    try:
        assert pg.are_deterministic_algorithms_enabled()
        assert pg.is_deterministic_algorithms_warn_only_enabled()
    finally:
        pg.use_deterministic_algorithms(False)
    assert not pg.are_deterministic_algorithms_enabled()


def test_as_tensor_shares_what_it_can():
    t = pg.tensor([1.0, 2.0])
    assert pg.as_tensor(t) is t
    array = np.arange(3.0)
    shared = pg.as_tensor(array)
    array[0] = 5.0
    copied = pg.as_tensor(array, dtype=pg.float32)
    array[1] = 7.0
    assert copied.tolist() == [5.0, 1.0, 2.0]
    expected = [5.0, 7.0, 2.0] if pg.get_backend().name == "numpy" else [0.0, 1.0, 2.0]
    assert shared.tolist() == expected
    assert pg.as_tensor([1, 2]).dtype == pg.int64


def test_set_printoptions_is_pytorchs():
    try:
        pg.set_printoptions(precision=2)
        assert repr(pg.tensor([1.23456])) == "tensor([1.23])"
    finally:
        pg.set_printoptions(profile="default")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert repr(pg.tensor([1.23456])) == "tensor([1.2346])"
