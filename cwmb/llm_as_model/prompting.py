"""Prompts that ask an LLM to *be* the environment, and a tolerant parser of its answers."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

SYSTEM = (
    "You are the simulator of a reinforcement-learning environment. You are given the environment's "
    "description, a few recorded transitions, and one observation with the action taken in it. Answer "
    "with the next observation, the reward and whether the episode terminated, exactly in the format "
    "of the examples, and write nothing else."
)
OBSERVATION, ACTION, NEXT = "### Observation", "### Action", "### Next Observation"
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|nan|inf"
_LIST = re.compile(r"[\[(]([^\[\]()]*)[\])]")
_REWARD = re.compile(rf"reward\s*[:=]\s*({_NUMBER})", re.IGNORECASE)
_DONE = re.compile(r"(?:done|terminated)\s*[:=]\s*(true|false|yes|no|1|0)", re.IGNORECASE)


def _values(row: np.ndarray, kind: str) -> str:
    """A stored row as the text the LLM sees: an int, or a list of numbers."""
    if kind == "discrete":
        return str(int(row[0]))
    if row.dtype.kind == "f":  # the shortest text that reads back as the stored value, in its dtype
        return json.dumps([float(np.format_float_positional(v, unique=True)) for v in row])
    return json.dumps([int(v) for v in row])


def format_query(state: np.ndarray, action: np.ndarray, obs_kind: str, action_kind: str) -> str:
    """``### Observation`` / ``### Action`` blocks for one transition."""
    return f"{OBSERVATION}\n{_values(state, obs_kind)}\n\n{ACTION}\n{_values(action, action_kind)}"


def format_outcome(next_state: np.ndarray, reward: float, done: bool, obs_kind: str) -> str:
    """The answer block of an example transition."""
    return f"{NEXT}\n{_values(next_state, obs_kind)}\nReward: {float(reward):g}\nDone: {bool(done)}"


@dataclass(frozen=True)
class Shot:
    """One example transition shown to the LLM."""

    state: np.ndarray
    action: np.ndarray
    next_state: np.ndarray
    reward: float
    done: bool


def prediction_messages(
    description: str,
    shots: list[Shot],
    state: np.ndarray,
    action: np.ndarray,
    obs_kind: str,
    action_kind: str,
) -> list[dict[str, str]]:
    """The chat messages for one query, built fresh for it."""
    examples = "\n\n".join(
        format_query(s.state, s.action, obs_kind, action_kind)
        + "\n\n"
        + format_outcome(s.next_state, s.reward, s.done, obs_kind)
        for s in shots
    )
    parts = [description.strip(), "## Examples\n\n" + examples if shots else ""]
    parts.append("## Predict\n\n" + format_query(state, action, obs_kind, action_kind))
    parts.append(f"Answer with `{NEXT}`, then the `Reward:` and `Done:` lines.")
    user = "\n\n".join(p for p in parts if p)
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]


@dataclass(frozen=True)
class ParsedAnswer:
    """A parsed prediction, or ``problem`` saying why the answer could not be read."""

    next_state: np.ndarray | None
    reward: float
    done: bool
    problem: str = ""


def _numbers(text: str) -> list[float]:
    return [float(x) for x in re.findall(_NUMBER, text, flags=re.IGNORECASE)]


def parse_answer(text: str, dim: int) -> ParsedAnswer:
    """Read the next state (``dim`` numbers), reward and done from an answer, tolerantly.

    The state is the first bracketed list after the ``### Next Observation`` marker (or
    anywhere, without one); a single number counts for a one-element state. Reward and
    done are ``Reward: x`` and ``Done: True/False`` lines, in any case.
    """
    body = text.split(NEXT, 1)[1] if NEXT in text else text
    state: list[float] | None = None
    bracket = _LIST.search(body)
    if bracket:
        state = _numbers(bracket.group(1))
    elif dim == 1:
        first = re.search(_NUMBER, body.split("\n", 2)[1] if "\n" in body else body, re.IGNORECASE)
        state = [float(first.group(0))] if first else None
    if not state or len(state) != dim:
        found = "none" if not state else f"{len(state)} numbers"
        return ParsedAnswer(None, float("nan"), False, f"next state: expected {dim} numbers, found {found}")
    reward, done = _REWARD.search(body), _DONE.search(body)
    if reward is None or done is None:
        missing = " and ".join(name for name, m in (("reward", reward), ("done", done)) if m is None)
        return ParsedAnswer(None, float("nan"), False, f"no {missing} line")
    return ParsedAnswer(
        np.asarray(state), float(reward.group(1)), done.group(1).lower() in ("true", "yes", "1")
    )


def parsed_query(text: str) -> dict[str, Any] | None:
    """The observation and action of a prompt's ``## Predict`` section (for the offline predictor)."""
    section = text.rsplit("## Predict", 1)
    if len(section) != 2:
        return None
    match = re.search(rf"{OBSERVATION}\n(.*?)\n\n{ACTION}\n(.*?)(?:\n|$)", section[1], re.DOTALL)
    if match is None:
        return None
    return {"observation": json.loads(match.group(1)), "action": json.loads(match.group(2))}
