"""``cwmb synthesize`` as a library function: one env, one method, one run directory, resumable.

:func:`synthesize_env` loads the env's dataset and description, opens (or reopens) the
run directory, wraps the LLM in a replaying journal and the evaluator in a store, runs
the method with a :class:`RunWriter` observer that writes ``tree.jsonl``, candidates,
``best.py`` and a running ``summary.json`` after every call, and writes the final
summary. Re-running the same request resumes a killed run (``cwmb.methods.replay``); a
finished run with the same budget is not run again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cwmb.benchmark.registry import EnvSpec
from cwmb.heldout import HeldoutScorer, heldout_accuracy_of
from cwmb.llm import Budget, LLMClient, LLMConfig, make_llm
from cwmb.llm.offline import dataset_reference_source
from cwmb.methods.base import SearchConfig
from cwmb.methods.evaluation import Evaluation, Evaluator
from cwmb.methods.records import SearchResult, StepRecord
from cwmb.methods.registry import MethodSpec
from cwmb.methods.replay import JournaledLLM, StoredEvaluator
from cwmb.methods.rundir import (
    COMPLETIONS_FILE,
    TREE_FILE,
    RunDirectory,
    TreeLog,
    provenance,
)
from cwmb.methods.session import SearchObserver, Task
from cwmb.trajectories.dataset import Dataset

EvaluatorFactory = Callable[[Dataset, SearchConfig], Evaluator]
SIMULATED_NOTE = "offline simulated coder, NOT an LLM: reference or fitted world models with injected faults"
# LLM settings that change answers; the rest (timeouts, retries, prices, caps) may change on resume.
_LLM_IDENTITY_KEYS = ("backend", "model", "api_base", "temperature", "top_p", "max_tokens", "extra")


@dataclass(frozen=True)
class SynthesisOutcome:
    """What :func:`synthesize_env` did for one env.

    ``result`` is None when the run had already finished (``summary`` is then the stored
    one). ``replayed_calls`` were answered from the run's journal, ``new_calls`` were not:
    ``cache_hits`` of them came from the response cache, ``provider_calls`` from the
    model itself, which took ``provider_latency_s`` seconds in all; ``startup_s`` is the
    client's one-off start-up (importing litellm), apart from any call's latency.
    """

    env: str
    run_dir: Path
    summary: dict[str, Any]
    result: SearchResult | None
    resumed: bool
    replayed_calls: int
    new_calls: int
    already_finished: bool
    cache_hits: int = 0
    provider_calls: int = 0
    provider_latency_s: float = 0.0
    startup_s: float = 0.0


def llm_identity(config: LLMConfig) -> dict[str, Any]:
    """The LLM settings a run's answers depend on (part of the run identity)."""
    identity = {key: getattr(config, key) for key in _LLM_IDENTITY_KEYS}
    if config.backend == "offline":
        identity["offline"] = dataclasses.asdict(config.offline)
    if config.backend == "scripted":
        identity["script"] = list(config.script)
    return identity


def llm_label(config: LLMConfig, simulated: bool) -> dict[str, Any]:
    """How summaries describe the LLM; simulated models say so."""
    label: dict[str, Any] = {"name": config.name, "backend": config.backend, "model": config.model}
    label["simulated"] = simulated
    if config.backend == "offline":
        label["note"] = SIMULATED_NOTE
    elif simulated:
        label["note"] = "scripted replies, NOT an LLM"
    return label


class RunWriter:
    """The observer that writes the run directory after every call (see the module docstring)."""

    def __init__(self, run_dir: RunDirectory, header: dict[str, Any]) -> None:
        self.run_dir = run_dir
        self.tree = TreeLog(run_dir.file(TREE_FILE))
        self.header = header
        self.curve: list[float] = []

    def before_call(self, call: int, action: str, parent: int | None) -> None:
        """Nothing to write before a call."""

    def after_call(self, step: StepRecord, program: str, evaluation: Evaluation) -> None:
        """Store the candidate, append the tree line, refresh ``best.py`` and the running summary."""
        self.run_dir.store_candidate(program, evaluation)
        self.tree.write(step)
        self.curve.append(step.best_accuracy)
        if step.best_node == step.node:
            self.run_dir.write_best(program)
        running = {
            **self.header,
            "status": "running",
            "calls": step.call,
            "best": {"node": step.best_node, "accuracy": step.best_accuracy},
            "curve": list(self.curve),
        }
        self.run_dir.write_summary(running)


