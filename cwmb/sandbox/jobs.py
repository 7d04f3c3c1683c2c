"""The jobs the harness can ask the sandbox to run, and the strict parsing of their results.

A job is a frozen record holding only the *inputs* the worker needs (the program's
source, states and actions, space bounds): never expected outputs, so that a program
cannot read its answers from memory. ``request()`` gives the plain data sent to the
worker and ``parse()`` validates what came back, raising ValueError on anything that
does not have exactly the expected types and shapes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeVar

import numpy as np

from cwmb.predictions import Predictions
from cwmb.sandbox.row_problems import MAX_PROBLEM_CHARS, problems_from_wire

T_co = TypeVar("T_co", covariant=True)

ObsKind = Literal["box", "discrete", "tuple"]
ActionKind = Literal["discrete", "continuous"]
_OBS_KINDS = ("box", "discrete", "tuple")
_ACTION_KINDS = ("discrete", "continuous")


class Job(Protocol[T_co]):
    """What :class:`~cwmb.sandbox.pool.WorkerPool` runs.

    ``source`` is the generated program (None for jobs without one); it is used to
    quote the program's lines in crash messages.
    """

    @property
    def source(self) -> str | None:
        """The generated program this job runs, if any."""
        ...

    def request(self) -> dict[str, Any]:
        """Plain data (numeric arrays allowed) describing the job for the worker."""
        ...

    def parse(self, value: Any) -> T_co:
        """Validate the worker's result; raise ValueError if it is malformed."""
        ...


def _check_inputs(obs_kind: str, action_kind: str, states: np.ndarray, actions: np.ndarray) -> None:
    """Reject malformed job inputs early, in the harness (a caller bug, not the program's)."""
    if obs_kind not in _OBS_KINDS:
        raise ValueError(f"obs_kind must be one of {_OBS_KINDS}, not {obs_kind!r}")
    if action_kind not in _ACTION_KINDS:
        raise ValueError(f"action_kind must be one of {_ACTION_KINDS}, not {action_kind!r}")
    for name, arr in (("states", states), ("actions", actions)):
        if not isinstance(arr, np.ndarray) or arr.ndim != 2 or arr.dtype.kind not in "biuf":
            raise ValueError(f"{name} must be a 2-d numeric array")
    if states.shape[0] != actions.shape[0]:
        raise ValueError(f"{states.shape[0]} states but {actions.shape[0]} actions")
    if obs_kind == "discrete" and states.shape[1] != 1:
        raise ValueError("discrete observations must be rows of length 1")


def check_row_ids(row_ids: np.ndarray | None, n: int) -> None:
    """ValueError unless ``row_ids`` is None or ``n`` integer dataset indices."""
    if row_ids is not None and (row_ids.ndim != 1 or row_ids.shape[0] != n or row_ids.dtype.kind not in "iu"):
        raise ValueError(f"row_ids must be {n} integer dataset indices")


def row_ids_of(row_ids: np.ndarray | None, n: int) -> np.ndarray:
    """The dataset index of each row of a job (0..n-1 for a whole dataset)."""
    return np.arange(n, dtype=np.int64) if row_ids is None else row_ids.astype(np.int64)


def reply_array(value: Mapping[str, Any], key: str, dtype: type, shape: tuple[int, ...]) -> np.ndarray:
    """``value[key]`` if it is an array of exactly ``dtype`` and ``shape``; else ValueError."""
    arr = value.get(key)
    if not isinstance(arr, np.ndarray) or arr.dtype != np.dtype(dtype) or arr.shape != shape:
        raise ValueError(f"reply field {key!r} is not a {np.dtype(dtype)} array of shape {shape}")
    return arr


