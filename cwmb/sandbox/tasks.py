"""The trusted code that runs a job inside the sandbox, on the generated program's behalf.

Each task takes a decoded request (plain data) and returns plain data. :func:`run_task`
never raises: an exception from the program becomes an ``error`` reply naming the
program line that raised, a MemoryError a ``memory`` reply.
"""

from __future__ import annotations

import ast
import gc
import importlib
import inspect
import traceback
from collections.abc import Callable
from typing import Any

import numpy as np

from cwmb.apps.runner import run_tests as run_apps_tests

# Imported here, not per job: workers preload this module before forking each job.
from cwmb.rtfm.sandbox_task import predict_rtfm
from cwmb.sandbox.convert import PredictionTable, conformance_findings
from cwmb.sandbox.program import (
    CLASS_NAME,
    ProgramError,
    describe_exception,
    load_environment_class,
    shorten,
)

_REAL_ENV_MODULES = ("gymnasium", "gym", "mujoco")
_MAX_FINDINGS = 20


class _Phase:
    """What the harness was doing when the program raised, for the error message.

    A per-row phase is kept as a template and a row index, formatted only when a message
    is needed: two f-strings per transition would cost more than a small model's step.
    """

    def __init__(self) -> None:
        self._template = "loading the program"
        self._row: int | None = None

    @property
    def now(self) -> str:
        """The phase in words."""
        return self._template if self._row is None else self._template.format(row=self._row)

    @now.setter
    def now(self, text: str) -> None:
        self._template, self._row = text, None

    def at_row(self, template: str, row: int) -> None:
        """Set a per-row phase: ``template`` with ``{row}`` for the transition's dataset index."""
        self._template, self._row = template, row


_SET_STATE = "calling set_state(state) on transition {row}"
_STEP = "calling step(action) on transition {row}"


def state_converter(obs_kind: str) -> Callable[[np.ndarray], Any]:
    """Function turning one stored state row into the gymnasium-native observation."""
    if obs_kind == "discrete":
        return lambda row: int(row[0])
    if obs_kind == "tuple":
        return lambda row: tuple(int(v) for v in row)
    return lambda row: row.copy()


def action_converter(action_kind: str) -> Callable[[np.ndarray], Any]:
    """Function turning one stored action row into the gymnasium-native action."""
    if action_kind == "discrete":
        return lambda row: int(row[0])
    return lambda row: row.astype(np.float32)


def predict(request: dict[str, Any], phase: _Phase) -> dict[str, Any]:
    """Run ``set_state`` + ``step`` on every (state, action) row; return prediction arrays."""
    env_class = load_environment_class(request["source"], phase)
    states, actions = request["states"], request["actions"]
    to_state = state_converter(request["obs_kind"])
    to_action = action_converter(request["action_kind"])
    table = PredictionTable(states.shape[0], states.shape[1], request["obs_kind"])
    phase.now = f"calling {CLASS_NAME}()"
    env = env_class()
    set_state, step = env.set_state, env.step
    ids = request.get("row_ids")
    row_ids = ids.tolist() if ids is not None else list(range(states.shape[0]))
    for i in range(states.shape[0]):
        row = row_ids[i]
        phase.at_row(_SET_STATE, row)
        set_state(to_state(states[i]))
        phase.at_row(_STEP, row)
        table.store(i, step(to_action(actions[i])))
    return table.finish()


def _arity_findings(env_class: type) -> list[str]:
    """Missing methods and signatures that cannot take the contract's arguments."""
    found = []
    wanted = (("__init__", ()), ("set_state", ("state",)), ("step", ("action",)))
    for name, args in wanted:
        attr = inspect.getattr_static(env_class, name, None)
        if attr is None:
            found.append(f"{CLASS_NAME} has no method `{name}(self{''.join(', ' + a for a in args)})`")
            continue
        try:
            if name == "__init__":
                inspect.signature(env_class).bind()
                continue
            func = attr.__func__ if isinstance(attr, (staticmethod, classmethod)) else attr
            if not callable(func):
                found.append(f"`{CLASS_NAME}.{name}` is a {type(attr).__name__}, not a method")
                continue
            sig = inspect.signature(func)
            leading = () if isinstance(attr, (staticmethod, classmethod)) else (None,)
            sig.bind(*leading, *([None] * len(args)))
        except TypeError:
            expected = f"{name}(self{''.join(', ' + a for a in args)})"
            found.append(
                f"`{CLASS_NAME}.{name}` has signature {name}{sig_text(attr, env_class)}; expected {expected}"
            )
        except ValueError:
            continue  # no signature available (a builtin): cannot judge
    return found


