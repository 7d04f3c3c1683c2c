"""Accuracy of an RTFM world model: next state, reward, done and valid actions.

Two metrics, as for CWMB (``docs/rtfm.md`` sets them side by side):

* ``default``: Eq. 2 of the paper extended by the valid-actions part: each transition
  scores 1/4 for the whole next state (board and inventory), 1/4 for the reward, 1/4 for
  ``done`` and 1/4 for the valid actions, which must be the exact set; the accuracy is the
  plain mean over transitions. Everything is discrete and compared exactly.
* ``original``: the paper's code (``reference/original-implementation.md`` §4.3, §9):
  non-terminal transitions earn 0.125 for the board, 0.125 for the inventory, 0.25 for
  the reward, 0.25 for ``done`` and 0.25 for valid actions when the predicted list is
  non-empty and a subset of the true one; terminal ones earn 0.5 [reward] + 0.5 [done]
  (state and valid actions are not judged); the accuracy is the macro-average over the
  true reward classes (-1, 0, +1). The original drew 1000 transitions with replacement
  and unseeded; we score every transition once, in order, so the number is reproducible.

``valid_actions`` overrides the valid-actions rule of either metric (``exact`` or
``subset``). An invalid prediction row is wrong on every part.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cwmb.rtfm import rules
from cwmb.rtfm.predictions import RtfmPredictions
from cwmb.scoring_original import class_balanced_mean
from cwmb.scoring_records import ScoreRecord
from cwmb.trajectories.dataset import Dataset

METRICS = ("default", "original")
VALID_ACTIONS_RULES = ("exact", "subset")
DEFAULT_RULE = {"default": "exact", "original": "subset"}
PART_WEIGHT = 0.25
ORIGINAL_ELEMENT_WEIGHT = PART_WEIGHT / 2  # board and inventory, each
TERMINAL_WEIGHT = 0.5


@dataclass(frozen=True)
class RtfmScoreResult(ScoreRecord):
    """Accuracy of one RTFM model on one dataset under one metric.

    ``valid_actions`` is the fraction of transitions whose valid actions are right under
    ``valid_actions_rule`` (for ``original``, state and valid actions count only the
    non-terminal transitions, where they are judged).
    """

    valid_actions: float
    valid_actions_rule: str
    board_ok: np.ndarray = field(repr=False, compare=False)
    inventory_ok: np.ndarray = field(repr=False, compare=False)
    reward_ok: np.ndarray = field(repr=False, compare=False)
    done_ok: np.ndarray = field(repr=False, compare=False)
    actions_ok: np.ndarray = field(repr=False, compare=False)
    judged: np.ndarray = field(repr=False, compare=False)

    @property
    def state_ok(self) -> np.ndarray:
        """Per transition: board and inventory both right."""
        return self.board_ok & self.inventory_ok

    def extra_parts(self) -> dict[str, Any]:
        """The valid-actions part and its rule (written after ``done``)."""
        return {"valid_actions": self.valid_actions, "valid_actions_rule": self.valid_actions_rule}


def true_valid_actions(dataset: Dataset) -> np.ndarray:
    """The dataset's (N, 5) mask of the valid actions of each next state."""
    if dataset.next_valid_actions is None:
        raise ValueError(f"dataset {dataset.env} has no valid actions: not an RTFM dataset")
    return dataset.next_valid_actions


def actions_match(truth: np.ndarray, predicted: np.ndarray, rule: str) -> np.ndarray:
    """Per row: ``exact`` = the same set; ``subset`` = non-empty and inside the true set."""
    if rule == "exact":
        return (truth == predicted).all(axis=1)
    if rule == "subset":
        return predicted.any(axis=1) & ~(predicted & ~truth).any(axis=1)
    raise ValueError(f"unknown valid-actions rule {rule!r}; choose one of {', '.join(VALID_ACTIONS_RULES)}")


def _check_aligned(dataset: Dataset, predictions: RtfmPredictions) -> None:
    n = len(dataset)
    if n == 0:
        raise ValueError("cannot score an empty dataset")
    if len(predictions) != n or predictions.next_states.shape != dataset.next_states.shape:
        raise ValueError(f"predictions do not match dataset {dataset.env} ({n} transitions)")


def _fraction(ok: np.ndarray, where: np.ndarray) -> float:
    return float(ok[where].mean()) if where.any() else 1.0


def _original_scores(
    terminal: np.ndarray,
    board_ok: np.ndarray,
    inventory_ok: np.ndarray,
    reward_ok: np.ndarray,
    done_ok: np.ndarray,
    actions_ok: np.ndarray,
) -> np.ndarray:
    """Per-transition scores of the original metric (terms added left to right, as the original)."""
    non_terminal = (
        ORIGINAL_ELEMENT_WEIGHT * board_ok
        + ORIGINAL_ELEMENT_WEIGHT * inventory_ok
        + PART_WEIGHT * reward_ok
        + PART_WEIGHT * done_ok
        + PART_WEIGHT * actions_ok
    )
    return np.where(terminal, TERMINAL_WEIGHT * reward_ok + TERMINAL_WEIGHT * done_ok, non_terminal)


def score_rtfm(
    dataset: Dataset, predictions: RtfmPredictions, metric: str = "default", valid_actions: str | None = None
) -> RtfmScoreResult:
    """Score RTFM ``predictions`` against ``dataset`` (see the module docstring)."""
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; choose one of {', '.join(METRICS)}")
    _check_aligned(dataset, predictions)
    rule = valid_actions or DEFAULT_RULE[metric]
    valid = predictions.valid
    truth, predicted = dataset.next_states, predictions.next_states
    board_ok = valid & (truth[:, : rules.BOARD_CELLS] == predicted[:, : rules.BOARD_CELLS]).all(axis=1)
    inventory_ok = valid & (truth[:, rules.BOARD_CELLS] == predicted[:, rules.BOARD_CELLS])
    reward_ok = valid & (predictions.rewards == dataset.rewards.astype(np.float64))
    done_ok = valid & (predictions.dones == dataset.terminated)
    actions_ok = valid & actions_match(true_valid_actions(dataset), predictions.valid_actions, rule)
    terminal = dataset.terminated.astype(bool)
    if metric == "default":
        judged = np.ones(len(dataset), dtype=bool)
        parts = board_ok & inventory_ok, reward_ok, done_ok, actions_ok
        accuracy = sum(int(p.sum()) for p in parts) / (4 * len(dataset))
        correct = parts[0] & parts[1] & parts[2] & parts[3]
    else:
        judged = ~terminal
        scores = _original_scores(terminal, board_ok, inventory_ok, reward_ok, done_ok, actions_ok)
        accuracy = class_balanced_mean(np.where(valid, scores, 0.0), dataset.rewards.astype(np.float64))
        correct = reward_ok & done_ok & (terminal | (board_ok & inventory_ok & actions_ok))
    return RtfmScoreResult(
        metric=metric,
        env=dataset.env,
        accuracy=float(accuracy),
        state=_fraction(board_ok & inventory_ok, judged),
        reward=float(reward_ok.mean()),
        done=float(done_ok.mean()),
        valid_actions=_fraction(actions_ok, judged),
        valid_actions_rule=rule,
        n=len(dataset),
        n_correct=int(correct.sum()),
        perfect=bool(correct.all()),
        failing=tuple(int(i) for i in np.flatnonzero(~correct)),
        board_ok=board_ok,
        inventory_ok=inventory_ok,
        reward_ok=reward_ok,
        done_ok=done_ok,
        actions_ok=actions_ok,
        judged=judged,
    )
