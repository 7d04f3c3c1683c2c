"""The suites a grid can name (``cwmb``, ``rtfm``, ``apps``): one small registry of cell kinds.

A :class:`SuiteKind` turns its section of the experiment into targets, says which targets
an LLM can attempt, where a cell's files live, whether a cell is complete, how to run it
and what it will cost. ``cwmb`` and ``rtfm`` are the same kind (RTFM is an env of the cwmb
registry); ``apps`` runs ``cwmb synthesize --suite apps`` and says so clearly while that
suite is not installed. :func:`register_suite` adds a kind.
"""

from __future__ import annotations

import dataclasses
import importlib.util
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from cwmb.errors import CwmbError, closest_names
from cwmb.grid.cells import Cell

GROUPS = ("all", "discrete", "continuous")
APPS_MODULE = "cwmb.apps"


@dataclass(frozen=True)
class CellContext:
    """What every cell of a grid shares: trajectory root, planner settings, cache folder, suite sections."""

    trajectories: Path
    profile: str
    episodes: int | None
    planning_workers: int
    profile_overrides: tuple[tuple[str, Any], ...]
    sections: dict[str, dict[str, Any]]
    cache_dir: str | None = None
    # Resolved by the driver, so a worker needs neither the config files nor the driver's paths.
    llm_configs: dict[str, Any] = field(default_factory=dict)
    method_specs: dict[str, Any] = field(default_factory=dict)


def with_resolved_configs(context: CellContext, cells: Sequence[Cell]) -> CellContext:
    """``context`` with the LLM configs and method specs the cells name, read once by the driver."""
    from cwmb.llm import load_llm_config

    return dataclasses.replace(
        context,
        llm_configs={cell.llm: load_llm_config(cell.llm) for cell in cells},
        method_specs={cell.method: get_suite(cell.suite).method_spec(cell.method) for cell in cells},
    )


class SuiteKind(Protocol):
    """One kind of cell; see the module docstring."""

    name: str

    def targets(self, section: dict[str, Any], where: str) -> list[str]:
        """The targets (env names, problem ranges) the experiment's section names."""
        ...

    def usable_targets(self, targets: list[str], llm_config: Any) -> tuple[list[str], list[str]]:
        """(targets the LLM can attempt, targets skipped)."""
        ...

    def method_spec(self, name: str) -> Any:
        """The method a cell of this suite runs for ``name``, as its domain's own command reads it.

        A method the domain does not know is a CwmbError, raised before any cell runs.
        """
        ...

    def cell_directory(self, cell: Cell, root: Path) -> Path:
        """The folder the cell writes (and only it)."""
        ...

    def is_complete(self, cell: Cell, root: Path, context: CellContext) -> bool:
        """True when every stage of the cell has finished on disk."""
        ...

    def run(
        self, cell: Cell, root: Path, context: CellContext, on_call: Callable[[], None] | None = None
    ) -> dict[str, Any]:
        """Run (or resume) the cell's stages; return its result record; ``on_call`` after each call."""
        ...

    def inputs(self, cell: Cell, context: CellContext) -> dict[str, Path]:
        """Input folders to ship to a worker that lacks the driver's files (name -> local folder)."""
        ...

    def call_logs(self, cell: Cell, root: Path) -> list[Path]:
        """The call logs (``llm_calls.jsonl``) that record what the cell's LLM calls spent."""
        ...


