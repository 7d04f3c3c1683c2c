"""``cwmb show RUN --env ENV --html FILE``: one self-contained HTML page of a search tree.

Nodes are coloured by accuracy (red 0 → green 1), buggy nodes have a dashed red outline
and a ✗, the path from the root to the best program is drawn in gold, and clicking a node
shows its program, the error a fix is shown or the feedback an improve is shown, and the
method's statistics. The layout is computed here; the page's inline script draws the SVG
from embedded JSON. No external URL is referenced: the page works offline and from disk.
"""

from __future__ import annotations

import html
import itertools
import json
from pathlib import Path
from typing import Any

from cwmb.methods.rundir import read_json
from cwmb.report.tree import Node, SearchTree, load_tree
from cwmb.report.tree_assets import CSS, SCRIPT

X_STEP, Y_STEP, MARGIN = 58, 84, 40
# Colour stops for accuracy 0 → 1 (a diverging red-yellow-green scale, readable with black text).
STOPS = (
    (0.0, (215, 48, 39)),
    (0.25, (253, 174, 97)),
    (0.5, (254, 224, 139)),
    (0.75, (166, 217, 106)),
    (1.0, (26, 152, 80)),
)
_FACT_KEYS = ("visits", "value", "fixes_left", "dead", "alpha", "beta")


def accuracy_colour(accuracy: float | None) -> str:
    """The fill colour of a node of this accuracy (grey when there is none)."""
    if accuracy is None:
        return "#d0d5dd"
    a = min(1.0, max(0.0, float(accuracy)))
    for (x0, c0), (x1, c1) in itertools.pairwise(STOPS):
        if a <= x1:
            t = (a - x0) / (x1 - x0)
            return "#" + "".join(f"{round(u + (v - u) * t):02x}" for u, v in zip(c0, c1, strict=True))
    return "#1a9850"


def layout(tree: SearchTree) -> dict[int, tuple[float, float]]:
    """x, y of every node: leaves side by side in depth-first order, parents centred above."""
    positions: dict[int, tuple[float, float]] = {}
    next_leaf = [0]

    def place(node: int, depth: int, seen: frozenset[int]) -> float:
        kids = [k for k in tree.children(node) if k not in seen]
        if not kids:
            x = float(next_leaf[0])
            next_leaf[0] += 1
        else:
            xs = [place(k, depth + 1, seen | {node}) for k in kids]
            x = (xs[0] + xs[-1]) / 2
        positions[node] = (MARGIN + x * X_STEP, MARGIN + depth * Y_STEP)
        return x

    for root in sorted(n.id for n in tree.nodes.values() if n.parent is None):
        place(root, 0, frozenset())
    return positions


def _candidate(env_dir: Path, digest: str) -> tuple[str, str]:
    """Program text and evaluation feedback of a candidate (empty when absent)."""
    if not digest:
        return "", ""
    program_file = env_dir / "candidates" / f"{digest}.py"
    program = program_file.read_text(encoding="utf-8", errors="replace") if program_file.exists() else ""
    record = read_json(env_dir / "candidates" / f"{digest}.json") or {}
    return program, str(record.get("feedback") or "")


def _facts(node: Node, best: int | None) -> list[list[str]]:
    facts = [["action", node.action], ["parent", "none" if node.parent is None else str(node.parent)]]
    facts.append(["depth", str(node.depth)])
    if node.action != "root":
        facts.append(["accuracy", "n/a" if node.accuracy is None else f"{node.accuracy:.4f}"])
        facts.append(["status", node.status + (" (perfect)" if node.perfect else "")])
        facts.append(["program", node.program_hash or "?"])
    for key in _FACT_KEYS:
        if key in node.extra:
            value = node.extra[key]
            if isinstance(value, bool):
                value = "yes" if value else "no"
            facts.append([key, f"{value:.4f}" if isinstance(value, float) else str(value)])
    if node.id == best:
        facts.append(["best", "yes: the run's best program"])
    return facts


def _label(node: Node) -> str:
    if node.action == "root":
        return ""
    letter = {"generate": "G", "improve": "I", "fix": "F"}.get(node.action, node.action[:1].upper())
    if node.buggy or node.accuracy is None:
        return f"{letter} · bug" if node.buggy else letter
    return f"{letter} · {node.accuracy:.2f}"


