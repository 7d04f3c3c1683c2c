"""Random and oracle reference returns, per env and planner profile: the file and its loader.

The normalized return needs, for each env, the mean return of the ``random`` agent and of
the ``oracle`` agent under the same profile. They are computed once by
``cwmb references --profile NAME`` (see :mod:`cwmb.planning.reference_runner`) and shipped
as package data in ``cwmb/benchmark/reference_returns/<profile>.json``.

The file is also the progress store: after every finished episode the runner rewrites it
atomically, so an interrupted run loses at most the episodes in flight, and a re-run
skips what is done. Each (env, agent) block records the settings its episodes were made
with (seed, episode cap, planner settings for the oracle, and the gymnasium / mujoco /
numpy versions, because physics differ across versions). A block whose settings differ
from the current profile's is stale: its episodes are never mixed with new ones. Only the
settings that affect an agent count, so a new CEM setting leaves the random returns and
the MCTS envs' oracle returns valid.

The summary (mean, standard error, n) covers every finished episode: episode ``i`` is a
seeded draw whatever the count, so episodes beyond the profile's count (from an earlier,
longer run) are valid data. ``missing`` lists the episodes below the profile's count that
are not finished, with what they would cost.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cwmb.atomic import write_atomic
from cwmb.benchmark import ENVS, EnvSpec, get_env
from cwmb.benchmark.registry import DOMAIN_ENVS
from cwmb.errors import CwmbError
from cwmb.planning.normalized import ReturnSummary, denominator_is_noise, mean
from cwmb.planning.profiles import PlannerProfile

FORMAT = 1
REFERENCE_DIR = Path(__file__).resolve().parents[1] / "benchmark" / "reference_returns"
REFERENCE_AGENTS = ("random", "oracle")
VERSIONED_PACKAGES = ("gymnasium", "mujoco", "numpy")


# Every env with reference returns: the 18 CWMB envs, then the other domains' (RTFM).
ALL_REFERENCE_ENVS: tuple[EnvSpec, ...] = (*ENVS, *DOMAIN_ENVS)


def reference_path(profile_name: str) -> Path:
    """Where the shipped reference returns of a profile live."""
    return REFERENCE_DIR / f"{profile_name}.json"


def library_versions() -> dict[str, str]:
    """Installed versions of the packages that decide the physics and the random streams."""
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in VERSIONED_PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def block_settings(spec: EnvSpec, agent: str, profile: PlannerProfile, versions: dict[str, str]) -> dict:
    """The settings that decide the episodes of ``agent`` on ``spec`` (their validity key)."""
    settings: dict[str, Any] = {"seed": profile.seed, "episode_cap": profile.cap_for(spec.episode_cap)}
    if agent == "oracle":
        # The random policy never plans, so planner settings would only invalidate it needlessly.
        settings |= {
            "planner": spec.planner,
            spec.planner: profile.planner_settings(spec.planner),
            "oracle_randomness": profile.oracle_randomness,
        }
    settings["versions"] = dict(versions)
    # A JSON round trip, so that settings built here compare equal to settings read back.
    return json.loads(json.dumps(settings))


def changed_keys(old: dict, new: dict, prefix: str = "") -> list[str]:
    """Dotted keys whose values differ between two nested settings dicts."""
    changed = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            changed += changed_keys(a, b, f"{prefix}{key}.")
        elif a != b:
            changed.append(f"{prefix}{key}")
    return changed


@dataclass
class AgentReturns:
    """The finished episodes of one agent on one env, with the settings that made them.

    ``episodes`` maps an episode index to its record (``return``, ``length``, ``seconds``,
    ``decisions``, ``outcome``). ``estimate`` is an optional cost estimate for one episode
    (``seconds_per_episode`` and how it was obtained).
    """

    settings: dict[str, Any]
    episodes: dict[int, dict[str, Any]] = field(default_factory=dict)
    estimate: dict[str, Any] | None = None

    def returns(self) -> list[float]:
        """Episode returns in episode order."""
        return [self.episodes[i]["return"] for i in sorted(self.episodes)]

    def summary(self) -> ReturnSummary | None:
        """Mean and standard error over the finished episodes, or None if there are none."""
        returns = self.returns()
        return ReturnSummary.of(returns) if returns else None

    def missing(self, target: int) -> list[int]:
        """Episode indices below ``target`` not finished yet."""
        return [i for i in range(target) if i not in self.episodes]

    def seconds_per_episode(self) -> tuple[float | None, str]:
        """Cost of one episode: the measured mean if any episode finished, else the estimate."""
        if self.episodes:
            seconds = mean([self.episodes[i]["seconds"] for i in self.episodes])
            return seconds, f"measured: mean of {len(self.episodes)} episode(s)"
        if self.estimate:
            return float(self.estimate["seconds_per_episode"]), f"estimate: {self.estimate['basis']}"
        return None, "unknown: run `cwmb references --estimate` to measure"

    def to_dict(self, target: int) -> dict[str, Any]:
        """Plain data for the file: summary, per-episode arrays, missing episodes, settings."""
        order = sorted(self.episodes)
        summary = self.summary()
        data: dict[str, Any] = {
            "n": len(order),
            "target": target,
            "mean": summary.mean if summary else None,
            "standard_error": summary.standard_error if summary else None,
            "missing": self.missing(target),
            "episodes": order,
        }
        for key, plural in (("return", "returns"), ("length", "lengths"), ("seconds", "seconds")):
            data[plural] = [self.episodes[i][key] for i in order]
        data["outcomes"] = [self.episodes[i]["outcome"] for i in order]
        data["decisions"] = [self.episodes[i]["decisions"] for i in order]
        if self.estimate:
            data["estimate"] = self.estimate
        data["settings"] = self.settings
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AgentReturns:
        """Read a block written by :meth:`to_dict`."""
        episodes = {}
        for position, index in enumerate(data.get("episodes", [])):
            episodes[int(index)] = {
                "return": data["returns"][position],
                "length": data["lengths"][position],
                "seconds": data["seconds"][position],
                "outcome": data["outcomes"][position],
                "decisions": data["decisions"][position],
            }
        return cls(dict(data.get("settings", {})), episodes, data.get("estimate"))


class ReferenceReturns:
    """The reference returns of one profile: every (env, agent) block, plus how they were made.

    Built from a file with :meth:`read` (or empty), updated by the runner with
    :meth:`record` and written atomically with :meth:`write`.
    """

    def __init__(self, path: Path, data: dict[str, Any] | None = None) -> None:
        data = data or {}
        self.path = Path(path)
        self.profile: dict[str, Any] = dict(data.get("profile", {}))
        self.versions: dict[str, str] = dict(data.get("versions", {}))
        self.commands: list[str] = list(data.get("commands", []))
        self._settings: dict[tuple[str, str], dict[str, Any]] = {}  # filled by adopt()
        self.blocks: dict[tuple[str, str], AgentReturns] = {}
        for env, agents in data.get("envs", {}).items():
            for agent, block in agents.items():
                self.blocks[(env, agent)] = AgentReturns.from_dict(block)

    @classmethod
    def read(cls, path: Path) -> ReferenceReturns:
        """Read a reference-returns file; an absent file gives an empty store."""
        path = Path(path)
        if not path.exists():
            return cls(path)
        try:
            data = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError) as problem:
            raise CwmbError(
                f"cannot read reference returns {path}: {problem}",
                "restore it from git, or delete it and recompute with `cwmb references`",
            ) from None
        if data.get("format") != FORMAT:
            raise CwmbError(f"{path} has format {data.get('format')!r}; this cwmb reads format {FORMAT}")
        return cls(path, data)

    @property
    def target(self) -> int:
        """Episodes per agent the profile asks for."""
        return int(self.profile.get("episodes", 0))

    def block(self, env: str, agent: str) -> AgentReturns | None:
        """The block of one agent on one env, or None."""
        return self.blocks.get((env, agent))

    def stale_blocks(self, profile: PlannerProfile, versions: dict[str, str]) -> dict[tuple[str, str], list]:
        """Blocks made with other settings than ``profile`` would use: (env, agent) -> changed keys."""
        stale = {}
        for (env, agent), block in self.blocks.items():
            try:
                expected = block_settings(get_env(env), agent, profile, versions)
            except CwmbError:
                stale[(env, agent)] = ["env (no longer in the benchmark)"]
                continue
            if block.settings != expected:
                stale[(env, agent)] = changed_keys(block.settings, expected)
        return stale

    def adopt(self, profile: PlannerProfile, versions: dict[str, str], command: str | None) -> list[str]:
        """Make this store hold ``profile``'s results: drop stale blocks; return what was dropped."""
        dropped = []
        for (env, agent), keys in self.stale_blocks(profile, versions).items():
            count = len(self.blocks[(env, agent)].episodes)
            dropped.append(f"{env} {agent}: {count} episode(s), changed {', '.join(keys)}")
            del self.blocks[(env, agent)]
        self.profile, self.versions = profile.to_dict(), dict(versions)
        if command and command not in self.commands:
            self.commands.append(command)
        self._settings = {
            (spec.name, agent): block_settings(spec, agent, profile, versions)
            for spec in ALL_REFERENCE_ENVS
            for agent in REFERENCE_AGENTS
        }
        return dropped

    def _block_for_update(self, env: str, agent: str) -> AgentReturns:
        if (env, agent) not in self._settings:
            raise RuntimeError(f"unknown env/agent {env}/{agent}, or adopt() was not called")
        if (env, agent) not in self.blocks:
            self.blocks[(env, agent)] = AgentReturns(self._settings[(env, agent)])
        return self.blocks[(env, agent)]

    def record(self, env: str, agent: str, episode: int, record: dict[str, Any]) -> None:
        """Add one finished episode (call :meth:`adopt` first)."""
        self._block_for_update(env, agent).episodes[int(episode)] = record

    def record_estimate(self, env: str, agent: str, estimate: dict[str, Any]) -> None:
        """Attach a cost estimate for one episode (call :meth:`adopt` first)."""
        self._block_for_update(env, agent).estimate = estimate

    def missing(self) -> dict[str, dict[str, dict[str, Any]]]:
        """For every env and agent not finished: missing episodes and their estimated cost."""
        result: dict[str, dict[str, dict[str, Any]]] = {}
        for spec in ALL_REFERENCE_ENVS:
            for agent in REFERENCE_AGENTS:
                block = self.block(spec.name, agent) or AgentReturns({})
                episodes = block.missing(self.target)
                if not episodes:
                    continue
                seconds, basis = block.seconds_per_episode()
                result.setdefault(spec.name, {})[agent] = {
                    "episodes": episodes,
                    "estimated_seconds": None if seconds is None else round(seconds * len(episodes), 3),
                    "basis": basis,
                    "command": self.finish_command(spec.name, agent),
                }
        return result

    def finish_command(self, env: str, agent: str) -> str:
        """The command that computes the missing episodes of one block (it skips finished ones).

        A profile changed with ``--set`` needs the same ``--set`` options again (the file's
        ``commands`` list has them).
        """
        profile = self.profile.get("name", self.path.stem)
        where = "" if self.path == reference_path(str(profile)) else f" --out {self.path}"
        return f"cwmb references --profile {profile} --agent {agent} --env {env} --workers 2{where}"

    def to_dict(self) -> dict[str, Any]:
        """Plain data of the whole file."""
        envs: dict[str, dict[str, Any]] = {}
        for spec in ALL_REFERENCE_ENVS:  # the benchmark's order, so diffs of the committed file stay small
            for agent in REFERENCE_AGENTS:
                block = self.block(spec.name, agent)
                if block is not None:
                    envs.setdefault(spec.name, {})[agent] = block.to_dict(self.target)
        missing = self.missing()
        costs = [m["estimated_seconds"] for agents in missing.values() for m in agents.values()]
        return {
            "format": FORMAT,
            "profile": self.profile,
            "versions": self.versions,
            "commands": self.commands,
            "complete": not missing,
            "envs": envs,
            "missing": missing,
            "missing_estimated_seconds": None if None in costs else round(sum(costs), 3),
        }

    def write(self) -> None:
        """Write the file atomically (a reader never sees half a file, a crash never loses it)."""
        write_atomic(self.path, json.dumps(self.to_dict(), indent=1) + "\n")

    def summary(self, env: str, agent: str, allow_partial: bool = False) -> ReturnSummary:
        """Mean and standard error of ``agent`` on ``env``; a CwmbError if missing or unfinished."""
        name = get_env(env).name
        block = self.block(name, agent)
        profile = self.profile.get("name", self.path.stem)
        command = f"cwmb references --profile {profile} --env {name} --agent {agent}"
        if block is None or not block.episodes:
            raise CwmbError(
                f"no {agent} reference returns for {name} in {self.path}", f"compute them: {command}"
            )
        if block.missing(self.target) and not allow_partial:
            raise CwmbError(
                f"{agent} reference returns for {name} in {self.path} are unfinished "
                f"({len(block.episodes)} of {self.target} episodes)",
                f"finish them: {command}",
            )
        summary = block.summary()
        assert summary is not None
        return summary


