"""Summaries of a run: medians, the Markdown table, the JSON record and the plot of ratios.

``python -m benchmarks.report [results/latest.json]`` renders ``latest.md`` and ``ratios.png``
again from a saved JSON record (for instance after a change of the table's layout).
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

from .frameworks import BASELINES, FRAMEWORKS

TORCH, HAND = BASELINES
MEMORY_ROW = "W4 memory"
#: the floor of an eager tape on NumPy (the same operations, written out), and whose cells also
#: give their ratio to it
TAPE, TAPE_COMPARED = "numpy-tape", ("pluggrad-numpy",)
_LABELS = {TORCH: "torch", HAND: "hand", TAPE: "tape"}


def format_time(seconds: float) -> str:
    """`seconds` with 3 significant digits in s, ms or µs."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale or unit == "µs":
            return f"{seconds / scale:.3g} {unit}"
    raise AssertionError


def _median_memory(results: list[dict]) -> dict:
    memory = {"method": results[0]["memory"]["method"]}
    for key in ("growth_mb", "second_step_growth_mb", "baseline_mb", "peak_mb"):
        values = [r["memory"][key] for r in results if key in r["memory"]]
        if values:
            memory[key] = statistics.median(values)
    return memory


def _summarize_pair(results: list[dict], ops: int | None) -> dict:
    """One (framework, workload, mode): status, medians over all repeats of all rounds."""
    failed = [r for r in results if r["status"] != "ok"]
    if failed:
        summary = {"status": failed[0]["status"], "message": failed[0].get("message", "")}
        if "max_error" in failed[0]:
            summary["max_error"] = failed[0]["max_error"]
        return summary
    summary = {
        "status": "ok",
        "notes": results[0].get("notes", []),
        "max_error": max(r["max_error"] for r in results),
    }
    if results[0]["mode"] == "memory":
        summary["memory"] = _median_memory(results)
        return summary
    first_calls = [r["first_call_s"] for r in results if "first_call_s" in r]
    if first_calls:
        summary["first_call_s"] = statistics.median(first_calls)
    times = sorted(t for r in results for t in r["times"])
    quartiles = statistics.quantiles(times, n=4) if len(times) > 1 else [times[0]] * 3
    summary.update(
        median_s=statistics.median(times),
        q1_s=quartiles[0],
        q3_s=quartiles[2],
        min_s=times[0],
        samples=len(times),
        rounds=len(results),
    )
    if ops:
        summary["per_op_us"] = summary["median_s"] / ops * 1e6
    return summary


def summarize(data: dict) -> dict:
    """``summary[framework][row]`` for each workload (and ``"W4 memory"``) of the run."""
    groups: dict[tuple, list[dict]] = {}
    for r in data["results"]:
        groups.setdefault((r["framework"], r["workload"], r["mode"]), []).append(r)
    summary: dict = {f: {} for f in data["frameworks"]}
    for (framework, workload, mode), results in groups.items():
        row = MEMORY_ROW if mode == "memory" else workload
        summary[framework][row] = _summarize_pair(results, data["workloads"][workload]["ops"])
    return summary


def _ratio(ratio: float) -> str:
    return f"{ratio:.3g}" if ratio < 100 else f"{ratio:.0f}"


def _value(cell: dict | None, row: str) -> float | None:
    """The number a row compares: the median time, or the memory growth."""
    if not cell or cell["status"] != "ok":
        return None
    return cell["memory"]["growth_mb"] if row == MEMORY_ROW else cell["median_s"]


def ratios(summary: dict, row: str, baseline: str) -> dict[str, float]:
    """``{framework: value / baseline's value}`` for the frameworks measured in `row`."""
    base = _value(summary.get(baseline, {}).get(row), row)
    if not base:
        return {}
    out = {}
    for framework, cells in summary.items():
        value = _value(cells.get(row), row)
        if value is not None:
            out[framework] = value / base
    return out


