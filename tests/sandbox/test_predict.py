"""``predict`` jobs: correct models, malformed answers per row, and programs that fail to load."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from cwmb.predictions import Predictions
from cwmb.sandbox import PredictJob, WorkerPool
from tests.sandbox import CARTPOLE_MODEL, cartpole_rows


@pytest.fixture(scope="module")
def pool():
    with WorkerPool(size=2) as pool:
        yield pool


def _predict(pool, source, states=None, actions=None, obs_kind="box", action_kind="discrete"):
    if states is None:
        states, actions = cartpole_rows()
    return pool.run(PredictJob(textwrap.dedent(source), obs_kind, action_kind, states, actions), timeout=5.0)


def test_cartpole_model_matches_gymnasium():
    import gymnasium as gym

    env = gym.make("CartPole-v1").unwrapped
    env.reset(seed=3)
    rng = np.random.default_rng(3)
    rows = []
    for _ in range(60):
        state = env.state.astype(np.float32)
        env.state = state.astype(np.float64)  # start from exactly the float32 observation
        action = int(rng.integers(2))
        next_state, reward, terminated, _, _ = env.step(action)
        rows.append((state, action, next_state, reward, terminated))
        if terminated:
            env.reset(seed=len(rows))
    states = np.stack([r[0] for r in rows])
    actions = np.array([[r[1]] for r in rows], dtype=np.int64)
    with WorkerPool(size=1) as pool:
        outcome = pool.run(PredictJob(CARTPOLE_MODEL, "box", "discrete", states, actions), timeout=10.0)
    assert outcome.status == "ok", outcome.message
    predictions = outcome.value
    assert isinstance(predictions, Predictions)
    assert predictions.valid.all() and predictions.problems == ("",) * len(rows)
    assert predictions.next_states.dtype == np.float64 and predictions.next_states.shape == (60, 4)
    np.testing.assert_allclose(predictions.next_states, np.stack([r[2] for r in rows]), rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(predictions.rewards, [r[3] for r in rows])
    np.testing.assert_array_equal(predictions.dones, [r[4] for r in rows])


def test_each_row_is_judged_on_its_own(pool):
    states = np.zeros((10, 2), dtype=np.float32)
    actions = np.arange(10, dtype=np.int64).reshape(10, 1)
    outcome = _predict(
        pool,
        """
        import numpy as np

        class Environment:
            def __init__(self):
                self.s = None

            def set_state(self, state):
                self.s = state

            def step(self, a):
                ok = np.array([1.0, 2.0], dtype=np.float32)
                return [
                    (ok, 0.5, False),
                    (ok, 0.5),
                    (np.zeros(3), 0.5, False),
                    (ok, float("nan"), False),
                    (np.array([np.nan, 1.0]), 0.5, False),
                    (ok, "high", False),
                    (ok, 0.5, "yes"),
                    "not a tuple",
                    [[1.0, 2.0], np.array([7.0]), np.int64(1)],
                    (ok, np.float32(0.25), np.bool_(True)),
                ][a]
        """,
        states,
        actions,
    )
    assert outcome.status == "ok", outcome.message
    p = outcome.value
    assert p.valid.tolist() == [True, False, False, False, False, False, False, False, True, True]
    assert p.problems[0] == "" and p.problems[8] == "" and p.problems[9] == ""
    assert p.problems[1] == "step returned 2 values, expected a tuple (next_state, reward, done)"
    assert p.problems[2] == "next_state has shape (3,), expected (2,)"
    assert p.problems[3] == "reward is NaN"
    assert p.problems[4] == "next_state contains NaN"
    assert p.problems[5].startswith("reward is a str")
    assert p.problems[6].startswith("done is a str")
    assert p.problems[7].startswith("step returned a str")
    np.testing.assert_array_equal(p.next_states[8], [1.0, 2.0])
    assert p.rewards[8] == 7.0 and p.dones[8]
    assert p.rewards[9] == 0.25 and p.dones[9]
    assert np.isnan(p.next_states[~p.valid]).all() and np.isnan(p.rewards[~p.valid]).all()
    assert not p.dones[~p.valid].any()


def test_discrete_observations_arrive_as_ints_and_leave_as_rows(pool):
    states = np.array([[0], [5], [47]], dtype=np.int64)
    actions = np.array([[1], [2], [3]], dtype=np.int64)
    source = """
    class Environment:
        def __init__(self):
            self.s = 0

        def set_state(self, state):
            assert type(state) is int, type(state)
            self.s = state

        def step(self, action):
            assert type(action) is int, type(action)
            return self.s + action, -1, self.s == 47
    """
    outcome = _predict(pool, source, states, actions, obs_kind="discrete")
    assert outcome.status == "ok", outcome.message
    assert outcome.value.next_states.tolist() == [[1.0], [7.0], [50.0]]
    assert outcome.value.rewards.tolist() == [-1.0, -1.0, -1.0]
    assert outcome.value.dones.tolist() == [False, False, True]


def test_tuple_observations_arrive_as_tuples_of_ints(pool):
    states = np.array([[14, 10, 0], [20, 1, 1]], dtype=np.int64)
    actions = np.array([[0], [1]], dtype=np.int64)
    source = """
    class Environment:
        def __init__(self):
            self.s = None

        def set_state(self, state):
            assert type(state) is tuple and all(type(v) is int for v in state), state
            self.s = state

        def step(self, action):
            total, dealer, ace = self.s
            return (total + action, dealer, ace), 1.0, True
    """
    outcome = _predict(pool, source, states, actions, obs_kind="tuple")
    assert outcome.status == "ok", outcome.message
    assert outcome.value.next_states.tolist() == [[14, 10, 0], [21, 1, 1]]


def test_continuous_actions_arrive_as_float32_arrays(pool):
    states = np.ones((3, 2), dtype=np.float64)
    actions = np.full((3, 2), 0.5, dtype=np.float32)
    source = """
    import numpy as np

    class Environment:
        def __init__(self):
            self.s = None

        def set_state(self, state):
            assert state.dtype == np.float64 and state.shape == (2,)
            self.s = state

        def step(self, action):
            assert action.dtype == np.float32 and action.shape == (2,)
            return self.s + action, float(action.sum()), False
    """
    outcome = _predict(pool, source, states, actions, action_kind="continuous")
    assert outcome.status == "ok", outcome.message
    np.testing.assert_array_equal(outcome.value.next_states, np.full((3, 2), 1.5))


def test_runtime_error_names_the_line_and_its_text(pool):
    source = """
    class Environment:
        def __init__(self):
            self.s = None

        def set_state(self, state):
            self.s = state

        def step(self, action):
            velocity = float(self.s[0])
            ratio = velocity / 0
            return self.s, ratio, False
    """
    outcome = _predict(pool, source)
    assert outcome.status == "error"
    assert "line 11" in outcome.message
    assert "ratio = velocity / 0" in outcome.message
    assert "ZeroDivisionError: float division by zero" in outcome.message
    assert "(in `step`)" in outcome.message


def test_exception_in_step_makes_the_whole_job_an_error(pool):
    source = """
    class Environment:
        def __init__(self):
            self.calls = 0

        def set_state(self, state):
            pass

        def step(self, action):
            self.calls += 1
            if self.calls == 3:
                raise KeyError("velocity")
            return [0.0, 0.0, 0.0, 0.0], 1.0, False
    """
    outcome = _predict(pool, source)
    assert outcome.status == "error" and outcome.value is None
    assert "line 12" in outcome.message and "KeyError: 'velocity'" in outcome.message
    assert "transition 2" in outcome.message


def test_syntax_error_names_the_line(pool):
    outcome = _predict(pool, "class Environment:\n    def step(self action):\n        pass\n")
    assert outcome.status == "error"
    assert outcome.message.startswith("SyntaxError on line 2")
    assert "def step(self action):" in outcome.message


def test_missing_and_misnamed_classes(pool):
    missing = _predict(pool, "x = 1\n")
    assert missing.status == "error" and "no class named `Environment`" in missing.message
    misnamed = _predict(pool, "class CartPoleEnv:\n    pass\n")
    assert misnamed.status == "error" and "`CartPoleEnv`" in misnamed.message
    not_a_class = _predict(pool, "def Environment():\n    return 1\n")
    assert not_a_class.status == "error" and "not a class" in not_a_class.message


def test_errors_in_the_class_body_and_constructor(pool):
    body = _predict(pool, "class Environment:\n    size = undefined_name\n")
    assert body.status == "error" and "line 2" in body.message and "NameError" in body.message
    needs_args = _predict(pool, "class Environment:\n    def __init__(self, seed):\n        pass\n")
    assert needs_args.status == "error"
    assert "Environment()" in needs_args.message and "seed" in needs_args.message


def test_bad_job_inputs_are_the_callers_error():
    states, actions = cartpole_rows()
    with pytest.raises(ValueError):
        PredictJob(CARTPOLE_MODEL, "image", "discrete", states, actions)
    with pytest.raises(ValueError):
        PredictJob(CARTPOLE_MODEL, "box", "discrete", states, actions[:3])
