"""The offline *simulated coder*: a stand-in for an LLM that needs no network.

It lets tests and ``make demo`` run the whole pipeline (search, sandbox, scoring,
planning) without an API key. Asked to *generate* a world model for an environment, it
starts from a fault-free program and injects faults (:mod:`cwmb.llm.faults`). That
program is the env's hand-written reference world model for the 7 non-MuJoCo envs, and
for the 11 continuous MuJoCo envs (whose references step the simulator, which a generated
program may not) a numpy-only model fitted by least squares to the env's dataset
(:mod:`cwmb.llm.fitting`; far from perfect, and deterministic). Asked to *improve* or
*fix* a program it made, it reads the fault tags from the program's header and removes each
fault with the probability its skill config gives for that kind (fix prompts mostly repair
crashes, improve prompts any fault), sometimes adding a new one. Every decision is drawn from a random
generator seeded by (skill seed, env, action, sample index, program), so a run is
reproducible and N samples are N different programs.

Every completion starts with a comment saying it was written by the simulated coder,
not an LLM, so no result made with it can pass for an LLM's.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cwmb.errors import CwmbError
from cwmb.llm.config import OfflineSkill
from cwmb.llm.faults import Fault, apply_faults, sample_faults
from cwmb.llm.protocol import Completion, LLMRequest, stable_hash
from cwmb.llm.simulated import BANNER, REPAIR_ACTIONS, SimulatedCoderBase

if TYPE_CHECKING:
    from cwmb.trajectories.dataset import Dataset

CODER_VERSION = 1  # part of the cache key: bump when the coder's answers change
_TAGS = re.compile(r"^# simulated-coder: env=(?P<env>\S+) faults=(?P<faults>\S*)", re.MULTILINE)

ReferenceSource = Callable[[str], str]


def default_reference_source(env_name: str) -> str:
    """The program the coder starts from for ``env_name``: its reference model, else a fitted one.

    The 7 non-MuJoCo envs have hand-written reference world models. For the continuous envs
    without one (the 11 MuJoCo envs) the coder fits a numpy-only model to the shipped dataset
    under ``./trajectories`` (:func:`dataset_reference_source` takes any other dataset).
    """
    from cwmb.rtfm.offline_program import rtfm_offline_reference

    if (rtfm := rtfm_offline_reference(env_name)) is not None:
        return rtfm
    try:
        from cwmb.benchmark.reference import reference_source
    except ImportError as problem:
        raise CwmbError(
            f"the offline model needs the reference world models, which cannot be loaded: {problem}"
        ) from None
    try:
        return reference_source(env_name)
    except KeyError:
        if not _fits_continuous(env_name):
            raise
    return _fitted_source_from_root(env_name, Path("trajectories"))


def dataset_reference_source(dataset: Dataset) -> ReferenceSource:
    """A source that fits ``dataset`` for its own env when that env has no reference model.

    The fit (:mod:`cwmb.llm.fitting`) runs once, here in the harness, on trusted data; other
    envs are answered as by :func:`default_reference_source`.
    """
    fitted: dict[str, str] = {}

    def source(env_name: str) -> str:
        if not _same_env(env_name, dataset.env) or not _fits_continuous(env_name):
            return default_reference_source(env_name)
        if env_name not in fitted:
            fitted[env_name] = fitted_source(dataset)
        return fitted[env_name]

    return source


def fitted_source(dataset: Dataset) -> str:
    """The fault-free fitted program of ``dataset``'s env (same dataset, same text)."""
    from cwmb.llm.fitted_program import render_fitted_program
    from cwmb.llm.fitting import fit_linear_model

    return render_fitted_program(fit_linear_model(dataset))


def _same_env(name: str, other: str) -> bool:
    from cwmb.scoring import canonical_env

    return canonical_env(name) == canonical_env(other)


def _fits_continuous(env_name: str) -> bool:
    """True for a benchmark env without a reference model whose actions are continuous."""
    from cwmb.benchmark.reference import REFERENCE_ENVS
    from cwmb.benchmark.registry import get_env

    try:
        spec = get_env(env_name)
    except CwmbError:
        return False
    return spec.name not in REFERENCE_ENVS and not spec.is_discrete


