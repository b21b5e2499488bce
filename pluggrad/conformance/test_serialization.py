"""``pluggrad.save``/``pluggrad.load``: checkpoints round trip (tensors keep their values,
dtype, backend, ``requires_grad`` and Parameter type; training resumes identically), and a
weights-only load refuses anything but tensors and built-in containers."""

from __future__ import annotations

import io
import pickle

import numpy as np
import pytest

import pluggrad as pg
from pluggrad import nn, optim


def _round_trip(obj, **load_args):
    buffer = io.BytesIO()
    pg.save(obj, buffer)
    buffer.seek(0)
    return pg.load(buffer, **load_args)


def _train(model, opt, steps):
    x = pg.linspace(-1, 1, 12, dtype=pg.float64).reshape(4, 3)
    for _ in range(steps):
        opt.zero_grad()
        loss = (model(x) ** 2).mean()
        loss.backward()
        opt.step()
    return loss.item()


def _model():
    pg.manual_seed(4)
    return nn.Sequential(nn.Linear(3, 5), nn.BatchNorm1d(5), nn.Tanh(), nn.Linear(5, 1)).double()


def test_tensors_round_trip(backend):
    t = pg.tensor([[1.5, -2.0]], dtype=pg.float64, requires_grad=True)
    back = _round_trip({"t": t, "n": 3, "s": "x", "l": [pg.arange(3)]})
    assert back["t"].dtype == pg.float64 and back["t"].requires_grad
    assert back["t"].tolist() == [[1.5, -2.0]] and back["t"]._backend is t._backend
    assert back["l"][0].tolist() == [0, 1, 2] and back["n"] == 3
    p = _round_trip(nn.Parameter(pg.ones(2)))
    assert type(p) is nn.Parameter and p.requires_grad


def test_training_resumes_from_a_checkpoint(backend, tmp_path):
    model, opt = _model(), None
    opt = optim.Adam(model.parameters(), lr=0.05)
    _train(model, opt, 3)
    path = tmp_path / "checkpoint.pt"
    pg.save({"model": model.state_dict(), "optimizer": opt.state_dict()}, path)
    expected = _train(model, opt, 3)

    restored = _model()
    restored_opt = optim.Adam(restored.parameters(), lr=0.05)
    checkpoint = pg.load(path)
    restored.load_state_dict(checkpoint["model"])
    restored_opt.load_state_dict(checkpoint["optimizer"])
    assert _train(restored, restored_opt, 3) == pytest.approx(expected, rel=1e-12)


def test_weights_only_refuses_other_objects(backend):
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        _round_trip({"model": _model()})
    model = _round_trip(_model(), weights_only=False)
    assert isinstance(model, nn.Sequential)
    np.testing.assert_array_equal(
        model[0].weight.detach().numpy(), _model()[0].weight.detach().numpy()
    )


def test_map_location(backend):
    back = _round_trip({"w": nn.Parameter(pg.ones(2))}, map_location="cpu")
    assert back["w"].device.type == "cpu" and isinstance(back["w"], nn.Parameter)
