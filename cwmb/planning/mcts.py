"""Monte Carlo tree search for discrete actions, over any :class:`PlanningModel`.

One decision builds a fresh tree rooted at the current state (no tree reuse, as the
original). Each simulation restores the root, walks down the tree by UCT, adds one new
node, estimates its value with a random rollout and backs the discounted return up. The
action is sampled from a softmax over the root's Q-values with a low temperature.

State nodes alternate with action nodes; an action node's children are the chance
outcomes seen after taking it, keyed by (observation, done), so the same code handles
stochastic models (Blackjack) and deterministic ones (where each action has one child).

How this differs from the original (``src/mcts/mcts.py``), and why:

* **Untried actions first.** The original gives unvisited actions ``Q = 1.0`` and an
  exploration bonus with a ``1e-3`` offset, so whether an action is ever tried depends
  on the scale of the rewards (with CartPole's returns near 60 the bonus may never win).
  Here every action of a node is tried once, in random order, before UCT applies, and
  the UCT offset is the paper's ε (Table 13: ε = 1):
  ``Q(s,a) + C·sqrt(ln N(s) / (N(s,a) + ε))``. ``unvisited: optimistic`` restores the
  original's rule instead (an unvisited action scores ``unvisited_value`` plus the bonus
  with zero visits; set ``visit_offset: 0.001`` for the original's offset). On CartPole the
  two rules differ by less than two standard errors (``docs/reference_returns.md``).
* **Replay from the root, no stored copies.** The original keeps a copy of the
  simulator in every node and restores it. Here each simulation loads the root token
  once and steps along the path, so the model's state is always the one actually
  reached (for a stochastic model, the sampled outcome, not a stale copy), and a
  simulation never continues from a terminal state. Nodes hold no simulator state.
* **Terminal nodes** are never expanded and never rolled out from; their value is 0.
  A simulation that reaches one backs up the rewards on its path only.
* **Seeded.** Tie-breaks, rollout actions and the final sampling draw from one
  ``numpy`` generator given at construction; the original was unseeded.

**Valid actions (RTFM).** A planning model may also offer ``valid_actions()``, the
actions allowed in its current state (RTFM world models predict them). Then a state node
has children only for those actions and rollouts draw among them; models without it
(every CWMB model) plan over all ``n_actions`` exactly as before, random stream included.

The rest follows the paper (Appendix L): 25 simulations, random rollouts of up to 100
steps that stop at ``done``, C = 1, ε = 1, γ = 0.99, softmax temperature 0.01 over the
root's Q-values (actions never tried at the root are excluded, like the original's -inf).
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np

from cwmb.planning.world_model import PlanningModel


@dataclass(frozen=True)
class MCTSSettings:
    """MCTS hyperparameters; the defaults are the paper's (Table 13)."""

    simulations: int = 25
    max_rollout_steps: int = 100
    exploration: float = 1.0  # C
    visit_offset: float = 1.0  # ε
    discount: float = 0.99  # γ
    temperature: float = 0.01
    unvisited: str = "first"  # first: try every action once; optimistic: the original's default Q
    unvisited_value: float = 1.0  # the original's default_Q, used only with unvisited: optimistic


UNVISITED_RULES = ("first", "optimistic")


class _ActionNode:
    # Slotted classes, not dataclasses: one node is built per simulation and its fields are
    # read on every tree step.
    __slots__ = ("outcomes", "value_sum", "visits")

    def __init__(self) -> None:
        self.visits = 0
        self.value_sum = 0.0
        # (observation key, done) -> (reward, child state node)
        self.outcomes: dict[Hashable, tuple[float, _StateNode]] = {}


class _StateNode:
    __slots__ = ("actions", "allowed", "terminal", "visits")

    def __init__(self, terminal: bool = False, allowed: tuple[int, ...] | None = None) -> None:
        self.terminal = terminal
        self.visits = 0
        self.actions: dict[int, _ActionNode] = {}
        # The actions this node may take; None = all of them (models without valid actions).
        self.allowed = allowed


@dataclass(frozen=True)
class RootStats:
    """What one search found at the root: per action, visits and mean discounted return."""

    visits: tuple[int, ...]
    q_values: tuple[float | None, ...]