@functools.lru_cache(maxsize=4)
def _fitted_source_from_root(env_name: str, root: Path) -> str:
    from cwmb.trajectories import load_dataset

    return fitted_source(load_dataset(root, env_name))


def read_fault_tags(program: str) -> tuple[str, list[Fault]] | None:
    """The env name and faults recorded in a simulated-coder program's header, or None if absent."""
    match = _TAGS.search(program)
    if match is None:
        return None
    try:
        faults = [Fault.from_tag(t) for t in match["faults"].split(",") if t]
    except ValueError:
        return None
    return match["env"], faults


def render_program(env_name: str, faults: list[Fault], reference: str) -> str:
    """The program the coder writes: banner, fault tags, then the faulty reference."""
    tags = ",".join(f.tag for f in sorted(faults))
    header = f"{BANNER}\n# simulated-coder: env={env_name} faults={tags}\n"
    # The reference's module docstring is dropped: it would call a faulty program a reference.
    return header + apply_faults(reference, faults, keep_module_docstring=False)


class SimulatedCoder(SimulatedCoderBase):
    """A :class:`~cwmb.llm.protocol.Backend` writing faulty reference programs (see the module docstring)."""

    def __init__(
        self, skill: OfflineSkill | None = None, reference_source: ReferenceSource | None = None
    ) -> None:
        self.skill = skill or OfflineSkill()
        self._reference_source = reference_source or default_reference_source

    def cache_key_parts(self, request: LLMRequest) -> dict[str, Any]:
        """What the answer depends on: skill, env (and its reference), action, program, sample index.

        The messages are not part of it: the coder never reads them.
        """
        reference = self._reference(request.env_name) if request.env_name else ""
        return {
            "backend": "offline",
            "version": CODER_VERSION,
            "skill": dataclasses.asdict(self.skill),
            "env": request.env_name,
            "reference": stable_hash(reference),
            "action": request.action,
            "program": stable_hash(request.program or ""),
            "sample_index": request.sample_index,
        }

    def generate(self, request: LLMRequest) -> Completion:
        """Write a program for ``request.env_name`` (or a short notice when no env is named)."""
        if request.env_name is None:
            text = (
                "This is the cwmb simulated coder (offline model), not an LLM. It writes world models "
                "only for requests that name a benchmark environment."
            )
            return self.answer(request, text)
        reference = self._reference(request.env_name)
        faults = self.choose_faults(request, reference)
        program = render_program(request.env_name, faults, reference)
        verb = {"improve": "improved", "fix": "fixed"}.get(request.action, "new")
        text = (
            f"Simulated coder (offline model, not an LLM): a {verb} world model for {request.env_name}.\n\n"
            f"```python\n{program}```\n"
        )
        return self.answer(request, text)

    def _reference(self, env_name: str) -> str:
        try:
            return self._reference_source(env_name)
        except KeyError:  # the reference registry's way of saying "no model for this env"
            raise CwmbError(
                f"the offline simulated coder has no reference world model for {env_name}",
                "it covers the benchmark's envs: the 7 with a reference world model, and the "
                "continuous ones by a fit to their dataset; use a real LLM config (--llm) for others",
            ) from None

    def choose_faults(self, request: LLMRequest, reference: str) -> list[Fault]:
        """The faults of the answer: fresh ones for generate, a repaired subset for improve/fix."""
        rng = self.request_rng(request)
        tags = read_fault_tags(request.program) if request.program else None
        own = tags is not None and request.action in REPAIR_ACTIONS and tags[0] == request.env_name
        weights = self.skill.fault_weights

        def sample(count: int, existing: list[Fault]) -> list[Fault]:
            return sample_faults(reference, rng, weights, count, existing=existing)

        previous = tags[1] if own and tags is not None else None
        return self.corrupt_or_repair(request.action, rng, previous, sample, lambda fault: fault.kind)