def load_reference_returns(
    profile: str | PlannerProfile = "quick", path: Path | None = None
) -> ReferenceReturns:
    """Read the reference returns of a profile (by name, or its shipped file, or ``path``).

    Raises a :class:`CwmbError` naming the command that computes them when the file is absent.
    """
    name = profile.name if isinstance(profile, PlannerProfile) else str(profile)
    file = Path(path) if path is not None else reference_path(name)
    if not file.exists():
        raise CwmbError(
            f"no reference returns for profile '{name}' ({file} does not exist)",
            f"compute them: cwmb references --profile {name}" + (f" --out {file}" if path else ""),
        )
    return ReferenceReturns.read(file)


@dataclass(frozen=True)
class References:
    """The random and oracle summaries of one env, and whether R is defined with them.

    ``label`` is None for this stack's own references; otherwise it says what they are, and
    every R made with them carries it (e.g. the paper's, :mod:`cwmb.planning.published_references`).
    """

    env: str
    random: ReturnSummary
    oracle: ReturnSummary
    label: str | None = None

    @property
    def denominator_is_noise(self) -> bool:
        """True when R is N/A for this env (see :mod:`cwmb.planning.normalized`)."""
        return denominator_is_noise(
            self.oracle.mean, self.random.mean, self.oracle.standard_error, self.random.standard_error
        )


def reference_summaries(
    env: str,
    profile: str | PlannerProfile = "quick",
    path: Path | None = None,
    allow_partial: bool = False,
) -> References:
    """Random and oracle means and standard errors of ``env``, for the normalized return.

    With a :class:`PlannerProfile`, the stored settings must match the profile's (versions
    apart): R computed against references made with other planner settings is meaningless.
    """
    store = load_reference_returns(profile, path)
    spec = get_env(env)
    if isinstance(profile, PlannerProfile):
        for agent in REFERENCE_AGENTS:
            block = store.block(spec.name, agent)
            if block is None:
                continue  # summary() below says how to compute it
            expected = block_settings(spec, agent, profile, block.settings.get("versions", {}))
            changed = changed_keys(block.settings, expected)
            if changed:
                raise CwmbError(
                    f"the {agent} reference returns for {spec.name} in {store.path} were made with other "
                    f"settings than profile '{profile.name}' (differ: {', '.join(changed)})",
                    "compute matching ones: cwmb references --profile PROFILE.yaml --out FILE",
                )
    random = store.summary(spec.name, "random", allow_partial)
    oracle = store.summary(spec.name, "oracle", allow_partial)
    return References(spec.name, random, oracle)
