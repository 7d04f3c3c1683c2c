"""What an RTFM world model predicted per transition, as plain data the harness scores.

Like :class:`cwmb.predictions.Predictions`, only numbers and booleans cross from the
sandbox: boards come back as vocabulary codes, valid actions as a mask.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class RtfmPredictions:
    """Predicted ``((board, inventory), valid_actions, reward, done)`` per transition.

    ``next_states`` (N, 73) int64 holds the board's codes then the inventory's (-1 where
    invalid); ``valid_actions`` (N, 5) bool is the predicted set as a mask. ``valid[i]`` is
    False when transition ``i`` gave no well-formed answer, ``problems[i]`` says why.
    ``mutated[i]`` is True when ``step`` changed the board it was given in place: harmless
    to the score (every call gets a fresh copy) but worth telling the model.
    """

    next_states: np.ndarray
    valid_actions: np.ndarray
    rewards: np.ndarray
    dones: np.ndarray
    valid: np.ndarray
    problems: tuple[str, ...]
    mutated: np.ndarray

    def __len__(self) -> int:
        return int(self.rewards.shape[0])