def tree_data(env_dir: Path) -> dict[str, Any]:
    """Everything the page shows, as plain data (positions, colours, programs, feedback)."""
    tree = load_tree(env_dir)
    if not tree.nodes:
        from cwmb.errors import CwmbError

        raise CwmbError(
            f"{env_dir} has no search tree yet (no tree.jsonl line)", "run `cwmb synthesize` first"
        )
    positions = layout(tree)
    nodes = []
    for node in sorted(tree.nodes.values(), key=lambda n: n.id):
        program, feedback = _candidate(env_dir, node.program_hash)
        x, y = positions.get(node.id, (MARGIN, MARGIN))
        accuracy = None if node.action == "root" or node.buggy else node.accuracy
        dark = accuracy is not None and (accuracy > 0.85 or accuracy < 0.15)
        nodes.append(
            {
                "id": node.id,
                "parent": node.parent,
                "action": node.action,
                "x": x,
                "y": y,
                "colour": "#ffffff" if node.buggy else accuracy_colour(accuracy),
                "text_colour": "#ffffff" if dark else "#1d2330",
                "buggy": node.buggy,
                "label": _label(node),
                "title": f"node {node.id}: {_label(node)}",
                "facts": _facts(node, tree.best),
                "error": node.error or "",
                "feedback": feedback,
                "program": program,
            }
        )
    width = max(x for x, _ in positions.values()) + MARGIN
    height = max(y for _, y in positions.values()) + MARGIN + 20
    return {
        "env": tree.env,
        "method": tree.method,
        "best": tree.best,
        "best_path": tree.best_path,
        "nodes": nodes,
        "width": width,
        "height": height,
    }


def _header(data: dict[str, Any], summary: dict[str, Any], run: str) -> str:
    llm = summary.get("llm") or {}
    best = summary.get("best") or {}
    accuracy = best.get("accuracy")
    facts = [
        f"run {run}",
        f"method {data['method'] or '?'}",
        f"LLM {llm.get('name', '?')} ({llm.get('model', '?')})",
        f"{summary.get('calls', len(data['nodes']) - 1)} of {summary.get('budget', '?')} calls",
        f"status {summary.get('status', '?')}"
        + (f", stopped: {summary['stop_reason']}" if summary.get("stop_reason") else ""),
        "best accuracy "
        + ("n/a" if accuracy is None else f"{accuracy:.4f}")
        + f" ({summary.get('metric', 'default')} metric)",
    ]
    warn = ""
    if llm.get("simulated"):
        warn = f'<div class="warn">{html.escape(llm.get("note") or "simulated model, NOT an LLM")}</div>'
    title = f"Search tree · {html.escape(data['env'])}"
    return f'<header><h1>{title}</h1><div class="meta">{html.escape(" · ".join(facts))}</div>{warn}</header>'


def render_html(env_dir: Path, run: str = "") -> str:
    """The whole page for the env run in ``env_dir``."""
    data = tree_data(env_dir)
    summary = read_json(env_dir / "summary.json") or {}
    # "<" escaped inside the JSON so no program text can close the script element.
    payload = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")
    legend = (
        '<div class="legend"><span>accuracy 0</span><span class="scale"></span><span>1</span>'
        '<span><span class="chip bug"></span>buggy (did not run)</span>'
        '<span><span class="chip path"></span>path to the best program</span>'
        "<span>G generate · I improve · F fix; click a node for its program and feedback</span>"
        '<span class="path-list">best path: <span id="path-list"></span></span></div>'
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>cwmb · {html.escape(data['env'])} · {html.escape(run)}</title>"
        f"<style>{CSS}</style></head><body>"
        f"{_header(data, summary, run)}{legend}"
        '<main><div id="canvas"><svg id="tree" xmlns="http://www.w3.org/2000/svg" role="img" '
        'aria-label="search tree"></svg></div><aside id="details"></aside></main>'
        f'<script type="application/json" id="tree-data">{payload}</script>'
        f"<script>{SCRIPT}</script></body></html>\n"
    )


def write_tree_html(env_dir: Path, out: Path, run: str = "") -> Path:
    """Write the page of ``env_dir`` to ``out``; returns ``out``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_html(env_dir, run), encoding="utf-8")
    return out
