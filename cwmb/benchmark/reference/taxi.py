"""Reference world model for Taxi-v3 (runs as Taxi-v4 with its defaults: not rainy, not fickle).

A 5 x 5 grid with four coloured stands R(0,0), G(0,4), Y(4,0), B(4,3) and some walls. The
state packs (taxi row, taxi column, passenger location, destination) as
((row * 5 + col) * 5 + passenger) * 4 + destination, where passenger location 4 means "in
the taxi". Moves cost -1 (a move into a wall leaves the taxi in place); a pickup or drop-off
that is not allowed costs -10; delivering the passenger at the destination gives +20 and
ends the episode. Dropping the passenger at another stand leaves them there (cost -1).
Self-contained: the standard library only.
"""

# The map; a ":" between two cells is open, a "|" is a wall.
MAP = (
    "+---------+",
    "|R: | : :G|",
    "| : | : : |",
    "| : : : : |",
    "| | : | : |",
    "|Y| : |B: |",
    "+---------+",
)
STANDS = ((0, 0), (0, 4), (4, 0), (4, 3))
IN_TAXI = 4
SOUTH, NORTH, EAST, WEST, PICKUP, DROPOFF = range(6)


def encode(row, col, passenger, destination):
    """Pack the four state variables into one integer in [0, 500)."""
    return ((row * 5 + col) * 5 + passenger) * 4 + destination


def decode(state):
    """Unpack a state integer into (row, col, passenger, destination)."""
    state, destination = divmod(state, 4)
    state, passenger = divmod(state, 5)
    row, col = divmod(state, 5)
    return row, col, passenger, destination


class Environment:
    """Deterministic taxi world."""

    def __init__(self):
        self.state = 0

    def set_state(self, state):
        """Take the packed state integer."""
        self.state = int(state)

    def step(self, action):
        """Move, pick up or drop off; return (next state, reward, delivered)."""
        row, col, passenger, destination = decode(self.state)
        action = int(action)
        reward, done = -1, False
        if action == SOUTH:
            row = min(row + 1, 4)
        elif action == NORTH:
            row = max(row - 1, 0)
        elif action == EAST and MAP[row + 1][2 * col + 2] == ":":
            col += 1
        elif action == WEST and MAP[row + 1][2 * col] == ":":
            col -= 1
        elif action == PICKUP:
            if passenger < IN_TAXI and (row, col) == STANDS[passenger]:
                passenger = IN_TAXI
            else:
                reward = -10
        elif action == DROPOFF:
            if passenger == IN_TAXI and (row, col) == STANDS[destination]:
                passenger, reward, done = destination, 20, True
            elif passenger == IN_TAXI and (row, col) in STANDS:
                passenger = STANDS.index((row, col))
            else:
                reward = -10
        self.state = encode(row, col, passenger, destination)
        return self.state, reward, done
