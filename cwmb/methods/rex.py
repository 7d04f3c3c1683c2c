"""REx (Tang et al., NeurIPS 2024): program refinement as an arm-acquiring bandit, by Thompson sampling.

Every program written so far is an arm. Pulling an arm asks the LLM to refine that
program (fix it if it crashed, improve it with a failing transition otherwise), which
adds the child as a new arm. An arm's belief is

    theta ~ Beta(1 + C h, 1 + C (1 - h) + N)

with h its accuracy, C the heuristic weight and N its failed refinements: after each
pull the parent gets alpha += 1 if the child is perfect (which also ends the search),
else beta += 1. Each step draws one theta per arm and refines the argmax.

The first call generates the seed program. :class:`ThompsonRefinement` is also the
WorldCoder baseline as the GIF-MCTS paper ran it (``worldcoder.py``: C = 5, no
de-duplication); REx here uses C = 20, the value of the REx authors' example commands,
and by default does not add a program that is already an arm (the arm's parent is still
updated).
"""

from __future__ import annotations

from dataclasses import dataclass

from cwmb.methods.base import SearchConfig, SessionMethod
from cwmb.methods.evaluation import Evaluation
from cwmb.methods.records import NodeRecord, SearchResult, program_hash
from cwmb.methods.registry import register_method
from cwmb.methods.session import Candidate, Session


@dataclass(frozen=True)
class RExConfig(SearchConfig):
    """Thompson-sampling refinement settings.

    ``heuristic_weight`` is C; ``deduplicate`` keeps a program that is already an arm from
    becoming a second arm; ``select_sequential`` (an ablation of the original WorldCoder
    code) always refines the newest program instead of sampling.
    """

    heuristic_weight: float = 20.0
    deduplicate: bool = True
    select_sequential: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.heuristic_weight < 0:
            raise ValueError("heuristic_weight (C) must be >= 0")


@dataclass
class Arm:
    """One program of the pool and its Beta belief."""

    id: int
    parent: int | None
    action: str
    depth: int
    program: str
    evaluation: Evaluation
    alpha: float
    beta: float
    is_arm: bool = True

    def record(self) -> NodeRecord:
        """A frozen snapshot for the result."""
        return NodeRecord(
            id=self.id,
            parent=self.parent,
            action=self.action,
            depth=self.depth,
            call=self.id,
            program_hash=program_hash(self.program),
            accuracy=self.evaluation.accuracy,
            perfect=self.evaluation.perfect,
            status=self.evaluation.status,
            error=self.evaluation.error,
            extra={"alpha": self.alpha, "beta": self.beta, "arm": self.is_arm},
        )


@register_method("rex", RExConfig, "REx: Thompson-sampling refinement (C = 20)")
class ThompsonRefinement(SessionMethod):
    """Generate one program, then refine Thompson-sampled programs (see the module docstring)."""

    config: RExConfig

    def search(self, session: Session) -> SearchResult:
        """Seed the pool with one generate, then refine until the session is finished."""
        pool: list[Arm] = []
        seed = session.propose("generate", parent=None)
        if seed is not None:
            pool.append(self._new_arm(seed, session.calls, None, 0, pool))
            session.record(seed, node=pool[-1].id, parent=None, extra=self._arm_extra(pool[-1], {}))
        while not session.finished:
            parent, draws = self._choose(pool, session)
            evaluation = parent.evaluation
            action = "fix" if evaluation.buggy else "improve"
            candidate = session.propose(
                action,
                parent=parent.id,
                program=parent.program,
                feedback=evaluation.feedback,
                error=evaluation.error or "",
            )
            if candidate is None:
                break
            success = 1.0 if candidate.evaluation.perfect else 0.0
            parent.alpha += success
            parent.beta += 1.0 - success
            child = self._new_arm(candidate, session.calls, parent, parent.depth + 1, pool)
            pool.append(child)
            extra = self._arm_extra(child, draws) | {"parent_alpha": parent.alpha, "parent_beta": parent.beta}
            session.record(candidate, node=child.id, parent=parent.id, extra=extra)
        return session.result(self.name, [arm.record() for arm in pool])

    def _new_arm(
        self, candidate: Candidate, call: int, parent: Arm | None, depth: int, pool: list[Arm]
    ) -> Arm:
        accuracy, c = candidate.evaluation.accuracy, self.config.heuristic_weight
        digest = program_hash(candidate.program)
        duplicate = self.config.deduplicate and any(
            a.is_arm and program_hash(a.program) == digest for a in pool
        )
        return Arm(
            id=call,
            parent=parent.id if parent else None,
            action=candidate.action,
            depth=depth,
            program=candidate.program,
            evaluation=candidate.evaluation,
            alpha=1.0 + c * accuracy,
            beta=1.0 + c * (1.0 - accuracy),
            is_arm=not duplicate,
        )

    def _choose(self, pool: list[Arm], session: Session) -> tuple[Arm, dict[str, float]]:
        """Thompson sampling: one Beta draw per arm, in pool order; the largest draw wins."""
        arms = [arm for arm in pool if arm.is_arm]
        if self.config.select_sequential:
            return arms[-1], {}
        draws = [float(session.rng.beta(arm.alpha, arm.beta)) for arm in arms]
        best = max(range(len(arms)), key=draws.__getitem__)
        return arms[best], {str(arm.id): round(d, 9) for arm, d in zip(arms, draws, strict=True)}

    @staticmethod
    def _arm_extra(arm: Arm, draws: dict[str, float]) -> dict[str, object]:
        return {"alpha": arm.alpha, "beta": arm.beta, "arm": arm.is_arm, "draws": draws}
