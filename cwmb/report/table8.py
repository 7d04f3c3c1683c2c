"""Table 8 of the paper: the LLM as the world model against a code world model, per env.

Its rows come from the records ``cwmb llm-as-model`` writes under
``<results>/llm-as-model/`` (:mod:`cwmb.llm_as_model.record`), beside the paper's
published rows (``published_table8.json``). Each row puts the predictor's time per
transition and accuracy next to the CWM's time per step and accuracy on the same
transitions. A record that cannot be read is skipped with a warning naming the file and
why, rather than stopping the report: one bad file must not hide every other table.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from cwmb.benchmark.registry import env_names, get_env
from cwmb.errors import CwmbError
from cwmb.llm_as_model.record import FOLDER, record_problem
from cwmb.report.tables import ReportTable, number

COLUMNS = [
    "Env",
    "Predictor",
    "CWM",
    "LLM s/transition",
    "LLM acc.",
    "LLM right",
    "unparseable",
    "CWM s/step",
    "CWM acc.",
    "LLM/CWM time",
]
SIMULATED_MARK = " [simulated, not an LLM]"
PAPER_CWM_MARK = "§"
NOT_REPORTED = "not reported"


@lru_cache(maxsize=1)
def published_table8() -> dict[str, Any]:
    """The paper's Table 8 rows and their source (``published_table8.json``)."""
    text = resources.files("cwmb.report").joinpath("published_table8.json").read_text(encoding="utf-8")
    return json.loads(text)


def load_records(results: Path, warnings: list[str]) -> list[dict[str, Any]]:
    """Every usable record under ``<results>/llm-as-model/``; unusable ones become warnings."""
    root = results / FOLDER
    records = []
    for path in sorted(root.rglob("*.json")) if root.is_dir() else []:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            warnings.append(f"{path}: not a readable llm-as-model record ({_first_line(exc)}); skipped")
            continue
        problem = record_problem(document)
        if problem is None:
            try:
                document["env"] = get_env(document["env"]).name
            except CwmbError:
                problem = f"unknown env {document['env']!r}"
        if problem is not None:
            warnings.append(f"{path}: not a usable llm-as-model record ({problem}); skipped")
            continue
        records.append({**document, "path": str(path)})
    return records


def _first_line(error: Exception) -> str:
    return (str(error).splitlines() or [type(error).__name__])[0]


def seconds_text(value: float | None) -> str:
    """A time in seconds with three significant digits (``2.2``, ``5e-05``)."""
    return "–" if value is None else f"{value:.3g}"


def _paper_row(entry: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    n, ratio = published_table8()["transitions"], entry["llm_seconds"] / entry["cwm_seconds"]
    cells = [
        entry["env"],
        "GPT-4 Turbo (paper)",
        "GIF-MCTS B10 best.py (paper)",
        seconds_text(entry["llm_seconds"]),
        NOT_REPORTED,
        f"{entry['llm_correct']}/{n}",
        NOT_REPORTED,
        seconds_text(entry["cwm_seconds"]),
        number(entry["cwm_accuracy"]) + PAPER_CWM_MARK,
        f"{ratio:.2g}x",
    ]
    value = {"source": "paper", "predictor": "GPT-4 Turbo", "simulated": False, "transitions": n}
    value |= {k: entry[k] for k in ("env", "llm_seconds", "llm_correct", "cwm_seconds", "cwm_accuracy")}
    return cells, value | {"ratio": ratio}


def _record_row(record: dict[str, Any], metric: str) -> tuple[list[str], dict[str, Any]]:
    original = metric == "original"
    llm_acc = record.get("accuracy_original") if original else record["accuracy"]
    cwm_acc = record.get("cwm_accuracy_original") if original else record["cwm_accuracy"]
    llm_time, ratio = record.get("llm_median_seconds"), record.get("ratio")
    predictor = record["model"] + (SIMULATED_MARK if record["simulated"] else "")
    correct = record.get("correct")
    cells = [
        record["env"],
        predictor,
        record["cwm_label"].replace(f" of {record['env']}", ""),
        seconds_text(llm_time) if llm_time is not None else f"all {record.get('cache_hits', 0)} cached",
        _accuracy_text(llm_acc),
        "–" if correct is None else f"{correct}/{record['transitions']}",
        str(record["unparseable"]),
        seconds_text(record["cwm_seconds_per_step"]),
        _accuracy_text(cwm_acc),
        "–" if ratio is None else f"{ratio:.2g}x",
    ]
    value = {"source": "record", "predictor": record["model"], "simulated": record["simulated"]}
    value |= {"env": record["env"], "transitions": record["transitions"], "llm_seconds": llm_time}
    value |= {"llm_accuracy": llm_acc, "llm_correct": correct, "unparseable": record["unparseable"]}
    value |= {"cwm": record["cwm_label"], "cwm_seconds": record["cwm_seconds_per_step"]}
    return cells, value | {"cwm_accuracy": cwm_acc, "ratio": ratio, "path": record["path"]}


def _accuracy_text(value: Any) -> str:
    if not isinstance(value, int | float) or isinstance(value, bool) or math.isnan(value):
        return "missing"
    return number(float(value), 4)


def table8(records: list[dict[str, Any]], metric: str = "default") -> ReportTable | None:
    """Table 8's layout from ``records`` beside the paper's rows; None without any record."""
    if not records:
        return None
    order = {name: index for index, name in enumerate(env_names())}
    rows: list[tuple[str, list[str], dict[str, Any]]] = []
    for entry in published_table8()["rows"]:
        rows.append((entry["env"], *_paper_row(entry)))
    for record in records:
        rows.append((record["env"], *_record_row(record, metric)))
    rows.sort(key=lambda row: order.get(row[0], len(order)))  # stable: the paper's row first per env
    envs = [row[0] for row in rows]
    rules = [i for i in range(len(rows) - 1) if envs[i] != envs[i + 1]]
    table = ReportTable(
        "table8",
        "Table 8: the LLM as the world model vs a code world model, per env",
        COLUMNS,
        [cells for _, cells, _ in rows],
        [value for _, _, value in rows],
        notes=_notes(records, metric),
        rules_after=rules,
        left_columns=3,
    )
    return table


def _notes(records: list[dict[str, Any]], metric: str) -> list[str]:
    notes = [
        f"Accuracy: cwmb's {metric} metric on the queried transitions, for the LLM and the CWM alike; "
        "LLM right = transitions whose next state, reward and done are all right (default tolerances); "
        "an unparseable answer scores 0.",
        "LLM s/transition: median provider time of one call (the prompt is built and the answer parsed "
        "outside the clock; cache hits left out). CWM s/step: one set_state + step of the CWM on the "
        "same transitions, best of 20 passes (docs/llm_as_model.md).",
    ]
    if any(record["simulated"] for record in records):
        notes.append(
            f"Rows marked{SIMULATED_MARK} come from cwmb's offline predictor, which steps the reference "
            "model and rounds to 3 significant digits: its time measures cwmb's harness, not any LLM."
        )
    paper = published_table8()
    notes.append(f"{PAPER_CWM_MARK} {paper['notes'][2]}")
    notes += [note for index, note in enumerate(paper["notes"]) if index != 2]
    return [*notes, f"Published numbers: {paper['source']['paper']}"]
