"""Print the accuracy ceilings of observation-only world models on the 11 MuJoCo envs.

Usage: ``.venv/bin/python benchmarks/ceilings.py [--random N]`` (about 45 s; 15 s with
``--random 0``). For each env the observation-only reference model
(:mod:`cwmb.benchmark.reference_mujoco`) predicts every transition of the shipped dataset
(``trajectories/``) and is scored under the default and the original metric. Prints the
Markdown tables of ``docs/ceilings.md``: the ceilings, where the errors are, the tolerance
each part would need, and the same check on N fresh random transitions (seed 1) of the envs
whose ceiling is below 1 somewhere, so that a recommended tolerance does not rest on the
shipped data alone.
"""

from __future__ import annotations

import argparse
import dataclasses
import time

import numpy as np

from cwmb.benchmark.reference import collect_transitions, predict_in_process
from cwmb.benchmark.reference_mujoco import MUJOCO_REFERENCE_ENVS, mujoco_reference_class
from cwmb.benchmark.reference_mujoco.ceilings import (
    Ceiling,
    ceiling_from_predictions,
    shipped_dataset,
)
from cwmb.predictions import Predictions
from cwmb.scoring import ScoreResult, score
from cwmb.trajectories.dataset import Dataset


def _float32_rewards(predictions: Predictions) -> Predictions:
    """The same predictions with rewards rounded to float32, as the original buffers stored them."""
    return dataclasses.replace(predictions, rewards=predictions.rewards.astype(np.float32).astype(np.float64))


def _quantile_tolerance(truth: np.ndarray, predicted: np.ndarray, q: float) -> float:
    """The smallest rtol = atol that makes a fraction ``q`` of the rows right (all elements of a row)."""
    relative = np.abs(predicted - truth) / (1.0 + np.abs(truth))
    per_row = relative.reshape(len(relative), -1).max(axis=1)
    return float(np.quantile(per_row, q))


def measure(env: str) -> tuple[Dataset, Predictions, Ceiling, float]:
    """Run the reference of ``env`` on its shipped dataset; also return the seconds it took."""
    data = shipped_dataset(env)
    start = time.perf_counter()
    predictions = predict_in_process(mujoco_reference_class(env), data)
    seconds = time.perf_counter() - start
    return data, predictions, ceiling_from_predictions(data, predictions), seconds


def naive_class(env: str) -> type:
    """The reference of ``env`` without re-creating stale kinematics: qpos/qvel restore only."""

    class Naive(mujoco_reference_class(env)):
        REWIND = False

        def restore_stale(self, obs: np.ndarray) -> None:
            """Leave the kinematics as ``set_state`` computed them."""

    return Naive


def ant_told_previous_action() -> ScoreResult:
    """Ant's ceiling if the model were also given the previous action (not observation-only).

    Shows what keeps Ant's reward wrong: the last substep re-created with the true control.
    """
    data = shipped_dataset("Ant-v4")

    class Told(mujoco_reference_class("Ant-v4")):
        previous: np.ndarray | None = None

        def previous_ctrl(self, obs: np.ndarray) -> np.ndarray:
            """The true previous action (0 at a reset)."""
            return np.zeros(self.model.nu) if self.previous is None else self.previous.astype(np.float64)

        def observation_is_fresh(self, obs: np.ndarray) -> bool:
            """Known here: the first step of a trajectory follows a reset."""
            return self.previous is None

    model, n = Told(), len(data)
    next_states, rewards, dones = np.zeros_like(data.next_states), np.zeros(n), np.zeros(n, dtype=bool)
    for i in range(n):
        model.previous = data.actions[i - 1] if data.step[i] > 0 else None
        model.set_state(data.states[i])
        next_states[i], rewards[i], dones[i] = model.step(data.actions[i].copy())
    return score(data, Predictions(next_states, rewards, dones, np.ones(n, dtype=bool), ("",) * n))


def _fmt(value: float) -> str:
    return "0" if value == 0 else f"{value:.1e}"


Row = tuple[str, Dataset, Predictions, Ceiling, float]
# Envs whose ceiling falls below 1 on some data: checked again on fresh random transitions.
RANDOM_CHECK = ("Reacher-v4", "Pusher-v4", "Walker2d-v4", "Ant-v4", "Humanoid-v4", "HumanoidStandup-v4")


