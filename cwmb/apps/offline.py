"""The offline simulated coder for APPS: a problem's own reference solutions, corrupted at a set skill.

Asked to *generate* for ``apps/<problem_id>``, it picks one of the problem's reference
solutions and injects faults; asked to *improve* or *fix* a program it wrote, it reads
the fault tags from the program's header and removes each one with the probability the
skill gives for that kind, sometimes adding a new one. No LLM is involved, and every
answer says so in its first line; results made with it are labelled simulated.

Fault kinds (a subset of the world-model coder's, so the same ``offline`` skill section
of an LLM config drives both; ``docs/apps.md``):

- ``constant``: an integer literal is increased by one (off-by-one errors);
- ``comparison``: a comparison is flipped (``<`` to ``>``, ``==`` to ``!=``, ...);
- ``runtime_error``: a variable read is misspelt (NameError when that line runs);
- ``syntax_error``: the colon of a block header is dropped.

Sites are numbered in the reference's AST walk order, so tags alone rebuild a program.
Every decision comes from a generator seeded by (skill seed, problem, action, sample
index, program): runs are reproducible and N samples are N programs.
"""

from __future__ import annotations

import ast
import builtins
import dataclasses
import random
import re
from collections.abc import Mapping

from cwmb.apps.data import Problem
from cwmb.llm.config import OfflineSkill
from cwmb.llm.faults import FLIPPED_COMPARISONS
from cwmb.llm.protocol import Completion, LLMRequest, stable_hash
from cwmb.llm.simulated import BANNER, REPAIR_ACTIONS, SimulatedCoderBase

CODER_VERSION = 1  # part of the cache key: bump when the coder's answers change
KINDS = ("constant", "comparison", "runtime_error", "syntax_error")
_TAGS = re.compile(
    r"^# simulated-coder: problem=(?P<problem>\S+) solution=(?P<solution>\d+) faults=(?P<faults>\S*)", re.M
)
_BUILTIN_NAMES = frozenset(dir(builtins))


def _sites(tree: ast.AST) -> dict[str, list[ast.AST]]:
    """Candidate places of each AST fault kind, in walk order."""
    nodes = list(ast.walk(tree))
    return {
        "constant": [
            n
            for n in nodes
            if isinstance(n, ast.Constant) and type(n.value) is int and not isinstance(n.value, bool)
        ],
        "comparison": [
            n for n in nodes if isinstance(n, ast.Compare) and type(n.ops[0]) in FLIPPED_COMPARISONS
        ],
        "runtime_error": [
            n
            for n in nodes
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id not in _BUILTIN_NAMES
        ],
    }


def _header_lines(text: str) -> list[int]:
    return [
        i
        for i, line in enumerate(text.splitlines())
        if line.rstrip().endswith(":") and not line.lstrip().startswith("#")
    ]


def site_counts(solution: str) -> dict[str, int]:
    """How many places each fault kind has in ``solution`` (0 for all when it does not parse)."""
    try:
        tree = ast.parse(solution)
    except SyntaxError:
        return dict.fromkeys(KINDS, 0)
    counts = {kind: len(found) for kind, found in _sites(tree).items()}
    counts["syntax_error"] = len(_header_lines(ast.unparse(tree)))
    return counts


def apply_faults(solution: str, faults: list[tuple[str, int]]) -> str:
    """``solution`` with each ``(kind, site)`` fault applied (sites as :func:`site_counts` numbers them)."""
    tree = ast.parse(solution)
    sites = _sites(tree)
    for kind, site in faults:
        if kind == "constant":
            node = sites["constant"][site]
            node.value = node.value + 1  # type: ignore[attr-defined]
        elif kind == "comparison":
            node = sites["comparison"][site]
            node.ops[0] = FLIPPED_COMPARISONS[type(node.ops[0])]()  # type: ignore[attr-defined]
        elif kind == "runtime_error":
            node = sites["runtime_error"][site]
            node.id = node.id + "_"  # type: ignore[attr-defined]
    text = ast.unparse(tree)
    lines = text.splitlines()
    headers = _header_lines(text)
    for kind, site in faults:
        if kind == "syntax_error":
            index = headers[site]
            lines[index] = lines[index].rstrip()[:-1]
    return "\n".join(lines) + "\n"


