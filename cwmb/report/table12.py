"""Table 12 of the paper: raw returns of random, CQL, each CWM's planner and the oracle, per env.

The CQL returns come from the records ``cwmb baseline cql`` writes
(:mod:`cwmb.baselines.cql`); random and oracle from the reference returns of the records'
planner profile (:mod:`cwmb.planning.references`); each CWM column from the runs' own
evaluations, shown only when they were evaluated with that same profile (other profiles
play other episodes). The paper's numbers sit beside ours, with R of CQL computed the same
way on both sides. No R is computed against an unfinished or missing reference: the cell
says why instead.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from cwmb.benchmark.registry import env_names, get_env
from cwmb.errors import CwmbError
from cwmb.planning.normalized import mean, normalized_return, standard_error
from cwmb.planning.published_references import PUBLISHED_LABEL, TABLE_12
from cwmb.planning.references import ReferenceReturns, load_reference_returns
from cwmb.report.aggregate import Group
from cwmb.report.tables import ReportTable

# Table 12's other columns (../shared/reference/paper.md §6): CQL, GIF-MCTS Llama 3, GIF-MCTS
# GPT-4 Turbo. None is the paper's N/A (a failed CQL run; no syntactically correct CWM).
PAPER_RETURNS: dict[str, tuple[float | None, float | None, float | None]] = {
    "Blackjack-v1": (-0.3, -0.6, -0.1),
    "CliffWalking-v0": (None, -90.2, -100.0),
    "Taxi-v3": (-740.0, -353.9, -408.8),
    "CartPole-v1": (317.6, 277.4, 310.4),
    "MountainCar-v0": (-200.0, -200.0, -200.0),
    "Acrobot-v1": (-295.0, -500.0, -494.2),
    "Pendulum-v1": (-1218.2, -1232.2, -739.8),
    "Reacher-v4": (-11.5, -9.2, -11.2),
    "Pusher-v4": (-52.4, -61.1, -63.3),
    "InvertedPendulum-v4": (66.7, 13.1, 10.9),
    "InvertedDoublePendulum-v4": (164.0, 60.0, 53.4),
    "HalfCheetah-v4": (-1.3, -150.3, -22.8),
    "Hopper-v4": (137.4, 62.6, 23.3),
    "Swimmer-v4": (28.4, -2.7, 8.1),
    "Walker2d-v4": (278.0, 22.3, 11.5),
    "Ant-v4": (998.0, 867.7, 896.8),
    "Humanoid-v4": (393.3, None, 162.3),
    "HumanoidStandup-v4": (51045.7, None, 29405.9),
}
PAPER_COLUMNS = ["Random (paper)", "CQL (paper)", "GIF-MCTS Llama 3 (paper)", "GIF-MCTS GPT-4 (paper)"]
PAPER_COLUMNS += ["Oracle (paper)", "R of CQL (paper)"]
_RECORD_FIELDS = {"env": str, "returns": list, "profile": str, "episodes": int, "steps": int}


def load_cql_records(folder: Path, warnings: list[str]) -> dict[str, dict[str, Any]]:
    """CQL records of ``folder`` by env name; unusable files become warnings (never a stop)."""
    records: dict[str, dict[str, Any]] = {}
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            problem = _record_problem(record)
            if problem is None:
                record["env"] = get_env(record["env"]).name
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            problem = f"not readable JSON ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})"
        except CwmbError:
            problem = f"unknown env {record['env']!r}"
        if problem is not None:
            warnings.append(f"{path}: not a usable CQL record ({problem}); skipped")
            continue
        records[record["env"]] = record
    return records


def _record_problem(record: Any) -> str | None:
    if not isinstance(record, dict):
        return "not a JSON object"
    for name, kind in _RECORD_FIELDS.items():
        if not isinstance(record.get(name), kind):
            return f"field {name!r} missing or not {kind.__name__}"
    if not record["returns"] or not all(_is_number(v) for v in record["returns"]):
        return "field 'returns' must be a non-empty list of numbers"
    if len(record["returns"]) != record["episodes"]:
        return f"{len(record['returns'])} returns for {record['episodes']} episodes"
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _text(value: float | None, state: str = "–") -> str:
    return state if value is None else f"{value:.1f}"


class _OurReferences:
    """Random and oracle means of one profile, and whether R may be computed against them."""

    def __init__(self, profile: str) -> None:
        self.profile = profile
        try:
            self.store: ReferenceReturns | None = load_reference_returns(profile)
        except CwmbError:
            self.store = None

    def cell(self, env: str, agent: str) -> tuple[str, float | None, float, bool]:
        """(text, mean, standard error, complete) of one reference block."""
        block = self.store.block(env, agent) if self.store else None
        if block is None or not block.episodes:
            return "no reference", None, 0.0, False
        returns, target = block.returns(), self.store.target if self.store else 0
        complete = not block.missing(target)
        text = _text(mean(returns)) + ("" if complete else f" ({len(returns)}/{target} ep.)")
        return text, mean(returns), standard_error(returns), complete


def _r_text(value: float | None) -> str:
    return "N/A" if value is None else f"{value:.2f}"


def _cwm_cell(frame: pd.DataFrame, group: Group, env: str, profile: str) -> tuple[str, float | None]:
    """A group's mean planning return on ``env`` over its runs evaluated with ``profile``."""
    if frame.empty:
        return "missing", None
    rows = frame[(frame["env"] == env) & frame["run"].isin(group.runs)]
    if rows.empty or (rows["status"] == "missing").all():
        return "missing", None
    scored = rows[rows["return_mean"].map(_is_number)]
    if scored.empty:
        return "not evaluated", None
    same = scored[scored["profile"] == profile]
    if same.empty:
        return f"profile {scored['profile'].iloc[0]}", None
    value = mean([float(v) for v in same["return_mean"]])
    return _text(value), value


