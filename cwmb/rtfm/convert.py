"""Checking and converting one RTFM ``step`` answer into codes (runs inside the sandbox).

The contract: ``step(action)`` returns ``((next_board, next_inventory), valid_actions,
reward, done)`` where ``next_board`` is a numpy array of shape (6, 6, 2) of strings from
the vocabulary, ``next_inventory`` one of the vocabulary's strings, ``valid_actions`` a
list of ints in 0..4. Every deviation raises :class:`AnswerError` with one line that says
what RTFM expects, which becomes that transition's feedback.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from cwmb.rtfm import rules

CONTRACT = "((next_board, next_inventory), valid_actions, reward, done)"
_WORDS = ", ".join(repr(w) for w in rules.VOCABULARY)


class AnswerError(ValueError):
    """A ``step`` answer that does not follow the RTFM contract."""


def board_code_list(board: Any) -> list[int]:
    """The board's 72 codes in C order; AnswerError naming the first cell that is no word."""
    if isinstance(board, list | tuple):
        raise AnswerError(
            f"next_board is a {type(board).__name__}; RTFM expects a numpy array of shape (6, 6, 2) "
            "of strings, e.g. np.array(rows, dtype=object)"
        )
    if not isinstance(board, np.ndarray):
        raise AnswerError(f"next_board is a {type(board).__name__}; RTFM expects a numpy array (6, 6, 2)")
    if board.shape != rules.BOARD_SHAPE:
        raise AnswerError(f"next_board has shape {board.shape}; RTFM expects (6, 6, 2)")
    # map() over a plain list: this runs for every transition scored and every imagined step.
    words = board.reshape(-1).tolist()
    try:
        codes = list(map(rules.CODE.get, words))
    except Exception:  # an unhashable cell, or one whose __hash__/__eq__ raises: exact strs only
        codes = [rules.CODE.get(w) if type(w) is str else None for w in words]
    if None in codes:
        flat = codes.index(None)
        index = tuple(int(i) for i in np.unravel_index(flat, rules.BOARD_SHAPE))
        raise AnswerError(
            f"next_board holds {_shown(words[flat])} at {index}, which is not a word of the board "
            f"vocabulary ({_WORDS})"
        )
    return codes


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _inventory_code(inventory: Any) -> int:
    code = rules.CODE.get(inventory) if isinstance(inventory, str) else None
    if code is None or code not in (rules.EMPTY, *rules.ITEMS):
        items = ", ".join(repr(rules.VOCABULARY[c]) for c in (rules.EMPTY, *rules.ITEMS))
        raise AnswerError(f"next_inventory is {_shown(inventory)}; RTFM expects one of {items}")
    return code


def _actions_mask(actions: Any) -> np.ndarray:
    if isinstance(actions, np.ndarray):
        actions = actions.reshape(-1).tolist()
    if not isinstance(actions, list | tuple | set):
        raise AnswerError(f"valid_actions is a {type(actions).__name__}; RTFM expects a list of ints in 0..4")
    mask = np.zeros(rules.N_ACTIONS, dtype=bool)
    for action in actions:
        if isinstance(action, bool) or not isinstance(action, int | np.integer):
            raise AnswerError(f"valid_actions holds {_shown(action)}; RTFM expects ints in 0..4")
        if not 0 <= int(action) < rules.N_ACTIONS:
            raise AnswerError(f"valid_actions holds {int(action)}; actions are 0..4")
        mask[int(action)] = True
    return mask


def _reward(reward: Any) -> float:
    if isinstance(reward, bool | np.bool_) or not isinstance(reward, int | float | np.integer | np.floating):
        raise AnswerError(f"reward is {_shown(reward)}; RTFM expects a number (1, -1 or 0)")
    value = float(reward)
    if not math.isfinite(value):
        raise AnswerError(f"reward is {value}; RTFM expects a number (1, -1 or 0)")
    return value


def _done(done: Any) -> bool:
    if isinstance(done, bool | np.bool_) or (isinstance(done, int | np.integer) and int(done) in (0, 1)):
        return bool(done)
    raise AnswerError(f"done is {_shown(done)}; RTFM expects True or False")


def convert_answer(answer: Any) -> tuple[np.ndarray, np.ndarray, float, bool]:
    """(state row of codes, valid-actions mask, reward, done) from one ``step`` answer."""
    if not isinstance(answer, tuple | list):
        raise AnswerError(f"step returned a {type(answer).__name__}; RTFM's step returns {CONTRACT}")
    if len(answer) != 4:
        extra = " (a CWMB-style (next_state, reward, done)?)" if len(answer) == 3 else ""
        raise AnswerError(f"step returned {len(answer)} values{extra}; RTFM's step returns 4: {CONTRACT}")
    frame, actions, reward, done = answer
    if not isinstance(frame, tuple | list) or len(frame) != 2:
        raise AnswerError("the first value of step's answer must be the pair (next_board, next_inventory)")
    codes = board_code_list(frame[0])
    codes.append(_inventory_code(frame[1]))
    return np.array(codes, dtype=np.int64), _actions_mask(actions), _reward(reward), _done(done)
