"""Snapshot/restore is exact on all 18 envs: the same action from a restored state gives
bit-identical next observation, reward and termination."""

from __future__ import annotations

import numpy as np
import pytest

from cwmb.benchmark import ENVS
from cwmb.benchmark.making import make_env
from cwmb.benchmark.snapshot import restore, snapshot
from cwmb.trajectories.policies import random_action


def _same(a, b) -> bool:
    return (
        a[0].__class__ is b[0].__class__
        and np.array_equal(np.asarray(a[0]), np.asarray(b[0]))
        and a[1] == b[1]
        and a[2] == b[2]
    )


@pytest.mark.parametrize("spec", ENVS, ids=lambda s: s.name)
def test_restore_then_step_is_bit_identical(spec):
    env, fresh = make_env(spec), make_env(spec)
    rng = np.random.default_rng(7)
    env.reset(seed=3)
    fresh.reset(seed=99)
    checked = 0
    for t in range(40):
        action = random_action(env, rng)
        snap = snapshot(env)
        expected = env.step(action)[:3]
        env.step(random_action(env, rng))  # wander off before coming back
        restore(env, snap)
        again = env.step(action)[:3]
        restore(fresh, snap)  # a different env object, reset elsewhere
        elsewhere = fresh.step(action)[:3]
        assert _same(expected, again), f"{spec.name}: same-env restore differs at step {t}"
        assert _same(expected, elsewhere), f"{spec.name}: fresh-env restore differs at step {t}"
        checked += 1
        if again[2]:
            env.reset(seed=t)
    assert checked == 40


def test_blackjack_snapshot_includes_the_deck_rng():
    env = make_env("Blackjack-v1")
    env.reset(seed=0)
    snap = snapshot(env)
    draws = [env.step(1)[0] for _ in range(1)]
    restore(env, snap)
    assert [env.step(1)[0] for _ in range(1)] == draws
    assert snap.rng_state is not None