def read_tags(program: str) -> tuple[str, int, list[tuple[str, int]]] | None:
    """(problem id, solution index, faults) from a simulated-coder program's header, or None."""
    match = _TAGS.search(program or "")
    if match is None:
        return None
    faults = []
    for tag in filter(None, match["faults"].split(",")):
        kind, _, site = tag.partition(":")
        if kind not in KINDS or not site.isdigit():
            return None
        faults.append((kind, int(site)))
    return match["problem"], int(match["solution"]), faults


class AppsSimulatedCoder(SimulatedCoderBase):
    """A :class:`~cwmb.llm.protocol.Backend` answering APPS requests (see the module docstring)."""

    def __init__(self, problems: Mapping[str, Problem], skill: OfflineSkill | None = None) -> None:
        self.problems = dict(problems)
        self.skill = skill or OfflineSkill()

    def cache_key_parts(self, request: LLMRequest) -> dict[str, object]:
        """What the answer depends on: skill, problem (and its solutions), action, program, sample index."""
        problem = self.problems.get(request.env_name or "")
        return {
            "backend": "offline-apps",
            "version": CODER_VERSION,
            "skill": dataclasses.asdict(self.skill),
            "problem": request.env_name,
            "solutions": stable_hash(list(problem.solutions) if problem else []),
            "action": request.action,
            "program": stable_hash(request.program or ""),
            "sample_index": request.sample_index,
        }

    def generate(self, request: LLMRequest) -> Completion:
        """A (faulty) reference solution of the named problem, or a notice when it has none."""
        problem = self.problems.get(request.env_name or "")
        usable = (
            [i for i, s in enumerate(problem.solutions) if any(site_counts(s).values())] if problem else []
        )
        if problem is None or not usable:
            text = "Simulated coder (offline model, not an LLM): the problem has no reference solution."
            return self.answer(request, text)
        solution, faults = self._choose(problem, usable, request, self.request_rng(request))
        tags = ",".join(f"{k}:{s}" for k, s in sorted(faults))
        header = (
            f"{BANNER}\n# simulated-coder: problem={problem.problem_id} solution={solution} faults={tags}\n"
        )
        program = header + apply_faults(problem.solutions[solution], faults)
        verb = {"improve": "an improved", "fix": "a fixed"}.get(request.action, "a new")
        text = f"Simulated coder (offline model, not an LLM): {verb} program.\n\n```python\n{program}```\n"
        return self.answer(request, text)

    def _choose(
        self, problem: Problem, usable: list[int], request: LLMRequest, rng: random.Random
    ) -> tuple[int, list[tuple[str, int]]]:
        tags = read_tags(request.program or "") if request.action in REPAIR_ACTIONS else None
        previous: list[tuple[str, int]] | None = None
        if tags is None or tags[0] != problem.problem_id or tags[1] not in usable:
            solution = rng.choice(usable)  # drawn before the faults, as it always was
        else:
            _, solution, previous = tags
        source = problem.solutions[solution]

        def sample(count: int, existing: list[tuple[str, int]]) -> list[tuple[str, int]]:
            return self._sample(source, rng, count, existing)[len(existing) :]

        return solution, self.corrupt_or_repair(request.action, rng, previous, sample, lambda fault: fault[0])

    def _sample(
        self, solution: str, rng: random.Random, count: int, existing: list[tuple[str, int]]
    ) -> list[tuple[str, int]]:
        counts = site_counts(solution)
        chosen = list(existing)
        for _ in range(count):
            # First the kind (by the skill's weights), then one of its free sites uniformly.
            free = {k: [s for s in range(counts[k]) if (k, s) not in chosen] for k in KINDS}
            kinds = [k for k in KINDS if free[k] and self.skill.fault_weights.get(k, 0.0) > 0]
            if not kinds:
                break
            kind = rng.choices(kinds, weights=[self.skill.fault_weights[k] for k in kinds])[0]
            chosen.append((kind, rng.choice(free[kind])))
        return chosen
