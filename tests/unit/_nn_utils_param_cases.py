"""The programs behind ``test_nn_utils_parametrize``: each case takes a library ``T`` (torch
when ``_regenerate_nn_utils_parametrize.py`` records the expected results, pluggrad in the
test) and the stored inputs, and returns what it observed as JSON-ready values.

Cases named in :data:`SEEDED` draw from the default generator after ``T.manual_seed`` (the
spectral norm's ``u``/``v``, the orthogonal completion of a rectangular matrix): pluggrad
draws PyTorch's numbers on the NumPy backend only, so the test runs them there.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

SEEDED = {"spectral_norm_seeded", "old_spectral_norm_seeded", "orthogonal_tall_seeded"}


def make_inputs() -> dict[str, Any]:
    """The inputs of every case (float64 values, drawn once by the regeneration script)."""
    rng = np.random.default_rng(20261203)

    def draw(*shape: int) -> list:
        return rng.standard_normal(shape).round(6).tolist()  # type: ignore[no-any-return]

    return {
        "w33": draw(3, 3), "b3": draw(3), "x23": draw(2, 3), "w43": draw(4, 3), "b4": draw(4),
        "x53": draw(5, 3), "w53": draw(5, 3), "w35": draw(3, 5), "x25": draw(2, 5),
        "conv_w": draw(4, 3, 2, 2), "conv_b": draw(4), "img": draw(2, 3, 5, 5),
        "convt_w": draw(3, 4, 2, 2), "convt_b": draw(4),
        "bn_mean": draw(4), "bn_var": (np.abs(draw(4)) + 0.5).tolist(), "bn_w": draw(4),
        "bn_b": draw(4), "u4": draw(4), "v3": draw(3), "u5": draw(5),
        "w44": draw(4, 4), "x24": draw(2, 4),
    }  # fmt: skip


def _t(T: Any, data: Any) -> Any:
    return T.tensor(data, dtype=T.float64)


def _v(t: Any) -> Any:
    return None if t is None else t.detach().tolist()


def _linear(T: Any, w: Any, b: Any) -> Any:
    w, b = _t(T, w), _t(T, b)
    m = T.nn.Linear(w.shape[1], w.shape[0], dtype=T.float64)
    with T.no_grad():
        m.weight.copy_(w)
        m.bias.copy_(b)
    return m


def _symmetric(T: Any) -> Any:
    class Symmetric(T.nn.Module):
        def forward(self, X):
            return X.triu() + X.triu(1).transpose(-1, -2)

        def right_inverse(self, A):
            return A.triu()

    return Symmetric()


def _scale(T: Any) -> Any:
    class Scale(T.nn.Module):
        def __init__(self):
            super().__init__()
            self.s = T.nn.Parameter(T.tensor(2.0, dtype=T.float64))

        def forward(self, X):
            return self.s * X

    return Scale()


def _grads(m: Any) -> dict:
    return {n: _v(p.grad) for n, p in m.named_parameters()}


def _error(fn: Any) -> list:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the old weight_norm's deprecation, here expected
            fn()
    except Exception as e:
        return [type(e).__name__, str(e)]
    return ["no error", ""]


def case_symmetric(T: Any, d: dict) -> dict:
    P = T.nn.utils.parametrize
    m = _linear(T, d["w33"], d["b3"])
    original = m.weight
    P.register_parametrization(m, "weight", _symmetric(T))
    out = m(_t(T, d["x23"]))
    (out**2).sum().backward()
    return {
        "repr": repr(m), "type": type(m).__name__,
        "before": P.type_before_parametrizations(m).__name__,
        "keys": list(m.state_dict()), "params": [n for n, _ in m.named_parameters()],
        "same_original": m.parametrizations.weight.original is original,
        "original": _v(m.parametrizations.weight.original), "weight": _v(m.weight),
        "out": _v(out), "grads": _grads(m),
        "is_p": [P.is_parametrized(m), P.is_parametrized(m, "weight"),
                 P.is_parametrized(m, "bias")],
    }  # fmt: skip


def case_stacked(T: Any, d: dict) -> dict:
    P = T.nn.utils.parametrize
    m = _linear(T, d["w33"], d["b3"])
    P.register_parametrization(m, "weight", _symmetric(T))
    P.register_parametrization(m, "weight", _scale(T))
    P.register_parametrization(m, "bias", _scale(T))
    out = m(_t(T, d["x23"]))
    out.sum().backward()
    with P.cached():
        cached_same = m.weight is m.weight
    plist = m.parametrizations.weight
    return {
        "repr": repr(m), "keys": list(m.state_dict()),
        "params": [n for n, _ in m.named_parameters()], "cached_same": cached_same,
        "uncached_same": m.weight is m.weight, "len": len(plist), "out": _v(out),
        "grads": _grads(m), "plist_type": type(plist).__name__,
    }  # fmt: skip


def case_right_inverse_and_remove(T: Any, d: dict) -> dict:
    P = T.nn.utils.parametrize
    m = _linear(T, d["w33"], d["b3"])
    P.register_parametrization(m, "weight", _symmetric(T))
    m.weight = _t(T, d["w33"]) * 3
    after_assign = (_v(m.parametrizations.weight.original), _v(m.weight))
    kept = P.remove_parametrizations(m, "weight", leave_parametrized=True)
    left = (type(kept).__name__, _v(kept.weight), type(kept.weight).__name__, repr(kept))
    m2 = _linear(T, d["w33"], d["b3"])
    P.register_parametrization(m2, "weight", _symmetric(T))
    P.remove_parametrizations(m2, "weight", leave_parametrized=False)
    buf = T.nn.BatchNorm1d(3, dtype=T.float64)
    P.register_parametrization(buf, "running_var", _scale(T), unsafe=True)
    return {
        "after_assign": after_assign, "left": left, "unleft": _v(m2.weight),
        "has_param_attr": hasattr(m2, "parametrizations"),
        "buffer_keys": list(buf.state_dict()), "running_var": _v(buf.running_var),
    }  # fmt: skip


def case_transfer(T: Any, d: dict) -> dict:
    P = T.nn.utils.parametrize
    src = _linear(T, d["w33"], d["b3"])
    P.register_parametrization(src, "weight", _symmetric(T))
    dst = _linear(T, d["w33"], d["b3"])
    with T.no_grad():
        dst.weight.zero_()
    P.transfer_parametrizations_and_params(src, dst)
    plain = T.nn.Module()
    P.transfer_parametrizations_and_params(src, plain, "weight")
    return {
        "dst": _v(dst.weight), "shared": dst.parametrizations.weight.original
        is src.parametrizations.weight.original, "keys": list(dst.state_dict()),
        "plain_keys": list(plain.state_dict()), "plain": _v(plain.weight),
    }  # fmt: skip


def case_errors(T: Any, d: dict) -> dict:
    P = T.nn.utils.parametrize

    class Shrink(T.nn.Module):
        def forward(self, X):
            return X[:-1]

    class ToFloat32(T.nn.Module):
        def forward(self, X):
            return X.float()

    class NoInverse(T.nn.Module):
        def forward(self, X):
            return X

    def stacked_shape():
        m = _linear(T, d["w33"], d["b3"])
        P.register_parametrization(m, "weight", _symmetric(T))
        P.register_parametrization(m, "weight", Shrink())

    def assign_without_inverse():
        m = _linear(T, d["w33"], d["b3"])
        P.register_parametrization(m, "weight", NoInverse())
        m.weight = _t(T, d["w33"])

    def leave_several():
        m = T.nn.utils.parametrizations.weight_norm(_linear(T, d["w33"], d["b3"]))
        P.remove_parametrizations(m, "weight", leave_parametrized=False)

    lin = _linear(T, d["w33"], d["b3"])
    return {
        "missing": _error(lambda: P.register_parametrization(lin, "foo", _symmetric(T))),
        "shape": _error(lambda: P.register_parametrization(lin, "weight", Shrink())),
        "dtype": _error(lambda: P.register_parametrization(lin, "weight", ToFloat32())),
        "stacked_shape": _error(stacked_shape),
        "no_inverse": _error(assign_without_inverse),
        "not_parametrized": _error(lambda: P.remove_parametrizations(lin, "weight")),
        "leave_several": _error(leave_several),
        "empty_list": _error(lambda: P.ParametrizationList([], _t(T, d["b3"]))),
        "orth_1d": _error(lambda: T.nn.utils.parametrizations.orthogonal(lin, "bias")),
        "orth_map": _error(lambda: T.nn.utils.parametrizations.orthogonal(lin, "weight", "x")),
        "sn_missing": _error(lambda: T.nn.utils.parametrizations.spectral_norm(lin, "foo")),
        "sn_iters": _error(lambda: T.nn.utils.parametrizations.spectral_norm(lin, "weight", 0)),
        "sn_dim": _error(lambda: T.nn.utils.parametrizations.spectral_norm(lin, "weight", dim=2)),
        "old_remove_wn": _error(lambda: T.nn.utils.remove_weight_norm(lin)),
        "old_remove_sn": _error(lambda: T.nn.utils.remove_spectral_norm(lin)),
    }  # fmt: skip


def case_weight_norm(T: Any, d: dict) -> dict:
    wn = T.nn.utils.parametrizations.weight_norm
    out: dict = {}
    for dim in (0, 1, None):
        m = wn(_linear(T, d["w43"], d["b4"]), dim=dim)
        y = m(_t(T, d["x23"]))
        (y**2).sum().backward()
        plist = m.parametrizations.weight
        out[str(dim)] = {
            "g": _v(plist.original0), "v": _v(plist.original1), "weight": _v(m.weight),
            "out": _v(y), "grads": _grads(m), "keys": list(m.state_dict()),
        }  # fmt: skip
    conv = T.nn.Conv2d(3, 4, 2, dtype=T.float64)
    with T.no_grad():
        conv.weight.copy_(_t(T, d["conv_w"]))
        conv.bias.copy_(_t(T, d["conv_b"]))
    wn(conv)
    y = conv(_t(T, d["img"]))
    y.sum().backward()
    out["conv"] = {"repr": repr(conv), "g": _v(conv.parametrizations.weight.original0),
                   "y": _v(y[0, :, 0]), "grads": _grads(conv)}  # fmt: skip
    m = wn(_linear(T, d["w43"], d["b4"]))
    m.weight = _t(T, d["w43"]) * 2
    out["assign"] = [_v(m.parametrizations.weight.original0), _v(m.weight)]
    T.nn.utils.parametrize.remove_parametrizations(m, "weight")
    out["removed"] = [_v(m.weight), type(m.weight).__name__, m.weight.requires_grad]
    return out


def _spectral(T: Any, d: dict, seeded: bool) -> dict:
    sn = T.nn.utils.parametrizations.spectral_norm
    if seeded:
        T.manual_seed(0)
    m = sn(_linear(T, d["w43"], d["b4"]), n_power_iterations=2)
    p = m.parametrizations.weight[0]
    if not seeded:
        with T.no_grad():
            p._u.copy_(_t(T, d["u4"]))
            p._v.copy_(_t(T, d["v3"]))
    state0 = (_v(p._u), _v(p._v))
    y = m(_t(T, d["x23"]))
    y.sum().backward()
    state1 = (_v(p._u), _v(p._v))
    m.eval()
    w_eval = _v(m.weight)
    state2 = (_v(p._u), _v(p._v))
    return {
        "state0": state0, "y": _v(y), "grads": _grads(m), "state1": state1,
        "w_eval": w_eval, "state2": state2, "keys": list(m.state_dict()),
        "buffers": [n for n, _ in m.named_buffers()],
    }  # fmt: skip


def case_spectral_norm(T: Any, d: dict) -> dict:
    out = _spectral(T, d, seeded=False)
    sn = T.nn.utils.parametrizations.spectral_norm
    vec = T.nn.Module()
    vec.w = T.nn.Parameter(_t(T, d["b4"]))
    sn(vec, "w")
    out["vector"] = _v(vec.w)
    convt = T.nn.ConvTranspose2d(3, 4, 2, dtype=T.float64)
    with T.no_grad():
        convt.weight.copy_(_t(T, d["convt_w"]))
    sn(convt)
    p = convt.parametrizations.weight[0]
    out["convt"] = [p.dim, list(p._u.shape), list(p._v.shape)]
    return out


def case_spectral_norm_seeded(T: Any, d: dict) -> dict:
    return _spectral(T, d, seeded=True)


def _orth_weights(T: Any, m: Any) -> dict:
    W = m.weight
    (W**3).sum().backward()
    p = m.parametrizations.weight
    base = getattr(p[0], "base", None)
    return {"weight": _v(W), "original": _v(p.original), "base": _v(base),
            "grad": _v(p.original.grad)}  # fmt: skip


def case_orthogonal(T: Any, d: dict) -> dict:
    orth = T.nn.utils.parametrizations.orthogonal
    out: dict = {}
    for key, w, kwargs in [
        ("square_default", "w44", {}),
        ("square_cayley", "w44", {"orthogonal_map": "cayley"}),
        ("square_householder", "w44", {"orthogonal_map": "householder"}),
        ("tall_householder_plain", "w53", {"use_trivialization": False}),
        ("wide_householder_plain", "w35", {"use_trivialization": False}),
        ("square_exp_plain", "w44", {"use_trivialization": False}),
        ("tall_cayley_plain", "w53", {"orthogonal_map": "cayley", "use_trivialization": False}),
    ]:
        m = _linear(T, d[w], d["b" + str(len(d[w]))] if w != "w53" else d["u5"])
        orth(m, **kwargs)
        out[key] = _orth_weights(T, m)
    m = orth(_linear(T, d["w44"], d["b4"]))
    m.weight = _t(T, d["w44"])
    out["assign"] = [_v(m.weight), _v(m.parametrizations.weight[0].base)]
    out["repr"] = repr(m)
    out["keys"] = list(m.state_dict())
    plain = orth(_linear(T, d["w44"], d["b4"]), use_trivialization=False)
    out["assign_plain"] = _error(lambda: setattr(plain, "weight", _t(T, d["w44"])))
    return out


def _complex(t: Any) -> Any:
    return [t.detach().real.tolist(), t.detach().imag.tolist()]


def case_orthogonal_complex_and_batched(T: Any, d: dict) -> dict:
    orth = T.nn.utils.parametrizations.orthogonal
    w = _t(T, d["w33"]) + 1j * _t(T, d["w33"]).T.flip(0)
    out: dict = {}
    for key in ("matrix_exp", "cayley"):
        m = T.nn.Module()
        m.weight = T.nn.Parameter(w.clone())
        orth(m, orthogonal_map=key)
        out[key] = _complex(m.weight)
    out["householder"] = _error(lambda: orth(m, orthogonal_map="householder"))
    batch = T.nn.Module()
    batch.w = T.nn.Parameter(T.stack([_t(T, d["w44"]), _t(T, d["w44"]).T]))
    orth(batch, "w")
    tall = T.nn.Module()
    tall.w = T.nn.Parameter(T.stack([_t(T, d["w53"]), -_t(T, d["w53"])]))
    orth(tall, "w", use_trivialization=False)
    return {**out, "batched": _v(batch.w), "batched_tall": _v(tall.w),
            "batched_tall_original": _v(tall.parametrizations.w.original)}  # fmt: skip


def case_spectral_norm_conv(T: Any, d: dict) -> dict:
    conv = T.nn.Conv2d(3, 4, 2, dtype=T.float64)
    with T.no_grad():
        conv.weight.copy_(_t(T, d["conv_w"]))
        conv.bias.copy_(_t(T, d["conv_b"]))
    T.nn.utils.parametrizations.spectral_norm(conv, n_power_iterations=3, eps=1e-6)
    p = conv.parametrizations.weight[0]
    with T.no_grad():
        p._u.copy_(_t(T, d["u4"]))
        p._v.copy_(_t(T, d["conv_w"])[0].reshape(-1))
    y = conv(_t(T, d["img"]))
    y.sum().backward()
    convt = T.nn.ConvTranspose2d(3, 4, 2, dtype=T.float64)
    with T.no_grad():
        convt.weight.copy_(_t(T, d["convt_w"]))
        convt.bias.copy_(_t(T, d["convt_b"]))
    T.nn.utils.spectral_norm(convt)
    with T.no_grad():
        convt.weight_u.copy_(_t(T, d["u4"]))
        convt.weight_v.copy_(_t(T, d["convt_w"])[:, 0].reshape(-1))
    yt = convt(_t(T, d["img"]))
    return {
        "weight": _v(conv.weight), "u": _v(p._u), "grads": _grads(conv),
        "old_convt": [_v(convt.weight), _v(convt.weight_u), _v(yt[0, 0, 0])],
    }  # fmt: skip


def case_orthogonal_tall_seeded(T: Any, d: dict) -> dict:
    T.manual_seed(0)
    m = T.nn.utils.parametrizations.orthogonal(_linear(T, d["w53"], d["u5"]))
    return _orth_weights(T, m)


def _old_spectral(T: Any, d: dict, seeded: bool) -> dict:
    if seeded:
        T.manual_seed(0)
    m = T.nn.utils.spectral_norm(_linear(T, d["w43"], d["b4"]))
    if not seeded:
        with T.no_grad():
            m.weight_u.copy_(_t(T, d["u4"]))
            m.weight_v.copy_(_t(T, d["v3"]))
    state0 = (_v(m.weight_u), _v(m.weight_v))
    y = m(_t(T, d["x23"]))
    y.sum().backward()
    out = {
        "state0": state0, "y": _v(y), "grads": _grads(m), "weight": _v(m.weight),
        "state1": (_v(m.weight_u), _v(m.weight_v)), "keys": list(m.state_dict()),
        "params": [n for n, _ in m.named_parameters()],
        "buffers": [n for n, _ in m.named_buffers()],
        "again": _error(lambda: T.nn.utils.spectral_norm(m)),
    }  # fmt: skip
    m.eval()
    out["y_eval"] = _v(m(_t(T, d["x23"])))
    T.nn.utils.remove_spectral_norm(m)
    out["removed"] = [_v(m.weight), type(m.weight).__name__, list(m.state_dict())]
    return out


def case_old_spectral_norm(T: Any, d: dict) -> dict:
    return _old_spectral(T, d, seeded=False)


def case_old_spectral_norm_seeded(T: Any, d: dict) -> dict:
    return _old_spectral(T, d, seeded=True)


def case_old_weight_norm(T: Any, d: dict) -> dict:
    out: dict = {}
    for dim in (0, None):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            m = T.nn.utils.weight_norm(_linear(T, d["w43"], d["b4"]), dim=dim)
        y = m(_t(T, d["x23"]))
        (y**2).sum().backward()
        out[str(dim)] = {
            "warnings": [(w.category.__name__, str(w.message)) for w in caught],
            "g": _v(m.weight_g), "v": _v(m.weight_v), "y": _v(y), "grads": _grads(m),
            "keys": list(m.state_dict()), "weight_type": type(m.weight).__name__,
            "again": _error(lambda m=m: T.nn.utils.weight_norm(m)),
        }  # fmt: skip
        T.nn.utils.remove_weight_norm(m)
        out[str(dim)]["removed"] = [_v(m.weight), list(m.state_dict())]
    return out


def case_checkpoint_formats(T: Any, d: dict) -> dict:
    utils = T.nn.utils
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        old = T.nn.Sequential(utils.weight_norm(_linear(T, d["w43"], d["b4"])))
    new = T.nn.Sequential(utils.parametrizations.weight_norm(_linear(T, d["w43"], d["u4"])))
    loaded = repr(new.load_state_dict(old.state_dict()))
    sn = utils.spectral_norm(_linear(T, d["w43"], d["b4"]))
    with T.no_grad():
        sn.weight_u.copy_(_t(T, d["u4"]))
        sn.weight_v.copy_(_t(T, d["v3"]))
    sn(_t(T, d["x23"]))
    sd = sn.state_dict()
    # the format before version 1: the normalized weight saved, no weight_v
    v0 = type(sd)((k, v) for k, v in sd.items() if k != "weight_v")
    v0["weight"] = sn.weight.detach()
    target = utils.spectral_norm(_linear(T, d["w43"], d["u4"]))
    v0_loaded = repr(target.load_state_dict(v0))
    target.eval()
    target(_t(T, d["x23"]))
    partial = repr(target.load_state_dict({"bias": _t(T, d["b4"])}, strict=False))
    utils.remove_spectral_norm(target)
    return {
        "loaded": loaded, "weight": _v(new[0].weight), "metadata": dict(sd._metadata),
        "v0_loaded": v0_loaded, "v0_v": _v(target.weight), "partial": partial,
        "removed_metadata": dict(target.state_dict()._metadata),
    }  # fmt: skip


def _bn(T: Any, d: dict, cls: str) -> Any:
    bn = getattr(T.nn, cls)(4, dtype=T.float64)
    with T.no_grad():
        bn.running_mean.copy_(_t(T, d["bn_mean"]))
        bn.running_var.copy_(_t(T, d["bn_var"]))
        bn.weight.copy_(_t(T, d["bn_w"]))
        bn.bias.copy_(_t(T, d["bn_b"]))
    return bn.eval()


def case_fusion(T: Any, d: dict) -> dict:
    fusion = T.nn.utils
    conv = T.nn.Conv2d(3, 4, 2, dtype=T.float64)
    convt = T.nn.ConvTranspose2d(3, 4, 2, dtype=T.float64)
    with T.no_grad():
        conv.weight.copy_(_t(T, d["conv_w"]))
        conv.bias.copy_(_t(T, d["conv_b"]))
        convt.weight.copy_(_t(T, d["convt_w"]))
        convt.bias.copy_(_t(T, d["convt_b"]))
    bn = _bn(T, d, "BatchNorm2d")
    fused = fusion.fuse_conv_bn_eval(conv.eval(), bn)
    fused_t = fusion.fuse_conv_bn_eval(convt.eval(), bn, transpose=True)
    lin = _linear(T, d["w43"], d["b4"]).eval()
    fused_l = fusion.fuse_linear_bn_eval(lin, _bn(T, d, "BatchNorm1d"))
    w, b = fusion.fuse_conv_bn_weights(
        _t(T, d["conv_w"]), None, _t(T, d["bn_mean"]), _t(T, d["bn_var"]), 1e-3, None, None
    )
    img = _t(T, d["img"])
    return {
        "conv": [_v(fused.weight), _v(fused.bias), _v(fused(img)[0, :, 0])],
        "conv_is_copy": fused is not conv and fused.weight is not conv.weight,
        "convt": [_v(fused_t.weight), _v(fused_t.bias)],
        "linear": [_v(fused_l.weight), _v(fused_l.bias), _v(fused_l(_t(T, d["x23"])))],
        "weights": [_v(w), _v(b), type(w).__name__, w.requires_grad, b.requires_grad],
        "train": _error(lambda: fusion.fuse_conv_bn_eval(conv.train(), bn)),
        "features": _error(
            lambda: fusion.fuse_linear_bn_eval(
                _linear(T, d["w33"], d["b3"]).eval(), _bn(T, d, "BatchNorm1d")
            )
        ),
    }  # fmt: skip


CASES = {name[len("case_") :]: fn for name, fn in globals().items() if name.startswith("case_")}
