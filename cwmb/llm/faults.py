"""Fault injection over Python source, for the offline simulated coder.

A faulty program is *reference source + a set of faults*. Each :class:`Fault` is a tag
``kind:site:variant``: ``site`` indexes the candidate places for that kind in the
reference's AST (enumerated in a fixed order), ``variant`` picks how the place is
changed. The tag alone determines the edit, so :func:`apply_faults` rebuilds any program
exactly from its tags, and removing a fault means rebuilding without it. Kinds:

- ``constant``: a number is scaled (floats: x0.5, x0.8, x1.25, x2; 0.0 becomes 0.1, -0.1,
  0.5 or 1) or shifted (ints: +1, -1, +2, +3);
- ``comparison``: a comparison is flipped (``<`` to ``>``, ``<=`` to ``>=``, ``==`` to ``!=``);
- ``drop_term``: ``a + b`` or ``a - b`` loses its right term;
- ``termination``: a ``return state, reward, done`` in ``step`` returns ``False`` for done;
- ``runtime_error``: a variable or ``self`` attribute read in ``step`` is misspelt
  (NameError / AttributeError when that line runs);
- ``syntax_error``: the colon after an ``if``/``for``/``def``... header is dropped. This
  one is a text edit on the unparsed program, since an AST cannot hold a syntax error.
"""

from __future__ import annotations

import ast
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cwmb.llm.config import FAULT_KINDS

# A comparison operator and the one a "comparison" fault turns it into (the APPS coder uses it too).
FLIPPED_COMPARISONS = {
    ast.Lt: ast.Gt,
    ast.Gt: ast.Lt,
    ast.LtE: ast.GtE,
    ast.GtE: ast.LtE,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
}
_FLOAT_FACTORS = (0.5, 0.8, 1.25, 2.0)
_INT_OFFSETS = (1, -1, 2, 3)
_ZERO_REPLACEMENTS = (0.1, -0.1, 0.5, 1.0)
_BLOCK_STARTS = ("if ", "elif ", "else", "for ", "while ", "def ", "try", "except", "with ")
VARIANTS = {"constant": 4}  # kinds not listed have a single variant


@dataclass(frozen=True, order=True)
class Fault:
    """One injected fault: ``kind`` (see module docstring), ``site`` index and ``variant``."""

    kind: str
    site: int
    variant: int = 0

    @property
    def tag(self) -> str:
        """``kind:site:variant``, as written in program headers."""
        return f"{self.kind}:{self.site}:{self.variant}"

    @classmethod
    def from_tag(cls, tag: str) -> Fault:
        """Parse a ``kind:site:variant`` tag (raises ValueError on a malformed one)."""
        kind, site, variant = tag.strip().split(":")
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}")
        return cls(kind, int(site), int(variant))


def _step_function(tree: ast.Module) -> ast.FunctionDef | None:
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "step"]
    return functions[0] if functions else None


def _in_subscript_index(node: ast.AST, parents: dict[int, ast.AST]) -> bool:
    # state[0] -> state[1] would be an indexing bug, not a wrong physical constant.
    child, parent = node, parents.get(id(node))
    while parent is not None:
        if isinstance(parent, ast.Subscript) and parent.slice is child:
            return True
        child, parent = parent, parents.get(id(parent))
    return False


def _local_reads(step: ast.FunctionDef) -> list[ast.AST]:
    assigned = {n.id for n in ast.walk(step) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    assigned |= {a.arg for a in step.args.args if a.arg != "self"}
    names = [n for n in ast.walk(step) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)]
    attributes = [
        n
        for n in ast.walk(step)
        if isinstance(n, ast.Attribute)
        and isinstance(n.ctx, ast.Load)
        and isinstance(n.value, ast.Name)
        and n.value.id == "self"
    ]
    return [n for n in names if n.id in assigned] + attributes


def _ast_sites(tree: ast.Module) -> dict[str, list[ast.AST]]:
    """Candidate nodes per AST fault kind, in a fixed order (ast.walk is deterministic)."""
    parents = {id(child): node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    numbers = [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant)
        and isinstance(n.value, int | float)
        and not isinstance(n.value, bool)
        and not _in_subscript_index(n, parents)
    ]
    step = _step_function(tree)
    returns = []
    if step is not None:
        returns = [
            n
            for n in ast.walk(step)
            if isinstance(n, ast.Return) and isinstance(n.value, ast.Tuple) and len(n.value.elts) >= 3
        ]
    return {
        "constant": numbers,
        "comparison": [
            n for n in ast.walk(tree) if isinstance(n, ast.Compare) and type(n.ops[0]) in FLIPPED_COMPARISONS
        ],
        "drop_term": [
            n for n in ast.walk(tree) if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Add | ast.Sub)
        ],
        "termination": returns,
        "runtime_error": _local_reads(step) if step is not None else [],
    }


def _syntax_sites(text: str) -> list[int]:
    """Line numbers (0-based) of block headers whose trailing colon can be dropped."""
    return [
        i
        for i, line in enumerate(text.splitlines())
        if line.rstrip().endswith(":") and line.strip().startswith(_BLOCK_STARTS)
    ]


