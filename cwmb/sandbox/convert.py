"""Turning a world model's answers into plain arrays, and judging them against the contract.

Runs inside the sandbox's job process. Two strictness levels:

- :class:`PredictionTable` (``predict`` jobs) is lenient, as scoring is: anything that
  converts cleanly to the right shape counts, and a row that does not is marked invalid
  with a one-line reason.
- :func:`conformance_findings` (``check`` jobs) is strict: it says, in plain words, where
  an answer differs from what the gymnasium environment itself returns.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from cwmb.sandbox.row_problems import problems_to_wire

_NUMBER = (int, float, np.integer, np.floating)
_EXPECTED = "expected a tuple (next_state, reward, done)"


def _kind(value: Any) -> str:
    """Short description of a value's type, with the value for plain scalars."""
    name = type(value).__name__
    if isinstance(value, (str, bool, *_NUMBER)):
        return f"{name} {str(value)[:40]!s}"
    return name


def _a_kind(value: Any) -> str:
    """``_kind`` with its article: 'an int 3', 'a str abc'."""
    kind = _kind(value)
    return ("an " if kind[:1] in "aeiou" else "a ") + kind


def as_real(value: Any, what: str) -> float | str:
    """``value`` as a float, or a one-line problem (a string)."""
    if type(value) is float or type(value) is int:
        return float(value)
    if isinstance(value, (bool, np.bool_)):
        return f"{what} is a bool, expected a number"
    if isinstance(value, _NUMBER):
        return float(value)
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "iuf":
        return float(value.reshape(()))
    return f"{what} is {_a_kind(value)}, expected a number"


def as_index(value: Any, what: str) -> int | str:
    """``value`` as an int (integral floats allowed), or a one-line problem."""
    if type(value) is int:
        return value
    if isinstance(value, (bool, np.bool_)):
        return f"{what} is a bool, expected an int"
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return (
            int(value)
            if math.isfinite(value) and float(value).is_integer()
            else f"{what} is {value}, expected an int"
        )
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "iuf":
        return as_index(value.reshape(()).item(), what)
    return f"{what} is {_a_kind(value)}, expected an int"


def as_flag(value: Any, what: str) -> bool | str:
    """``value`` as a bool (0/1 numbers allowed), or a one-line problem."""
    if value is True or value is False:
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, _NUMBER) and value in (0, 1):
        return bool(value)
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "biuf":
        return as_flag(value.reshape(()).item(), what)
    return f"{what} is {_a_kind(value)}, expected a bool"


class PredictionTable:
    """Collects ``step`` results row by row into the arrays of a Predictions record."""

    def __init__(self, n: int, dim: int, obs_kind: str) -> None:
        self.next_states = np.full((n, dim), np.nan)
        self.rewards = np.full(n, np.nan)
        self.dones = np.zeros(n, dtype=bool)
        self.valid = np.ones(n, dtype=bool)
        self.problems = [""] * n
        self._shape = (dim,)
        self._obs_kind = obs_kind

    def store(self, i: int, out: Any) -> None:
        """Record transition ``i``'s result; mark the row invalid with a reason if malformed."""
        try:
            problem = self._store(i, out)
        except Exception as exc:  # a conversion the program's own objects made fail
            problem = f"the result cannot be converted: {type(exc).__name__}: {str(exc)[:100]}"
        if problem:
            self.valid[i] = False
            self.problems[i] = problem
            self.next_states[i] = np.nan
            self.rewards[i] = np.nan
            self.dones[i] = False

    def _store(self, i: int, out: Any) -> str:
        if not isinstance(out, (tuple, list)):
            return f"step returned {_a_kind(out)}, {_EXPECTED}"
        if len(out) != 3:
            return f"step returned {len(out)} values, {_EXPECTED}"
        state, reward, done = out
        problem = self._store_state(i, state)
        if problem:
            return problem
        r = as_real(reward, "reward")
        if isinstance(r, str):
            return r
        if r != r:
            return "reward is NaN"
        d = as_flag(done, "done")
        if isinstance(d, str):
            return d
        self.rewards[i] = r
        self.dones[i] = d
        return ""

    def _store_state(self, i: int, state: Any) -> str:
        kind = self._obs_kind
        if kind == "box":
            if type(state) is np.ndarray and state.shape == self._shape and state.dtype.kind in "fiu":
                self.next_states[i] = state  # the common case, without an extra copy
                return ""
            try:
                arr = np.asarray(state, dtype=np.float64)
            except Exception:
                return f"next_state is {_a_kind(state)}, expected an array of numbers"
            if arr.shape != self._shape:
                return f"next_state has shape {arr.shape}, expected {self._shape}"
            self.next_states[i] = arr
            return ""
        if kind == "discrete":
            value = as_index(state, "next_state")
            if isinstance(value, str):
                return value
            self.next_states[i, 0] = value
            return ""
        if not isinstance(state, (tuple, list, np.ndarray)) or len(state) != self._shape[0]:
            return f"next_state is {_a_kind(state)}, expected a tuple of {self._shape[0]} ints"
        for j, item in enumerate(state):
            value = as_index(item, f"next_state[{j}]")
            if isinstance(value, str):
                return value
            self.next_states[i, j] = value
        return ""

    def finish(self) -> dict[str, Any]:
        """The collected arrays as plain data; rows whose next state holds NaN become invalid."""
        nan_rows = self.valid & np.isnan(self.next_states).any(axis=1)
        for i in np.flatnonzero(nan_rows):
            self.valid[i] = False
            self.problems[i] = "next_state contains NaN"
            self.next_states[i] = np.nan
            self.rewards[i] = np.nan
            self.dones[i] = False
        return {
            "next_states": self.next_states,
            "rewards": self.rewards,
            "dones": self.dones,
            "valid": self.valid,
            **problems_to_wire(self.problems),
        }


