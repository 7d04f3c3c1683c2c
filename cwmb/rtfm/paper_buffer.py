"""The paper's released RTFM transitions (JSON lines) as an RTFM :class:`Dataset`.

One object a line: board, inventory, action, next_board, next_inventory, reward, done,
valid_actions of the next state, trajectory, step. The released buffer stores ``done``
as termination only (its 100-step cut-offs have ``done`` false).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from cwmb.errors import CwmbError
from cwmb.rtfm import rules
from cwmb.trajectories.dataset import Dataset


def _codes(words: Any, what: str) -> np.ndarray:
    try:
        return np.vectorize(rules.CODE.__getitem__, otypes=[np.int64])(np.array(words, dtype=object))
    except KeyError as unknown:
        raise CwmbError(
            f"{what} holds {unknown} outside the RTFM vocabulary", "is this an RTFM buffer?"
        ) from None


def _row(board: Any, inventory: str, what: str) -> np.ndarray:
    codes = _codes(board, what)
    if codes.shape != rules.BOARD_SHAPE:
        raise CwmbError(
            f"{what} has a board of shape {codes.shape}, not (6, 6, 2)", "is this an RTFM buffer?"
        )
    return rules.encode_state(codes, int(_codes([inventory], what)[0]))


def load_paper_buffer(path: Path, env_name: str = "RTFM-SimpleStationary-v0") -> Dataset:
    """Read the JSON-lines buffer at ``path``; CwmbError naming the line on malformed input."""
    records = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        what = f"{path} line {number}"
        try:
            item = json.loads(line)
            records.append(
                (
                    int(item["trajectory"]),
                    int(item["step"]),
                    _row(item["board"], item["inventory"], what),
                    int(item["action"]),
                    float(item["reward"]),
                    _row(item["next_board"], item["next_inventory"], what),
                    bool(item["done"]),
                    rules.valid_mask(item["valid_actions"]),
                )
            )
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as problem:
            raise CwmbError(
                f"{what} is not an RTFM transition: {problem}", "is this an RTFM buffer?"
            ) from None
    columns = list(zip(*records, strict=True))
    return Dataset(
        env=env_name,
        obs_kind="rtfm",
        action_kind="discrete",
        trajectory=np.asarray(columns[0], dtype=np.int64),
        step=np.asarray(columns[1], dtype=np.int64),
        states=np.stack(columns[2]),
        actions=np.asarray(columns[3], dtype=np.int64).reshape(-1, 1),
        rewards=np.asarray(columns[4], dtype=np.float64),
        next_states=np.stack(columns[5]),
        terminated=np.asarray(columns[6], dtype=bool),
        truncated=np.zeros(len(records), dtype=bool),
        next_valid_actions=np.stack(columns[7]),
    )
