"""Which normalizers the report's R values rest on, and what the report says about them.

By default R is what ``cwmb evaluate`` wrote: this stack's random and oracle returns of the
evaluation's planner profile. ``cwmb report --references published`` instead normalizes
each evaluated mean return with the paper's Table 12 returns
(:mod:`cwmb.planning.published_references`); arithmetic on stored numbers, no episode is
re-run. Either way the tables say which normalizers were used, and list every R whose
oracle reference rests on fewer than :data:`FULL_REFERENCE_EPISODES` episodes.
"""

from __future__ import annotations

import math

import pandas as pd

from cwmb.planning.normalized import normalized_return
from cwmb.planning.published_references import PUBLISHED_LABEL, TABLE_12, check_choice

FULL_REFERENCE_EPISODES = 10  # the paper's count


def with_published_normalizers(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of the tidy frame whose R is normalized with the paper's Table 12 returns."""
    frame = frame.copy()
    if frame.empty:
        return frame
    for index, row in frame.iterrows():
        mean = row.get("return_mean")
        if not row.get("evaluated") or mean is None or _is_nan(mean) or row["env"] not in TABLE_12:
            continue
        random, oracle = TABLE_12[row["env"]]
        value = normalized_return(float(mean), random, oracle)
        frame.at[index, "R"] = value
        frame.at[index, "r_state"] = "ok" if value is not None else "N/A"
        tie = "the paper's oracle and random returns are equal"
        frame.at[index, "r_note"] = None if value is not None else tie
        frame.at[index, "normalizers"] = PUBLISHED_LABEL
        frame.at[index, "oracle_episodes"] = 10
    return frame


def normalizer_notes(frame: pd.DataFrame, references: str) -> list[str]:
    """Notes for the R tables: which normalizers, and which R rest on few oracle episodes."""
    check_choice(references)
    notes = []
    if references == "published":
        notes.append(
            f"R uses the {PUBLISHED_LABEL} (the paper's Table 12 random and oracle means, made with "
            "older gymnasium/MuJoCo; Pusher on v4): not comparable with R on this stack's references."
        )
    elif "normalizers" in frame and frame["normalizers"].notna().any():
        labelled = frame[frame["normalizers"].notna() & (frame["r_state"] == "ok")]
        where = ", ".join(f"{r} {e}" for r, e in zip(labelled["run"], labelled["env"], strict=True))
        notes.append(f"R of {where} uses the {PUBLISHED_LABEL} (evaluated with --references published).")
    few = _few_oracle_episodes(frame) if references == "ours" else []
    if few:
        notes.append(
            f"R resting on fewer than {FULL_REFERENCE_EPISODES} oracle episodes "
            f"(the references' standard error is large): {', '.join(few)}."
        )
    return notes


def _few_oracle_episodes(frame: pd.DataFrame) -> list[str]:
    if frame.empty or "oracle_episodes" not in frame:
        return []
    shown = frame[(frame["r_state"] == "ok") & frame["oracle_episodes"].notna()]
    shown = shown[shown["oracle_episodes"] < FULL_REFERENCE_EPISODES]
    return [
        f"{run} {env} ({int(n)})"
        for run, env, n in zip(shown["run"], shown["env"], shown["oracle_episodes"], strict=True)
    ]


def _is_nan(value: object) -> bool:
    return isinstance(value, float) and math.isnan(value)
