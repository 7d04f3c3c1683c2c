"""The record ``cwmb llm-as-model`` writes per (predictor, env), and where it goes.

Records live under ``<results>/llm-as-model/<predictor>/<ENV>.json`` (one folder per
predictor, so an LLM's record and the offline predictor's never overwrite each other);
``cwmb report`` reads every record under ``<results>/llm-as-model/`` for its Table 8.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from cwmb.llm_as_model.run import DirectPredictionResult
from cwmb.llm_as_model.timing import CwmMeasure

KIND = "cwmb.llm_as_model"
SCHEMA_VERSION = 1
FOLDER = "llm-as-model"
# Fields the report needs, with the types it accepts (a record lacking one is skipped).
REQUIRED: dict[str, tuple[type, ...]] = {
    "env": (str,),
    "model": (str,),
    "simulated": (bool,),
    "transitions": (int,),
    "accuracy": (int, float),
    "unparseable": (int,),
    "cwm_label": (str,),
    "cwm_seconds_per_step": (int, float),
    "cwm_accuracy": (int, float),
}


def predictor_folder(model: str) -> str:
    """A file-name-safe folder for a predictor's label (``openai/gpt-4-turbo`` -> ``openai-gpt-4-turbo``)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", model).strip("-.") or "model"


def default_out(results: Path, model: str) -> Path:
    """Where the records of ``model`` go under a results root."""
    return results / FOLDER / predictor_folder(model)


def record_document(result: DirectPredictionResult, cwm: CwmMeasure, seed: int) -> dict[str, Any]:
    """The record of one run of the experiment: the LLM's row and the CWM's, side by side."""
    llm_time = result.llm_median_seconds
    ratio = llm_time / cwm.seconds_per_step if llm_time is not None and cwm.seconds_per_step else None
    return {
        "kind": KIND,
        "schema_version": SCHEMA_VERSION,
        **result.to_dict(),
        "seed": seed,
        "cwm_label": cwm.label,
        "cwm_seconds_per_step": cwm.seconds_per_step,
        "cwm_accuracy": cwm.accuracy,
        "cwm_accuracy_original": cwm.accuracy_original,
        "cwm_correct": cwm.correct,
        "ratio": ratio,
    }


def record_problem(document: Any) -> str | None:
    """Why ``document`` is not a usable record (None when it is)."""
    if not isinstance(document, dict):
        return "not a JSON object"
    if document.get("kind", KIND) != KIND:
        return f"kind is {document.get('kind')!r}, not {KIND}"
    for name, types in REQUIRED.items():
        value = document.get(name)
        if not isinstance(value, types) or (type(value) is bool and bool not in types):
            return f"field {name!r} is missing or not a {types[0].__name__}"
    return None
