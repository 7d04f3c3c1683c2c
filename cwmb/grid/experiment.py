"""Experiment files (``configs/experiments/*.yaml``): what a grid is, read and validated.

An experiment names its suites (each with its targets: envs, groups or problem ranges),
methods, LLM configs (each with its seeds and budgets), planner profile, stages and output
root. Unknown keys and bad values are :class:`~cwmb.errors.CwmbError` naming the key, so a
typo never falls back to a default silently. ``docs/grid.md`` lists every key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cwmb import presets
from cwmb.errors import CwmbError, closest_names

EXPERIMENT_DIR = Path(__file__).resolve().parents[2] / "configs" / "experiments"
STAGES = ("synthesize", "evaluate", "report")
_TOP_KEYS = (
    "name",
    "description",
    "output",
    "suites",
    "methods",
    "llms",
    "stages",
    "planner",
    "trajectories",
    "max_failures",
    "max_cost",
)
_LLM_KEYS = ("config", "seeds", "budget", "budgets")
_PLANNER_KEYS = ("profile", "episodes", "workers", "set")


@dataclass(frozen=True)
class LLMEntry:
    """One LLM of the grid: its config (preset or YAML path), seeds and budgets (LLM calls per cell)."""

    config: str
    seeds: tuple[int, ...]
    budgets: tuple[int, ...]


@dataclass(frozen=True)
class PlannerEntry:
    """How the ``evaluate`` stage plans: profile, episodes (None: the profile's), sandbox workers."""

    profile: str = "quick"
    episodes: int | None = None
    workers: int = 1
    overrides: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Experiment:
    """A validated experiment file; :func:`cwmb.grid.expansion.expand_cells` turns it into cells."""

    name: str
    output: Path
    suites: dict[str, dict[str, Any]]
    methods: tuple[str, ...]
    llms: tuple[LLMEntry, ...]
    stages: tuple[str, ...] = ("synthesize", "evaluate", "report")
    planner: PlannerEntry = field(default_factory=PlannerEntry)
    trajectories: Path = Path("trajectories")
    max_failures: int | None = None
    max_cost: float | None = None  # US$: no new cell starts once the grid has spent this much
    description: str = ""
    source: str | None = None


def list_experiments(directory: Path = EXPERIMENT_DIR) -> list[str]:
    """Names of the experiment files shipped in ``configs/experiments/``."""
    return presets.list_presets(directory)


def load_experiment(spec: str | Path, directory: Path = EXPERIMENT_DIR) -> Experiment:
    """Read and validate an experiment from a YAML path or the name of a shipped one."""
    import yaml

    path = presets.resolve_preset("experiment", spec, directory)
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as problem:
        raise CwmbError(f"cannot parse experiment {path}: {problem}", "check the YAML syntax") from None
    return experiment_from_dict(data, source=str(path))


def experiment_from_dict(data: Any, source: str | None = None) -> Experiment:
    """Build an :class:`Experiment` from plain data (as read from YAML), with clear errors."""
    where = f"experiment {source}" if source else "experiment"
    _mapping(data, where)
    _known_keys(data, _TOP_KEYS, where)
    for required in ("suites", "methods", "llms"):
        if required not in data:
            raise CwmbError(f"{where} has no '{required}'", f"add {required}: (see docs/grid.md)")
    name = str(data.get("name") or (Path(source).stem if source else "grid"))
    stages = _string_list(data.get("stages", list(STAGES)), "stages", where)
    for stage in stages:
        if stage not in STAGES:
            raise _unknown("stage", stage, STAGES, where)
    max_failures = data.get("max_failures")
    if max_failures is not None:
        max_failures = _integer(max_failures, "max_failures", where, minimum=0)
    return Experiment(
        name=name,
        output=Path(str(data.get("output") or f"results/{name}")),
        suites=_suites(data["suites"], where),
        methods=tuple(_string_list(data["methods"], "methods", where)),
        llms=tuple(_llm_entry(item, i, where) for i, item in enumerate(_list(data["llms"], "llms", where))),
        stages=tuple(stages),
        planner=_planner(data.get("planner") or {}, where),
        trajectories=Path(str(data.get("trajectories") or "trajectories")),
        max_failures=max_failures,
        max_cost=_dollars(data.get("max_cost"), "max_cost", where),
        description=str(data.get("description") or ""),
        source=source,
    )


def _suites(raw: Any, where: str) -> dict[str, dict[str, Any]]:
    _mapping(raw, f"{where}: suites")
    if not raw:
        raise CwmbError(f"{where}: suites is empty", "name at least one suite, e.g. cwmb: {envs: [all]}")
    suites = {}
    for name, section in raw.items():
        _mapping(section or {}, f"{where}: suites.{name}")
        suites[str(name)] = dict(section or {})
    return suites


def _llm_entry(raw: Any, index: int, where: str) -> LLMEntry:
    label = f"{where}: llms[{index}]"
    if isinstance(raw, str):
        raw = {"config": raw}
    _mapping(raw, label)
    _known_keys(raw, _LLM_KEYS, label)
    if "config" not in raw:
        raise CwmbError(f"{label} has no 'config'", "e.g. config: gpt-4-turbo (a preset of configs/llms/)")
    if "budget" in raw and "budgets" in raw:
        raise CwmbError(f"{label} has both 'budget' and 'budgets'", "keep one of them")
    budgets = raw.get("budgets", raw.get("budget"))
    if budgets is None:
        raise CwmbError(f"{label} has no 'budget'", "budget: LLM calls per cell, e.g. budget: 10")
    budget_list = budgets if isinstance(budgets, list) else [budgets]
    seed_list = raw.get("seeds", [0])
    seed_list = seed_list if isinstance(seed_list, list) else [seed_list]
    return LLMEntry(
        config=str(raw["config"]),
        seeds=tuple(_integer(s, "seeds", label, minimum=0) for s in seed_list),
        budgets=tuple(_integer(b, "budget", label, minimum=1) for b in budget_list),
    )


def _planner(raw: Any, where: str) -> PlannerEntry:
    label = f"{where}: planner"
    _mapping(raw, label)
    _known_keys(raw, _PLANNER_KEYS, label)
    episodes = raw.get("episodes")
    overrides = raw.get("set") or {}
    _mapping(overrides, f"{label}.set")
    return PlannerEntry(
        profile=str(raw.get("profile", "quick")),
        episodes=None if episodes is None else _integer(episodes, "episodes", label, minimum=1),
        workers=_integer(raw.get("workers", 1), "workers", label, minimum=1),
        overrides=tuple(sorted(overrides.items())),
    )


def _mapping(value: Any, where: str) -> None:
    if not isinstance(value, dict):
        raise CwmbError(f"{where} must be a mapping of keys to values, not {type(value).__name__}")


def _list(value: Any, key: str, where: str) -> list[Any]:
    items = value if isinstance(value, list) else [value]
    if not items:
        raise CwmbError(f"{where}: '{key}' is empty", f"give at least one entry in {key}")
    return items


def _string_list(value: Any, key: str, where: str) -> list[str]:
    items = _list(value, key, where)
    for item in items:
        if not isinstance(item, str):
            raise CwmbError(f"{where}: every entry of '{key}' must be a name, not {item!r}")
    return items


def _integer(value: Any, key: str, where: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise CwmbError(f"{where}: '{key}' must be an integer >= {minimum}, not {value!r}")
    return value


def _dollars(value: Any, key: str, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise CwmbError(
            f"{where}: '{key}' must be an amount in US$ >= 0, not {value!r}", "e.g. max_cost: 25.0"
        )
    return float(value)


def _known_keys(data: dict[str, Any], known: tuple[str, ...], where: str) -> None:
    for key in data:
        if key not in known:
            raise _unknown("key", str(key), known, where)


def _unknown(kind: str, name: str, known: tuple[str, ...], where: str) -> CwmbError:
    suggestions = closest_names(name, known)
    hint = f"did you mean {', '.join(suggestions)}? " if suggestions else ""
    return CwmbError(f"unknown {kind} '{name}' in {where}", f"{hint}known: {', '.join(known)}")
