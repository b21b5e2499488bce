"""The Tensor's class declares, for type checkers, the operators attached to it from above.

pluggrad._core.tensor sits below the operations, so pluggrad._tensor_methods attaches Python's
operators at import time; the class names them in an ``if TYPE_CHECKING:`` block so that mypy
knows ``x + 1`` is a Tensor.  This keeps that list and the attached operators the same.
"""

from __future__ import annotations

import ast
import inspect

from pluggrad import _tensor_methods
from pluggrad._core import tensor


def _type_checking_declarations() -> set[str]:
    tree = ast.parse(inspect.getsource(tensor))
    (cls,) = (n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Tensor")
    (block,) = (
        n for n in cls.body if isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING"
    )
    names = set()
    for node in block.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.FunctionDef):
            names.add(node.name)
    return names


def test_every_attached_operator_is_declared_and_nothing_else():
    attached = {name for name in _tensor_methods._collect() if name.startswith("__")}
    attached.discard("__repr__")  # object declares it already
    declared = _type_checking_declarations()
    declared.discard("__getattr__")  # the named methods (x.sum()...), as Any
    assert declared == attached
