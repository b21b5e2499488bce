"""Op-database records of the samplers (:mod:`pluggrad.ops.random`): none.

PyTorch defines the samplers' gradients as zero (``NormalBackward1``, ``UniformBackward0``...),
which finite differences of a sample path do not see, so gradcheck cannot check them;
``test_random.py`` checks their nodes and zero gradients on every backend instead.
"""

from __future__ import annotations

from ._base import OpRecord

RECORDS: list[OpRecord] = []
