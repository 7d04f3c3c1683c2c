"""What a world model predicted for each transition of a dataset: the plain-data record
that crosses from the sandbox to the harness, where it is scored.

It holds only numbers and booleans, never objects of the candidate's own classes, so a
candidate cannot influence its own verdict through what it returns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Predictions:
    """Predicted ``(next_state, reward, done)`` per transition, aligned with a Dataset.

    ``valid[i]`` is False when the program gave no well-formed answer for transition
    ``i`` (wrong type or shape, NaN-free casting failed, ...); ``problems[i]`` then says
    why in one line (empty string where valid). Invalid rows hold NaN / False and are
    scored as wrong.
    """

    next_states: np.ndarray  # (N, obs_dim) float64
    rewards: np.ndarray  # (N,) float64
    dones: np.ndarray  # (N,) bool
    valid: np.ndarray  # (N,) bool
    problems: tuple[str, ...]

    def __len__(self) -> int:
        return int(self.rewards.shape[0])
