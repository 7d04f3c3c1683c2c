"""Reference world model for CliffWalking-v0 (runs as CliffWalking-v1, not slippery).

A 4 x 12 grid; the agent starts at the bottom-left cell (state 36) and must reach the
bottom-right cell (state 47). The cells between them on the bottom row are a cliff:
stepping into one costs -100 and sends the agent back to the start without ending the
episode. Every other move costs -1; moves off the grid leave the agent in place.
Self-contained: the standard library only.
"""

ROWS = 4
COLS = 12
START = 36
GOAL = 47
# Actions: 0 up, 1 right, 2 down, 3 left, as (row, column) offsets.
MOVES = ((-1, 0), (0, 1), (1, 0), (0, -1))


class Environment:
    """Deterministic cliff-walking grid; state = row * 12 + column."""

    def __init__(self):
        self.state = START

    def set_state(self, state):
        """Take the cell index."""
        self.state = int(state)

    def step(self, action):
        """Move one cell; return (next cell, reward, reached the goal)."""
        row, col = divmod(self.state, COLS)
        d_row, d_col = MOVES[int(action)]
        row = min(max(row + d_row, 0), ROWS - 1)
        col = min(max(col + d_col, 0), COLS - 1)
        if row == ROWS - 1 and 0 < col < COLS - 1:
            self.state = START
            return START, -100, False
        self.state = row * COLS + col
        return self.state, -1, self.state == GOAL
