"""``cwmb/RTFM-SimpleStationary-v0``: simplified RTFM as a gymnasium environment.

Written from the rules (:mod:`cwmb.rtfm.rules`); no dependency on the original RTFM code.
The observation is honest about what it holds: a dict of the board's vocabulary codes,
``MultiDiscrete`` of shape (6, 6, 2), and the inventory's code, ``Discrete(7)``
(:data:`cwmb.rtfm.rules.VOCABULARY` maps codes to the strings world models see). The
valid actions of the state reached are in ``info["valid_actions"]``.

Episodes end (terminated) on any contact with a monster; gymnasium's TimeLimit truncates
them after 100 steps, as the paper's data was. The full simulator state is
``board`` and ``inventory`` (plus ``np_random``, used only by ``reset``), which is what
:mod:`cwmb.benchmark.snapshot` copies.
"""

from __future__ import annotations

from typing import Any, ClassVar

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from cwmb.rtfm import rules

GYM_ID = "cwmb/RTFM-SimpleStationary-v0"
EPISODE_CAP = 100


class RtfmSimpleStationaryEnv(gym.Env):
    """Simplified RTFM: fixed manual, stationary monsters (see the module docstring)."""

    metadata: ClassVar[dict[str, Any]] = {"render_modes": ["ansi"], "render_fps": 4}

    def __init__(self, render_mode: str | None = None) -> None:
        vocabulary = len(rules.VOCABULARY)
        self.observation_space = spaces.Dict(
            {
                "board": spaces.MultiDiscrete(np.full(rules.BOARD_SHAPE, vocabulary, dtype=np.int64)),
                "inventory": spaces.Discrete(vocabulary),
            }
        )
        self.action_space = spaces.Discrete(rules.N_ACTIONS)
        self.render_mode = render_mode
        self.board = rules.empty_board()
        self.inventory = rules.EMPTY

    def _observation(self) -> dict[str, Any]:
        return {"board": self.board.copy(), "inventory": int(self.inventory)}

    def _info(self) -> dict[str, Any]:
        return {"valid_actions": list(rules.valid_actions(self.board))}

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Place the 5 entities on distinct random inside cells; empty inventory."""
        super().reset(seed=seed)
        self.board = rules.random_board(self.np_random)
        self.inventory = rules.EMPTY
        return self._observation(), self._info()

    def step(self, action: Any) -> tuple[dict[str, Any], float, bool, bool, dict[str, Any]]:
        """Apply one action (0 Stay, 1 Up, 2 Down, 3 Left, 4 Right)."""
        if not self.action_space.contains(action):
            raise ValueError(f"action must be an int in 0..4, not {action!r}")
        outcome = rules.step_board(self.board, self.inventory, int(action))
        self.board, self.inventory = outcome.board, outcome.inventory
        return self._observation(), outcome.reward, outcome.done, False, self._info()

    def set_text_state(self, board: np.ndarray, inventory: int) -> None:
        """Put the env into the state given by board codes and an inventory code."""
        self.board = np.asarray(board, dtype=np.int64).reshape(rules.BOARD_SHAPE).copy()
        self.inventory = int(inventory)

    def render(self) -> str | None:
        """The board as text, one row a line (``ansi`` mode)."""
        if self.render_mode != "ansi":
            return None
        return render_board(self.board, self.inventory)


def render_board(board: np.ndarray, inventory: int) -> str:
    """A compact text picture of a board (first channel), with the inventory below."""
    short = {rules.EMPTY: ".", rules.WALL: "#", rules.YOU: "@", rules.TARGET: "D"}
    short |= {rules.DISTRACTOR: "F", rules.GOOD_ITEM: "a", rules.DISTRACTOR_ITEM: "b"}
    lines = ["".join(short[int(code)] for code in row) for row in np.asarray(board)[:, :, 0]]
    return "\n".join([*lines, f"inventory: {rules.VOCABULARY[int(inventory)]}"])


def register() -> None:
    """Register the env with gymnasium (idempotent)."""
    if GYM_ID not in gym.registry:
        gym.register(
            id=GYM_ID,
            entry_point="cwmb.rtfm.env:RtfmSimpleStationaryEnv",
            max_episode_steps=EPISODE_CAP,
        )


def state_row(observation: dict[str, Any]) -> np.ndarray:
    """An observation as one stored int64 state row (board codes, then inventory)."""
    return rules.encode_state(observation["board"], observation["inventory"])


register()