def count_sites(source: str) -> dict[str, int]:
    """How many places each fault kind can hit in ``source``."""
    tree = ast.parse(source)
    counts = {kind: len(nodes) for kind, nodes in _ast_sites(tree).items()}
    counts["syntax_error"] = len(_syntax_sites(ast.unparse(tree)))
    return counts


def _mutated_constant(value: float, variant: int) -> float:
    if isinstance(value, int):
        return value + _INT_OFFSETS[variant % len(_INT_OFFSETS)]
    if value == 0:  # scaling cannot move a zero
        return _ZERO_REPLACEMENTS[variant % len(_ZERO_REPLACEMENTS)]
    # Round to 12 significant digits so that 3.0 * 0.8 reads 2.4, not 2.4000000000000004.
    return float(f"{value * _FLOAT_FACTORS[variant % len(_FLOAT_FACTORS)]:.12g}")


def _misspelt(name: str, taken: set[str]) -> str:
    candidate = name[:-1] if len(name) > 3 else name + "_"
    while candidate in taken or candidate == name:
        candidate += "_"
    return candidate


class _Injector(ast.NodeTransformer):
    """Applies AST faults to the nodes picked by site index; children first, so nested faults compose."""

    def __init__(self, edits: dict[int, Fault], taken: set[str]) -> None:
        self.edits = edits
        self.taken = taken

    def visit(self, node: ast.AST) -> ast.AST:
        """Transform the children, then apply the fault picked for this node, if any."""
        node = self.generic_visit(node)
        fault = self.edits.get(id(node))
        if fault is None:
            return node
        if fault.kind == "constant":
            assert isinstance(node, ast.Constant)
            node.value = _mutated_constant(node.value, fault.variant)
        elif fault.kind == "comparison":
            assert isinstance(node, ast.Compare)
            node.ops = [FLIPPED_COMPARISONS[type(node.ops[0])](), *node.ops[1:]]
        elif fault.kind == "drop_term":
            assert isinstance(node, ast.BinOp)
            return node.left
        elif fault.kind == "termination":
            assert isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple)
            node.value.elts[2] = ast.Constant(False)
        elif fault.kind == "runtime_error":
            if isinstance(node, ast.Name):
                node.id = _misspelt(node.id, self.taken)
            elif isinstance(node, ast.Attribute):
                node.attr = _misspelt(node.attr, self.taken)
        return node


def apply_faults(source: str, faults: Iterable[Fault], *, keep_module_docstring: bool = True) -> str:
    """``source`` with ``faults`` injected, as normalised Python text (``ast.unparse``, comments dropped).

    Site indexes are taken modulo the number of sites, and faults of a kind with no site
    are ignored, so any tag list yields a program.
    """
    tree = ast.parse(source)
    body = tree.body
    if (
        not keep_module_docstring
        and body
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
    ):
        tree.body = body[1:]  # no site lives in a docstring, so site indexes are unaffected
    sites = _ast_sites(tree)
    taken = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    taken |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    edits: dict[int, Fault] = {}
    syntax_faults = []
    for fault in sorted(set(faults)):
        if fault.kind == "syntax_error":
            syntax_faults.append(fault)
        elif sites.get(fault.kind):
            nodes = sites[fault.kind]
            edits[id(nodes[fault.site % len(nodes)])] = fault
    tree = _Injector(edits, taken).visit(tree)
    text = ast.unparse(ast.fix_missing_locations(tree))
    return _apply_syntax_faults(text, syntax_faults)


def _apply_syntax_faults(text: str, faults: list[Fault]) -> str:
    lines = text.splitlines()
    candidates = _syntax_sites(text)
    for fault in faults:
        if candidates:
            index = candidates[fault.site % len(candidates)]
            lines[index] = lines[index].rstrip()[:-1]
    return "\n".join(lines) + "\n"


def sample_faults(
    source: str,
    rng: random.Random,
    weights: Mapping[str, float],
    count: int,
    existing: Iterable[Fault] = (),
) -> list[Fault]:
    """Draw ``count`` new faults (kinds by ``weights``, sites uniformly) not already in ``existing``."""
    counts = count_sites(source)
    taken = {(f.kind, f.site % max(counts.get(f.kind, 1), 1)) for f in existing}
    chosen: list[Fault] = []
    for _ in range(count):
        kinds = [k for k in FAULT_KINDS if weights.get(k, 0) > 0 and _free(k, counts, taken)]
        if not kinds:
            break
        kind = rng.choices(kinds, weights=[weights[k] for k in kinds])[0]
        free = [s for s in range(counts[kind]) if (kind, s) not in taken]
        site = rng.choice(free)
        fault = Fault(kind, site, rng.randrange(VARIANTS.get(kind, 1)))
        taken.add((kind, site))
        chosen.append(fault)
    return chosen


def _free(kind: str, counts: dict[str, int], taken: set[tuple[str, int]]) -> bool:
    return sum(1 for k, _ in taken if k == kind) < counts.get(kind, 0)
