"""What planners plan through: the world-model contract and two adapters to it.

An LLM-written world model (a CWM) follows :class:`WorldModel`: ``set_state(observation)``
then ``step(action) -> (next_observation, reward, done)``. Observations are what
gymnasium gives: numpy arrays, Python ints, or Blackjack's tuple of ints.

Planners need one more thing: to go back to a state they have seen. An observation is
enough for a CWM (its whole state *is* the observation, by contract) but not for the true
MuJoCo simulator, whose observation omits e.g. the x position and the solver's warm
start. So planners work with :class:`PlanningModel`, whose states are *opaque tokens*
obtained from the model itself:

* :class:`ObservationModel` adapts a CWM; its token is the last observation and
  ``load`` is ``set_state``;
* :class:`TrueEnvModel` adapts a true (unwrapped) gymnasium env for the oracle; its token
  is an exact :func:`cwmb.benchmark.snapshot.snapshot`.

Everything crossing this interface is plain data, so a planner can run inside a sandbox
worker next to a generated model and hand back plain actions.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol, runtime_checkable

import numpy as np

from cwmb.benchmark.snapshot import restore, snapshot

Observation = Any  # numpy array, Python int or a tuple of ints (Blackjack)
Transition = tuple[Observation, float, bool]


@runtime_checkable
class WorldModel(Protocol):
    """The contract an LLM-written ``Environment`` class follows (see the prompts)."""

    def set_state(self, state: Observation) -> None:
        """Put the model into the state described by an observation."""

    def step(self, action: Any) -> tuple[Any, Any, Any]:
        """Advance one step: ``(next_observation, reward, done)``."""


class PlanningModel(Protocol):
    """What planners use: step, plus save/load of opaque state tokens."""

    def save(self) -> Any:
        """Return a token that :meth:`load` turns back into the current state."""

    def load(self, token: Any) -> None:
        """Return to the state a token was saved in."""

    def step(self, action: Any) -> Transition:
        """Advance one step: ``(next_observation, float reward, bool done)``."""


class ModelError(Exception):
    """A world model raised or broke its contract while a planner was using it.

    The episode runner ends the episode with the return so far and records the error,
    instead of failing the whole evaluation.
    """


def _frozen(observation: Observation) -> Observation:
    # A model may keep its state array and mutate it in place on the next step; a token
    # (or an input to set_state) must not change under the planner's feet.
    return observation.copy() if isinstance(observation, np.ndarray) else observation


class ObservationModel:
    """Adapt a :class:`WorldModel` (a CWM) to :class:`PlanningModel`.

    The token is the last observation; ``load`` calls ``set_state`` on it. With
    ``resync_every_step`` (the default, as in the original) ``set_state`` is called before
    *every* step, so that hidden attributes a model keeps beyond the observation cannot
    carry information between steps: the model's state is exactly the observation, as the
    contract says. Every exception the model raises, and every malformed output, becomes a
    :class:`ModelError`.
    """

    def __init__(self, model: WorldModel, resync_every_step: bool = True) -> None:
        self.model = model
        self.resync_every_step = resync_every_step
        self._observation: Observation = None
        self._synced = False

    def save(self) -> Observation:
        """The last observation (a copy, safe to keep)."""
        return _frozen(self._observation)

    def load(self, token: Observation) -> None:
        """Make ``token`` the current observation; ``set_state`` runs before the next step."""
        self._observation = _frozen(token)
        self._synced = False

    def step(self, action: Any) -> Transition:
        """Step the model from the current observation, checking its output.

        The observation returned is the model's own object, valid until the model runs
        again: planners read it at once (MCTS hashes it, CEM ignores it) and keep states
        only through :meth:`save`, which copies. What ``set_state`` gets is therefore never
        copied here: it is either :meth:`load`'s private copy or the model's own last output,
        and no one but the model holds either, so a model that keeps and mutates its input
        can only change its own objects. Array actions are copied, because a planner's plan
        must not change under it.
        """
        # Inlined (not _frozen): this runs for every imagined step.
        try:
            if self.resync_every_step or not self._synced:
                self.model.set_state(self._observation)
            if isinstance(action, np.ndarray):
                action = action.copy()
            next_observation, reward, done = self.model.step(action)
            reward, done = float(reward), bool(done)
        except Exception as problem:
            self._synced = False
            raise ModelError(f"{type(problem).__name__}: {problem}") from problem
        self._observation = next_observation
        self._synced = True
        return next_observation, reward, done

    def rollout(self, actions: Iterable[Any], discount: float) -> float:
        """Discounted return of taking ``actions`` in turn from the current observation, up to ``done``.

        Exactly :meth:`step` per action (the same conversions and ModelError, the same
        no-copy rule for states) and the same sum as a planner's own loop, in one loop:
        random rollouts are most of MCTS's imagined steps, and a method call per step is a
        quarter of its overhead.
        """
        set_state, step = self.model.set_state, self.model.step
        resync, synced, current = self.resync_every_step, self._synced, self._observation
        total, weight = 0.0, 1.0
        try:
            for action in actions:
                if resync or not synced:
                    set_state(current)
                current, reward, done = step(action.copy() if isinstance(action, np.ndarray) else action)
                synced = True
                total += weight * float(reward)
                weight *= discount
                if bool(done):
                    break
        except Exception as problem:
            self._synced = False
            raise ModelError(f"{type(problem).__name__}: {problem}") from problem
        self._observation, self._synced = current, synced
        return total


class TrueEnvModel:
    """Adapt a true, unwrapped gymnasium env (the oracle's simulator) to :class:`PlanningModel`.

    Tokens are exact snapshots (never ``deepcopy``, which silently resets MuJoCo envs).
    ``done`` is ``terminated``; the episode cap is the episode runner's business.

    ``chance_seed`` decides what the planner may know about the env's randomness (it only
    matters for Blackjack, the one benchmark env whose steps draw random numbers):

    * ``None``: a snapshot also restores the env's RNG, so every simulation from a state
      sees the same future cards. This is the original's behaviour (its deep copy of the
      env included the RNG) and explains its perfect Blackjack oracle (mean return 1.0).
    * an int: after each ``load`` the env draws from the model's own generator seeded
      with it, which keeps advancing across loads, so each simulation samples fresh chance
      outcomes, as a fair planner with a perfect but not clairvoyant model would.
    """

    def __init__(self, env: Any, chance_seed: int | None = None) -> None:
        self.env = env
        self._chance = None if chance_seed is None else np.random.default_rng(chance_seed)
        # restore() writes the saved RNG state into whatever generator the env holds; give
        # it this scratch one so that our own generator's stream is never rewound.
        self._scratch = np.random.default_rng(0)

    def save(self) -> Any:
        """An exact snapshot of the env."""
        return snapshot(self.env)

    def load(self, token: Any) -> None:
        """Restore a snapshot (and, with a ``chance_seed``, swap in the fresh generator)."""
        if self._chance is not None:
            self.env.np_random = self._scratch
        restore(self.env, token)
        if self._chance is not None:
            self.env.np_random = self._chance

    def step(self, action: Any) -> Transition:
        """Step the true env; ``done`` is ``terminated``."""
        observation, reward, terminated, _truncated, _info = self.env.step(action)
        return observation, float(reward), bool(terminated)
