"""``pluggrad.amp``: GradScaler step by step as PyTorch 2.13's (the values below are its), and
the CUDA spellings without a GPU (autocast regions: pluggrad/conformance/test_autocast.py)."""

from __future__ import annotations

import pytest

import pluggrad as pg


def _parameter_and_optimizer():
    w = pg.nn.Parameter(pg.ones(3))
    return w, pg.optim.SGD([w], lr=0.1)


def test_a_step_scales_unscales_steps_and_updates_as_pytorch():
    w, optimizer = _parameter_and_optimizer()
    scaler = pg.amp.GradScaler("cpu")
    assert scaler.is_enabled() and scaler.get_scale() == 65536.0
    loss = (w * 2).sum()
    assert scaler.scale(loss).item() == 393216.0
    scaler.scale(loss).backward()
    assert w.grad.tolist() == [131072.0] * 3
    assert scaler.step(optimizer) is None  # SGD's step returns None
    assert w.tolist() == pytest.approx([0.8] * 3)
    scaler.update()
    assert scaler.state_dict() == {
        "scale": 65536.0, "growth_factor": 2.0, "backoff_factor": 0.5,
        "growth_interval": 2000, "_growth_tracker": 1,
    }  # fmt: skip
    w.grad = pg.tensor([float("inf"), 1.0, 1.0])  # not finite: the step is skipped, scale halves
    scaler.step(optimizer)
    scaler.update()
    assert w.tolist() == pytest.approx([0.8] * 3)
    assert scaler.get_scale() == 32768.0


def test_the_scale_grows_after_growth_interval_clean_steps():
    w, optimizer = _parameter_and_optimizer()
    scaler = pg.amp.GradScaler("cpu", init_scale=4.0, growth_interval=2)
    scales = []
    for _ in range(4):
        optimizer.zero_grad()
        scaler.scale(w.sum()).backward()
        scaler.step(optimizer)
        scaler.update()
        scales.append(scaler.get_scale())
    assert scales == [4.0, 8.0, 8.0, 16.0]
    assert w.grad.tolist() == [1.0] * 3  # unscaled before the step


def test_misuse_raises_pytorchs_errors():
    w, optimizer = _parameter_and_optimizer()
    scaler = pg.amp.GradScaler("cpu")
    with pytest.raises(AssertionError, match="Attempted step but _scale is None"):
        scaler.step(optimizer)
    scaler.scale((w * 2).sum()).backward()
    scaler.unscale_(optimizer)
    assert w.grad.tolist() == [2.0] * 3
    with pytest.raises(RuntimeError, match=r"unscale_\(\) has already been called"):
        scaler.unscale_(optimizer)
    scaler.step(optimizer)
    with pytest.raises(RuntimeError, match=r"step\(\) has already been called since the last"):
        scaler.step(optimizer)
    with pytest.raises(RuntimeError, match=r"unscale_\(\) is being called after step\(\)"):
        scaler.unscale_(optimizer)
    scaler.update()
    with pytest.raises(RuntimeError, match="Closure use is not currently supported"):
        scaler.step(optimizer, closure=lambda: 1.0)
    with pytest.raises(RuntimeError, match="The source state dict is empty"):
        scaler.load_state_dict({})


def test_a_disabled_scaler_passes_through():
    w, optimizer = _parameter_and_optimizer()
    scaler = pg.amp.GradScaler("cpu", enabled=False)
    loss = (w * 2).sum()
    assert scaler.scale(loss) is loss
    loss.backward()
    scaler.step(optimizer)
    scaler.update()
    assert w.tolist() == pytest.approx([0.8] * 3)
    assert (scaler.get_scale(), scaler.state_dict()) == (1.0, {})


def test_without_a_gpu_cuda_scalers_and_autocast_disable_themselves():
    if any(d.type == "cuda" for d in pg.get_backend().devices()):
        pytest.skip("the active backend has a GPU")
    with pytest.warns(UserWarning, match="CUDA is not available.  Disabling."):
        assert not pg.amp.GradScaler("cuda").is_enabled()
    with pytest.warns(UserWarning, match="CUDA is not available"):
        region = pg.autocast("cuda")
    with region:
        assert not pg.is_autocast_enabled("cuda")
    with pytest.warns(FutureWarning, match=r"torch.amp.GradScaler\('cuda', args...\)"):
        pg.cuda.amp.GradScaler(enabled=False)
