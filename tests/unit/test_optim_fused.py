"""pluggrad.optim._fused: Adam's update as NumPy kernels writing into the optimizer's arrays
gives the tensor path's values bit for bit, and its version counters."""

from __future__ import annotations

import numpy as np
import pytest

import pluggrad as pg
from pluggrad.optim import adam as adam_module

OPTIONS = [
    {},
    {"amsgrad": True},
    {"maximize": True},
    {"weight_decay": 0.1},
    {"weight_decay": 0.1, "decoupled_weight_decay": True},
    {"betas": (0.3, 0.9)},  # lerp's weight 0.7: PyTorch's second formula
    {"lr": 0.5, "eps": 1e-3, "betas": (0.0, 0.0)},
]


def _train(options: dict, dtype, fused: bool, monkeypatch) -> tuple[list, list, list]:
    calls = []

    def counting(*args, **kwargs):
        done = fused and real(*args, **kwargs)
        calls.append(done)
        return done

    real = adam_module.adam_update
    monkeypatch.setattr(adam_module, "adam_update", counting)
    rng = np.random.default_rng(0)
    params = [pg.tensor(rng.standard_normal(s), dtype=dtype, requires_grad=True)
              for s in [(5, 3), (3,), (), (300, 150)]]  # fmt: skip  # the last: blocks
    opt = pg.optim.Adam(params, **options)
    for step in range(4):
        opt.zero_grad()
        loss = sum(((p - step) ** 2 * (i + 1)).sum() for i, p in enumerate(params))
        loss.backward()
        opt.step()
    monkeypatch.setattr(adam_module, "adam_update", real)
    state = [
        (name, value.numpy().copy(), value._version)
        for p in params
        for name, value in opt.state[p].items()
    ]
    return [(p.detach().numpy().copy(), p._version) for p in params], state, calls


@pytest.mark.parametrize("dtype", [pg.float32, pg.float64])
@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: ",".join(o) or "defaults")
def test_fused_update_is_the_tensor_path_bit_for_bit(options, dtype, monkeypatch):
    with pg.use_backend("numpy"):
        fused_params, fused_state, fused_calls = _train(options, dtype, True, monkeypatch)
        plain_params, plain_state, plain_calls = _train(options, dtype, False, monkeypatch)
    assert all(fused_calls) and len(fused_calls) == 16  # the kernels ran at every update
    assert not any(plain_calls)
    for (a, version_a), (b, version_b) in zip(fused_params, plain_params):
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes()
        assert version_a == version_b
    for (name_a, a, version_a), (name_b, b, version_b) in zip(fused_state, plain_state):
        assert name_a == name_b and a.tobytes() == b.tobytes(), name_a
        assert version_a == version_b, name_a


def test_a_parameter_that_is_a_view_is_updated_through_its_base():
    with pg.use_backend("numpy"):
        base = pg.zeros(6, requires_grad=True)
        view = base.detach()[:3]  # a view among the parameters: written through its base
        view.requires_grad_()
        opt = pg.optim.Adam([view], lr=0.1)
        view.grad = pg.ones(3)
        opt.step()
        np.testing.assert_allclose(base.detach().numpy()[:3], -0.1, rtol=1e-6)
        np.testing.assert_array_equal(base.detach().numpy()[3:], 0)


def test_a_parameter_made_of_a_tensor_shares_the_update():
    with pg.use_backend("numpy"):
        data = pg.zeros(4)
        seen = data[1:]  # a view of the tensor the parameter was made of
        p = pg.nn.Parameter(data)
        opt = pg.optim.Adam([p], lr=0.1)
        p.grad = pg.ones(4)
        version = p._version
        opt.step()
        with pg.no_grad():
            p.mul_(2.0)  # the in-place methods write into the shared array too
        np.testing.assert_allclose(data.numpy(), -0.2, rtol=1e-6)
        np.testing.assert_allclose(seen.numpy(), -0.2, rtol=1e-6)
        assert p._version == data._version == version + 2
