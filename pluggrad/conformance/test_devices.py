"""Devices as PyTorch names them: ``pluggrad.device``, ``x.device``, ``device=`` on creation,
``.to()``/``.cpu()``/``.cuda()``, the default device, ``pluggrad.cuda``, and moves between
devices that autograd follows (on JAX with two simulated CPU devices, in a subprocess)."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import textwrap

import pytest

import pluggrad as pg

from .helpers import assert_values


def test_device_objects_are_pytorchs():
    assert repr(pg.device("cpu")) == "device(type='cpu')"
    assert repr(pg.device("cuda:1")) == "device(type='cuda', index=1)"
    assert pg.device("cuda", 1) == pg.device("cuda:1") == pg.device(1)
    assert str(pg.device("cuda", 0)) == "cuda:0" and pg.device("cpu").index is None
    assert pg.device("cpu") != "cpu" and pg.device("cpu") != pg.device("cpu", 0)
    assert len({pg.device("cpu"), pg.device("cpu")}) == 1
    assert pickle.loads(pickle.dumps(pg.device("cuda:2"))) == pg.device("cuda:2")
    with pytest.raises(RuntimeError, match="Expected one of cpu, cuda, .* device string: gpu"):
        pg.device("gpu")
    with pytest.raises(RuntimeError, match="must not include an index"):
        pg.device("cuda:1", 2)


def test_tensors_say_where_they_are(backend):
    x = pg.zeros(2)
    assert isinstance(x.device, pg.device) and x.device == pg.get_default_device()
    cpu = x.device.type == "cpu"
    assert x.is_cpu is cpu and x.is_cuda is (x.device.type == "cuda")
    assert x.get_device() == (-1 if cpu else x.device.index or 0)
    assert (
        pg.zeros_like(x).device == x.device and pg.tensor([1.0], device=x.device).device == x.device
    )


def test_moving_to_where_a_tensor_is_returns_it(backend):
    x = pg.ones(3, requires_grad=True)
    here = x.device
    assert x.to(here) is x and x.to_device(here) is x
    if here.type == "cpu":
        assert x.cpu() is x and x.to("cpu") is x
    y = x.to(here, pg.float64)
    assert y.dtype is pg.float64 and y.grad_fn.name() == "ToCopyBackward0"
    z = x.to(pg.zeros(1, dtype=pg.float64))
    assert z.dtype is pg.float64
    assert x.to(here, copy=True) is not x


def test_asking_for_a_device_the_backend_lacks_raises_and_changes_nothing(backend):
    if pg.cuda.is_available():
        pytest.skip("this backend has a GPU")
    x = pg.ones(2)
    with pytest.raises(RuntimeError, match="backend has no device 'cuda'"):
        x.cuda()
    with pytest.raises(RuntimeError, match="backend has no device 'cuda:1'"):
        pg.zeros(3, device="cuda:1")
    with pytest.raises(RuntimeError, match="backend has no device 'mps'"):
        pg.ones_like(x, device="mps")
    assert pg.cuda.device_count() == 0 and not pg.cuda.is_available()
    pg.cuda.manual_seed(0)  # silently nothing, as in PyTorch without CUDA
    assert_values(x, [1, 1])


def test_the_default_device_and_device_blocks(backend):
    here = pg.zeros(1).device
    assert pg.get_default_device() == here
    with pg.device(str(here)) as chosen:
        assert pg.get_default_device() == chosen and pg.ones(2).device == here
    pg.set_default_device(here)
    try:
        assert pg.get_default_device() == here and pg.arange(3).device == here
    finally:
        pg.set_default_device(None)
    if not pg.cuda.is_available():
        with pg.device("cuda"), pytest.raises(RuntimeError, match="no device 'cuda'"):
            pg.zeros(1)


_TWO_DEVICES = textwrap.dedent(
    """
    import pluggrad as pg
    assert [str(d) for d in pg.backends.get_backend().devices()] == ["cpu", "cpu:1"]
    x = pg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x.to("cpu:1")
    assert str(y.device) == "cpu:1" and y.grad_fn.name() == "ToCopyBackward0"
    w = pg.ones(3, device="cpu:1")
    ((y * w) ** 2).sum().backward()
    assert x.grad.tolist() == [2.0, 4.0, 6.0] and str(x.grad.device) == "cpu"
    try:
        x + w
    except RuntimeError as e:
        assert str(e) == (
            "Expected all tensors to be on the same device, but found at least two devices, "
            "cpu and cpu:1!"
        ), e
    else:
        raise AssertionError("mixing devices did not raise")
    v = w[1:]
    v.mul_(5.0)
    assert w.tolist() == [1.0, 5.0, 5.0] and str(v.device) == "cpu:1"
    assert str(w.cpu().device) == "cpu" and str(pg.zeros_like(w).device) == "cpu:1"
    print("ok")
    """
)


def test_autograd_follows_a_tensor_between_two_jax_devices():
    pytest.importorskip("jax")
    env = {
        **os.environ,
        "PLUGGRAD_BACKEND": "jax",
        "XLA_FLAGS": "--xla_force_host_platform_device_count=2",
        "JAX_PLATFORMS": "cpu",
    }
    done = subprocess.run(
        [sys.executable, "-c", _TWO_DEVICES], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr
