"""Score the reference world models and deliberately broken variants under both metrics.

Usage: ``.venv/bin/python benchmarks/metric_comparison.py`` (about 5 s). Prints the Markdown
table that ``docs/scoring.md`` shows. Data: 1,000 real transitions per env, seed 0, episodes
capped at 100 steps (200 for MountainCar, whose goal takes about 120 steps); random actions,
except MountainCar and Acrobot, which are driven towards the goal (10 % random actions) so
that termination occurs in the data, as in CWMB's better-than-random trajectories.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from cwmb.benchmark.reference import (
    REFERENCE_ENVS,
    collect_transitions,
    predict_in_process,
    reference_class,
    reference_source,
)
from cwmb.scoring import ScoreResult, score

N_TRANSITIONS = 1000
SEED = 0

# env -> [(variant label, text in the reference source, replacement)]
VARIANTS: dict[str, list[tuple[str, str, str]]] = {
    "CartPole-v1": [
        ("gravity 9.81 (not 9.8)", "self.gravity = 9.8", "self.gravity = 9.81"),
        ("never done", "1.0, done\n", "1.0, False\n"),
    ],
    "MountainCar-v0": [
        ("force 0.0011 (not 0.001)", "self.force = 0.001", "self.force = 0.0011"),
        ("never done", "-1.0, done\n", "-1.0, False\n"),
    ],
    "Acrobot-v1": [
        ("second link mass 1.1 (not 1)", "self.link_mass_2 = 1.0", "self.link_mass_2 = 1.1"),
        ("reward -1 at the goal too", "reward = 0.0 if done else -1.0", "reward = -1.0"),
    ],
    "Pendulum-v1": [
        ("g 9.8 (not 10)", "self.g = 10.0", "self.g = 9.8"),
        ("torque cost 0.01 (not 0.001)", "0.001 * (u**2)", "0.01 * (u**2)"),
    ],
    "CliffWalking-v0": [
        (
            "fall keeps the cliff cell",
            "self.state = START\n            return START,",
            "return row * COLS + col,",
        ),
        ("never done", "-1, self.state == GOAL", "-1, False"),
    ],
    "Taxi-v3": [
        (
            "delivery reward 10 (not 20)",
            "reward, done = destination, 20, True",
            "reward, done = destination, 10, True",
        ),
        ("east walls ignored", 'MAP[row + 1][2 * col + 2] == ":"', "col < 4"),
    ],
    "Blackjack-v1": [
        ("always predicts a loss on stick", "self.stick_rewards.get((total, card), -1.0)", "-1.0"),
    ],
}


def _epsilon(policy, epsilon: float, n_actions: int):
    """``policy`` with a fraction ``epsilon`` of uniformly random actions."""

    def act(obs, rng):
        return int(rng.integers(n_actions)) if rng.random() < epsilon else policy(obs)

    return act


@cache
def _taxi_world() -> dict:
    """The reference Taxi module's namespace (map, encode/decode, Environment)."""
    world: dict = {}
    exec(reference_source("Taxi-v3"), world)
    return world


def _taxi_moves(cell: tuple[int, int]) -> list[tuple[int, tuple[int, int]]]:
    """(move, cell reached) for the four moves from ``cell``, walls included."""
    world = _taxi_world()
    model = world["Environment"]()
    reached = []
    for move in range(4):
        model.set_state(world["encode"](*cell, 0, 0))
        reached.append((move, world["decode"](model.step(move)[0])[:2]))
    return reached


def _taxi_policy(obs: int) -> int:
    """Drive to the passenger, pick up, drive to the destination, drop off (shortest paths)."""
    world = _taxi_world()
    row, col, passenger, destination = world["decode"](int(obs))
    target = world["STANDS"][destination if passenger == 4 else passenger]
    if (row, col) == target:
        return 5 if passenger == 4 else 4
    # Breadth-first search, remembering the first move on the way to each cell.
    first_move: dict = {(row, col): None}
    frontier = [(row, col)]
    while target not in first_move:
        reached = []
        for cell in frontier:
            for move, other in _taxi_moves(cell):
                if other not in first_move:
                    first_move[other] = move if first_move[cell] is None else first_move[cell]
                    reached.append(other)
        frontier = reached
    return first_move[target]


def _cliff_policy(obs: int) -> int:
    """The safe path: up from the start, right along row 2, down at the last column."""
    row, col = divmod(int(obs), 12)
    if col == 11:
        return 2
    return 0 if row == 3 else (2 if row < 2 else 1)


def _policy(name: str):
    """Goal-seeking policies, so that the data holds terminations (random play rarely ends)."""
    policies = {
        "MountainCar-v0": _epsilon(lambda obs: 2 if obs[1] >= 0 else 0, 0.1, 3),
        "Acrobot-v1": _epsilon(lambda obs: 2 if obs[5] > 0 else 0, 0.1, 3),
        "CliffWalking-v0": _epsilon(_cliff_policy, 0.2, 4),
        "Taxi-v3": _epsilon(_taxi_policy, 0.2, 6),
    }
    return policies.get(name)


def variant_class(name: str, old: str, new: str) -> type:
    """The reference model of ``name`` with ``old`` replaced by ``new`` in its source."""
    source = reference_source(name)
    if old not in source:
        raise ValueError(f"{name}: {old!r} not in the reference source")
    namespace: dict = {}
    exec(compile(source.replace(old, new), f"<{name} variant>", "exec"), namespace)
    return namespace["Environment"]


def _row(name: str, label: str, default: ScoreResult, original: ScoreResult) -> str:
    parts = f"{default.state:.3f} / {default.reward:.3f} / {default.done:.3f}"
    return f"| {name} | {label} | {default.accuracy:.4f} | {parts} | {original.accuracy:.4f} |"


def main() -> None:
    """Print the comparison table."""
    print("| env | model | default | state / reward / done | original |")
    print("|---|---|---|---|---|")
    for name in REFERENCE_ENVS:
        max_steps = 200 if name == "MountainCar-v0" else 100
        data = collect_transitions(name, N_TRANSITIONS, SEED, max_steps=max_steps, policy=_policy(name))
        models = [("reference", reference_class(name))]
        models += [(label, variant_class(name, old, new)) for label, old, new in VARIANTS.get(name, [])]
        for label, cls in models:
            predictions = predict_in_process(cls, data)
            print(_row(name, label, score(data, predictions), score(data, predictions, "original")))
        n_term, n_trunc = int(data.terminated.sum()), int(data.truncated.sum())
        rewards = len(np.unique(data.rewards))
        print(
            f"|   | *data: {len(data)} transitions, {n_term} terminated, {n_trunc} truncated, "
            f"{rewards} reward values* | | | |"
        )


if __name__ == "__main__":
    main()
