"""The prompt description of RTFM: rules, manual, goal, board representation and contract.

Our own text, with the sections of the paper's RTFM prompt (original-implementation §9):
the manual is broader than the fixed dynamics (it names groups and elements that never
appear on the board), so a model must read it to find what matters.
"""

from __future__ import annotations

from cwmb.rtfm import rules

RULES = """## Rules

RTFM ("Read to Fight Monsters") is a grid world played on a 4 x 4 room surrounded by walls.
The room holds you (the player), two monsters and two items, each on its own cell. Monsters
never move. Each step you choose one of five actions: 0 Stay, 1 Up, 2 Down, 3 Left, 4 Right.

- Up decreases the row index by one, Down increases it; Left decreases the column index by one,
  Right increases it. Trying to move into a wall (or out of the room) leaves you where you are.
- Moving onto an item picks it up. You carry at most one item: a new item replaces the one you
  held, and the old one is gone for good (it is not dropped on the board).
- Moving onto a monster starts a fight, which ends the episode. If you carry a weapon that
  defeats the monster (see the manual), the monster dies and you take its cell; otherwise you
  die and disappear from the board.
- Staying, or moving into a wall, changes nothing."""

MANUAL = """## Manual

- The Order of the Forest is made of dragons. The Rebel Enclave is made of demons. The Star
  Alliance is made of jinns.
- A monster's name starts with its element: a "cold dragon" is a cold monster.
- Cold monsters are defeated by shimmering and fanatical weapons.
- Fire monsters are defeated by grandmasters and arcane weapons.
- Lightning monsters are defeated by blessed and mysterious weapons.
- Poison monsters are defeated by gleaming and soldiers weapons.
- An item's name starts with its modifier: a "shimmering axe" is a shimmering weapon."""

GOAL = """## Player goal

Defeat the Order of the Forest.

Defeating a monster of the Order of the Forest gives reward +1. Every other way the episode can
end (dying in a fight, or defeating a monster of another group) gives reward -1. Every other
step gives reward 0."""


def _vocabulary() -> str:
    return ", ".join(f"'{word}'" for word in rules.VOCABULARY)


def representation() -> str:
    """How the board and inventory are represented in the state."""
    return f"""## Board representation

The board is a numpy array of shape (6, 6, 2) and dtype object, indexed `board[row, column,
channel]`; row 0 is the top. Every cell holds two strings: channel 0 is what stands on the
cell and channel 1 a second object on the same cell, which is 'empty' in this game. The border
(row 0, row 5, column 0 and column 5) is all 'wall'; the room is rows 1 to 4 and columns 1 to 4.
Every string on the board is one of: {_vocabulary()}. Entities are written "modifier name" for
items (e.g. 'shimmering axe') and "element name" for monsters (e.g. 'cold dragon'); you are
'you'. Once you have died, 'you' is no longer on the board.

The inventory is a single string: 'empty', or the name of the item you carry.

The valid actions of a state are 0 (Stay) and every move that does not lead into a wall. Once
you have died, all five actions 0 to 4 are valid (none of them changes anything)."""


CONTRACT = """## Class Definition

Write a Python class named `Environment` that simulates this game one step at a time. It must
have exactly these methods:

- `__init__(self)`: takes no arguments other than `self`. Set up every constant and internal
  variable the simulation needs.
- `set_state(self, state)`: put the game into the state `state`, a tuple `(board, inventory)`
  with `board` and `inventory` as described in "Board representation". Do not modify the
  `board` array you are given: copy it (`board.copy()`) if you need to change it.
- `step(self, action)`: apply `action`, a Python int from 0 to 4, to the current state. Return a
  tuple `((next_board, next_inventory), valid_actions, reward, done)` where
  - `next_board` is a numpy array of shape (6, 6, 2) of strings, like `board` (an array, not a
    list), and `next_inventory` a string;
  - `valid_actions` is a list of the ints that are valid actions in the new state;
  - `reward` is a Python float: 1.0, -1.0 or 0.0 as described in "Player goal";
  - `done` is a bool: True if this step ended the episode (a fight), otherwise False. Never
    end the episode because of a time limit: that is handled outside your class.

`step` continues from the state left by the last call to `set_state` or `step`.

## Important Notes

- Write only the `Environment` class, with the imports and helper functions it needs; do not
  include usage examples or tests.
- You may import `numpy` and modules of the Python standard library only.
- Use only the strings listed in "Board representation"; the player moving out of the board or
  into a wall stays in the same cell.
- Be careful about edge cases."""


def describe_rtfm(with_contract: bool = True) -> str:
    """The text description of RTFM an LLM is given (with the ``Environment`` contract)."""
    parts = [RULES, MANUAL, GOAL, representation()]
    if with_contract:
        parts.append(CONTRACT)
    return "\n\n".join(parts)