def observation_key(observation: Any) -> Hashable:
    """A hashable, exact key for an observation (arrays by dtype, shape and bytes)."""
    if isinstance(observation, np.ndarray):
        return (observation.dtype, observation.shape, observation.tobytes())
    if isinstance(observation, tuple | list):
        return tuple(observation_key(item) for item in observation)
    if isinstance(observation, np.generic):
        return observation.item()
    try:
        hash(observation)
    except TypeError:
        return repr(observation)
    return observation


class MCTSPlanner:
    """MCTS over a :class:`PlanningModel` with ``n_actions`` discrete actions (0..n-1)."""

    def __init__(self, n_actions: int, settings: MCTSSettings | None = None, seed: int = 0) -> None:
        if n_actions < 1:
            raise ValueError("MCTS needs at least one action")
        self.n_actions = n_actions
        self.settings = settings or MCTSSettings()
        self.rng = np.random.default_rng(seed)
        # Actions are passed as np.int64, the type the CWM prompts promise; a list of the
        # scalars because indexing a list is several times cheaper than indexing an array.
        self._actions = list(np.arange(n_actions, dtype=np.int64))
        self._all_actions = tuple(range(n_actions))

    def plan(self, model: PlanningModel, token: Any, steps_left: int | None = None) -> list[np.int64]:
        """Search from ``token`` and return a one-action plan (MCTS replans every step).

        ``steps_left`` is accepted for a uniform planner interface; as in the original,
        rollouts are not shortened by the episode cap.
        """
        return [self._actions[self.choose(self.search(model, token))]]

    def search(self, model: PlanningModel, token: Any) -> RootStats:
        """Run the simulations from ``token``; leave ``model`` in an unspecified state."""
        root = _StateNode()
        for simulation in range(self.settings.simulations):
            model.load(token)
            if simulation == 0:
                root.allowed = self._allowed(model)
                # Looked up once per search, not per tree step: the model does not change.
                evaluate = self._rollout_function(model)
            self._simulate(model.step, evaluate, root)
        visits = tuple(root.actions[a].visits if a in root.actions else 0 for a in range(self.n_actions))
        q_values = tuple(
            root.actions[a].value_sum / root.actions[a].visits if visits[a] else None
            for a in range(self.n_actions)
        )
        return RootStats(visits, q_values)

    def choose(self, stats: RootStats) -> int:
        """Sample an action from ``softmax(Q / temperature)`` over the actions tried at the root."""
        # A NaN Q (a model returned NaN rewards) says nothing: such actions count as untried.
        tried = [a for a, q in enumerate(stats.q_values) if q is not None and not math.isnan(q)]
        if not tried:
            return int(self.rng.integers(self.n_actions))
        q = np.array([stats.q_values[a] for a in tried], dtype=np.float64)
        best = q.max()
        if math.isinf(best):  # infinite rewards: the actions at the extreme share the choice
            weights = (q == best).astype(np.float64)
        else:  # subtract the maximum so that exp never overflows at temperature 0.01
            weights = np.exp((q - best) / self.settings.temperature)
        return tried[int(self.rng.choice(len(tried), p=weights / weights.sum()))]

    def _simulate(self, step: Any, evaluate: Any, root: _StateNode) -> None:
        """Select down to a new or terminal node, evaluate it, and back up.

        ``step`` is the model's step and ``evaluate`` gives a new node's value and its
        valid actions (see :meth:`_rollout_function`).
        """
        path: list[tuple[_StateNode, _ActionNode, float]] = []
        node, actions, ndarray = root, self._actions, np.ndarray
        while True:
            action = self._select(node)
            edge = node.actions.get(action)
            if edge is None:  # not setdefault: that would build a node on every step
                edge = node.actions[action] = _ActionNode()
            observation, reward, done = step(actions[action])
            # observation_key, inlined for the common case of a plain array.
            if type(observation) is ndarray:
                key = ((observation.dtype, observation.shape, observation.tobytes()), done)
            else:
                key = (observation_key(observation), done)
            path.append((node, edge, reward))
            known = edge.outcomes.get(key)
            if known is not None:
                node = known[1]
                if node.terminal:
                    value = 0.0
                    break
                continue
            if done:  # a terminal node is never expanded: its value is 0
                node = _StateNode(terminal=True)
                edge.outcomes[key] = (reward, node)
                value = 0.0
                break
            # A node seen for the first time: evaluate it by a rollout.
            allowed, value = evaluate()
            node = _StateNode(allowed=allowed)
            edge.outcomes[key] = (reward, node)
            break
        # Back up reward + γ·value from the leaf to the root.
        node.visits += 1
        discount = self.settings.discount
        for parent, edge, reward in reversed(path):
            value = reward + discount * value
            edge.visits += 1
            edge.value_sum += value
            parent.visits += 1

    def _rollout_function(self, model: PlanningModel) -> Any:
        """What :meth:`_simulate` calls at a new node: ``() -> (valid actions, rollout value)``.

        The valid actions are read before the rollout moves the model on.
        """
        if getattr(model, "valid_actions", None) is not None:
            return lambda: (self._allowed(model), self._rollout_valid(model))
        own_loop = getattr(model, "rollout", None)  # ObservationModel's: the same sum, faster
        size, discount = self.settings.max_rollout_steps, self.settings.discount
        integers, n = self.rng.integers, self.n_actions
        if own_loop is not None:
            # Actions drawn at once; the elements are already np.int64, the type models get.
            return lambda: (None, float(own_loop(integers(n, size=size), discount)))
        return lambda: (None, self._rollout_stepwise(model, integers(n, size=size)))

    def _allowed(self, model: PlanningModel) -> tuple[int, ...] | None:
        """The model's valid actions in its current state, if it offers them (and any is in range)."""
        offered = getattr(model, "valid_actions", None)
        if offered is None:
            return None
        allowed = tuple(sorted({int(a) for a in offered() if 0 <= int(a) < self.n_actions}))
        return allowed or None

    def _select(self, node: _StateNode) -> int:
        """An untried action if any (chosen at random), else the UCT maximiser (ties at random).

        With ``unvisited: optimistic`` untried actions are not forced: they compete in the UCT
        score with the value ``unvisited_value`` and zero visits, as in the original.
        """
        # Plain Python with locals, not numpy: with 2-6 actions array overhead would dominate,
        # and this runs once per tree step (about half of MCTS's imagined steps).
        s, edges = self.settings, node.actions
        choices = self._all_actions if node.allowed is None else node.allowed
        if len(edges) < len(choices) and s.unvisited == "first":
            untried = [a for a in choices if a not in edges]
            return untried[int(self.rng.integers(len(untried)))] if len(untried) > 1 else untried[0]
        visits, exploration, offset = node.visits, s.exploration, s.visit_offset
        log_n, sqrt = (math.log(visits) if visits > 1 else 0.0), math.sqrt
        # The first maximiser, and the list of all of them only when there is a tie.
        best, chosen, ties = -math.inf, None, None
        for a in choices:
            edge = edges.get(a)
            if edge is not None and edge.visits:
                score = edge.value_sum / edge.visits + exploration * sqrt(log_n / (edge.visits + offset))
            else:
                score = s.unvisited_value + exploration * sqrt(log_n / offset)
            if score > best:
                best, chosen, ties = score, a, None
            elif score == best:
                ties = [chosen, a] if ties is None else [*ties, a]
        if chosen is None:  # every score NaN (a model returned NaN rewards): none is better
            ties = list(choices)
        if ties is None:
            return chosen
        return ties[0] if len(ties) == 1 else ties[int(self.rng.integers(len(ties)))]

    def _rollout_stepwise(self, model: PlanningModel, actions: np.ndarray) -> float:
        """Discounted return of taking ``actions`` (random) in turn, up to ``done``."""
        total, weight = 0.0, 1.0
        for action in actions:
            _, reward, done = model.step(action)
            total += weight * reward
            weight *= self.settings.discount
            if done:
                break
        return total

    def _rollout_valid(self, model: PlanningModel) -> float:
        """A random rollout drawing each action among the model's current valid actions."""
        total, weight = 0.0, 1.0
        for _ in range(self.settings.max_rollout_steps):
            allowed = self._allowed(model) or tuple(range(self.n_actions))
            _, reward, done = model.step(self._actions[allowed[int(self.rng.integers(len(allowed)))]])
            total += weight * reward
            weight *= self.settings.discount
            if done:
                break
        return total
