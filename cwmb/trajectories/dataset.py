"""In-memory form of one env's dataset, and conversions to and from gymnasium values.

Every transition ``(state, action) -> (reward, next_state, terminated, truncated)`` is a
unit test for a code world model. Arrays keep gymnasium's dtypes exactly: float32
observations stay float32, integer rewards stay integers, so that scoring compares
against the very bits the simulator produced. Scalar and tuple observations
(CliffWalking, Taxi, Blackjack) are stored as int64 rows of length 1 and 3.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Dataset:
    """All transitions of one environment, as aligned numpy arrays (one row a transition).

    ``obs_kind`` is ``"box"``, ``"discrete"`` (a scalar int), ``"tuple"`` (Blackjack) or
    ``"rtfm"`` (rows of vocabulary codes, :mod:`cwmb.rtfm.rules`); ``action_kind`` is
    ``"discrete"`` or ``"continuous"``. ``actions`` has shape (N, 1) for discrete actions.
    ``next_valid_actions`` (N, n_actions) bool is set by domains whose world models also
    predict the valid actions of the state reached (RTFM), else None.
    """

    env: str
    obs_kind: str
    action_kind: str
    trajectory: np.ndarray
    step: np.ndarray
    states: np.ndarray
    actions: np.ndarray
    rewards: np.ndarray
    next_states: np.ndarray
    terminated: np.ndarray
    truncated: np.ndarray
    manifest: dict[str, Any] = field(default_factory=dict, compare=False)
    path: Path | None = field(default=None, compare=False)
    next_valid_actions: np.ndarray | None = field(default=None, compare=False)

    def __len__(self) -> int:
        return int(self.trajectory.shape[0])

    @property
    def n_trajectories(self) -> int:
        """Number of distinct trajectories."""
        return len(np.unique(self.trajectory))

    def observation(self, i: int, *, next_state: bool = False) -> Any:
        """Row ``i``'s state (or next state) as gymnasium returns it: int, tuple or array."""
        row = (self.next_states if next_state else self.states)[i]
        return to_gym_observation(row, self.obs_kind)

    def action(self, i: int) -> Any:
        """Row ``i``'s action as gymnasium takes it: an int or a float array."""
        return to_gym_action(self.actions[i], self.action_kind)

    def trajectory_returns(self) -> list[float]:
        """Undiscounted return of each trajectory, in trajectory order."""
        ids = np.unique(self.trajectory)
        return [float(self.rewards[self.trajectory == t].sum()) for t in ids]

    def trajectory_lengths(self) -> list[int]:
        """Number of transitions of each trajectory, in trajectory order."""
        _, counts = np.unique(self.trajectory, return_counts=True)
        return [int(c) for c in counts]

    def to_pandas(self) -> Any:
        """One row a transition; array columns hold numpy arrays (for exploring, not scoring)."""
        import pandas as pd

        return pd.DataFrame(
            {
                "trajectory": self.trajectory,
                "step": self.step,
                "state": list(self.states),
                "action": list(self.actions),
                "reward": self.rewards,
                "next_state": list(self.next_states),
                "terminated": self.terminated,
                "truncated": self.truncated,
            }
        )


def observation_kind(observation: Any) -> str:
    """Classify a gymnasium observation as ``box``, ``discrete`` or ``tuple``."""
    if isinstance(observation, tuple):
        return "tuple"
    if isinstance(observation, np.ndarray):
        return "box"
    return "discrete"


def to_row(observation: Any) -> np.ndarray:
    """A gymnasium observation as a 1-d array (int64 for discrete and tuple ones)."""
    if isinstance(observation, np.ndarray):
        return observation.reshape(-1)
    if isinstance(observation, tuple):
        return np.asarray(observation, dtype=np.int64)
    return np.asarray([observation], dtype=np.int64)


def to_gym_observation(row: np.ndarray, obs_kind: str) -> Any:
    """Inverse of :func:`to_row`."""
    if obs_kind == "tuple":
        return tuple(int(v) for v in row)
    if obs_kind == "discrete":
        return int(row[0])
    return row.copy()


def to_gym_action(row: np.ndarray, action_kind: str) -> Any:
    """A stored action row as gymnasium's ``step`` takes it."""
    if action_kind == "discrete":
        return int(row[0])
    return row.copy()
