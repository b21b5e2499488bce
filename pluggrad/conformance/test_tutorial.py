"""The founding tutorial's examples, run verbatim with ``import pluggrad as torch``.

Each script in ``tutorial/`` is a code block of the tutorial as written for PyTorch; the
``.expected`` file beside it is what PyTorch 2.13 printed for it (object addresses masked).
pluggrad must print the same on every backend.
"""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys

import pytest

import pluggrad

HERE = pathlib.Path(__file__).parent / "tutorial"
SCRIPTS = sorted(HERE.glob("*.py"))
ADDRESS = re.compile(r"object at 0x[0-9a-f]+")
# the tutorial reads .grad of non-leaves on purpose (PyTorch warns there too)
pytestmark = pytest.mark.filterwarnings("ignore:The .grad attribute of a Tensor that is not a leaf")


def _as_pluggrad(source: str) -> str:
    return re.sub(r"^import torch$", "import pluggrad as torch", source, flags=re.M)


def _expected(script: pathlib.Path) -> str:
    return script.with_suffix(".expected").read_text(encoding="utf-8")


def test_all_examples_are_here():
    assert len(SCRIPTS) == 23


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_example_prints_what_torch_prints(script, backend, capsys, monkeypatch):
    pytest.importorskip("matplotlib") if "matplotlib" in script.read_text() else None
    monkeypatch.setenv("MPLBACKEND", "Agg")
    code = compile(_as_pluggrad(script.read_text(encoding="utf-8")), str(script), "exec")
    exec(code, {"__name__": "__main__"})
    out = ADDRESS.sub("object at 0x...", capsys.readouterr().out)
    assert out == _expected(script)


def test_example_12_accumulates_higher_order_grad(backend):
    """After the tutorial's last step, x.grad is 6 + 30 with the graph of the sum."""
    x = pluggrad.Tensor([1])
    x.requires_grad = True
    z = x**6
    with pytest.warns(UserWarning, match="reference cycle"):
        z.backward(create_graph=True)
    seen = []
    x.register_hook(seen.append)
    with pytest.warns(UserWarning):
        x.grad.backward(create_graph=True)
    assert repr(seen[0]) == "tensor([30.], grad_fn=<MulBackward0>)"
    assert repr(x.grad) == "tensor([36.], grad_fn=<AddBackward0>)"


@pytest.mark.parametrize("script", [HERE / "10_complex_graph.py"], ids=["10_complex_graph"])
def test_example_runs_as_a_script_selected_by_env_var(script, backend, tmp_path):
    """The same example as a separate process, the backend chosen by PLUGGRAD_BACKEND."""
    path = tmp_path / script.name
    path.write_text(
        _as_pluggrad(script.read_text(encoding="utf-8")) + ("\nprint(torch.get_backend().name)\n"),
        encoding="utf-8",
    )
    env = dict(os.environ, PLUGGRAD_BACKEND=backend.name, MPLBACKEND="Agg")
    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    out = ADDRESS.sub("object at 0x...", done.stdout)
    assert out == _expected(script) + backend.name + "\n"
