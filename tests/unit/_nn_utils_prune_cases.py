"""The programs behind ``test_nn_utils_prune``: each case takes a library ``T`` (torch when
``_regenerate_nn_utils_parametrize.py`` records the expected results, pluggrad in the test)
and the stored inputs, and returns what it observed as JSON-ready values.

Cases named in :data:`SEEDED` draw from the default generator (random pruning): pluggrad
draws PyTorch's numbers on the NumPy backend only, so the test runs them there.  The inputs
have no ties in magnitude or norm, where PyTorch's ``topk`` and the backends' may differ.
"""

from __future__ import annotations

from typing import Any

from ._nn_utils_param_cases import _error, _grads, _linear, _t, _v

SEEDED = {"random_pruning_seeded"}


def _state(m: Any) -> dict:
    return {
        "params": [n for n, _ in m.named_parameters()],
        "buffers": [n for n, _ in m.named_buffers()],
        "keys": list(m.state_dict()),
        "hooks": [type(h).__name__ for h in m._forward_pre_hooks.values()],
    }


def case_l1_unstructured(T: Any, d: dict) -> dict:
    prune = T.nn.utils.prune
    m = _linear(T, d["w43"], d["b4"])
    prune.l1_unstructured(m, "weight", amount=0.3)
    out = {"after": _state(m), "mask": _v(m.weight_mask), "weight": _v(m.weight),
           "pruned": prune.is_pruned(m)}  # fmt: skip
    y = m(_t(T, d["x23"]))
    (y**2).sum().backward()
    out["y"], out["grads"] = _v(y), _grads(m)
    prune.l1_unstructured(m, "weight", amount=3)
    out["again"] = [_state(m), _v(m.weight_mask), len(m._forward_pre_hooks[
        next(iter(m._forward_pre_hooks))])]  # fmt: skip
    prune.l1_unstructured(m, "bias", amount=1, importance_scores=_t(T, d["u4"]))
    out["bias_mask"] = _v(m.bias_mask)
    prune.remove(m, "weight")
    out["removed"] = [_state(m), _v(m.weight), type(m.weight).__name__]
    return out


def case_ln_structured(T: Any, d: dict) -> dict:
    prune = T.nn.utils.prune
    out: dict = {}
    for key, n, dim in [("l2_rows", 2, 0), ("l1_cols", 1, -1), ("inf_rows", float("inf"), 0)]:
        m = _linear(T, d["w43"], d["b4"])
        prune.ln_structured(m, "weight", amount=0.5, n=n, dim=dim)
        out[key] = [_v(m.weight_mask), _v(m.weight)]
    conv = T.nn.Conv2d(3, 4, 2, dtype=T.float64)
    with T.no_grad():
        conv.weight.copy_(_t(T, d["conv_w"]))
    prune.ln_structured(conv, "weight", amount=1, n=2, dim=0)
    prune.l1_unstructured(conv, "weight", amount=0.25)
    out["conv"] = [_v(conv.weight_mask.sum(dim=(1, 2, 3))), _v(conv.weight_mask[0].reshape(-1))]
    prune.identity(conv, "bias")
    out["identity"] = [_v(conv.bias_mask), _state(conv)]
    return out


def case_global_and_custom(T: Any, d: dict) -> dict:
    prune = T.nn.utils.prune
    a = _linear(T, d["w43"], d["b4"])
    b = _linear(T, d["w33"], d["b3"])
    prune.global_unstructured(
        [(a, "weight"), (b, "weight")], pruning_method=prune.L1Unstructured, amount=0.4
    )
    c = _linear(T, d["w33"], d["b3"])
    prune.custom_from_mask(c, "weight", mask=_t(T, d["w33"]) > 0)
    return {
        "a": _v(a.weight_mask), "b": _v(b.weight_mask), "c": _v(c.weight_mask),
        "c_weight": _v(c.weight), "state": _state(a),
        "t_prune": _v(prune.L1Unstructured(amount=2).prune(_t(T, d["b4"]))),
    }  # fmt: skip


def case_prune_errors(T: Any, d: dict) -> dict:
    prune = T.nn.utils.prune
    lin = _linear(T, d["w43"], d["b4"])
    return {
        "amount_type": _error(lambda: prune.l1_unstructured(lin, "weight", amount="x")),
        "amount_range": _error(lambda: prune.l1_unstructured(lin, "weight", amount=1.5)),
        "amount_negative": _error(lambda: prune.l1_unstructured(lin, "weight", amount=-1)),
        "amount_big": _error(lambda: prune.l1_unstructured(lin, "weight", amount=13)),
        "structured_1d": _error(lambda: prune.ln_structured(lin, "bias", 1, 2, 0)),
        "dim": _error(lambda: prune.ln_structured(lin, "weight", 1, 2, 2)),
        "remove": _error(lambda: prune.remove(lin, "weight")),
        "global_type": _error(lambda: prune.global_unstructured(
            [(lin, "weight")], prune.LnStructured, amount=1, n=2, dim=0)),
        "after": [n for n, _ in lin.named_parameters()],
    }  # fmt: skip


def case_random_pruning_seeded(T: Any, d: dict) -> dict:
    prune = T.nn.utils.prune
    T.manual_seed(3)
    m = _linear(T, d["w43"], d["b4"])
    prune.random_unstructured(m, "weight", amount=0.5)
    s = _linear(T, d["w43"], d["b4"])
    prune.random_structured(s, "weight", amount=2, dim=0)
    return {"unstructured": _v(m.weight_mask), "structured": _v(s.weight_mask)}


CASES = {name[len("case_") :]: fn for name, fn in globals().items() if name.startswith("case_")}