@dataclass(frozen=True, eq=False)
class PredictJob:
    """Predict ``(next_state, reward, done)`` for every row of ``states`` and ``actions``.

    Rows arrive as stored in a dataset: ``states`` (N, d) with the observation dtype
    (int64 rows of length 1 for Discrete, length 3 for Blackjack), ``actions`` (N, k)
    (int64 rows of length 1 for discrete actions). The worker converts each row to the
    gymnasium-native value, calls ``set_state`` then ``step`` on one ``Environment``
    instance, and returns a :class:`~cwmb.predictions.Predictions`.
    """

    source: str
    obs_kind: ObsKind
    action_kind: ActionKind
    states: np.ndarray
    actions: np.ndarray
    row_ids: np.ndarray | None = None  # the rows' dataset indices, for messages (a batch's rows)

    def __post_init__(self) -> None:
        _check_inputs(self.obs_kind, self.action_kind, self.states, self.actions)
        check_row_ids(self.row_ids, self.states.shape[0])

    def request(self) -> dict[str, Any]:
        """The job as plain data for the worker."""
        return {
            "kind": "predict",
            "source": self.source,
            "obs_kind": self.obs_kind,
            "action_kind": self.action_kind,
            "states": self.states,
            "actions": self.actions,
            "row_ids": row_ids_of(self.row_ids, self.states.shape[0]),
        }

    def parse(self, value: Any) -> Predictions:
        """Build Predictions from the worker's arrays, checking every dtype and shape."""
        if not isinstance(value, dict):
            raise ValueError("predict reply is not a mapping")
        n, dim = self.states.shape
        return Predictions(
            next_states=reply_array(value, "next_states", np.float64, (n, dim)),
            rewards=reply_array(value, "rewards", np.float64, (n,)),
            dones=reply_array(value, "dones", np.bool_, (n,)),
            valid=reply_array(value, "valid", np.bool_, (n,)),
            problems=problems_from_wire(value, n),
        )


@dataclass(frozen=True, eq=False)
class CheckJob:
    """Check that a program conforms to the world-model contract.

    Loads the program, checks the class and method signatures, then steps a few sample
    transitions (same row format as :class:`PredictJob`) and compares each answer's
    type, shape and dtype with the real env's: ``states.dtype`` for Box spaces, and the
    bounds ``low``/``high`` (Box) or ``n`` (Discrete: an int; Tuple: one int per
    element) when given. The result is a tuple of findings in plain words; empty means
    the program conforms. Exceptions the program raises become findings too.
    """

    source: str
    obs_kind: ObsKind
    action_kind: ActionKind
    states: np.ndarray
    actions: np.ndarray
    low: np.ndarray | None = None
    high: np.ndarray | None = None
    n: int | Sequence[int] | None = None

    def __post_init__(self) -> None:
        _check_inputs(self.obs_kind, self.action_kind, self.states, self.actions)

    def request(self) -> dict[str, Any]:
        """The job as plain data for the worker."""
        n = None if self.n is None else (int(self.n) if np.isscalar(self.n) else [int(v) for v in self.n])
        space = {
            "obs_kind": self.obs_kind,
            "dim": int(self.states.shape[1]),
            "dtype": self.states.dtype.str,
            "low": None if self.low is None else np.asarray(self.low, dtype=np.float64),
            "high": None if self.high is None else np.asarray(self.high, dtype=np.float64),
            "n": n,
        }
        return {
            "kind": "check",
            "source": self.source,
            "obs_kind": self.obs_kind,
            "action_kind": self.action_kind,
            "states": self.states,
            "actions": self.actions,
            "space": space,
        }

    def parse(self, value: Any) -> tuple[str, ...]:
        """The findings, as a tuple of strings."""
        if not isinstance(value, list) or not all(isinstance(f, str) for f in value):
            raise ValueError("check reply is not a list of strings")
        return tuple(f[: MAX_PROBLEM_CHARS * 4] for f in value)


@dataclass(frozen=True, eq=False)
class CallJob:
    """Run a trusted harness function inside the sandbox, next to the program.

    ``function`` is ``"package.module:name"``. The worker calls
    ``name(env_class, **kwargs)`` with the program's ``Environment`` class when
    ``source`` is given, else ``name(**kwargs)``. ``kwargs`` and the return value must
    be plain data (numbers, strings, lists, dicts, numeric arrays). Use it to run whole
    planning episodes in one round trip.
    """

    function: str
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    source: str | None = None

    def __post_init__(self) -> None:
        module, sep, name = self.function.partition(":")
        if not (module and sep and name.isidentifier()):
            raise ValueError(f"function must look like 'package.module:name', not {self.function!r}")

    def request(self) -> dict[str, Any]:
        """The job as plain data for the worker."""
        return {"kind": "call", "function": self.function, "kwargs": dict(self.kwargs), "source": self.source}

    def parse(self, value: Any) -> Any:
        """The function's result, already plain data."""
        return value
