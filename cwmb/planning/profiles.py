"""Planner profiles: every setting of an evaluation, read from ``configs/planners/*.yaml``.

A profile fixes the MCTS and CEM settings, the number of episodes, an optional episode
cap (``null``: each env's own cap), the base seed, and what the oracle may know about
the env's randomness. ``paper`` has the paper's settings; ``quick`` is small enough for
CI. Any setting can be overridden with a dotted key (``cem.samples=200``). Unknown keys
and bad values are :class:`~cwmb.errors.CwmbError`, so a typo never falls back to a
default silently.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cwmb import presets
from cwmb.config_keys import check_known_keys, unknown_key_error
from cwmb.errors import CwmbError
from cwmb.planning.cem import CEMSettings
from cwmb.planning.mcts import UNVISITED_RULES, MCTSSettings

PROFILE_DIR = presets.preset_dir("planners")  # packaged; ./configs/planners/ is searched first
ORACLE_RANDOMNESS = ("fresh", "shared")

_TOP_LEVEL = {"name": str, "episodes": int, "episode_cap": int, "seed": int, "oracle_randomness": str}
_NULLABLE = {"episode_cap"}


@dataclass(frozen=True)
class PlannerProfile:
    """All the settings of a planning evaluation.

    ``oracle_randomness``: ``fresh`` (default) lets the oracle sample its own chance
    outcomes; ``shared`` restores the real env's RNG into the oracle's copy, so it knows
    the future cards, as the original did (see :class:`~cwmb.planning.world_model.TrueEnvModel`).
    """

    name: str = "custom"
    episodes: int = 10
    episode_cap: int | None = None
    seed: int = 0
    oracle_randomness: str = "fresh"
    mcts: MCTSSettings = field(default_factory=MCTSSettings)
    cem: CEMSettings = field(default_factory=CEMSettings)
    source: str | None = None

    def cap_for(self, env_cap: int) -> int:
        """The episode cap to use for an env whose own cap is ``env_cap``."""
        return env_cap if self.episode_cap is None else min(self.episode_cap, env_cap)

    def to_dict(self) -> dict[str, Any]:
        """Plain data, for recording next to results (and reading back with :func:`profile_from_dict`)."""
        data = dataclasses.asdict(self)
        data.pop("source")
        data["mcts"] = self.planner_settings("mcts")
        return data

    def planner_settings(self, planner: str) -> dict[str, Any]:
        """The settings of one planner (``mcts`` or ``cem``) as plain data.

        The MCTS ``unvisited`` rule (added after the shipped references were made) is recorded
        only when it departs from the default, so references made before it stay valid.
        """
        settings = dataclasses.asdict(self.mcts if planner == "mcts" else self.cem)
        if planner == "mcts" and settings["unvisited"] == "first":
            del settings["unvisited"], settings["unvisited_value"]
        return settings


def list_profiles(profile_dir: Path = PROFILE_DIR) -> list[str]:
    """Names of the profiles shipped in ``configs/planners/``."""
    return presets.list_presets(profile_dir)


def resolve_profile_path(spec: str | Path, profile_dir: Path = PROFILE_DIR) -> Path:
    """Turn a YAML path or a profile name (``quick``) into an existing file."""
    return presets.resolve_preset("planner profile", spec, profile_dir)


def load_profile(
    spec: str | Path, overrides: dict[str, Any] | None = None, profile_dir: Path = PROFILE_DIR
) -> PlannerProfile:
    """Read a profile by name or path, then apply ``overrides`` (dotted keys to values)."""
    import yaml

    path = resolve_profile_path(spec, profile_dir)
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as problem:
        raise CwmbError(f"cannot parse planner profile {path}: {problem}") from None
    if not isinstance(data, dict):
        raise CwmbError(f"planner profile {path} must be a mapping of keys to values")
    data.setdefault("name", path.stem)
    return profile_from_dict(apply_overrides(data, overrides or {}), source=str(path))


def parse_override(text: str) -> tuple[str, Any]:
    """Split ``"cem.samples=200"`` into a dotted key and a YAML-parsed value."""
    import yaml

    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise CwmbError(
            f"bad planner override '{text}'", "write KEY=VALUE, e.g. cem.samples=200 or episodes=3"
        )
    try:
        value = yaml.safe_load(raw) if raw.strip() else None
    except yaml.YAMLError:
        value = raw
    return key.strip(), value


def apply_overrides(data: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """A copy of raw profile data with dotted-key overrides set (validated later)."""
    result = {k: (dict(v) if isinstance(v, dict) else v) for k, v in data.items()}
    for dotted, value in overrides.items():
        section, _, key = dotted.partition(".")
        if not key:
            result[section] = value
            continue
        if section not in ("mcts", "cem"):
            raise unknown_key_error("planner section", section, ["mcts", "cem"])
        if not isinstance(result.get(section) or {}, dict):
            raise CwmbError(f"planner profile section '{section}' must be a mapping")
        result[section] = dict(result.get(section) or {}) | {key: value}
    return result


def profile_from_dict(data: dict[str, Any], source: str | None = None) -> PlannerProfile:
    """Build and validate a :class:`PlannerProfile` from plain data (as read from YAML)."""
    where = f" in planner profile {source}" if source else ""
    check_known_keys(data, [*_TOP_LEVEL, "mcts", "cem"], "key", where)
    values: dict[str, Any] = {}
    for key, kind in _TOP_LEVEL.items():
        if key in data:
            values[key] = _typed(key, data[key], kind, where, nullable=key in _NULLABLE)
    values["mcts"] = _section(MCTSSettings, "mcts", data.get("mcts"), where)
    values["cem"] = _section(CEMSettings, "cem", data.get("cem"), where)
    profile = PlannerProfile(**values, source=source)
    _check(profile, where)
    return profile


def _section(cls: type, name: str, raw: Any, where: str) -> Any:
    if raw is None:
        return cls()
    if not isinstance(raw, dict):
        raise CwmbError(f"'{name}'{where} must be a mapping of settings")
    types = {f.name: type(f.default) for f in dataclasses.fields(cls)}
    check_known_keys(raw, list(types), f"{name} setting", where)
    return cls(**{key: _typed(f"{name}.{key}", value, types[key], where) for key, value in raw.items()})


def _typed(key: str, value: Any, kind: type, where: str, nullable: bool = False) -> Any:
    if value is None and nullable:
        return None
    if kind is str:
        if not isinstance(value, str):
            raise CwmbError(f"{key}{where} must be a string, not {value!r}")
        return value
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if not is_number or (kind is int and value != int(value)):
        noun = "an integer" if kind is int else "a number"
        raise CwmbError(
            f"{key}{where} must be {noun}, not {value!r}", "null is allowed" if nullable else None
        )
    return kind(value)


# (section, key, test, requirement) for every bounded setting.
_RULES: tuple[tuple[str, str, Any, str], ...] = (
    ("", "episodes", lambda v: v >= 1, ">= 1"),
    ("", "episode_cap", lambda v: v is None or v >= 1, ">= 1 (or null for each env's own cap)"),
    ("", "seed", lambda v: v >= 0, ">= 0"),
    ("", "oracle_randomness", lambda v: v in ORACLE_RANDOMNESS, f"one of {', '.join(ORACLE_RANDOMNESS)}"),
    ("mcts", "simulations", lambda v: v >= 1, ">= 1"),
    ("mcts", "max_rollout_steps", lambda v: v >= 0, ">= 0"),
    ("mcts", "exploration", lambda v: v >= 0, ">= 0"),
    ("mcts", "visit_offset", lambda v: v > 0, "> 0"),
    ("mcts", "discount", lambda v: 0 < v <= 1, "in (0, 1]"),
    ("mcts", "temperature", lambda v: v > 0, "> 0"),
    ("mcts", "unvisited", lambda v: v in UNVISITED_RULES, f"one of {', '.join(UNVISITED_RULES)}"),
    ("cem", "horizon", lambda v: v >= 1, ">= 1"),
    ("cem", "iterations", lambda v: v >= 1, ">= 1"),
    ("cem", "samples", lambda v: v >= 1, ">= 1"),
    ("cem", "elites", lambda v: v >= 1, ">= 1"),
    ("cem", "init_std_scale", lambda v: v > 0, "> 0"),
    ("cem", "min_std", lambda v: v >= 0, ">= 0"),
)


def _check(profile: PlannerProfile, where: str) -> None:
    for section, key, test, requirement in _RULES:
        owner = getattr(profile, section) if section else profile
        value = getattr(owner, key)
        if not test(value):
            dotted = f"{section}.{key}" if section else key
            raise CwmbError(f"{dotted}{where} must be {requirement}, not {value!r}")
    if profile.cem.elites > profile.cem.samples:
        raise CwmbError(
            f"cem.elites ({profile.cem.elites}){where} exceeds cem.samples ({profile.cem.samples})",
            "elites are the best of the samples: use elites <= samples",
        )
