"""The least-squares fit behind the offline coder's continuous-env programs, on data made here.

A made-up env with exactly linear dynamics, an exactly linear reward and a threshold
termination: the fit must recover it, so the rendered program, run in the real sandbox,
scores 1.0 on that data. This pins the fit, the embedded coefficients and the program text
together; the benchmark's real (nonlinear) envs are in test_offline_continuous.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from cwmb.llm.fitted_program import render_fitted_program
from cwmb.llm.fitting import fit_done_rule, fit_linear_model
from cwmb.program_eval import score_program
from cwmb.sandbox import WorkerPool
from cwmb.trajectories.dataset import Dataset


def linear_dataset(n: int = 300, constant_reward: float | None = None) -> Dataset:
    rng = np.random.default_rng(3)
    states = rng.normal(size=(n, 3))
    actions = rng.uniform(-1, 1, size=(n, 2)).astype(np.float32)
    a = actions.astype(np.float64)
    change = 0.1 * states @ np.array([[0.5, -1.0, 0.2], [0.0, 0.3, 1.0], [1.0, 0.0, -0.4]]) + a @ np.array(
        [[0.2, 0.0, -0.1], [0.0, 0.5, 0.3]]
    )
    next_states = states + change + 0.05
    rewards = (
        np.full(n, constant_reward)
        if constant_reward is not None
        else states @ [1.0, -2.0, 0.5] - 0.1 * (a * a).sum(axis=1) + 3.0
    )
    terminated = next_states[:, 0] > 1.2
    return Dataset(
        env="Linear-v0",
        obs_kind="box",
        action_kind="continuous",
        trajectory=np.arange(n),
        step=np.zeros(n, dtype=np.int64),
        states=states,
        actions=actions,
        rewards=rewards,
        next_states=next_states,
        terminated=terminated,
        truncated=np.zeros(n, dtype=bool),
    )


@pytest.fixture(scope="module")
def pool():
    with WorkerPool(size=1) as pool:
        yield pool


def test_an_exactly_linear_env_is_fitted_exactly(pool):
    data = linear_dataset()
    assert 0 < data.terminated.sum() < len(data)
    fit = fit_linear_model(data)
    assert fit.done_dims == (0,) and fit.reward_constant is None
    scored = score_program(render_fitted_program(fit), data, pool, "default", timeout=30)
    assert scored.status == "ok", scored.message
    assert scored.result.accuracy == 1.0


def test_a_constant_reward_is_written_as_that_constant(pool):
    data = linear_dataset(constant_reward=1.0)
    program = render_fitted_program(fit_linear_model(data))
    assert "reward = 1.0" in program
    scored = score_program(program, data, pool, "default", timeout=30)
    assert scored.result.reward == 1.0


def test_no_termination_in_the_data_means_never_done():
    data = linear_dataset()
    assert fit_done_rule(data.next_states, np.zeros(len(data), dtype=bool), 3) == ((), (), ())


def test_the_same_data_gives_the_same_program_text():
    assert render_fitted_program(fit_linear_model(linear_dataset())) == render_fitted_program(
        fit_linear_model(linear_dataset())
    )


def test_discrete_data_is_refused():
    data = linear_dataset()
    discrete = Dataset(**{**data.__dict__, "action_kind": "discrete"})
    with pytest.raises(ValueError, match="continuous actions"):
        fit_linear_model(discrete)
