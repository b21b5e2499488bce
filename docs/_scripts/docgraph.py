"""Pictures of autograd graphs for the documentation, from :func:`pluggrad.viz.to_dot`.

:func:`svg` turns DOT text into an inline SVG picture: with Graphviz's ``dot`` program when it is
installed, otherwise with the small layered layout below (enough for the DOT that ``to_dot``
writes: boxes with labels and fill colours, and edges), so that the documentation builds the
same pictures on a machine that has only Python packages.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess

_NODE = re.compile(r'^\s*(\w+) \[label=("(?:[^"\\]|\\.)*"), fillcolor="(#[0-9a-fA-F]+)"\];$')
_EDGE = re.compile(r"^\s*(\w+) -> (\w+);$")

CHAR_W = 7.2  # width of one character at font-size 12 (monospace-ish estimate)
LINE_H = 15
BOX_PAD = 10
LAYER_GAP = 46
NODE_GAP = 18


def parse(dot: str) -> tuple[dict[str, tuple[list[str], str]], list[tuple[str, str]]]:
    """Nodes (id -> label lines, fill colour) and edges of DOT text written by ``to_dot``."""
    nodes: dict[str, tuple[list[str], str]] = {}
    edges: list[tuple[str, str]] = []
    for line in dot.splitlines():
        if match := _NODE.match(line):
            label = match.group(2)[1:-1].replace('\\"', '"')
            nodes[match.group(1)] = (label.split("\\n"), match.group(3))
        elif match := _EDGE.match(line):
            edges.append((match.group(1), match.group(2)))
    return nodes, edges


def _layers(nodes, edges) -> list[list[str]]:
    preds = {n: [a for a, b in edges if b == n] for n in nodes}
    rank: dict[str, int] = {}

    def depth(n: str) -> int:  # longest path from a source; graphs here are small DAGs
        if n not in rank:
            rank[n] = 1 + max((depth(p) for p in preds[n]), default=-1)
        return rank[n]

    for n in nodes:
        depth(n)
    # then move every node down to just above its highest consumer, so edges stay short
    succs = {n: [b for a, b in edges if a == n] for n in nodes}
    for n in sorted(nodes, key=lambda n: -rank[n]):
        if succs[n]:
            rank[n] = min(rank[s] for s in succs[n]) - 1
    layers: list[list[str]] = [[] for _ in range(max(rank.values(), default=0) + 1)]
    for n in nodes:  # DOT order: the output first, then a depth-first walk
        layers[rank[n]].append(n)
    # order each layer by the mean position of its predecessors (one downward sweep)
    position = {n: i for i, n in enumerate(layers[0])}
    for layer in layers[1:]:
        layer.sort(
            key=lambda n: sum(position[p] for p in preds[n]) / len(preds[n]) if preds[n] else 0.0
        )
        position.update({n: i for i, n in enumerate(layer)})
    return layers


def layout_svg(dot: str) -> str:
    """An SVG picture of DOT text from ``to_dot``, laid out in layers, inputs on top."""
    nodes, edges = parse(dot)
    layers = _layers(nodes, edges)
    size = {
        n: (max(len(s) for s in lines) * CHAR_W + 2 * BOX_PAD, len(lines) * LINE_H + BOX_PAD)
        for n, (lines, _) in nodes.items()
    }
    row_h = max((h for _, h in size.values()), default=0)
    widths = [sum(size[n][0] for n in layer) + NODE_GAP * (len(layer) - 1) for layer in layers]
    total_w = max(widths, default=0) + 20
    box: dict[str, tuple[float, float, float, float]] = {}
    for k, layer in enumerate(layers):
        x = (total_w - widths[k]) / 2
        y = 10 + k * (row_h + LAYER_GAP)
        for n in layer:
            w, h = size[n]
            box[n] = (x, y + (row_h - h) / 2, w, h)
            x += w + NODE_GAP
    total_h = 20 + len(layers) * row_h + (len(layers) - 1) * LAYER_GAP
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total_w:.0f}" height="{total_h:.0f}" '
        f'viewBox="0 0 {total_w:.0f} {total_h:.0f}" font-family="sans-serif" font-size="12">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>',
    ]
    for a, b in edges:
        ax, ay, aw, ah = box[a]
        bx, by, bw, _ = box[b]
        parts.append(
            f'<line x1="{ax + aw / 2:.1f}" y1="{ay + ah:.1f}" x2="{bx + bw / 2:.1f}" '
            f'y2="{by:.1f}" stroke="#555" marker-end="url(#arrow)"/>'
        )
    for n, (lines, fill) in nodes.items():
        x, y, w, h = box[n]
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="3" '
            f'fill="{fill}" stroke="#333"/>'
        )
        for i, text in enumerate(lines):
            parts.append(
                f'<text x="{x + w / 2:.1f}" y="{y + BOX_PAD / 2 + (i + 0.8) * LINE_H:.1f}" '
                f'text-anchor="middle">{html.escape(text)}</text>'
            )
    parts.append("</svg>")
    return "\n".join(parts)


def svg(dot: str) -> str:
    """SVG markup for DOT text: Graphviz's rendering if ``dot`` is installed, else ours."""
    if shutil.which("dot"):
        done = subprocess.run(
            ["dot", "-Tsvg"], input=dot, capture_output=True, text=True, check=True
        )
        return done.stdout[done.stdout.index("<svg") :]
    return layout_svg(dot)


def figure(dot: str) -> str:
    """HTML for a page: the picture, then the DOT source in a collapsed block."""
    renderer = (
        "Graphviz" if shutil.which("dot") else "the docs' own layout: Graphviz is not installed"
    )
    return (
        f'<div class="autograd-graph">{svg(dot)}</div>\n'
        f"<details><summary>DOT source (drawn by {renderer})</summary>"
        f"<pre><code>{html.escape(dot)}</code></pre></details>"
    )
