"""Planning on RTFM: MCTS over the world model's valid actions, the oracle and random agents.

* model: MCTS (paper Table 3) over :class:`RtfmObservationModel`, whose ``valid_actions()``
  are the ones the world model predicted for the state it reached, so the model decides
  which children a node has; at the root they are the real state's valid actions;
* oracle: the same MCTS over a second true env restored from exact snapshots
  (:class:`RtfmTrueEnvModel`);
* random: uniform over the valid actions of the real state.

As on CWMB, a generated model plans inside a sandbox worker (one job per decision) while
the real env is stepped in the harness (:func:`cwmb.planning.episodes.play`).
"""

from __future__ import annotations

import time
import zlib
from typing import Any

import numpy as np

from cwmb.planning.episodes import (
    ActionInfo,
    EpisodeResult,
    OraclePolicy,
    episode_result,
    episode_seeds,
    make_planner,
    play,
)
from cwmb.planning.profiles import PlannerProfile, profile_from_dict
from cwmb.planning.world_model import ModelError, TrueEnvModel
from cwmb.rtfm import rules
from cwmb.rtfm.convert import AnswerError, convert_answer

DECIDE = "cwmb.rtfm.planning:decide_in_worker"
Token = tuple[np.ndarray, tuple[int, ...]]


def observation_row(observation: dict[str, Any]) -> np.ndarray:
    """The real env's observation as one state row of codes."""
    return rules.encode_state(observation["board"], observation["inventory"])


def real_valid_actions(observation: dict[str, Any]) -> tuple[int, ...]:
    """The valid actions of a real observation."""
    return rules.valid_actions(np.asarray(observation["board"]))


class RtfmObservationModel:
    """Adapt an RTFM world model to :class:`~cwmb.planning.world_model.PlanningModel`.

    The token is (state row, valid actions). Every step calls ``set_state`` with a fresh
    (board, inventory) built from the row, so the model's state is exactly the token;
    answers are checked like scoring's, and any problem becomes a ModelError.
    """

    def __init__(self, model: Any) -> None:
        self.model = model
        self._words = np.array(rules.VOCABULARY, dtype=object)
        self._row = np.zeros(rules.STATE_WIDTH, dtype=np.int64)
        self._valid: tuple[int, ...] = rules.ALL_ACTIONS

    def save(self) -> Token:
        """The current state row and valid actions."""
        return self._row.copy(), self._valid

    def load(self, token: Token) -> None:
        """Return to a saved state."""
        self._row, self._valid = np.asarray(token[0], dtype=np.int64).copy(), tuple(token[1])

    def valid_actions(self) -> tuple[int, ...]:
        """The valid actions of the current state (as the model predicted them)."""
        return self._valid

    def step(self, action: Any) -> tuple[np.ndarray, float, bool]:
        """Step the model from the current row; ``(next row, reward, done)``."""
        board, inventory = rules.decode_state(self._row)
        try:
            self.model.set_state((self._words[board], rules.VOCABULARY[inventory]))
            row, mask, reward, done = convert_answer(self.model.step(int(action)))
        except AnswerError as problem:
            raise ModelError(str(problem)) from problem
        except Exception as problem:
            raise ModelError(f"{type(problem).__name__}: {problem}") from problem
        self._row, self._valid = row, tuple(int(a) for a in np.flatnonzero(mask))
        return row, reward, done


class RtfmTrueEnvModel(TrueEnvModel):
    """The true RTFM env for the oracle: exact snapshots, rows as observations, valid actions."""

    def valid_actions(self) -> tuple[int, ...]:
        """The valid actions of the env's current state."""
        return rules.valid_actions(self.env.board)

    def step(self, action: Any) -> tuple[np.ndarray, float, bool]:
        """Step the true env; the observation comes back as a state row."""
        observation, reward, done = super().step(action)
        return observation_row(observation), reward, done


