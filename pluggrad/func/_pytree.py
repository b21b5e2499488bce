"""The pytrees of :mod:`pluggrad.func`: nested tuples, lists, dicts and namedtuples of leaves.

The transforms take and return such nests (``grad`` of a function of a dict of parameters,
``vmap`` over a tuple of tensors).  This is the part of ``torch.utils._pytree`` they use, with
its ``TreeSpec`` repr, since PyTorch's error messages print tree structures with it.  Anything
that is not one of these containers (a Tensor, a number, ``None``) is a leaf.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

__all__ = ["TreeSpec", "LEAF", "tree_flatten", "tree_unflatten", "tree_map",
           "broadcast_to_and_flatten", "treespec_pprint"]  # fmt: skip


def _is_namedtuple(value: Any) -> bool:
    return isinstance(value, tuple) and hasattr(type(value), "_fields")


class TreeSpec:
    """The structure of a pytree: a container type, its context (a dict's keys, a
    namedtuple's class) and the specs of its children; a leaf is :data:`LEAF`."""

    __slots__ = ("type", "context", "children", "num_leaves")
    num_leaves: int

    def __init__(self, type_: type | None, context: Any, children: list[TreeSpec]) -> None:
        self.type = type_
        self.context = context
        self.children = children
        self.num_leaves: int = 1 if type_ is None else sum(c.num_leaves for c in children)

    def is_leaf(self) -> bool:
        return self.type is None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TreeSpec):
            return NotImplemented
        return (
            self.type is other.type
            and self.context == other.context
            and self.children == other.children
        )

    def __hash__(self) -> int:
        return hash((self.type, len(self.children)))

    def __repr__(self, indent: int = 0) -> str:
        # torch.utils._pytree's layout: children after the first on their own lines
        if self.type is None:
            return "*"
        text = f"TreeSpec({self.type.__name__}, {self.context}, ["
        if self.children:
            indent += 2
            text += self.children[0].__repr__(indent)
            text += "," if len(self.children) > 1 else ""
            text += ",".join("\n" + " " * indent + c.__repr__(indent) for c in self.children[1:])
        return text + "])"


LEAF = TreeSpec(None, None, [])


def _children(tree: Any) -> tuple[type | None, Any, list]:
    """``(container type, context, children)``; the type is None for a leaf."""
    if _is_namedtuple(tree):
        return type(tree), type(tree), list(tree)
    if isinstance(tree, (tuple, list)):
        return type(tree) if type(tree) in (tuple, list) else None, None, list(tree)
    if isinstance(tree, OrderedDict):
        return OrderedDict, list(tree), list(tree.values())
    if type(tree) is dict:
        return dict, list(tree), list(tree.values())
    return None, None, []


def tree_flatten(tree: Any) -> tuple[list, TreeSpec]:
    """The leaves of `tree`, left to right, and its structure."""
    leaves: list = []

    def walk(node: Any) -> TreeSpec:
        kind, context, children = _children(node)
        if kind is None:
            leaves.append(node)
            return LEAF
        return TreeSpec(kind, context, [walk(c) for c in children])

    return leaves, walk(tree)


def tree_unflatten(leaves: list | tuple, spec: TreeSpec) -> Any:
    """The pytree of structure `spec` holding `leaves` (the inverse of :func:`tree_flatten`)."""
    it = iter(leaves)

    def build(node: TreeSpec) -> Any:
        if node.type is None:
            return next(it)
        values = [build(c) for c in node.children]
        if node.type in (dict, OrderedDict):
            return node.type(zip(node.context, values))
        if node.type is tuple or node.type is list:
            return node.type(values)
        return node.type(*values)  # a namedtuple

    return build(spec)


def tree_map(fn: Callable[[Any], Any], tree: Any) -> Any:
    """`tree` with `fn` applied to every leaf."""
    leaves, spec = tree_flatten(tree)
    return tree_unflatten([fn(leaf) for leaf in leaves], spec)


def broadcast_to_and_flatten(prefix: Any, spec: TreeSpec) -> list | None:
    """`prefix` (a tree whose structure is a prefix of `spec`'s) broadcast to `spec`'s
    leaves: a leaf of `prefix` stands for every leaf of the subtree it sits over.  None when
    the structures do not match (torch's ``_broadcast_to_and_flatten``)."""
    out: list = []

    def walk(node: Any, target: TreeSpec) -> bool:
        kind, context, children = _children(node)
        if kind is None:
            out.extend([node] * target.num_leaves)
            return True
        if kind is not target.type or len(children) != len(target.children):
            return False
        if kind in (dict, OrderedDict) and set(context) != set(target.context):
            return False
        if kind in (dict, OrderedDict):
            by_key = dict(zip(context, children))
            children = [by_key[k] for k in target.context]
        return all(walk(c, t) for c, t in zip(children, target.children))

    return out if walk(prefix, spec) else None


class _Asterisk(str):
    def __repr__(self) -> str:
        return "*"


def treespec_pprint(spec: TreeSpec) -> str:
    """`spec` written as its tree with ``*`` for the leaves: ``(*, [*], {'a': *})``."""
    return repr(tree_unflatten([_Asterisk("*")] * spec.num_leaves, spec))