def print_ceilings(rows: list[Row]) -> None:
    """Table 1: the ceilings under both metrics, and two variants for comparison."""
    print(
        "| env | n | default: accuracy | state | reward | done | original: accuracy | state | reward | done "
        "| original, float32 rewards | default, naive restore |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for env, data, predictions, c, _ in rows:
        d, o = c.default, c.original
        o32 = score(data, _float32_rewards(predictions), metric="original")
        naive = score(data, predict_in_process(naive_class(env), data))
        print(
            f"| {env} | {d.n} | **{d.accuracy:.4f}** | {d.state:.3f} | {d.reward:.3f} | {d.done:.3f} "
            f"| **{o.accuracy:.4f}** | {o.state:.3f} | {o.reward:.3f} | {o.done:.3f} "
            f"| {o32.accuracy:.4f} | {naive.accuracy:.4f} |"
        )


def print_errors(rows: list[Row]) -> None:
    """Table 2: where the errors are."""
    print(
        "| env | max \\|Δ state\\| | dims failing most: dim (max \\|Δ\\|; transitions) | max \\|Δ reward\\| "
        "| median \\|Δ reward\\| | done flips | seconds |"
    )
    print("|---|---|---|---|---|---|---|")
    for env, _, _, c, seconds in rows:
        worst = ", ".join(f"{dim} ({err:.1e}; {n})" for dim, err, n in c.worst_dimensions()) or "none"
        print(
            f"| {env} | {_fmt(float(c.state_error.max()))} | {worst} | {_fmt(float(c.reward_error.max()))} "
            f"| {_fmt(float(np.median(c.reward_error)))} | {c.done_flips} | {seconds:.1f} |"
        )


def print_tolerances(rows: list[Row]) -> None:
    """Table 3: the common rtol = atol each part would need, for all and for 99 % of transitions."""
    print("| env | state: rtol = atol for 100 % | for 99 % | reward: rtol = atol for 100 % | for 99 % |")
    print("|---|---|---|---|---|")
    for env, data, predictions, c, _ in rows:
        truth = data.next_states.astype(np.float64)
        rewards = data.rewards.astype(np.float64)
        print(
            f"| {env} | {_fmt(c.state_tolerance_needed)} "
            f"| {_fmt(_quantile_tolerance(truth, predictions.next_states, 0.99))} "
            f"| {_fmt(c.reward_tolerance_needed)} "
            f"| {_fmt(_quantile_tolerance(rewards, predictions.rewards, 0.99))} |"
        )


def print_random_check(n_transitions: int) -> None:
    """Table 4: the same measurements on fresh random transitions (episodes capped at 100 steps)."""
    print(
        f"| env ({n_transitions} random transitions, seed 1) | default: accuracy | state | reward "
        "| state: rtol = atol for 100 % | reward: rtol = atol for 100 % | for 99 % |"
    )
    print("|---|---|---|---|---|---|---|")
    for env in RANDOM_CHECK:
        data = collect_transitions(env, n_transitions, seed=1, max_steps=100)
        predictions = predict_in_process(mujoco_reference_class(env), data)
        c = ceiling_from_predictions(data, predictions)
        d = c.default
        rewards = data.rewards.astype(np.float64)
        print(
            f"| {env} | {d.accuracy:.4f} | {d.state:.3f} | {d.reward:.3f} | {_fmt(c.state_tolerance_needed)} "
            f"| {_fmt(c.reward_tolerance_needed)} "
            f"| {_fmt(_quantile_tolerance(rewards, predictions.rewards, 0.99))} |"
        )


def main() -> None:
    """Measure every env and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--random", type=int, default=2000, help="random transitions per env (0: skip)")
    args = parser.parse_args()
    rows = [(env, *measure(env)) for env in MUJOCO_REFERENCE_ENVS]
    for printer in (print_ceilings, print_errors, print_tolerances):
        printer(rows)
        print()
    told = ant_told_previous_action()
    print(
        f"Ant-v4 told the previous action (not observation-only): accuracy {told.accuracy:.4f}, "
        f"reward {told.reward:.3f}"
    )
    if args.random:
        print()
        print_random_check(args.random)


if __name__ == "__main__":
    main()
