"""How much scoring adds to a candidate's own cost: predicting every transition of a
dataset in-process vs comparing the predictions with the data (both metrics).

Run: .venv/bin/python benchmarks/scoring_speed.py
"""

from __future__ import annotations

import time

from figures import figure

from cwmb.benchmark.reference import predict_in_process, reference_class
from cwmb.scoring import score
from cwmb.trajectories import load_dataset


def best_of(repeats: int, fn, *args) -> float:
    """Fastest wall time of ``repeats`` calls, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    """Print, per env, prediction time, scoring time per metric, and their ratio."""
    print(f"{'env':16s} {'N':>5s} {'predict ms':>11s} {'score ms':>9s} {'original ms':>12s} {'ratio':>6s}")
    for env in ("CartPole-v1", "Acrobot-v1", "Taxi-v3"):
        data = load_dataset("trajectories", env)
        model = reference_class(env)
        predict = best_of(5, predict_in_process, model, data)
        predictions = predict_in_process(model, data)
        default = best_of(20, score, data, predictions, "default")
        original = best_of(20, score, data, predictions, "original")
        print(
            f"{env:16s} {len(data):5d} {predict * 1e3:11.2f} {default * 1e3:9.3f} {original * 1e3:12.3f} "
            f"{default / predict:6.3f}"
        )
        figure(f"scoring / prediction time, {env}", default / predict, "small (no target)")


if __name__ == "__main__":
    main()