def synthesize_env(
    spec: EnvSpec,
    method: MethodSpec,
    llm_config: LLMConfig,
    *,
    results_dir: Path,
    data_root: Path | None,
    seed: int,
    evaluator_factory: EvaluatorFactory,
    cost_budget: Budget | None = None,
    observers: Sequence[SearchObserver] = (),
    restart: bool = False,
    cache_dir: Path | None = None,
    heldout_scorer: HeldoutScorer | None = None,
) -> SynthesisOutcome:
    """Run (or resume) ``method`` on ``spec`` and write ``results_dir/<ENV>/``; see the module docstring."""
    from cwmb.benchmark.descriptions import describe_env
    from cwmb.trajectories import load_dataset
    from cwmb.trajectories.locate import resolve_dataset_root

    data_root = resolve_dataset_root(spec.name, data_root)  # recorded in config.json
    dataset = load_dataset(data_root, spec.name)
    run_dir = RunDirectory(Path(results_dir) / spec.name)
    config, identity = _run_settings(spec, method, llm_config, seed, dataset, data_root)
    resumed = run_dir.prepare(config, identity, restart=restart)
    previous = run_dir.summary() if resumed else None
    if previous and _already_done(previous, method.config.budget):
        return SynthesisOutcome(spec.name, run_dir.path, previous, None, True, 0, 0, True)
    client = make_llm(
        llm_config,
        call_log=run_dir.call_log,
        budget=cost_budget,
        cache_dir=cache_dir,
        # The offline coder fits its continuous-env programs to the dataset this run scores on.
        reference_source=dataset_reference_source(dataset),
    )
    llm = JournaledLLM(client, run_dir.file(COMPLETIONS_FILE))
    evaluator = StoredEvaluator(evaluator_factory(dataset, method.config), run_dir)
    session: dict[str, Any] = {"started": _now(), "resumed": resumed, "journal_calls": llm.recorded}
    header = _summary_header(spec, method, seed, llm_label(llm_config, client.backend.simulated))
    header["sessions"] = _sessions(previous, session)  # running summaries keep the history too
    writer = RunWriter(run_dir, header)
    try:
        result = method.build().run(
            Task(spec.name, describe_env(spec)), llm, evaluator, seed=seed, observers=[writer, *observers]
        )
    except BaseException as problem:  # record why the session ended, then let the caller report it
        session |= _session_counts(llm, client, evaluator) | {"ended": _now(), "error": _describe(problem)}
        run_dir.write_summary({**(run_dir.summary() or {}), **header, "status": "interrupted"})
        raise
    writer.tree.finish(result.calls)
    if result.best_node is not None:
        run_dir.write_best(result.best_program)
    counts = _session_counts(llm, client, evaluator)
    session |= counts | {"ended": _now(), "diverged_at": llm.diverged_at}
    status = "stopped" if result.stop_reason == "cost_cap" else "finished"
    summary = {**header, **result.summary(), "status": status, "llm": header["llm"]}
    summary |= _generalization(result, heldout_scorer, data_root, spec.name, method.config.metric)
    run_dir.write_summary(summary)
    return SynthesisOutcome(
        spec.name,
        run_dir.path,
        summary,
        result,
        resumed,
        llm.replayed,
        llm.new_calls,
        False,
        cache_hits=counts["cache_hits"],
        provider_calls=counts["provider_calls"],
        provider_latency_s=counts["provider_latency_s"],
        startup_s=counts["startup_s"],
    )


def _generalization(
    result: Any, scorer: HeldoutScorer | None, data_root: Path, env: str, metric: str
) -> dict[str, Any]:
    """``accuracy`` (search data) and ``heldout_accuracy`` of the final best program.

    Computed once, after the search has ended, so nothing the search did could depend on it.
    """
    if result.best_node is None:
        return {"accuracy": None, "heldout_accuracy": None}
    block = scorer(result.best_program, data_root, env, metric) if scorer else None
    return {
        "accuracy": result.best_accuracy,
        "heldout_accuracy": heldout_accuracy_of(block, metric),
        "heldout": block or {"status": "not computed", "message": "no held-out scorer given"},
    }


def _run_settings(
    spec: EnvSpec, method: MethodSpec, llm_config: LLMConfig, seed: int, dataset: Dataset, data_root: Path
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The resolved config written to ``config.json``, and the identity a resumed run must match.

    The budget is not part of the identity: a finished run can be continued with a larger one.
    """
    identity = {
        "env": spec.name,
        "method": {k: v for k, v in method.as_dict().items() if k != "budget"},
        "llm": llm_identity(llm_config),
        "seed": seed,
        "dataset_sha256": dataset.manifest.get("sha256"),
    }
    config = {"kind": "cwmb.synthesis.config", "method": method.as_dict(), "seed": seed, **provenance()}
    config |= {"env": dataclasses.asdict(spec), "llm": _public_llm_config(llm_config), "data": str(data_root)}
    return config, identity


def _summary_header(spec: EnvSpec, method: MethodSpec, seed: int, llm: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": "cwmb.synthesis.summary",
        "env": spec.name,
        "method": method.name,
        "seed": seed,
        "budget": method.config.budget,
        "metric": method.config.metric,
        "llm": llm,
    }


def _already_done(summary: dict[str, Any], budget: int) -> bool:
    """A finished run needs no work unless its budget ran out and a larger one is asked for."""
    if summary.get("status") != "finished":
        return False
    return summary.get("stop_reason") in ("perfect", "exhausted") or summary.get("budget") == budget


def _session_counts(llm: JournaledLLM, client: LLMClient, evaluator: StoredEvaluator) -> dict[str, Any]:
    """Where this session's answers came from: the journal, the response cache, the provider."""
    return {
        "replayed_calls": llm.replayed,
        "new_calls": llm.new_calls,
        "cache_hits": client.cache_hits,
        "provider_calls": max(0, llm.new_calls - client.cache_hits),
        "provider_latency_s": round(client.provider_latency_s, 6),
        "startup_s": round(client.startup_s, 6),
        "reused_evaluations": evaluator.reused,
    }


def _sessions(previous: dict[str, Any] | None, current: dict[str, Any]) -> list[dict[str, Any]]:
    earlier = list(previous.get("sessions", [])) if previous else []
    return [*earlier, current]


def _public_llm_config(config: LLMConfig) -> dict[str, Any]:
    """The LLM config as recorded in ``config.json`` (it holds variable names, never key values)."""
    data = dataclasses.asdict(config)
    if config.backend != "offline":
        data.pop("offline", None)
    return data


def _describe(problem: BaseException) -> str:
    message = getattr(problem, "message", None) or str(problem)
    return f"{type(problem).__name__}: {message}" if message else type(problem).__name__


def _now() -> str:
    from cwmb.llm.calllog import utc_now

    return utc_now()
