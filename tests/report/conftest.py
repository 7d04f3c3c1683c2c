"""Fixtures: two small runs whose table values are computed by hand in the tests."""

from __future__ import annotations

import pytest

from tests.report.fakes import NA, write_env_run, write_evaluation


@pytest.fixture
def two_runs(tmp_path):
    """Run ``a`` (GIF-MCTS, 4 discrete envs + Pendulum, all evaluated) and run ``b`` (WorldCoder, 2 envs).

    Run a: accuracies CartPole 1.0, Taxi 0.8, MountainCar 0.9, CliffWalking 0.5, Pendulum 0.4;
    R 1.0, 0.6, N/A, 0.5 and 0.3. Run b: CartPole 1.0 (R 0.9); Taxi 0.7 from the search,
    not evaluated; the other envs missing.
    """
    a = {"CartPole-v1": ([0.5, 1.0], 1.0), "Taxi-v3": ([0.8], 0.6), "MountainCar-v0": ([0.9], NA)}
    a |= {"CliffWalking-v0": ([None, 0.5], 0.5), "Pendulum-v1": ([0.4], 0.3)}
    for env, (accuracies, r) in a.items():
        env_dir = write_env_run(tmp_path, "a", env, accuracies=accuracies, actions=None)
        write_evaluation(env_dir, max(x for x in accuracies if x is not None), r)
    b_cart = write_env_run(tmp_path, "b", "CartPole-v1", method="worldcoder", accuracies=[1.0])
    write_evaluation(b_cart, 1.0, 0.9)
    write_env_run(tmp_path, "b", "Taxi-v3", method="worldcoder", accuracies=[0.3, 0.7])
    return tmp_path