class RtfmRandomPolicy:
    """Uniform random actions among the valid actions of the real state."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)

    def decide(self, observation: dict[str, Any], steps_left: int) -> list[int]:
        """One action drawn uniformly among the valid ones."""
        valid = real_valid_actions(observation)
        return [int(valid[int(self.rng.integers(len(valid)))])]


class RtfmModelPolicy:
    """MCTS over an RTFM world model (in this process: trusted models only, or in a worker)."""

    def __init__(self, model: Any, planner: Any) -> None:
        self.model = RtfmObservationModel(model)
        self.planner = planner

    def decide(self, observation: dict[str, Any], steps_left: int) -> list[Any]:
        """Plan from the real observation; model failures raise ModelError."""
        self.model.load((observation_row(observation), real_valid_actions(observation)))
        return self.planner.plan(self.model, self.model.save(), steps_left)


def build_rtfm_policy(
    agent: str, spec: Any, real_env: Any, profile: PlannerProfile, seeds: tuple[int, int, int], model: Any
) -> Any:
    """The random, oracle or (trusted, in-process) model policy of RTFM."""
    from cwmb.benchmark.making import make_env

    reset_seed, planner_seed, _ = seeds
    if agent == "random":
        return RtfmRandomPolicy(planner_seed)
    planner = make_planner(ActionInfo(n=rules.N_ACTIONS), profile, planner_seed)
    if agent == "oracle":
        planning_env = make_env(spec)
        planning_env.reset(seed=reset_seed)
        policy = OraclePolicy(real_env, planning_env, planner, None)
        policy.model = RtfmTrueEnvModel(planning_env)  # RTFM steps draw no random numbers
        return policy
    if agent == "model" and model is not None:
        return RtfmModelPolicy(model, planner)
    raise ValueError(f"unknown agent {agent!r} (or no model given)")


def decide_in_worker(
    env_class: type, *, row: np.ndarray, valid: list[int], steps_left: int, profile: dict[str, Any], seed: int
) -> dict[str, Any]:
    """Worker side: one MCTS decision with a fresh model; ``{"plan": [action], "error": ...}``."""
    planner = make_planner(ActionInfo(n=rules.N_ACTIONS), profile_from_dict(profile), seed)
    model = RtfmObservationModel(env_class())
    try:
        token = (np.asarray(row, dtype=np.int64), tuple(int(a) for a in valid))
        plan = planner.plan(model, token, steps_left)
    except ModelError as problem:
        return {"plan": [], "error": str(problem)[:500]}
    return {"plan": [int(a) for a in plan], "error": None}


class RtfmSandboxPolicy:
    """Harness side: each decision is one sandbox job planning next to the model."""

    def __init__(self, pool: Any, source: str, profile: PlannerProfile, seed: int, timeout: float) -> None:
        self.pool, self.source, self.profile = pool, source, profile.to_dict()
        self.seed, self.timeout, self.decisions = seed, timeout, 0

    def decide(self, observation: dict[str, Any], steps_left: int) -> list[int]:
        """Plan in the sandbox; any failure of the model becomes a ModelError."""
        from cwmb.sandbox import CallJob

        kwargs = {
            "row": observation_row(observation),
            "valid": list(real_valid_actions(observation)),
            "steps_left": int(steps_left),
            "profile": self.profile,
            # A fresh stream per decision: the worker is a new process each time.
            "seed": zlib.crc32(f"{self.seed}:{self.decisions}".encode()),
        }
        outcome = self.pool.run(CallJob(DECIDE, kwargs, self.source), timeout=self.timeout)
        self.decisions += 1
        if not outcome.ok:
            raise ModelError(f"{outcome.status}: {outcome.message}")
        reply = outcome.value
        if not isinstance(reply, dict) or reply.get("error") or not reply.get("plan"):
            raise ModelError(
                str(reply.get("error") if isinstance(reply, dict) else "malformed planner reply")
            )
        return [int(np.clip(int(reply["plan"][0]), 0, rules.N_ACTIONS - 1))]


def run_rtfm_sandboxed_episode(
    spec: Any, source: str, profile: PlannerProfile, episode: int, pool: Any, cap: int, timeout: float
) -> EpisodeResult:
    """Play episode ``episode`` on the true RTFM env, planning with ``source`` in the sandbox."""
    from cwmb.benchmark.making import make_env

    reset_seed, planner_seed, _ = episode_seeds(profile.seed, episode)
    started = time.perf_counter()
    policy = RtfmSandboxPolicy(pool, source, profile, planner_seed, timeout)
    played = play(make_env(spec), policy, reset_seed, cap)
    return episode_result(spec, "model", profile, cap, episode, reset_seed, started, played, sandboxed=True)
