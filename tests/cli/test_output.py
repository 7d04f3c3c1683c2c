"""Strict JSON from the values commands hold: numpy, paths, records, NaN."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cwmb.cli.output import jsonable


@dataclass(frozen=True)
class Summary:
    mean: float
    n: int


def test_numpy_paths_and_records_become_plain_json():
    value = {
        "mean": np.float32(0.5),
        "n": np.int64(3),
        "states": np.arange(3),
        "path": Path("a/b"),
        "summary": Summary(1.5, 2),
        7: (True, None),
    }
    assert jsonable(value) == {
        "mean": 0.5,
        "n": 3,
        "states": [0, 1, 2],
        "path": "a/b",
        "summary": {"mean": 1.5, "n": 2},
        "7": [True, None],
    }


def test_nan_and_infinity_become_null_so_the_document_is_strict_json():
    text = json.dumps(jsonable([math.nan, np.float64("inf"), -math.inf, 1.0]), allow_nan=False)
    assert json.loads(text) == [None, None, None, 1.0]