def _our_r(cql: float | None, references: _OurReferences, env: str) -> str:
    _, random, random_se, random_done = references.cell(env, "random")
    _, oracle, oracle_se, oracle_done = references.cell(env, "oracle")
    if cql is None or random is None or oracle is None:
        return "no reference"
    if not (random_done and oracle_done):
        return "reference unfinished"
    return _r_text(normalized_return(cql, random, oracle, random_se, oracle_se))


def _paper_cells(env: str, cql_mean: float | None, published: bool) -> list[str]:
    random, oracle = TABLE_12[env]
    cql, llama, gpt4 = PAPER_RETURNS[env]
    paper_r = None if cql is None else normalized_return(cql, random, oracle)
    cells = [_text(random), _text(cql, "N/A"), _text(llama, "N/A"), _text(gpt4, "N/A"), _text(oracle)]
    cells.append("N/A (failed run)" if cql is None else _r_text(paper_r))
    if published:  # R of our CQL against the paper's normalizers, labelled in the notes
        cells.append("–" if cql_mean is None else _r_text(normalized_return(cql_mean, random, oracle)))
    return cells


def table12(
    records: dict[str, dict[str, Any]],
    frame: pd.DataFrame,
    groups: list[Group],
    references: str = "ours",
    envs: list[str] | None = None,
) -> ReportTable | None:
    """Table 12's layout for ``envs`` (default: the envs of ``frame``); None without CQL records.

    ``frame``/``groups`` are the report's CWMB runs (each group is one CWM column);
    ``references="published"`` adds R of our CQL against the paper's normalizers.
    """
    if not records:
        return None
    profiles = sorted({record["profile"] for record in records.values()})
    profile = "paper" if "paper" in profiles else profiles[0]
    ours = _OurReferences(profile)
    wanted = envs if envs is not None else list(dict.fromkeys(frame["env"])) if not frame.empty else []
    order = {name: index for index, name in enumerate(env_names())}
    published = references == "published"
    columns = ["Env", "Random", "CQL", "R of CQL", *(g.short for g in groups), "Oracle", *PAPER_COLUMNS]
    columns += ["R of CQL (paper's normalizers)"] if published else []
    rows, values = [], []
    for env in sorted(wanted, key=lambda name: order.get(name, len(order))):
        record = records.get(env) if records.get(env, {}).get("profile") == profile else None
        cql = mean(record["returns"]) if record else None
        cwm = [_cwm_cell(frame, group, env, profile) for group in groups]
        random_text, oracle_text = ours.cell(env, "random")[0], ours.cell(env, "oracle")[0]
        r_text = _our_r(cql, ours, env) if record else "–"
        cells = [env, random_text, _text(cql, "no record"), r_text, *(text for text, _ in cwm), oracle_text]
        rows.append(cells + _paper_cells(env, cql, published))
        values.append(_values(env, record, ours, r_text, groups, cwm))
    return ReportTable(
        "table12",
        f"Table 12: raw returns of random, CQL, the CWMs' planners and the oracle (profile {profile})",
        columns,
        rows,
        values,
        notes=_notes(records, profile, published),
        left_columns=1,
    )


