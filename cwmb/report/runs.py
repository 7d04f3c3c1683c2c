"""Load run directories into one tidy table: one row per (run, env), missing envs included.

A report never recomputes anything: it reads what ``cwmb synthesize`` wrote
(``summary.json``, ``tree.jsonl``, ``config.json``) and what ``cwmb evaluate`` wrote
(``evaluation.json``). Each row says what is known and, with the ``*_state`` columns,
why a value is absent:

- ``acc_state``: ``ok``, ``partial`` (synthesis not finished: best so far), ``failed`` (no
  program that runs), ``not evaluated`` (only another metric is known) or ``missing``;
- ``r_state``: ``ok``, ``N/A`` (oracle and random returns equal within noise), ``failed``
  (no program that runs: R is N/A, whatever a planner made of the broken program),
  ``no reference`` (reference returns of the profile not computed yet), ``not evaluated``
  or ``missing``.

Unreadable files are treated as absent and reported in :attr:`LoadedRuns.warnings`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from cwmb.benchmark.registry import DOMAIN_ENVS, ENVS, get_env
from cwmb.errors import CwmbError
from cwmb.methods.rundir import read_json, read_lines
from cwmb.report.aggregate import FAILED
from cwmb.report.heldout_columns import heldout_columns

METRICS = ("default", "original")
_ENV_ORDER = {spec.name: i for i, spec in enumerate((*ENVS, *DOMAIN_ENVS))}
_FINISHED = ("finished", "stopped")


@dataclass
class LoadedRuns:
    """The tidy table of a set of runs, with the problems met while reading them."""

    frame: pd.DataFrame
    run_paths: dict[str, Path]
    metric: str
    warnings: list[str] = field(default_factory=list)


def resolve_run(name: str | Path, results: Path) -> Path:
    """The directory of run ``name``: a path to a directory, or a name under ``results``."""
    direct = Path(name)
    if direct.is_dir():
        return direct
    path = Path(results) / str(name)
    if path.is_dir():
        return path
    folders = sorted(Path(results).iterdir()) if Path(results).is_dir() else []
    known = [p.name for p in folders if p.is_dir() and env_dirs(p)]
    hint = f"runs under {results}: {', '.join(known)}" if known else f"no runs under {results} yet"
    raise CwmbError(f"no run directory '{name}' (looked for {direct} and {path})", hint)


def expand_grid_roots(runs: Sequence[str | Path], results: Path) -> list[str]:
    """``runs`` with every grid root (a folder of run folders, as ``cwmb run`` writes) replaced by its runs.

    A name that is itself a run (it has env folders, or is an APPS run) is kept as given.
    """
    expanded: list[str] = []
    for name in runs:
        path = resolve_run(name, results)
        if env_dirs(path) or (path / "apps_run.json").is_file():
            expanded.append(str(name))
            continue
        cells = [
            p
            for p in sorted(path.iterdir())
            if p.is_dir() and (env_dirs(p) or (p / "apps_run.json").is_file())
        ]
        expanded += [str(p) for p in cells] or [str(name)]
    return expanded


def env_dirs(run_dir: Path) -> list[Path]:
    """Sub-directories of ``run_dir`` that belong to a benchmark env and hold a run's files."""
    found = []
    for child in sorted(run_dir.iterdir()) if run_dir.is_dir() else []:
        if child.name not in _ENV_ORDER or not child.is_dir():
            continue  # other folders (a report, trajectories of `make demo`) are not envs
        if any((child / name).exists() for name in ("summary.json", "config.json", "evaluation.json")):
            found.append(child)
    return found


def load_runs(runs: Sequence[str | Path], results: Path = Path("results"), metric: str = "default"):
    """Read ``runs`` (names or paths) into :class:`LoadedRuns`; envs absent from a run become rows too."""
    if metric not in METRICS:
        raise CwmbError(f"unknown metric '{metric}'", f"use one of {', '.join(METRICS)}")
    warnings: list[str] = []
    paths: dict[str, Path] = {}
    rows: list[dict[str, Any]] = []
    for name in runs:
        path = resolve_run(name, results)
        label = path.name if Path(name).is_dir() else str(name)
        if label in paths:
            continue  # the same run twice would count twice in every mean
        paths[label] = path
        found = env_dirs(path)
        if not found:
            warnings.append(f"run {label} ({path}) has no env directories yet: nothing to report")
        rows += [load_env(label, d, metric, warnings) for d in found]
    frame = _with_missing([r for r in rows if r is not None])
    return LoadedRuns(frame, paths, metric, warnings)


def load_env(run: str, path: Path, metric: str, warnings: list[str]) -> dict[str, Any] | None:
    """One (run, env) row from the env's run directory; None when it holds nothing usable."""
    spec = get_env(path.name)
    summary, config = _read(path / "summary.json", warnings), _read(path / "config.json", warnings)
    evaluation = _read(path / "evaluation.json", warnings)
    if summary is None and config is None and evaluation is None:
        warnings.append(f"{path}: no summary.json, config.json or evaluation.json; left out")
        return None
    if summary is None and config is None:
        # e.g. a best.py put there by hand and evaluated: its method and LLM are unknown
        warnings.append(f"{path}: evaluated but not synthesized by cwmb; method and LLM unknown")
    tree = read_lines(path / "tree.jsonl") if (path / "tree.jsonl").exists() else []
    row: dict[str, Any] = {"run": run, "env": spec.name, "kind": spec.action_kind, "path": str(path)}
    row |= _identity(summary or {}, config or {})
    row |= _search(summary, tree, started=config is not None)
    row |= _usage(summary or {}, tree)
    row |= _evaluation(evaluation, path, warnings)
    row |= _accuracy(row, metric)
    row |= heldout_columns(row, summary, evaluation, metric)
    if row["acc_state"] == FAILED:  # no model to plan with: as the paper's Table 12, no return
        row |= {"R": None, "r_state": FAILED}
    return row


def _read(path: Path, warnings: list[str]) -> dict[str, Any] | None:
    data = read_json(path)
    if data is None and path.exists():
        warnings.append(f"{path} is not readable JSON; treated as absent")
    return data


def _identity(summary: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
    """Method, LLM and the settings that make two runs comparable (grouped together)."""
    method_config = config.get("method") or {}
    llm = summary.get("llm") or {}
    llm_config = config.get("llm") or {}
    identity = config.get("identity") or {}
    settings = identity.get("method") or {k: v for k, v in method_config.items() if k != "budget"}
    backend = llm.get("backend") or llm_config.get("backend")
    return {
        "method": summary.get("method") or method_config.get("method") or "unknown",
        "llm": llm.get("name") or llm_config.get("name") or "unknown",
        "llm_model": llm.get("model") or llm_config.get("model"),
        "simulated": bool(llm.get("simulated", backend in ("offline", "scripted"))),
        "llm_note": llm.get("note"),
        "budget": summary.get("budget") or method_config.get("budget"),
        "seed": summary.get("seed", config.get("seed")),
        "settings_hash": _digest(settings),
        "llm_hash": _digest(identity.get("llm") or llm_config or llm),
        "switches": json.dumps({k: settings[k] for k in sorted(settings) if k.startswith("allow_")}),
        "settings": json.dumps(settings, sort_keys=True),
    }


def _search(summary: dict[str, Any] | None, tree: list[dict[str, Any]], started: bool) -> dict[str, Any]:
    if summary is None:
        status = "started" if tree or started else "no summary"
        return {"status": status, "stop_reason": None, "calls": len(tree), "search_accuracy": None}
    best = summary.get("best") or {}
    curve = [float(v) for v in summary.get("curve") or [b.get("best_accuracy", 0.0) for b in tree]]
    runnable = any(line.get("status") == "ok" for line in tree) or (best.get("accuracy") or 0) > 0
    return {
        "status": summary.get("status", "unknown"),
        "stop_reason": summary.get("stop_reason"),
        "calls": summary.get("calls", len(tree)),
        "search_accuracy": best.get("accuracy") if runnable else None,
        "search_metric": summary.get("metric", "default"),
        "perfect": bool(best.get("perfect")),
        "curve": json.dumps(curve),
    }


def _usage(summary: dict[str, Any], tree: list[dict[str, Any]]) -> dict[str, Any]:
    """Tokens, cost and cache hits from ``tree.jsonl``: it has one line per call, replayed ones too."""
    costs = [(line.get("llm") or {}).get("cost_usd") for line in tree]
    known = [c for c in costs if isinstance(c, int | float)]
    usage = {
        "tokens_in": sum(int((line.get("llm") or {}).get("tokens_in") or 0) for line in tree),
        "tokens_out": sum(int((line.get("llm") or {}).get("tokens_out") or 0) for line in tree),
        "cache_hits": sum(bool((line.get("llm") or {}).get("cache_hit")) for line in tree),
        "cost_usd": float(sum(known)),
        "calls_unknown_cost": len(costs) - len(known),
    }
    if not tree and summary:  # an old or hand-made run without a tree: the summary's totals
        usage |= {k: summary.get(k, usage[k]) for k in ("tokens_in", "tokens_out", "cost_usd")}
        usage["calls_unknown_cost"] = summary.get("calls_unknown_cost", 0)
    return usage


def _evaluation(evaluation: dict[str, Any] | None, path: Path, warnings: list[str]) -> dict[str, Any]:
    if evaluation is None:
        return {"evaluated": False, "r_state": "not evaluated"}
    best = path / "best.py"
    if best.exists() and evaluation.get("program_hash"):
        current = hashlib.sha256(best.read_text(encoding="utf-8").encode()).hexdigest()[:16]
        if current != evaluation["program_hash"]:
            warnings.append(f"{path}/evaluation.json is of an older best.py; re-run `cwmb evaluate`")
            return {"evaluated": False, "r_state": "not evaluated", "r_note": "evaluation is stale"}
    accuracy = evaluation.get("accuracy") or {}
    returns = evaluation.get("returns") or {}
    profile = evaluation.get("profile") or {}
    row = {
        "evaluated": True,
        "eval_status": accuracy.get("status"),
        "acc_default": (accuracy.get("default") or {}).get("accuracy"),
        "acc_original": (accuracy.get("original") or {}).get("accuracy"),
        "return_mean": returns.get("mean"),
        "return_se": returns.get("standard_error"),
        "episodes": returns.get("n", len(evaluation.get("episodes") or [])),
        "R": returns.get("normalized"),
        "r_note": returns.get("normalized_note"),
        "oracle_episodes": returns.get("oracle_episodes"),
        "normalizers": returns.get("normalizers"),
        "profile": profile.get("name") if isinstance(profile, dict) else str(profile),
    }
    row["r_state"] = _r_state(row, returns)
    return row


def _r_state(row: dict[str, Any], returns: dict[str, Any]) -> str:
    if row["R"] is not None:
        return "ok"
    if not row["episodes"]:
        return "not evaluated"
    # evaluate writes the reference means only when it found them: then None means a tie.
    return "N/A" if "random_mean" in returns else "no reference"


def _accuracy(row: dict[str, Any], metric: str) -> dict[str, Any]:
    """The accuracy shown under ``metric``: the evaluation's, else the search's (same metric only)."""
    partial = row["status"] not in _FINISHED
    if row.get("evaluated"):
        if row.get("eval_status") != "ok":
            return {"accuracy": None, "acc_state": FAILED, "acc_source": "evaluation"}
        return {"accuracy": row[f"acc_{metric}"], "acc_state": "ok", "acc_source": "evaluation"}
    if row.get("search_metric") == metric and row["status"] != "started":
        if row["search_accuracy"] is None:
            return {"accuracy": None, "acc_state": "partial" if partial else FAILED, "acc_source": "search"}
        return {
            "accuracy": row["search_accuracy"],
            "acc_state": "partial" if partial else "ok",
            "acc_source": "search",
        }
    state = "partial" if row["status"] in ("started", "no summary") else "not evaluated"
    return {"accuracy": None, "acc_state": state, "acc_source": None}


def _with_missing(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The tidy table, with a ``missing`` row for every env a run lacks that another run has.

    Built with ``dtype=object`` so that counts stay integers and absent values stay None
    (pandas would otherwise turn a column with gaps into floats with NaN).
    """
    envs = {row["env"] for row in rows}
    setups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for row in rows:
        setups.setdefault(tuple(row[k] for k in ("run", "settings_hash", "llm_hash", "budget")), []).append(
            row
        )
    extra = []
    for part in setups.values():
        for env in sorted(envs - {row["env"] for row in part}):
            blank = {k: part[0][k] for k in _GROUP_COLUMNS}
            blank |= {"env": env, "kind": get_env(env).action_kind, "status": "missing"}
            blank |= {"acc_state": "missing", "r_state": "missing", "evaluated": False}
            extra.append(blank)
    ordered = sorted(rows + extra, key=lambda row: _ENV_ORDER[row["env"]])
    runs = list(dict.fromkeys(row["run"] for row in rows))
    ordered.sort(key=lambda row: runs.index(row["run"]))  # stable: runs in the order asked, envs in order
    return pd.DataFrame([{c: row.get(c) for c in COLUMNS} for row in ordered], columns=COLUMNS, dtype=object)


def _digest(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:12]


_GROUP_COLUMNS = (
    "run",
    "method",
    "llm",
    "llm_model",
    "simulated",
    "llm_note",
    "budget",
    "seed",
    "settings_hash",
    "llm_hash",
    "switches",
    "settings",
)
COLUMNS = [
    *_GROUP_COLUMNS[:1],
    "env",
    "kind",
    *_GROUP_COLUMNS[1:],
    "status",
    "stop_reason",
    "calls",
    "perfect",
    "accuracy",
    "acc_state",
    "acc_source",
    "search_accuracy",
    "search_metric",
    "evaluated",
    "eval_status",
    "acc_default",
    "acc_original",
    "heldout_accuracy",
    "heldout_state",
    "generalization",
    "return_mean",
    "return_se",
    "episodes",
    "R",
    "r_state",
    "r_note",
    "oracle_episodes",
    "normalizers",
    "profile",
    "tokens_in",
    "tokens_out",
    "cache_hits",
    "cost_usd",
    "calls_unknown_cost",
    "curve",
    "path",
]
