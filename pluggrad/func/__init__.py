"""``torch.func``: composable function transforms over pluggrad's autograd.

``grad``, ``grad_and_value``, ``vjp``, ``jvp``, ``linearize``, ``jacrev``, ``jacfwd``,
``hessian`` and ``vmap``, with ``functional_call``, ``stack_module_state`` and
``replace_all_batch_norm_modules_`` to use them on ``nn.Module`` s, under PyTorch's names,
signatures, output structures and error messages.

How they are built (see docs/func.md):

- the differentiating transforms take gradients with :func:`pluggrad.autograd.grad` with
  respect to copies of their inputs that they make themselves, so the inputs need not require
  grad; results carry a graph only when the caller differentiates through them (an enclosing
  ``grad``, or inputs that require grad), so ``grad(grad(f))`` and ``jacrev(jacrev(f))`` nest;
- ``jvp``, ``linearize`` and ``jacfwd`` use the double-vjp trick (pluggrad has no forward-mode
  dual numbers): correct, at about twice the cost of a vjp;
- ``vmap`` **loops in Python**: it calls ``func`` once per batch index on the sliced inputs and
  stacks the results (differentiably), as functorch's own fallback for operations without a
  batching rule does.  Per-sample work is not vectorised, so it costs one call per sample.
"""

from __future__ import annotations

from ._forward import hessian, jacfwd, jvp, linearize
from ._functional_call import functional_call, replace_all_batch_norm_modules_, stack_module_state
from ._reverse import grad, grad_and_value, jacrev, vjp
from ._vmap import vmap

__all__ = [
    "grad", "grad_and_value", "vjp", "jvp", "linearize", "jacrev", "jacfwd", "hessian",
    "vmap", "functional_call", "stack_module_state", "replace_all_batch_norm_modules_",
]  # fmt: skip