class CwmbSuite:
    """Envs of the cwmb registry (CWMB's 18, and RTFM once merged): synthesize, then evaluate."""

    def __init__(self, name: str, default_envs: tuple[str, ...]) -> None:
        self.name = name
        self.default_envs = default_envs

    def targets(self, section: dict[str, Any], where: str) -> list[str]:
        """Env names, with the groups ``all``, ``discrete`` and ``continuous`` expanded."""
        from cwmb.benchmark import ENVS

        unknown = [key for key in section if key != "envs"]
        if unknown:
            raise CwmbError(f"unknown key '{unknown[0]}' in {where}", "a cwmb suite has only envs: [...]")
        names = section.get("envs", list(self.default_envs))
        names = names if isinstance(names, list) else [names]
        found: list[str] = []
        for raw in names:
            for name in str(raw).split(","):
                group = name.strip().lower()
                if group in GROUPS:
                    chosen = [
                        s.name for s in ENVS if group == "all" or s.is_discrete == (group == "discrete")
                    ]
                else:
                    chosen = [self._env(name.strip())]
                found += [n for n in chosen if n not in found]
        return found

    def _env(self, name: str) -> str:
        from cwmb.benchmark import get_env

        try:
            return get_env(name).name
        except CwmbError:
            if name in self.default_envs:  # the suite's own env is missing: the suite is not installed
                raise CwmbError(
                    f"the {self.name} suite is not installed in this cwmb (no env {name} in the registry)",
                    f"use a cwmb that includes {self.name.upper()} support, or remove the {self.name} suite",
                ) from None
            raise

    def usable_targets(self, targets: list[str], llm_config: Any) -> tuple[list[str], list[str]]:
        """The offline simulated coder can only write envs it has a reference model for."""
        if llm_config.backend != "offline":
            return list(targets), []
        from cwmb.benchmark.reference import REFERENCE_ENVS

        return [t for t in targets if t in REFERENCE_ENVS], [t for t in targets if t not in REFERENCE_ENVS]

    def method_spec(self, name: str) -> Any:
        """A method config of ``configs/methods/`` (or a YAML path), as ``cwmb synthesize --config``."""
        from cwmb.methods import load_method_config

        return load_method_config(name)

    def cell_directory(self, cell: Cell, root: Path) -> Path:
        """``<root>/<run>/<ENV>/``, exactly what ``cwmb synthesize --run`` writes."""
        return Path(root) / cell.run / cell.target

    def is_complete(self, cell: Cell, root: Path, context: CellContext) -> bool:
        """Synthesis finished with this budget and, if asked, evaluation done with these settings."""
        from cwmb.grid.cell_run import cwmb_cell_complete

        return cwmb_cell_complete(cell, self.cell_directory(cell, root), context)

    def run(
        self, cell: Cell, root: Path, context: CellContext, on_call: Callable[[], None] | None = None
    ) -> dict[str, Any]:
        """Synthesize and evaluate one env (``cwmb.grid.cell_run``)."""
        from cwmb.grid.cell_run import run_cwmb_cell

        return run_cwmb_cell(cell, self.cell_directory(cell, root), context, on_call)

    def call_logs(self, cell: Cell, root: Path) -> list[Path]:
        """The cell's call log: ``<root>/<run>/<ENV>/llm_calls.jsonl``."""
        from cwmb.llm.calllog import CALL_LOG_NAME

        return [self.cell_directory(cell, root) / CALL_LOG_NAME]

    def inputs(self, cell: Cell, context: CellContext) -> dict[str, Path]:
        """Folders a worker without the driver's filesystem needs: the env's trajectories."""
        return {f"trajectories/{cell.target}": Path(context.trajectories) / cell.target}


