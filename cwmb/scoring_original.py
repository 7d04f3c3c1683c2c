"""The accuracy exactly as the paper's code computes it (GIF-MCTS ``check_code_world_model``).

Spec: ``reference/original-implementation.md`` §4.3. Per transition ``(s, a, s', r, d)``,
where ``d`` is the stored ``done``, which in the original buffers is ``terminated or
truncated``:

* terminal (``d`` true): the next state is ignored; ``0.5 [r^ = r] + 0.5 [d^ = d]``;
* otherwise ``credit(s') + 1/3 [r^ = r] + 1/3 [d^ = d]``, where the state earns partial credit
  per element when it has a length (arrays and Blackjack's tuple): ``1/3 / k`` for each of
  the ``k`` elements that matches, added one at a time (so a perfect 11-dimensional state sums
  to 0.9999999999999998, as in the original); a scalar state (CliffWalking, Taxi) earns 1/3
  or nothing;
* elements match by ``allclose(rtol=1e-5, atol=1e-5)`` for Box observations and by ``==``
  for the integer ones; rewards match only when exactly equal, and the true reward is the
  stored float32 value (the original buffer kept rewards in a float32 array and compared
  them with NumPy 1.26, i.e. in float64);
* the accuracy is a macro-average over reward classes: the mean score of the transitions
  with each distinct true reward, averaged over the classes.

Deviations, all forced by the inputs: an invalid prediction row scores 0 (the original
would have raised and scored the whole program 0, or compared garbage); summation order
of the class means is numpy's.
"""

from __future__ import annotations

import numpy as np

from cwmb.predictions import Predictions
from cwmb.scoring_records import ScoreResult, Tolerance, element_matches
from cwmb.trajectories.dataset import Dataset

# next_state, reward and done at 0.25 each, renormalised once valid actions (gym: unused) are
# dropped: 0.25 / 0.75, which rounds to the same double as 1/3.
PART_WEIGHT = 0.25 / 0.75
TERMINAL_WEIGHT = 0.5
ORIGINAL_TOLERANCE = Tolerance(rtol=1e-5, atol=1e-5)


def partial_credit_table(k: int) -> np.ndarray:
    """``table[m]`` = the float sum of ``m`` additions of ``PART_WEIGHT / k``, starting from 0."""
    table = np.zeros(k + 1)
    total = 0.0
    for m in range(1, k + 1):
        total += PART_WEIGHT / k
        table[m] = total
    return table


def stored_rewards(dataset: Dataset) -> np.ndarray:
    """The true rewards as the original buffer held them: float32, read back as float64."""
    return dataset.rewards.astype(np.float32).astype(np.float64)


def _state_credit(dataset: Dataset, predictions: Predictions) -> tuple[np.ndarray, np.ndarray]:
    """Per-transition state credit and whole-state correctness (before the validity mask)."""
    tol = ORIGINAL_TOLERANCE
    matches = element_matches(dataset.next_states, predictions.next_states, tol.rtol, tol.atol)
    whole = matches.all(axis=1)
    if dataset.obs_kind == "discrete":
        # An int observation has no length: all or nothing.
        return np.where(whole, PART_WEIGHT, 0.0), whole
    k = dataset.next_states.shape[1]
    return partial_credit_table(k)[matches.sum(axis=1)], whole


def class_balanced_mean(scores: np.ndarray, rewards: np.ndarray) -> float:
    """Mean over distinct reward values of the mean score within each (inverse-frequency weights)."""
    _, classes, counts = np.unique(rewards, return_inverse=True, return_counts=True)
    class_means = np.bincount(classes, weights=scores) / counts
    return float(class_means.mean())


def score_original(dataset: Dataset, predictions: Predictions) -> ScoreResult:
    """Score like the paper's code (see the module docstring); inputs must be aligned."""
    valid = predictions.valid
    done_true = dataset.terminated | dataset.truncated
    truth_rewards = stored_rewards(dataset)
    credit, whole_state = _state_credit(dataset, predictions)
    # Exact equality: NaN (invalid rows) never matches.
    reward_ok = valid & (predictions.rewards == truth_rewards)
    done_ok = valid & (predictions.dones == done_true)
    state_ok = valid & whole_state
    # Left-to-right sums, as the original adds its terms.
    non_terminal = credit + PART_WEIGHT * reward_ok + PART_WEIGHT * done_ok
    terminal = TERMINAL_WEIGHT * reward_ok + TERMINAL_WEIGHT * done_ok
    scores = np.where(valid, np.where(done_true, terminal, non_terminal), 0.0)
    # A terminal transition is right when reward and done are; its state is not judged.
    correct = reward_ok & done_ok & (state_ok | done_true)
    judged = ~done_true
    n = len(dataset)
    return ScoreResult(
        metric="original",
        env=dataset.env,
        accuracy=class_balanced_mean(scores, truth_rewards),
        state=float(state_ok[judged].mean()) if judged.any() else 1.0,
        reward=float(reward_ok.mean()),
        done=float(done_ok.mean()),
        n=n,
        n_correct=int(correct.sum()),
        perfect=bool(correct.all()),
        failing=tuple(int(i) for i in np.flatnonzero(~correct)),
        tolerance=ORIGINAL_TOLERANCE,
        state_ok=state_ok | ~judged,
        reward_ok=reward_ok,
        done_ok=done_ok,
    )