def _cell(summary: dict, framework: str, row: str) -> str:
    cell = summary[framework].get(row)
    if cell is None:
        return ""
    if cell["status"] != "ok":
        return f"*{cell['status']}*"
    if row == MEMORY_ROW:
        memory = cell["memory"]
        text = f"{memory['growth_mb']:.0f} MB"
        if "second_step_growth_mb" in memory:
            text += f" ({memory['second_step_growth_mb']:.0f} MB)"
        baselines = (HAND,)
    else:
        text = f"**{format_time(cell['median_s'])}**"
        baselines = BASELINES
    if framework in TAPE_COMPARED:
        baselines += (TAPE,)
    parts = [text]
    for baseline in baselines:
        ratio = ratios(summary, row, baseline).get(framework)
        if ratio is not None and framework != baseline:
            parts.append(f"×{_ratio(ratio)} {_LABELS[baseline]}")
    if "per_op_us" in cell:
        parts.append(f"{cell['per_op_us']:.3g} µs/op")
    return "<br>".join(parts)


def _rows(data: dict) -> list[str]:
    rows = list(data["workloads"])
    if any(MEMORY_ROW in cells for cells in data["summary"].values()):
        rows.insert(rows.index("W4") + 1, MEMORY_ROW)
    return rows


def _notes(data: dict) -> list[str]:
    notes = []
    for framework, cells in data["summary"].items():
        by_text: dict[str, list[str]] = {}
        for row, cell in cells.items():
            texts = cell.get("notes", [])
            if cell["status"] != "ok":
                texts = [f"{cell['status']}: {cell['message']}"]
            for text in texts:
                by_text.setdefault(text, []).append(row)
        for text, rows in by_text.items():
            notes.append(f"- {framework} ({', '.join(rows)}): {text}")
    return notes


def markdown(data: dict) -> str:
    """The results as Markdown: context, the table, the workloads and the notes."""
    machine, settings = data["machine"], data["settings"]
    versions = ", ".join(f"{k} {v}" for k, v in machine["versions"].items() if v)
    lines = ["# pluggrad benchmarks", ""]
    if settings["quick"]:
        lines += ["**Smoke run (`--quick`): few repeats, not for quoting.**", ""]
    where = f"{machine['cpu']}, {machine['cores']} cores ({machine['cores_available']} available)"
    if machine["load_average"]:
        where += f", load average at start {machine['load_average'][0]:.2f}"
    lines += [
        f"- date: {machine['date']}; machine: {where}",
        f"- Python {machine['python']}; {versions}",
        f"- {settings['threads']} thread(s) for BLAS, XLA and torch; {settings['rounds']} "
        f"round(s) x {settings['repeats']} repeat(s) of at least {settings['min_time']} s, "
        f"after {settings['warmup']} warm-up step(s); one process per framework, workload and "
        "round"
        + (
            "; the repeats of a workload's frameworks interleaved"
            if settings.get("interleaved")
            else ""
        )
        + (
            "; every worker with freed memory kept (`--keep-freed-memory`: glibc's "
            "MALLOC_MMAP_THRESHOLD_ and MALLOC_TRIM_THRESHOLD_ at 4 GiB)"
            if settings.get("keep_freed_memory")
            else ""
        ),
        "",
        "Cells: the median time of one forward and backward step, over all repeats of all "
        "rounds; `×r torch`, `×r hand`: that time divided by torch's and numpy-hand's (below 1 "
        "is faster); pluggrad-numpy also gives `×r tape`, its ratio to numpy-tape (the same "
        "operations an eager tape runs, written out in NumPy). W1 also gives the time per op "
        "(step / ops of the forward pass). "
        f"{MEMORY_ROW}: growth of the resident-set high-water mark over the first step after the "
        "inputs are allocated (the second step's in parentheses), and its ratio to numpy-hand's.",
        "",
    ]
    frameworks = data["frameworks"]
    lines.append("| workload | " + " | ".join(frameworks) + " |")
    lines.append("|---" * (len(frameworks) + 1) + "|")
    for row in _rows(data):
        cells = [_cell(data["summary"], f, row) for f in frameworks]
        lines.append(f"| **{row}** | " + " | ".join(cells) + " |")
    lines += ["", "Workloads:", ""]
    for name, workload in data["workloads"].items():
        ops = f" ({workload['ops']} ops)" if workload["ops"] else ""
        lines.append(f"- **{name}** {workload['title']}{ops}")
    first_calls = _first_calls(data)
    if first_calls:
        lines += ["", FIRST_CALLS, "", *first_calls]
    notes = _notes(data)
    if notes:
        lines += ["", "Notes:", "", *notes]
    return "\n".join(lines) + "\n"