class AppsSuite:
    """APPS problem ranges, run by ``cwmb synthesize --suite apps`` (needs the ``cwmb.apps`` package)."""

    name = "apps"

    def targets(self, section: dict[str, Any], where: str) -> list[str]:
        """Ranges ``A:B`` of problems, split into chunks of ``chunk`` problems (default: one chunk)."""
        require_apps()
        for key in section:
            if key not in ("data", "problems", "chunk"):
                raise CwmbError(f"unknown key '{key}' in {where}", "an apps suite has data, problems, chunk")
        if "data" not in section or "problems" not in section:
            raise CwmbError(f"{where} needs data: PATH and problems: A:B", "e.g. problems: '0:1000'")
        start, end = _problem_range(str(section["problems"]), where)
        chunk = int(section.get("chunk") or (end - start))
        return [f"{a}:{min(a + chunk, end)}" for a in range(start, end, max(1, chunk))]

    def usable_targets(self, targets: list[str], llm_config: Any) -> tuple[list[str], list[str]]:
        """Every LLM can attempt every problem."""
        return list(targets), []

    def method_spec(self, name: str) -> Any:
        """What ``cwmb synthesize --suite apps --config NAME`` runs: a method config, or ``zero_shot_cot``."""
        require_apps()
        from cwmb.apps.commands import resolve_method
        from cwmb.apps.synthesis import METHOD_PROMPTS

        try:
            return resolve_method(name, None)[0]
        except CwmbError as problem:
            also = f"the apps suite also takes {', '.join(sorted(METHOD_PROMPTS))}"
            hint = f"{problem.hint}; {also}" if problem.hint else also
            raise CwmbError(f"{problem.message} (apps suite)", hint) from None

    def cell_directory(self, cell: Cell, root: Path) -> Path:
        """The run folder (APPS writes one folder per problem inside it; chunks do not overlap)."""
        return Path(root) / cell.run

    def is_complete(self, cell: Cell, root: Path, context: CellContext) -> bool:
        """APPS cells are never skipped by the grid: the apps command resumes itself at no LLM cost."""
        return False

    def run(
        self, cell: Cell, root: Path, context: CellContext, on_call: Callable[[], None] | None = None
    ) -> dict[str, Any]:
        """``cwmb synthesize --suite apps ...`` for the cell's problem range, in a subprocess.

        The calls it made are counted from its problems' call logs (the lines they gained),
        so a rerun that pays nothing again reports 0 new calls.
        """
        from cwmb.apps.commands import problem_ids_in
        from cwmb.grid.cell_run import SUMMARY_FILE, read_json, run_cli
        from cwmb.grid.usage import log_sizes, new_calls

        run_dir = self.cell_directory(cell, root)
        data = str(Path(context.sections["apps"]["data"]).resolve())
        args = ["synthesize", "--suite", "apps", "--data", data, "--problems", cell.target]
        args += ["--config", cell.method, "--llm", cell.llm, "--budget", str(cell.budget)]
        args += ["--seed", str(cell.seed), "--run", cell.run, "--results", str(root)]
        before = log_sizes(run_dir)
        problems = problem_ids_in(run_cli(args, context.cache_dir))
        calls, _ = new_calls(run_dir, problems, before)
        summaries = [read_json(run_dir / problem / SUMMARY_FILE) or {} for problem in problems]
        return {
            "cell": cell.key,
            "status": "finished",
            "problems": len(problems),
            "calls": sum(int(s.get("calls") or 0) for s in summaries),
            "new_calls": calls,
            "cost_usd": sum(float(s.get("cost_usd") or 0.0) for s in summaries),
            "simulated": any((s.get("llm") or {}).get("simulated") for s in summaries),
        }

    def call_logs(self, cell: Cell, root: Path) -> list[Path]:
        """The call logs of every problem of the cell's run (chunks of one run share its folder)."""
        from cwmb.llm.calllog import CALL_LOG_NAME

        return sorted(self.cell_directory(cell, root).glob(f"*/{CALL_LOG_NAME}"))

    def inputs(self, cell: Cell, context: CellContext) -> dict[str, Path]:
        """The APPS data path is passed as is (a cluster needs it on every node)."""
        return {}


def require_apps() -> None:
    """A one-line error while the APPS suite is not part of this cwmb."""
    if importlib.util.find_spec(APPS_MODULE) is None:
        raise CwmbError(
            "the apps suite is not installed in this cwmb (no cwmb.apps package)",
            "use a cwmb that includes APPS support, or remove the apps suite from the experiment",
        )


def _problem_range(text: str, where: str) -> tuple[int, int]:
    start, sep, end = text.partition(":")
    if not sep or not start.strip().isdigit() or not end.strip().isdigit() or int(start) >= int(end):
        raise CwmbError(f"{where}: bad problems '{text}'", "write START:END with START < END, e.g. '0:1000'")
    return int(start), int(end)


_SUITES: dict[str, SuiteKind] = {
    "cwmb": CwmbSuite("cwmb", ("all",)),
    "rtfm": CwmbSuite("rtfm", ("RTFM-SimpleStationary-v0",)),
    "apps": AppsSuite(),
}


def register_suite(kind: SuiteKind) -> None:
    """Add (or replace) a suite kind under ``kind.name``."""
    _SUITES[kind.name] = kind


def suite_names() -> list[str]:
    """Names of the registered suites."""
    return sorted(_SUITES)


def get_suite(name: str) -> SuiteKind:
    """The suite kind called ``name``; a CwmbError names the closest."""
    if name not in _SUITES:
        close = closest_names(name, _SUITES)
        hint = f"did you mean {', '.join(close)}? " if close else ""
        raise CwmbError(f"unknown suite '{name}'", f"{hint}known: {', '.join(suite_names())}")
    return _SUITES[name]