def _values(
    env: str,
    record: dict[str, Any] | None,
    ours: _OurReferences,
    r_text: str,
    groups: list[Group],
    cwm: list[tuple[str, float | None]],
) -> dict[str, Any]:
    random, oracle = ours.cell(env, "random"), ours.cell(env, "oracle")
    value: dict[str, Any] = {"env": env, "profile": ours.profile}
    value |= {"random_mean": random[1], "random_complete": random[3]}
    value |= {"oracle_mean": oracle[1], "oracle_complete": oracle[3]}
    value |= {"cql_mean": mean(record["returns"]) if record else None, "cql_r": r_text}
    value |= {"cql_episodes": record["episodes"] if record else None}
    value |= {f"cwm {g.short}": number for g, (_, number) in zip(groups, cwm, strict=True)}
    paper_random, paper_oracle = TABLE_12[env]
    paper_cql, llama, gpt4 = PAPER_RETURNS[env]
    value |= {"paper_random": paper_random, "paper_cql": paper_cql, "paper_gif_mcts_llama3": llama}
    return value | {"paper_gif_mcts_gpt4": gpt4, "paper_oracle": paper_oracle}


def _notes(records: dict[str, dict[str, Any]], profile: str, published: bool) -> list[str]:
    some = next(iter(records.values()))
    other = sorted(env for env, record in records.items() if record["profile"] != profile)
    notes = [
        f"Mean undiscounted return over the profile's episodes (profile {profile}: same reset seeds and "
        "episode cap for random, CQL, oracle and every CWM). CQL: "
        f"{some.get('library', 'd3rlpy')}, {some['steps']} gradient steps on the env's shipped dataset, "
        "greedy policy (`cwmb baseline cql`, docs/baselines.md).",
        "R of CQL = (CQL − random) / (oracle − random), N/A where oracle and random are equal within noise; "
        "'reference unfinished' = the oracle has fewer episodes than the profile asks (k/n ep.), so no R.",
        f"A CWM column shows a run's planning return only when it was evaluated with profile {profile}; "
        "'profile X' = evaluated with another profile (other episodes, not comparable).",
        "Paper columns: Dainese et al. 2024, Table 12 (older gymnasium/MuJoCo, other physics versions); "
        "N/A = a failed CQL run or no syntactically correct CWM, as in the paper.",
        "Returns only: no accuracy metric enters this table.",
    ]
    if published:
        notes.append(
            f"R of CQL (paper's normalizers): our CQL against the paper's random/oracle, {PUBLISHED_LABEL}."
        )
    if other:
        notes.append(f"CQL records of other profiles left out: {', '.join(other)}.")
    return notes