FIRST_CALLS = (
    "First calls of the compiling columns, in the set-up (not in the cells above): tracing and "
    "compiling (jax-jit: lowering and compiling ahead of time), median over the rounds, and "
    "as a multiple of one eager step of the same backend (pluggrad-numpy, pluggrad-jax):"
)
# the eager column a compiled one is measured against
_EAGER_OF = {"pluggrad-numpy-compile": "pluggrad-numpy", "pluggrad-jax-compile": "pluggrad-jax"}


def _first_calls(data: dict) -> list[str]:
    lines = []
    summary = data["summary"]
    for framework in data["frameworks"]:
        cells = []
        for row in data["workloads"]:
            first = summary.get(framework, {}).get(row, {}).get("first_call_s")
            if first is None:
                continue
            cell = f"{row} {format_time(first)}"
            eager = summary.get(_EAGER_OF.get(framework, ""), {}).get(row, {}).get("median_s")
            if eager:
                cell += f" ({first / eager:.3g} eager steps)"
            cells.append(cell)
        if cells:
            lines.append(f"- {framework}: " + ", ".join(cells))
    return lines


def plot(data: dict, path: Path) -> None:
    """Grouped bars of the ratios to torch and to numpy-hand, per workload, on a log scale."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = _rows(data)
    measured = {
        f for baseline in BASELINES for row in rows for f in ratios(data["summary"], row, baseline)
    }
    colors = {f: f"C{i}" for i, f in enumerate(FRAMEWORKS)}  # the same in every run
    frameworks = [f for f in data["frameworks"] if f in measured]
    if not frameworks:
        return
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.8), sharey=True)
    width = 0.8 / len(frameworks)
    for ax, baseline in zip(axes, BASELINES):
        for i, framework in enumerate(frameworks):
            xs, ys = [], []
            for j, row in enumerate(rows):
                ratio = ratios(data["summary"], row, baseline).get(framework)
                if ratio is not None:
                    xs.append(j - 0.4 + (i + 0.5) * width)
                    ys.append(ratio)
            ax.bar(xs, ys, width, label=framework, color=colors[framework])
        ax.axhline(1.0, color="black", linewidth=0.8)
        ax.set_yscale("log")
        ax.set_xticks(range(len(rows)), rows)
        ax.set_title(f"time (memory) / {baseline}'s")
        ax.grid(axis="y", which="both", alpha=0.3)
    axes[0].set_ylabel("ratio (log scale; below 1 is better)")
    axes[1].legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.0, 1.0))
    title = "pluggrad benchmarks" + (" (smoke run)" if data["settings"]["quick"] else "")
    fig.suptitle(f"{title}: {data['machine']['cpu']}, {data['settings']['threads']} thread(s)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def save(directory: Path, name: str, text: str, data: dict) -> None:
    """Write a run's table `text` as ``<name>.md`` and its record `data` as ``<name>.json``."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{name}.md").write_text(text)
    (directory / f"{name}.json").write_text(json.dumps(data, indent=1) + "\n")


def write(data: dict, directory: Path, plot_ratios: bool = True) -> str:
    """Write ``latest.md``, ``latest.json`` and ``ratios.png`` to `directory`; the Markdown."""
    text = markdown(data)
    save(directory, "latest", text, data)
    if plot_ratios:
        plot(data, directory / "ratios.png")
    return text


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.report", description=__doc__)
    parser.add_argument(
        "json", nargs="?", type=Path, default=Path(__file__).parent / "results" / "latest.json"
    )
    args = parser.parse_args(argv)
    data = json.loads(args.json.read_text())
    data["summary"] = summarize(data)
    print(write(data, args.json.parent))


if __name__ == "__main__":
    main()
