"""The CWM adapter keeps tokens safe and turns failures into ModelError; oracle restores are exact."""

from __future__ import annotations

import numpy as np
import pytest

from cwmb.benchmark.making import make_env
from cwmb.benchmark.snapshot import snapshot
from cwmb.planning.world_model import ModelError, ObservationModel, TrueEnvModel, WorldModel


class InPlace:
    """Keeps its state array and mutates it in place; counts set_state calls."""

    def __init__(self) -> None:
        self.state = np.zeros(2)
        self.set_calls = 0

    def set_state(self, state):
        self.set_calls += 1
        self.state = state  # keeps the caller's array: the adapter must hand over a copy

    def step(self, action):
        self.state += 1.0
        return self.state, np.float32(1.0), np.bool_(False)


class Broken:
    """Raises the given exception, or returns the given (malformed) output, from step()."""

    def __init__(self, output) -> None:
        self.output = output

    def set_state(self, state):
        pass

    def step(self, action):
        if isinstance(self.output, Exception):
            raise self.output
        return self.output


def test_a_plain_class_satisfies_the_protocol():
    assert isinstance(InPlace(), WorldModel)


def test_tokens_survive_models_that_mutate_their_state():
    adapter = ObservationModel(InPlace())
    adapter.load(np.zeros(2))
    start = adapter.save()
    first, reward, done = adapter.step(0)
    assert first.tolist() == [1.0, 1.0]  # a returned observation is valid until the model runs again
    middle = adapter.save()
    second, _, _ = adapter.step(0)
    assert start.tolist() == [0.0, 0.0] and middle.tolist() == [1.0, 1.0] and second.tolist() == [2.0, 2.0]
    assert type(reward) is float and type(done) is bool
    adapter.load(start)
    assert adapter.step(0)[0].tolist() == [1.0, 1.0]
    adapter.load(middle)
    assert adapter.rollout([0, 0], 1.0) == 2.0 and middle.tolist() == [1.0, 1.0]
    assert adapter.save().tolist() == [3.0, 3.0]


def test_set_state_runs_before_every_step_unless_told_otherwise():
    synced, lazy = InPlace(), InPlace()
    for model, resync in ((synced, True), (lazy, False)):
        adapter = ObservationModel(model, resync_every_step=resync)
        adapter.load(np.zeros(2))
        for _ in range(3):
            adapter.step(0)
    assert synced.set_calls == 3 and lazy.set_calls == 1


@pytest.mark.parametrize(
    "output",
    [RuntimeError("boom"), (np.zeros(2), 1.0), (np.zeros(2), np.ones(3), False), None],
    ids=["raises", "two-values", "array-reward", "none"],
)
def test_failures_become_model_errors(output):
    adapter = ObservationModel(Broken(output))
    adapter.load(np.zeros(2))
    with pytest.raises(ModelError):
        adapter.step(0)


def rollout(model: TrueEnvModel, actions) -> list:
    return [(np.asarray(o).tolist(), r, d) for o, r, d in (model.step(a) for a in actions)]


@pytest.mark.parametrize("name", ["CartPole-v1", "HalfCheetah-v4"])
def test_true_env_restore_is_exact_within_and_across_instances(name):
    real, copy = make_env(name), make_env(name)
    real.reset(seed=3)
    copy.reset(seed=99)
    space = real.action_space
    space.seed(0)
    actions = [space.sample() for _ in range(5)]
    model = TrueEnvModel(real)
    token = model.save()
    first = rollout(model, actions)
    model.load(token)
    assert rollout(model, actions) == first
    other = TrueEnvModel(copy)
    other.load(token)
    assert rollout(other, actions) == first


def blackjack_hits(model: TrueEnvModel, token, times: int) -> set:
    outcomes = set()
    for _ in range(times):
        model.load(token)
        outcomes.add(tuple(model.step(np.int64(1))[0]))
    return outcomes


def test_blackjack_oracle_is_clairvoyant_only_when_asked():
    real = make_env("Blackjack-v1")
    real.reset(seed=0)
    token = snapshot(real)
    expected = tuple(real.step(1)[0])
    shared, fresh = make_env("Blackjack-v1"), make_env("Blackjack-v1")
    assert blackjack_hits(TrueEnvModel(shared), token, 10) == {expected}
    assert len(blackjack_hits(TrueEnvModel(fresh, chance_seed=1), token, 30)) > 1


class Ending:
    """Counts up from its state; done once the first coordinate reaches 3; reward = that coordinate."""

    def set_state(self, state):
        self.state = np.asarray(state, dtype=np.float64)

    def step(self, action):
        self.state = self.state + np.array([1.0, float(action)])
        return self.state, self.state[0], self.state[0] >= 3


@pytest.mark.parametrize("resync", [True, False])
def test_a_rollout_is_the_same_as_stepping_one_action_at_a_time(resync):
    actions = np.array([1, 0, 1, 1, 0], dtype=np.int64)
    stepped, rolled = ObservationModel(Ending(), resync), ObservationModel(Ending(), resync)
    for adapter in (stepped, rolled):
        adapter.load(np.zeros(2))
    total, weight = 0.0, 1.0
    for action in actions:
        _, reward, done = stepped.step(action)
        total, weight = total + weight * reward, weight * 0.9
        if done:
            break
    assert rolled.rollout(actions, 0.9) == total
    assert np.array_equal(rolled.save(), stepped.save())  # stopped at done, after three steps


def test_a_rollout_hands_set_state_a_copy_and_raises_model_errors():
    adapter = ObservationModel(InPlace())
    token = np.zeros(2)
    adapter.load(token)
    assert adapter.rollout([0, 0, 0], 1.0) == 3.0
    assert np.array_equal(token, np.zeros(2)) and np.array_equal(adapter.save(), np.full(2, 3.0))
    failing = ObservationModel(Broken(ValueError("boom")))
    failing.load(np.zeros(2))
    with pytest.raises(ModelError, match="ValueError: boom"):
        failing.rollout([0], 1.0)
