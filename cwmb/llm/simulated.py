"""What every offline simulated coder shares: its label, its seeded choices and the corrupt-and-repair step.

A simulated coder (the world-model one of :mod:`cwmb.llm.offline`, the APPS one of
:mod:`cwmb.apps.offline`) starts from a fault-free program and works on a list of faults:
asked to *generate*, it draws fresh faults; asked to *improve* or *fix* a program it wrote,
it removes each recorded fault with the probability its skill gives for that kind and
sometimes adds one. The coders differ only in what a fault is and where it can go, so
they pass those in (``sample`` and ``kind_of``) and the loop itself lives here, once.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import TypeVar

from cwmb.llm.config import OfflineSkill
from cwmb.llm.protocol import Completion, LLMRequest, rough_token_count, stable_hash

MODEL_NAME = "offline/simulated-coder"
BANNER = "# Written by the cwmb simulated coder (offline model), NOT by an LLM."
REPAIR_ACTIONS = ("improve", "fix")

FaultT = TypeVar("FaultT")
# sample(count, existing) -> up to ``count`` new faults, none of them in ``existing``
Sampler = Callable[[int, list[FaultT]], list[FaultT]]


class SimulatedCoderBase:
    """The common part of the simulated coders (a :class:`~cwmb.llm.protocol.Backend` each)."""

    skill: OfflineSkill

    @property
    def name(self) -> str:
        """``offline/simulated-coder``."""
        return MODEL_NAME

    @property
    def simulated(self) -> bool:
        """Always: no LLM is involved."""
        return True

    def request_rng(self, request: LLMRequest) -> random.Random:
        """The generator of every choice for ``request``: seeded by skill seed, task, action, sample, program.

        So a run is reproducible, and N samples of one prompt are N different programs.
        """
        key = [self.skill.seed, request.env_name, request.action, request.sample_index, request.program or ""]
        return random.Random(stable_hash(key))

    def corrupt_or_repair(
        self,
        action: str,
        rng: random.Random,
        previous: Sequence[FaultT] | None,
        sample: Sampler[FaultT],
        kind_of: Callable[[FaultT], str],
    ) -> list[FaultT]:
        """The faults of the answer: fresh ones when ``previous`` is None, else a repaired subset.

        ``previous`` is None for a generate request and for a program the coder did not write
        (it cannot know that program's faults, so it writes a fresh one rather than pretend).
        """
        if previous is None:
            low, high = self.skill.generate_faults
            return sample(rng.randint(low, high), [])
        removal = self.skill.fix_remove if action == "fix" else self.skill.improve_remove
        kept = [fault for fault in previous if rng.random() >= removal.get(kind_of(fault), 0.0)]
        if rng.random() < self.skill.p_new_fault:
            kept += sample(1, kept)
        return kept

    @staticmethod
    def answer(request: LLMRequest, text: str) -> Completion:
        """``text`` as a free completion, with token counts estimated as for a real model."""
        tokens_in = sum(rough_token_count(m.content) for m in request.messages)
        return Completion(text, tokens_in, rough_token_count(text), 0.0)
