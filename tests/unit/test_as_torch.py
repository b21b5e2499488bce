"""pluggrad.as_torch and ``python -m pluggrad run``: a script's ``import torch``, ``import
torch.nn as nn`` and ``from torch.utils.data import ...`` import pluggrad's modules.

Each test runs in a fresh interpreter: the import system's state (and PyTorch, where it is
installed and imported by other tests) must not leak between them."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = """
import sys
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import optim
from torch.optim.lr_scheduler import StepLR
from torch.utils.data import DataLoader, TensorDataset
import pluggrad

assert torch is pluggrad and nn is pluggrad.nn and F is pluggrad.nn.functional
assert optim is pluggrad.optim and DataLoader is pluggrad.utils.data.DataLoader
assert pluggrad.__spec__.name == "pluggrad" and pluggrad.nn.__spec__.name == "pluggrad.nn"
assert sys.modules["torch.nn.functional"] is pluggrad.nn.functional
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
opt = optim.SGD(model.parameters(), lr=0.1)
StepLR(opt, step_size=1)
loader = DataLoader(TensorDataset(torch.randn(8, 3), torch.randn(8, 1)), batch_size=4)
for x, y in loader:
    opt.zero_grad()
    F.mse_loss(model(x), y).backward()
    opt.step()
print(model[0].weight.dtype, model[0].weight.shape)  # as PyTorch prints them
print(__name__, sys.argv[1:], type(model[0].weight.grad).__module__)
"""


def _python(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


def test_a_script_runs_with_its_torch_imports_answered_by_pluggrad(tmp_path):
    path = tmp_path / "train.py"
    path.write_text(SCRIPT)
    for command in (["-m", "pluggrad", "run"], ["-m", "pluggrad.as_torch"]):
        done = _python(*command, str(path), "--epochs", "3")
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines()[-2:] == [
            "torch.float32 torch.Size([4, 3])",
            "__main__ ['--epochs', '3'] pluggrad",
        ]


def test_missing_names_and_uninstall(tmp_path):
    code = textwrap.dedent(
        """
        import sys, types
        import pluggrad.as_torch as as_torch

        with as_torch.installed():
            import torch.nn
            try:
                import torch.no_such_module
            except ModuleNotFoundError as exc:
                print(exc)
        assert not as_torch.is_installed()
        import pluggrad
        print(pluggrad.float64, pluggrad.Size([2]))
        assert not any(n == "torch" or n.startswith("torch.") for n in sys.modules)
        sys.modules["torch"] = types.ModuleType("torch")  # PyTorch, imported first
        try:
            as_torch.install()
        except RuntimeError as exc:
            print(str(exc).split(":")[-1].strip())
        assert not as_torch.is_installed()
        """
    )
    done = _python("-c", code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "No module named 'torch.no_such_module'",
        "pluggrad.float64 pluggrad.Size([2])",
        "install pluggrad.as_torch before anything imports torch",
    ]


def test_floating_point_warnings_of_pluggrads_kernels_are_silent(tmp_path):
    """PyTorch prints nothing for log(0) or x / 0; NumPy's kernels under pluggrad would warn on
    stderr.  The script's own NumPy calls still warn."""
    path = tmp_path / "log0.py"
    path.write_text(
        "import numpy as np\nimport torch\n"
        "x = torch.tensor([0.0, 1.0, -1.0])\n"
        "print(torch.log(x), x / 0, torch.sqrt(x))\n"
        "print(torch.tensor([70000.0]).half())\n"  # NumPy's cast warns of the overflow
        "np.log(np.zeros(1))\n"
    )
    done = _python("-W", "default", "-m", "pluggrad", "run", str(path))
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        "tensor([-inf, 0., nan]) tensor([nan, inf, -inf]) tensor([0., 1., nan])\n"
        "tensor([inf], dtype=torch.float16)\n"
    )
    assert done.stderr.count("RuntimeWarning") == 1
    assert "log0.py:6: RuntimeWarning: divide by zero encountered in log" in done.stderr
