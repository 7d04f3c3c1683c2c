"""An exact world model of simplified RTFM, written as an LLM must write one.

Self-contained program text (numpy and the standard library only): the harness runs it
like generated code, from its source, never by importing it.
"""

import numpy as np

# Row and column offsets of the actions: 0 Stay, 1 Up, 2 Down, 3 Left, 4 Right.
MOVES = {0: (0, 0), 1: (-1, 0), 2: (1, 0), 3: (0, -1), 4: (0, 1)}
ITEMS = ("shimmering axe", "grandmasters bow")
# Which weapon beats which monster, and what killing it is worth.
BEATEN_BY = {"cold dragon": "shimmering axe", "fire demon": "grandmasters bow"}
KILL_REWARD = {"cold dragon": 1.0, "fire demon": -1.0}


class Environment:
    """Board (6, 6, 2) of strings with a wall border; the player holds at most one item."""

    def __init__(self):
        self.board = np.full((6, 6, 2), "empty", dtype=object)
        self.inventory = "empty"

    def set_state(self, state):
        board, inventory = state
        # A copy: the caller's board must stay as it was.
        self.board = np.array(board, dtype=object).copy()
        self.inventory = inventory

    def _player(self):
        found = np.argwhere(self.board[:, :, 0] == "you")
        return (int(found[0][0]), int(found[0][1])) if len(found) else None

    def valid_actions(self):
        position = self._player()
        if position is None:
            return [0, 1, 2, 3, 4]
        row, col = position
        return [a for a, (dr, dc) in MOVES.items() if self.board[row + dr, col + dc, 0] != "wall"]

    def _answer(self, reward, done):
        return (self.board.copy(), self.inventory), self.valid_actions(), reward, done

    def step(self, action):
        position = self._player()
        if position is None or action == 0:
            return self._answer(0.0, False)
        row, col = position
        dr, dc = MOVES[int(action)]
        target = (row + dr, col + dc, 0)
        content = self.board[target]
        if content == "wall":
            return self._answer(0.0, False)
        self.board[row, col, 0] = "empty"
        if content in BEATEN_BY:
            if self.inventory == BEATEN_BY[content]:
                self.board[target] = "you"
                return self._answer(KILL_REWARD[content], True)
            return self._answer(-1.0, True)
        if content in ITEMS:
            self.inventory = content
        self.board[target] = "you"
        return self._answer(0.0, False)
