"""Pictures of autograd graphs: Graphviz DOT text, and SVG/PNG files through ``graphviz``.

``to_dot(y)`` walks the graph behind ``y`` from its ``grad_fn``: backward nodes are named as
PyTorch names them (``MulBackward0``...), leaves (their ``AccumulateGrad`` nodes) show their
shape and, if you pass ``params={"w": w, ...}``, their name; the output is drawn as a box.

Examples
--------
>>> x = pluggrad.tensor([1.0, 2.0], requires_grad=True)
>>> print(pluggrad.viz.to_dot((x * x).sum(), params={"x": x}))  # doctest: +SKIP
"""

from __future__ import annotations

from ._core.graph import AccumulateGrad
from ._core.tensor import Tensor

__all__ = ["to_dot", "render"]


def _shape(t: Tensor) -> str:
    return str(tuple(t.shape))


def _quote(text: str) -> str:
    """A DOT string literal (``\\n`` in `text` stays a DOT line break)."""
    return '"' + text.replace('"', '\\"') + '"'


def to_dot(output: Tensor | tuple, params: dict | None = None, *, name: str = "autograd") -> str:
    """Graphviz DOT source of the graph that computes `output` (a tensor or several).

    Parameters
    ----------
    output : Tensor or tuple of Tensor
        What was computed; its ``grad_fn`` graph is drawn.
    params : dict of str to Tensor, optional
        Names for leaves, shown on their nodes.
    name : str
        The graph's name in the DOT source.
    """
    outputs = output if isinstance(output, (tuple, list)) else (output,)
    names = {id(t): n for n, t in (params or {}).items()}
    lines = [f"digraph {_quote(name)} {{", "  node [shape=box, style=filled, fontsize=11];"]
    ids: dict[int, str] = {}

    def node_id(node) -> str:
        if id(node) not in ids:
            ids[id(node)] = f"n{len(ids)}"
        return ids[id(node)]

    seen = set()
    stack = []
    for k, out in enumerate(outputs):
        label = f"output {k}\\n{_shape(out)}" if len(outputs) > 1 else f"output\\n{_shape(out)}"
        lines.append(f'  out{k} [label="{label}", fillcolor="#a6d5fa"];')
        if out.grad_fn is not None:
            lines.append(f"  {node_id(out.grad_fn)} -> out{k};")
            stack.append(out.grad_fn)
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if type(node) is AccumulateGrad:
            leaf = node.variable
            title = names.get(id(leaf), "")
            text = (title + "\\n" if title else "") + _shape(leaf)
            lines.append(f'  {node_id(node)} [label={_quote(text)}, fillcolor="#b7e4a7"];')
        else:  # torch's C++ node names drop their namespace, as torchviz shows them
            label = node.name().rpartition("::")[2]
            lines.append(f'  {node_id(node)} [label={_quote(label)}, fillcolor="#e8e8e8"];')
        for next_node, _ in node.next_functions:
            if next_node is not None:
                lines.append(f"  {node_id(next_node)} -> {node_id(node)};")
                stack.append(next_node)
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(output, path: str, params: dict | None = None, *, format: str = "svg") -> str:  # noqa: A002
    """Write a picture of the graph to ``path`` (without extension) and return the file name.

    Needs the ``graphviz`` Python package and Graphviz's ``dot`` program.
    """
    try:
        import graphviz  # noqa: PLC0415 - optional (pip install graphviz); to_dot needs none
    except ImportError as exc:
        raise ImportError(
            "rendering needs the graphviz package (pip install graphviz) and Graphviz's dot "
            "program; to_dot() gives the DOT text without them"
        ) from exc
    source = graphviz.Source(to_dot(output, params))
    return source.render(path, format=format, cleanup=True)
