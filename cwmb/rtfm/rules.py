"""The rules of simplified RTFM (fixed manual, stationary monsters), as plain functions.

The paper's RTFM variant (Dainese et al. 2024, §5.4; Zhong et al. 2020) fixes one scenario:
the target is the cold dragon (beaten by the shimmering axe), the distractor the fire
demon (beaten by the grandmasters bow). A 6 x 6 board of cells, each with 2 string
channels (the second is ``'empty'`` in practice), has a wall border; the 4 x 4 inside
holds the player, both monsters and both items on distinct cells.

Everything here works on integer codes (indices into :data:`VOCABULARY`), which is what
the gymnasium env observes and what datasets store. :func:`step_board` is the one
definition of the dynamics: the env, the reference world model's behaviour and the
replay test of the paper's 999 released transitions all agree with it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

VOCABULARY: tuple[str, ...] = (
    "empty",
    "wall",
    "you",
    "cold dragon",
    "fire demon",
    "shimmering axe",
    "grandmasters bow",
)
CODE = {word: code for code, word in enumerate(VOCABULARY)}
EMPTY, WALL, YOU = CODE["empty"], CODE["wall"], CODE["you"]
TARGET, DISTRACTOR = CODE["cold dragon"], CODE["fire demon"]
GOOD_ITEM, DISTRACTOR_ITEM = CODE["shimmering axe"], CODE["grandmasters bow"]
ITEMS = (GOOD_ITEM, DISTRACTOR_ITEM)
MONSTERS = (TARGET, DISTRACTOR)
# Which item beats which monster (the part of the manual that matters on this board).
BEATEN_BY = {TARGET: GOOD_ITEM, DISTRACTOR: DISTRACTOR_ITEM}
# The entities placed at reset, in placement order.
ENTITIES = (YOU, TARGET, DISTRACTOR, GOOD_ITEM, DISTRACTOR_ITEM)

SIZE = 6
CHANNELS = 2
BOARD_SHAPE = (SIZE, SIZE, CHANNELS)
BOARD_CELLS = SIZE * SIZE * CHANNELS
# One stored state row: the board's codes in C order, then the inventory's code.
STATE_WIDTH = BOARD_CELLS + 1
N_ACTIONS = 5
ACTION_NAMES = ("Stay", "Up", "Down", "Left", "Right")
# (row, column) offsets of actions 0..4.
MOVES = ((0, 0), (-1, 0), (1, 0), (0, -1), (0, 1))
ALL_ACTIONS = tuple(range(N_ACTIONS))


@dataclass(frozen=True)
class Outcome:
    """What one step did: the new board and inventory, the reward and whether it ended."""

    board: np.ndarray
    inventory: int
    reward: float
    done: bool


def empty_board() -> np.ndarray:
    """A board with its wall border and an empty inside."""
    board = np.full(BOARD_SHAPE, EMPTY, dtype=np.int64)
    board[0, :, 0] = board[-1, :, 0] = board[:, 0, 0] = board[:, -1, 0] = WALL
    return board


def inside_cells() -> list[tuple[int, int]]:
    """The 16 playable cells, row by row."""
    return [(r, c) for r in range(1, SIZE - 1) for c in range(1, SIZE - 1)]


def random_board(rng: np.random.Generator) -> np.ndarray:
    """A start board: the 5 entities on distinct inside cells drawn uniformly by ``rng``."""
    board = empty_board()
    cells = inside_cells()
    chosen = rng.choice(len(cells), size=len(ENTITIES), replace=False)
    for entity, index in zip(ENTITIES, chosen, strict=True):
        row, col = cells[int(index)]
        board[row, col, 0] = entity
    return board


def player_position(board: np.ndarray) -> tuple[int, int] | None:
    """(row, column) of the player, or None once it has been removed (dead)."""
    found = np.argwhere(board[:, :, 0] == YOU)
    return (int(found[0][0]), int(found[0][1])) if len(found) else None


def valid_actions(board: np.ndarray) -> tuple[int, ...]:
    """Stay plus every move not into a wall; all five when the player is not on the board."""
    position = player_position(board)
    if position is None:
        return ALL_ACTIONS
    row, col = position
    return tuple(a for a, (dr, dc) in enumerate(MOVES) if board[row + dr, col + dc, 0] != WALL)


def step_board(board: np.ndarray, inventory: int, action: int) -> Outcome:
    """Apply ``action`` (0..4) to a board; the input is not modified.

    Moving into a wall stays. Moving onto an item picks it up (it replaces the held
    one, which is gone). Moving onto a monster: with the item that beats it, the monster
    dies and the player takes its cell (+1 for the target, -1 for the distractor);
    otherwise the player is removed from the board (-1). Either contact ends the
    episode. Without a player on the board nothing changes.
    """
    board = board.copy()
    position = player_position(board)
    if position is None or action == 0:
        return Outcome(board, inventory, 0.0, False)
    row, col = position
    dr, dc = MOVES[action]
    target = (row + dr, col + dc)
    content = int(board[target[0], target[1], 0])
    if content == WALL:
        return Outcome(board, inventory, 0.0, False)
    board[row, col, 0] = EMPTY
    if content in MONSTERS:
        if inventory == BEATEN_BY[content]:
            board[target[0], target[1], 0] = YOU
            return Outcome(board, inventory, 1.0 if content == TARGET else -1.0, True)
        return Outcome(board, inventory, -1.0, True)
    if content in ITEMS:
        inventory = content
    board[target[0], target[1], 0] = YOU
    return Outcome(board, inventory, 0.0, False)


def valid_mask(actions: tuple[int, ...] | list[int]) -> np.ndarray:
    """A length-5 boolean mask of a set of actions."""
    mask = np.zeros(N_ACTIONS, dtype=bool)
    mask[list(actions)] = True
    return mask


def encode_state(board: np.ndarray, inventory: int) -> np.ndarray:
    """One int64 state row: the board's codes (C order) followed by the inventory code."""
    return np.concatenate([np.asarray(board, dtype=np.int64).reshape(-1), [int(inventory)]])


def decode_state(row: np.ndarray) -> tuple[np.ndarray, int]:
    """Inverse of :func:`encode_state`: (board codes of shape (6, 6, 2), inventory code)."""
    row = np.asarray(row, dtype=np.int64)
    return row[:BOARD_CELLS].reshape(BOARD_SHAPE).copy(), int(row[BOARD_CELLS])


def words_of(board: np.ndarray) -> np.ndarray:
    """The board as the world-model contract shows it: a (6, 6, 2) object array of strings."""
    table = np.array(VOCABULARY, dtype=object)
    return table[np.asarray(board, dtype=np.int64)]