def sig_text(attr: Any, env_class: type) -> str:
    """The printed signature of a method (or the class for __init__), '(...)' if unknown."""
    try:
        target = attr.__func__ if isinstance(attr, (staticmethod, classmethod)) else attr
        return str(inspect.signature(target))
    except (TypeError, ValueError):
        return "(...)"


def _import_findings(source: str) -> list[str]:
    """A world model must simulate, not call, the real environment."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return [
        f"the program imports {name}: a world model must simulate the environment itself, not call it"
        for name in _REAL_ENV_MODULES
        if name in names
    ]


def check(request: dict[str, Any], phase: _Phase) -> list[str]:
    """Report in plain words where the program does not conform to the contract."""
    source = request["source"]
    imports = _import_findings(source)
    try:
        env_class = load_environment_class(source, phase)
    except ProgramError as exc:
        return [*imports, exc.message]
    except Exception as exc:
        # The sandbox cannot read gymnasium or mujoco, so importing them fails: say why first.
        return imports or [describe_exception(exc, source, phase.now)]
    found = imports + _arity_findings(env_class)
    if found:
        return found
    to_state = state_converter(request["obs_kind"])
    to_action = action_converter(request["action_kind"])
    spec = request["space"]
    try:
        phase.now = f"calling {CLASS_NAME}()"
        env = env_class()
        for i in range(request["states"].shape[0]):
            phase.now = f"calling set_state(state) on sample {i}"
            env.set_state(to_state(request["states"][i]))
            phase.now = f"calling step(action) on sample {i}"
            out = env.step(to_action(request["actions"][i]))
            found += [f"sample {i}: {f}" for f in conformance_findings(out, spec)]
    except Exception as exc:
        found.append(describe_exception(exc, source, phase.now))
    return list(dict.fromkeys(found))[:_MAX_FINDINGS]


def call(request: dict[str, Any], phase: _Phase) -> Any:
    """Call a trusted harness function by name, handing it the program's class if given.

    ``function`` is ``"package.module:name"``; it is called as ``fn(env_class, **kwargs)``
    when the request carries a program, else ``fn(**kwargs)``, and must return plain data.
    """
    module_name, _, attr = request["function"].partition(":")
    phase.now = f"importing {request['function']}"
    func = getattr(importlib.import_module(module_name), attr)
    kwargs = request["kwargs"]
    if request.get("source") is None:
        phase.now = f"running {request['function']}"
        return func(**kwargs)
    env_class = load_environment_class(request["source"], phase)
    phase.now = f"running {request['function']} with the program"
    return func(env_class, **kwargs)


def rtfm_predict(request: dict[str, Any], phase: _Phase) -> Any:
    """The RTFM domain's predict job (:class:`cwmb.rtfm.jobs.RtfmPredictJob`)."""
    return predict_rtfm(request, phase)


TASKS: dict[str, Callable[[dict[str, Any], _Phase], Any]] = {
    "predict": predict,
    "check": check,
    "call": call,
    "apps_run": run_apps_tests,  # APPS: a program run once per test input (cwmb/apps/runner.py)
    "rtfm_predict": rtfm_predict,
}


def _describe(exc: BaseException, source: str, phase: _Phase) -> str:
    """describe_exception, surviving exceptions whose own ``__str__`` misbehaves."""
    try:
        return shorten(describe_exception(exc, source, phase.now), 1000)
    except BaseException:
        return f"Error when {phase.now}: {type(exc).__name__} (its message could not be shown)"


def run_task(request: dict[str, Any], memory_bytes: int) -> dict[str, Any]:
    """Run one job request; return ``{"status", "message", "value"}``. Never raises."""
    phase = _Phase()
    source = request.get("source") or ""
    try:
        task = TASKS[request["kind"]]
        return {"status": "ok", "message": "", "value": task(request, phase)}
    except ProgramError as exc:
        return {"status": "error", "message": exc.message, "value": None}
    except MemoryError as exc:
        # Free what the program still holds through the traceback before describing it.
        traceback.clear_frames(exc.__traceback__)
        gc.collect()
        where = _describe(exc, source, phase).replace("MemoryError", "MemoryError (out of memory)", 1)
        limit = f"the memory limit is {memory_bytes // (1024 * 1024)} MiB"
        return {"status": "memory", "message": f"{where}\n({limit})", "value": None}
    except BaseException as exc:  # the program's exceptions, SystemExit included
        return {"status": "error", "message": _describe(exc, source, phase), "value": None}
