"""The JAX backend: arrays are ``jax.Array``, so kernels run through XLA on CPU, GPU or TPU.

The package holds what is JAX's: the backend and its kernels (``_backend``), the
:class:`FormulaRunner` that compiles first-order derivative formulas (``_formula_runner``), and
the ``jax.jit`` path behind :func:`pluggrad.compile` (``_compile``, reached through
:meth:`JaxBackend.compile`), and ``jax.random`` streams for ``pluggrad.Generator``
(``_random``).  The registry loads it by name (``pluggrad.backends.jax:backend``); nothing else
in pluggrad imports it.

JAX disables float64 unless ``jax_enable_x64`` is set.  pluggrad's default float dtype is float32
(as in PyTorch), so enabling 64-bit types changes nothing for code that does not ask for float64,
while ``dtype=pluggrad.float64`` then really is float64.  Loading this backend therefore turns
``jax_enable_x64`` on, once, and says so in the docs; set ``PLUGGRAD_JAX_X64=0`` before the first
use to keep JAX's 32-bit mode (float64 requests then fail with a clear error).
"""

from __future__ import annotations

# checked first, so that the message names the pip extra even when the modules below were
# imported before (they import JAX themselves)
try:
    import jax  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised only without jax installed
    raise ImportError("the 'jax' backend needs JAX: pip install 'pluggrad[jax]'") from exc

from ._backend import JaxBackend
from ._formula_runner import FormulaRunner

__all__ = ["FormulaRunner", "JaxBackend", "backend"]

backend = JaxBackend()
