"""The score records' JSON: one base for CWMB and RTFM, every key in the order runs have always written."""

from __future__ import annotations

import json

import numpy as np

from cwmb.rtfm.scoring import RtfmScoreResult
from cwmb.scoring_records import ScoreRecord, ScoreResult, Tolerance

COMMON = {
    "metric": "default",
    "env": "X-v0",
    "accuracy": 0.5,
    "state": 0.25,
    "reward": 0.75,
    "done": 1.0,
    "n": 4,
    "n_correct": 1,
    "perfect": False,
    "failing": (0, 1, 3),
}
NO_ROWS = np.zeros(4, dtype=bool)


def test_a_cwmb_record_writes_the_keys_in_the_order_of_earlier_runs():
    record = ScoreResult(
        **COMMON, tolerance=Tolerance(), state_ok=NO_ROWS, reward_ok=NO_ROWS, done_ok=NO_ROWS
    )
    assert json.dumps(record.as_dict(max_failing=2)) == (
        '{"metric": "default", "env": "X-v0", "accuracy": 0.5, "state": 0.25, "reward": 0.75, '
        '"done": 1.0, "n": 4, "n_correct": 1, "perfect": false, "n_failing": 3, "failing": [0, 1]}'
    )


def test_an_rtfm_record_puts_its_valid_actions_after_done_as_before():
    rows = {k: NO_ROWS for k in ("board_ok", "inventory_ok", "reward_ok", "done_ok", "actions_ok", "judged")}
    record = RtfmScoreResult(**COMMON, valid_actions=0.5, valid_actions_rule="exact", **rows)
    assert isinstance(record, ScoreRecord)
    assert json.dumps(record.as_dict()) == (
        '{"metric": "default", "env": "X-v0", "accuracy": 0.5, "state": 0.25, "reward": 0.75, '
        '"done": 1.0, "valid_actions": 0.5, "valid_actions_rule": "exact", "n": 4, "n_correct": 1, '
        '"perfect": false, "n_failing": 3, "failing": [0, 1, 3]}'
    )


def test_records_compare_by_their_numbers_not_their_row_masks():
    first = ScoreResult(**COMMON, tolerance=Tolerance(), state_ok=NO_ROWS, reward_ok=NO_ROWS, done_ok=NO_ROWS)
    other = ScoreResult(
        **COMMON, tolerance=Tolerance(), state_ok=~NO_ROWS, reward_ok=NO_ROWS, done_ok=NO_ROWS
    )
    assert first == other