def _bound_findings(values: np.ndarray, low: Any, high: Any) -> list[str]:
    """Findings for elements outside [low, high] (at most three named)."""
    low_arr = np.broadcast_to(np.asarray(low, dtype=np.float64), values.shape)
    high_arr = np.broadcast_to(np.asarray(high, dtype=np.float64), values.shape)
    found = []
    for j in np.flatnonzero((values < low_arr) | (values > high_arr))[:3]:
        side, bound = ("below", low_arr[j]) if values[j] < low_arr[j] else ("above", high_arr[j])
        found.append(f"next_state[{j}] = {values[j]:.6g} is {side} the observation space's bound {bound:.6g}")
    return found


def _box_findings(state: Any, spec: dict[str, Any]) -> list[str]:
    dim, dtype = spec["dim"], np.dtype(spec["dtype"])
    if not isinstance(state, np.ndarray):
        return [f"next_state is {_a_kind(state)}, expected a numpy array of shape ({dim},) and dtype {dtype}"]
    if state.shape != (dim,):
        return [f"next_state has shape {state.shape}, expected ({dim},)"]
    if state.dtype != dtype:
        return [f"next_state has dtype {state.dtype}, expected {dtype} (the observation space's dtype)"]
    values = state.astype(np.float64)
    if np.isnan(values).any():
        return ["next_state contains NaN"]
    if spec.get("low") is not None and spec.get("high") is not None:
        return _bound_findings(values, spec["low"], spec["high"])
    return []


def _index_findings(value: Any, what: str, n: Any) -> list[str]:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        return [f"{what} is {_a_kind(value)}, expected an int"]
    if n is not None and not 0 <= int(value) < int(n):
        return [f"{what} = {int(value)} is outside the observation space (0 to {int(n) - 1})"]
    return []


def _state_findings(state: Any, spec: dict[str, Any]) -> list[str]:
    kind = spec["obs_kind"]
    if kind == "box":
        return _box_findings(state, spec)
    if kind == "discrete":
        return _index_findings(state, "next_state", spec.get("n"))
    dim = spec["dim"]
    if not isinstance(state, tuple) or len(state) != dim:
        return [f"next_state is {_a_kind(state)}, expected a tuple of {dim} ints"]
    sizes = spec.get("n") or [None] * dim
    found: list[str] = []
    for j, item in enumerate(state):
        found += _index_findings(item, f"next_state[{j}]", sizes[j] if j < len(sizes) else None)
    return found


def conformance_findings(out: Any, spec: dict[str, Any]) -> list[str]:
    """Where one ``step`` result differs in type, shape, dtype or bounds from the real env's.

    ``spec`` holds ``obs_kind``, ``dim``, ``dtype`` (box), and optionally ``low``/``high``
    (box bounds) or ``n`` (number of states, a list for tuple spaces).
    """
    if not isinstance(out, (tuple, list)):
        return [f"step returned {_a_kind(out)}, {_EXPECTED}"]
    if len(out) != 3:
        return [f"step returned {len(out)} values, {_EXPECTED}"]
    state, reward, done = out
    found = _state_findings(state, spec)
    if isinstance(reward, (bool, np.bool_)) or not isinstance(reward, _NUMBER):
        found.append(f"reward is {_a_kind(reward)}, expected a float")
    elif reward != reward:
        found.append("reward is NaN")
    if not isinstance(done, (bool, np.bool_)):
        found.append(f"done is {_a_kind(done)}, expected a bool")
    return found
