"""The GIF-MCTS search tree: nodes are programs, edges are generate / improve / fix actions.

A node keeps its program, its evaluation, the prefix a generate action continues from,
its MCTS statistics (visits, value sum) and its *open slots*: the action types it can
still expand. An open slot stands for an untried child; expanding a slot of a healthy
node leaves the slot open (a new same-type sibling can be tried later, which is how the
branching factor grows), while a buggy node has a single fix slot that closes once used,
so each bug has one fix chain. A node is *dead* when its fix chain ran out of fixes;
dead nodes, and nodes with nothing left to expand below them, are never selected.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cwmb.methods.evaluation import Evaluation
from cwmb.methods.records import NodeRecord, program_hash

ROOT = 0
SLOT_ORDER = ("generate", "improve", "fix")


@dataclass
class Node:
    """One program in the tree (node 0 is the root, which holds none)."""

    id: int
    parent: int | None
    action: str
    depth: int
    call: int
    program: str = ""
    prefix: str = ""
    complete: bool = False
    evaluation: Evaluation | None = None
    visits: int = 0
    value_sum: float = 0.0
    fixes_left: int = 0
    dead: bool = False
    length: int = 0  # the original's node_length (fidelity: original only)
    children: list[int] = field(default_factory=list)
    slots: list[str] = field(default_factory=list)

    @property
    def value(self) -> float:
        """Mean backed-up value (0 before any visit)."""
        return self.value_sum / self.visits if self.visits else 0.0

    @property
    def buggy(self) -> bool:
        """True when the node's program did not run."""
        return self.evaluation is not None and self.evaluation.buggy

    @property
    def accuracy(self) -> float:
        """The program's accuracy (0 for the root)."""
        return self.evaluation.accuracy if self.evaluation is not None else 0.0

    def record(self) -> NodeRecord:
        """A frozen snapshot for the result."""
        evaluation = self.evaluation
        return NodeRecord(
            id=self.id,
            parent=self.parent,
            action=self.action,
            depth=self.depth,
            call=self.call,
            program_hash=program_hash(self.program) if self.id != ROOT else "",
            accuracy=self.accuracy,
            perfect=bool(evaluation and evaluation.perfect),
            status=evaluation.status if evaluation else "root",
            error=evaluation.error if evaluation else None,
            extra={
                "visits": self.visits,
                "value": self.value,
                "fixes_left": self.fixes_left,
                "dead": self.dead,
                "complete": self.complete,
                "slots": list(self.slots),
            },
        )


class Tree:
    """The nodes of one search, indexed by id (= the call that created them)."""

    def __init__(self, root_slots: list[str]) -> None:
        # The root counts as visited once, so ln N(root) = 0 at the first selection (as in the original).
        self.nodes: list[Node] = [Node(ROOT, None, "root", 0, 0, visits=1, slots=list(root_slots))]

    def __getitem__(self, node_id: int) -> Node:
        return self.nodes[node_id]

    @property
    def root(self) -> Node:
        """Node 0."""
        return self.nodes[ROOT]

    def add(self, node: Node) -> Node:
        """Append ``node`` (its id must be the next one) and link it to its parent."""
        if node.id != len(self.nodes):
            raise ValueError(f"node id {node.id} is not the next id {len(self.nodes)}")
        self.nodes.append(node)
        if node.parent is not None:
            self.nodes[node.parent].children.append(node.id)
        return node

    def selectable(self, node: Node) -> bool:
        """True when selection may enter ``node``: not dead, and something is left to expand below it."""
        if node.dead:
            return False
        return bool(node.slots) or any(self.selectable(self.nodes[c]) for c in node.children)

    def children_of_type(self, node: Node, action: str) -> list[Node]:
        """``node``'s expanded children created by ``action``."""
        return [self.nodes[c] for c in node.children if self.nodes[c].action == action]

    def path_to(self, node: Node) -> list[Node]:
        """Nodes from the root down to ``node``, both included."""
        path = [node]
        while path[-1].parent is not None:
            path.append(self.nodes[path[-1].parent])
        return path[::-1]

    def fix_chain(self, node: Node) -> list[Node]:
        """``node``, the fix nodes above it, and the node whose bug they try to fix (its origin)."""
        chain = [node]
        while chain[-1].action == "fix" and chain[-1].parent is not None:
            chain.append(self.nodes[chain[-1].parent])
        return chain

    def backup(self, path: list[Node], value: float, discount: float) -> None:
        """Add ``value`` along ``path`` (leaf last), discounted by ``discount`` per level going up."""
        for node in reversed(path):
            node.visits += 1
            node.value_sum += value
            value *= discount

    @staticmethod
    def visit_only(path: list[Node]) -> None:
        """Count a visit along ``path`` without changing any node's mean value (a buggy leaf's backup)."""
        for node in path:
            node.value_sum += node.value
            node.visits += 1

    def records(self) -> list[NodeRecord]:
        """Snapshots of every node, root first."""
        return [node.record() for node in self.nodes]
