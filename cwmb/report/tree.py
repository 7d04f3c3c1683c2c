"""The search tree of one env run, read back from its run directory, and its action statistics.

Nodes come from ``tree.jsonl`` (one line per LLM call, so a running or killed run has
them too), completed by the final ``summary.json`` node list (visits, values) when it
exists. GIF-MCTS's root holds no program and is not a call: it is added as node 0. Methods
without a root (WorldCoder's pool, best-of-N's samples) get a virtual root so that every
search is drawn as one tree.

:func:`action_stats` computes the quantities of the paper's Table 7: the share of
generate / improve / fix actions over all calls and on the path to the best program, the
path length (actions on that path) and the tree depth (deepest node, root = 0).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cwmb.methods.rundir import read_json, read_lines

ACTIONS = ("generate", "improve", "fix")
ROOT = 0


@dataclass
class Node:
    """One node of a search tree (a program, or the root)."""

    id: int
    parent: int | None
    action: str
    accuracy: float | None
    status: str
    error: str | None = None
    program_hash: str = ""
    perfect: bool = False
    depth: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def buggy(self) -> bool:
        """True when the program did not run (a fix was needed)."""
        return self.status not in ("ok", "root")


@dataclass
class SearchTree:
    """Nodes by id, the best node and the path to it (root first)."""

    env: str
    method: str
    nodes: dict[int, Node]
    best: int | None
    summary: dict[str, Any]

    def children(self, node: int) -> list[int]:
        """Ids of the children of ``node`` in call order."""
        return sorted(n.id for n in self.nodes.values() if n.parent == node)

    @property
    def best_path(self) -> list[int]:
        """Node ids from the root to the best node (empty when there is no best node)."""
        path: list[int] = []
        current = self.best
        while current is not None and current in self.nodes and current not in path:
            path.append(current)
            current = self.nodes[current].parent
        return path[::-1]

    @property
    def calls(self) -> list[Node]:
        """The nodes written by an LLM call (all but the root)."""
        return [n for n in self.nodes.values() if n.action in ACTIONS]


def load_tree(env_dir: Path) -> SearchTree:
    """Read the search tree of one env run (see the module docstring)."""
    summary = read_json(env_dir / "summary.json") or {}
    lines = read_lines(env_dir / "tree.jsonl") if (env_dir / "tree.jsonl").exists() else []
    nodes: dict[int, Node] = {}
    for item in summary.get("nodes") or []:
        nodes[int(item["id"])] = _node(item, item.get("extra") or {})
    for line in lines:  # the tree log wins for what a call produced; the summary adds statistics
        known = nodes.get(int(line["node"]))
        nodes[int(line["node"])] = _node(
            line, {**(known.extra if known else {}), **(line.get("extra") or {})}
        )
    _add_roots(nodes)
    _set_depths(nodes)
    best = (summary.get("best") or {}).get("node")
    if best is None and lines:
        best = lines[-1].get("best_node")
    method = summary.get("method") or ""
    return SearchTree(env_dir.name, method, nodes, None if best is None else int(best), summary)


def _node(item: dict[str, Any], extra: dict[str, Any]) -> Node:
    return Node(
        id=int(item.get("id", item.get("node", 0))),
        parent=item.get("parent"),
        action=item.get("action", "?"),
        accuracy=item.get("accuracy"),
        status=item.get("status", "ok"),
        error=item.get("error"),
        program_hash=item.get("program_hash") or "",
        perfect=bool(item.get("perfect")),
        extra=dict(extra),
    )


def _add_roots(nodes: dict[int, Node]) -> None:
    """Give every node a parent that exists: the method's root, or a virtual one."""
    for node in list(nodes.values()):
        if node.parent is not None and node.parent not in nodes:
            nodes[node.parent] = Node(node.parent, None, "root", None, "root")
    tops = [n for n in nodes.values() if n.parent is None and n.action != "root"]
    if not tops:
        return
    if ROOT in nodes and nodes[ROOT].action == "root":
        root = ROOT
    else:
        root = ROOT if ROOT not in nodes else min(nodes) - 1
        nodes[root] = Node(root, None, "root", None, "root", extra={"virtual": True})
    for node in tops:
        node.parent = root


def _set_depths(nodes: dict[int, Node]) -> None:
    for node in nodes.values():
        depth, current, seen = 0, node.parent, {node.id}
        while current is not None and current in nodes and current not in seen:
            seen.add(current)
            depth += 1
            current = nodes[current].parent
        node.depth = depth


def action_stats(tree: SearchTree) -> dict[str, float] | None:
    """Table 7's quantities for one tree, in percent where the paper uses percent; None if empty."""
    calls = tree.calls
    if not calls:
        return None
    path = [tree.nodes[i] for i in tree.best_path if tree.nodes[i].action in ACTIONS]
    stats: dict[str, float] = {}
    for action in ACTIONS:
        stats[f"{action}_pct"] = 100.0 * sum(n.action == action for n in calls) / len(calls)
    stats["path_length"] = float(len(path))
    for action in ACTIONS:
        share = sum(n.action == action for n in path) / len(path) if path else 0.0
        stats[f"path_{action}_pct"] = 100.0 * share
    stats["tree_depth"] = float(max(n.depth for n in tree.nodes.values()))
    return stats


STAT_LABELS = {
    "generate_pct": "% generates",
    "improve_pct": "% improves",
    "fix_pct": "% fixes",
    "path_length": "Path length",
    "path_generate_pct": "% path generates",
    "path_improve_pct": "% path improves",
    "path_fix_pct": "% path fixes",
    "tree_depth": "Tree depth",
}


def rich_tree(tree: SearchTree) -> Any:
    """The tree as a :class:`rich.tree.Tree` for the terminal (best path in bold, bugs in red)."""
    from rich.text import Text
    from rich.tree import Tree

    on_path = set(tree.best_path)

    def label(node: Node) -> Text:
        if node.action == "root":
            return Text("root", style="bold" if node.id in on_path else "")
        accuracy = "bug" if node.buggy else f"{node.accuracy or 0:.4f}"
        text = Text(f"{node.id} {node.action} {accuracy}", style="red" if node.buggy else "")
        if node.id == tree.best:
            text.append("  best", style="bold green")
        if node.id in on_path:
            text.stylize("bold")
        return text

    def grow(branch: Any, node: int, seen: frozenset[int]) -> None:
        for child in tree.children(node):
            if child not in seen:
                grow(branch.add(label(tree.nodes[child])), child, seen | {child})

    roots = sorted(n.id for n in tree.nodes.values() if n.parent is None)
    top = Tree(Text(f"{tree.env} · {tree.method or '?'}", style="bold"))
    for root in roots:
        grow(top.add(label(tree.nodes[root])), root, frozenset({root}))
    return top
