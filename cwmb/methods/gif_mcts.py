"""GIF-MCTS (Dainese et al., NeurIPS 2024): Monte Carlo tree search over programs.

Nodes are programs; one simulation is one LLM call. Each simulation

1. **selects** a path from the root with a modified UCT: an expanded child c of P scores
   ``V(c) + C sqrt(ln N(P) / (N(c) + eps))``; an untried action of type t scores the
   learned prior estimate (:mod:`cwmb.methods.gif_prior`) plus
   ``C sqrt(ln N(P) / (n_t + eps))`` where n_t counts P's expanded type-t children.
   Ties are broken uniformly at random with the run's seeded generator;
2. **expands** the chosen untried action with one LLM call: *generate* continues P's
   program prefix and the child keeps L more code lines of the answer as its own prefix;
   *improve* rewrites P's program given a failing transition; *fix* repairs P's crashing
   program given its error;
3. **backs up** the child's accuracy along the path. A buggy child instead gets a
   temporary value (0.99 for a fresh bug, decaying linearly to 0 over f = 3 failed
   fixes) that is kept out of the backup: its ancestors count a visit at their
   unchanged mean. After a fix, the whole fix chain and the node whose bug it fixes take
   the fixed child's value, or the decayed temporary value, or die with value 0 when the
   last fix failed.

The search stops after ``budget`` calls, at the first perfect program, when the cost cap
refuses a call, or when nothing is left to expand. Every decision on the original
implementation's edge cases is listed in ``docs/methods.md``; ``fidelity: original``
reproduces the original's rules where they differ (:mod:`cwmb.methods.gif_original`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from cwmb.methods.base import SearchConfig, SessionMethod
from cwmb.methods.extraction import code_lines, keep_code_lines
from cwmb.methods.gif_original import (
    FIDELITIES,
    autopep8_formatter,
    local_mean_after_expansion,
    original_prefix,
)
from cwmb.methods.gif_prior import ActionPrior
from cwmb.methods.gif_tree import SLOT_ORDER, Node, Tree
from cwmb.methods.records import SearchResult
from cwmb.methods.registry import register_method
from cwmb.methods.session import Candidate, Session

_TIE_TOLERANCE = 1e-12


@dataclass(frozen=True)
class GIFMCTSConfig(SearchConfig):
    """GIF-MCTS settings; defaults are the paper's Table 4.

    ``lines_per_generate`` is L (code lines a generate node keeps); ``exploration`` C;
    ``visit_offset`` eps; ``*_prior`` / ``*_prior_count`` the prior value and its weight
    per action type; ``max_fixes`` f; ``buggy_value`` the temporary value of a fresh bug.
    ``allow_*`` are the ablation switches (the root may always generate once, since
    nothing else can start the search); ``learn_prior_weights`` false keeps the
    global/local mix at 50/50. ``fidelity``: ``cwmb`` (default) or ``original``, the
    original implementation's rules (:mod:`cwmb.methods.gif_original`).
    """

    lines_per_generate: int = 2
    exploration: float = 0.1
    visit_offset: float = 1.0
    discount: float = 1.0
    generate_prior: float = 0.5
    generate_prior_count: float = 2.0
    improve_prior: float = 0.55
    improve_prior_count: float = 2.0
    fix_prior: float = 0.5
    fix_prior_count: float = 2.0
    max_fixes: int = 3
    buggy_value: float = 0.99
    allow_generate: bool = True
    allow_improve: bool = True
    allow_fix: bool = True
    learn_prior_weights: bool = True
    fidelity: str = "cwmb"

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.fidelity not in FIDELITIES:
            raise ValueError(f"fidelity must be one of {FIDELITIES}, not {self.fidelity!r}")
        if self.lines_per_generate < 1 or self.max_fixes < 1:
            raise ValueError("lines_per_generate and max_fixes must be at least 1")
        if self.exploration < 0 or self.visit_offset <= 0 or not 0 < self.discount <= 1:
            raise ValueError("exploration >= 0, visit_offset > 0 and 0 < discount <= 1")
        if not 0 <= self.buggy_value <= 1:
            raise ValueError("buggy_value must be in [0, 1]")

    @classmethod
    def keys_without_effect(cls, values: Mapping[str, Any]) -> dict[str, str]:
        """The settings of an action its ablation switch turns off."""
        ignored: dict[str, str] = {}
        if values.get("allow_fix") is False:
            why = "allow_fix is false, so no fix node is ever made or valued"
            ignored |= dict.fromkeys(("fix_prior", "fix_prior_count", "max_fixes", "buggy_value"), why)
        if values.get("allow_improve") is False:
            why = "allow_improve is false, so no improve action is ever scored"
            ignored |= dict.fromkeys(("improve_prior", "improve_prior_count"), why)
        return ignored

    def bug_value(self, fixes_left: int) -> float:
        """Temporary value of a buggy node with ``fixes_left`` fixes left: linspace(0, buggy_value, f+1)."""
        return self.buggy_value * fixes_left / self.max_fixes

    @property
    def original(self) -> bool:
        """True with ``fidelity: original``."""
        return self.fidelity == "original"


@dataclass(frozen=True)
class Selection:
    """The outcome of one descent: expand ``action`` at ``node``, reached through ``path``.

    ``global_mean`` / ``local_mean`` are the prior inputs the chosen action's estimate
    used; ``scores`` has one mapping per level of the path, from every option compared
    there (``node <id>`` or an action) to its UCT score.
    """

    node: Node
    action: str
    path: list[Node]
    global_mean: float
    local_mean: float | None
    scores: list[dict[str, float]]


@register_method("gif_mcts", GIFMCTSConfig, "GIF-MCTS: tree search with generate, improve and fix actions")
class GIFMCTS(SessionMethod):
    """GIF-MCTS (see the module docstring)."""

    config: GIFMCTSConfig

    def search(self, session: Session) -> SearchResult:
        """Run simulations until the session is finished."""
        cfg = self.config
        priors = {
            "generate": ActionPrior(cfg.generate_prior, cfg.generate_prior_count),
            "improve": ActionPrior(cfg.improve_prior, cfg.improve_prior_count),
            "fix": ActionPrior(cfg.fix_prior, cfg.fix_prior_count),
        }
        tree = Tree(root_slots=["generate"])
        tree.root.length = cfg.lines_per_generate
        reformat = autopep8_formatter() if cfg.original else None
        while not session.finished:
            selection = select(tree, priors, cfg, session.rng)
            if selection is None:
                session.stop("exhausted")
                break
            candidate = self._ask(session, selection, reformat)
            if candidate is None:  # the cost cap refused the call
                break
            child = self._expand(tree, selection, candidate, session.calls)
            local_mean = selection.local_mean
            if cfg.original:  # before the backup: the new child still counts at value 0
                local_mean = local_mean_after_expansion(tree, selection.node, selection.action, child)
            self._backup(tree, selection, child)
            if selection.action == "fix":
                self._settle_fix_chain(tree, selection.node, child)
            prior = priors[selection.action]
            prior.update(
                selection.global_mean, local_mean, child.accuracy, cfg.learn_prior_weights, cfg.original
            )
            session.record(
                candidate, node=child.id, parent=selection.node.id, extra=_step_extra(selection, child)
            )
        return session.result(self.name, tree.records())

    def _ask(
        self, session: Session, selection: Selection, reformat: Callable[[str], str] | None
    ) -> Candidate | None:
        node, original = selection.node, self.config.original
        evaluation = node.evaluation
        feedback = evaluation.feedback if evaluation else ""
        if original and evaluation:
            feedback = str(evaluation.details.get("feedback_original", feedback))
        return session.propose(
            selection.action,
            parent=node.id,
            prefix=node.prefix,
            program=node.program,
            feedback=feedback,
            error=(evaluation.error or "") if evaluation else "",
            continue_prefix=not original,
            reformat=reformat,
        )

    def _expand(self, tree: Tree, selection: Selection, candidate: Candidate, call: int) -> Node:
        """Add the child the call produced; decide its prefix, fix allowance and open slots."""
        cfg, parent, action = self.config, selection.node, selection.action
        evaluation = candidate.evaluation
        length = 0
        if cfg.original:  # every action keeps a prefix of the extracted (unformatted) code
            prefix, length, complete = original_prefix(
                parent.prefix, parent.length, candidate.extraction.code
            )
        elif action == "generate":
            kept = len(code_lines(parent.prefix)) + cfg.lines_per_generate
            prefix, complete = keep_code_lines(candidate.program, kept)
        else:  # improve and fix answers are whole programs: nothing is left to generate
            prefix, complete = candidate.program, True
        child = Node(
            id=call,
            parent=parent.id,
            action=action,
            depth=parent.depth + 1,
            call=call,
            program=candidate.program,
            prefix=prefix,
            complete=complete,
            evaluation=evaluation,
            fixes_left=parent.fixes_left - 1 if action == "fix" and evaluation.buggy else cfg.max_fixes,
            length=length,
        )
        if evaluation.buggy:
            child.slots = ["fix"] if cfg.allow_fix and child.fixes_left > 0 else []
            child.dead = not child.slots
        elif cfg.original and complete:  # the original's done node: no children at all
            pass
        else:
            if cfg.allow_generate and not complete:
                child.slots.append("generate")
            if cfg.allow_improve:
                child.slots.append("improve")
        # A buggy parent has one fix chain; with generate disabled the root generates only once.
        if parent.buggy or (action == "generate" and not cfg.allow_generate):
            parent.slots.remove(action)
        return tree.add(child)

    def _backup(self, tree: Tree, selection: Selection, child: Node) -> None:
        path, cfg = selection.path, self.config
        if child.buggy and (cfg.allow_fix or cfg.original):
            # The temporary value is the child's own and stays out of its ancestors' means
            # (the original's fixes=0 gives a crash the temporary value 0 the same way).
            child.visits, child.value_sum = 1, cfg.bug_value(child.fixes_left) if cfg.allow_fix else 0.0
            tree.visit_only(path)
        elif cfg.original and child.complete:
            # The original's done node keeps value 0 and hands its accuracy to its ancestors.
            child.visits += 1
            tree.backup(path, child.accuracy, cfg.discount)
        else:  # a healthy program, or a crash that nothing may fix (value 0)
            tree.backup([*path, child], child.accuracy, cfg.discount)

    def _settle_fix_chain(self, tree: Tree, parent: Node, child: Node) -> None:
        """After a fix: the chain takes the fixed value, the decayed bug value, or dies."""
        chain = tree.fix_chain(parent)
        if not child.buggy:
            value = child.value
        elif child.dead:
            value = 0.0
            for node in [*chain, child]:
                node.dead = True
        else:
            value = self.config.bug_value(child.fixes_left)
        for node in chain:
            node.value_sum = value * node.visits


def select(
    tree: Tree, priors: dict[str, ActionPrior], cfg: GIFMCTSConfig, rng: np.random.Generator
) -> Selection | None:
    """Descend from the root with the modified UCT until an untried action is chosen (None: nothing left)."""
    node, path, levels = tree.root, [tree.root], []
    if not tree.selectable(node):
        return None
    while True:
        options = _options(tree, node, priors, cfg)
        best = max(score for _, score, _ in options)
        ties = [option for option in options if best - option[1] <= _TIE_TOLERANCE]
        label, _, target = ties[int(rng.integers(len(ties)))] if len(ties) > 1 else ties[0]
        levels.append({name: score for name, score, _ in options})
        if isinstance(target, Node):
            node = target
            path.append(node)
            continue
        global_mean, local_mean = target
        return Selection(node, label, path, global_mean, local_mean, levels)


def _options(
    tree: Tree, node: Node, priors: dict[str, ActionPrior], cfg: GIFMCTSConfig
) -> list[tuple[str, float, Node | tuple[float, float | None]]]:
    """Every choice at ``node``: selectable children, then untried actions, with their UCT scores."""
    log_visits = math.log(max(node.visits, 1))
    options: list[tuple[str, float, Node | tuple[float, float | None]]] = []
    for child_id in node.children:
        child = tree[child_id]
        if tree.selectable(child):
            bonus = cfg.exploration * math.sqrt(log_visits / (child.visits + cfg.visit_offset))
            options.append((f"node {child.id}", child.value + bonus, child))
    for action in SLOT_ORDER:
        if action not in node.slots:
            continue
        siblings = tree.children_of_type(node, action)
        local_mean = sum(s.value for s in siblings) / len(siblings) if siblings else None
        prior = priors[action]
        bonus = cfg.exploration * math.sqrt(log_visits / (len(siblings) + cfg.visit_offset))
        options.append((action, prior.estimate(local_mean) + bonus, (prior.global_mean, local_mean)))
    return options


def _step_extra(selection: Selection, child: Node) -> dict[str, object]:
    """What a tree.jsonl line records about the search: the path, the scores compared, the child's value."""
    return {
        "path": [n.id for n in selection.path],
        "scores": [{k: round(v, 9) for k, v in level.items()} for level in selection.scores],
        "value": round(child.value, 9),
        "fixes_left": child.fixes_left,
        "dead": child.dead,
    }
