"""``cwmb llm-as-model``: the LLM as the world model, against a code world model (paper Table 8)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from cwmb.cli.output import JSON_HELP, emit_json


def llm_as_model(
    env: str = typer.Option(..., "--env", "-e", help="CWMB env name."),
    llm: str = typer.Option(
        None, "--llm", help="LLM config (preset name or YAML); default: the offline predictor."
    ),
    transitions: int = typer.Option(10, "--transitions", min=1, help="Recorded transitions to predict."),
    shots: int = typer.Option(2, "--shots", min=0, help="Example transitions shown in each prompt."),
    seed: int = typer.Option(0, "--seed", help="Chooses the transitions and the shots."),
    program: Path = typer.Option(
        None, "--program", help="CWM to time (e.g. a run's best.py); default: the reference."
    ),
    trajectories: Path = typer.Option(
        None, "--trajectories", help="Dataset root (default: ./trajectories, else the packaged one)."
    ),
    results: Path = typer.Option(
        Path("results"), "--results", help="Results root: the record goes to <results>/llm-as-model/<LLM>/."
    ),
    out: Path = typer.Option(
        None, "--out", help="Folder for <ENV>.json instead (then `cwmb report` does not find it)."
    ),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Ask an LLM to predict recorded transitions directly; score it like a CWM and compare speeds."""
    from cwmb.atomic import write_atomic
    from cwmb.benchmark import get_env
    from cwmb.benchmark.descriptions import describe_env
    from cwmb.llm.config import load_llm_config
    from cwmb.llm_as_model import run_llm_as_model
    from cwmb.llm_as_model.record import default_out, record_document
    from cwmb.llm_as_model.simulated import NAME
    from cwmb.llm_as_model.timing import time_cwm
    from cwmb.trajectories import load_dataset

    spec = get_env(env)
    data = load_dataset(trajectories, spec.name)
    config = None if llm is None else load_llm_config(llm)
    offline = config is None or config.backend == "offline"  # the offline coder writes code, not states
    folder = out or default_out(results, NAME if offline else config.model)
    client = _client(None if offline else config, spec, data.obs_kind, folder)
    description = describe_env(spec, with_contract=False)
    result, queried = run_llm_as_model(
        spec, data, client, description, transitions=transitions, shots=shots, seed=seed
    )
    document = record_document(result, time_cwm(spec, queried, program), seed)
    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(folder / f"{spec.name}.json", json.dumps(document, indent=2, default=str) + "\n")
    if as_json:
        emit_json(document)
        return
    typer.echo(_describe(document))
    typer.echo(f"wrote {folder / f'{spec.name}.json'}")


def _client(config, spec, obs_kind: str, out: Path):
    """The configured LLM through the usual cache and call log, or (None) the offline predictor."""
    from cwmb.llm import LLMClient, make_llm
    from cwmb.llm.calllog import CallLog
    from cwmb.llm_as_model.simulated import SimulatedPredictor

    log = CallLog(out / f"{spec.name}.llm_calls.jsonl")
    if config is None:
        return LLMClient(SimulatedPredictor(spec, obs_kind), cache=None, call_log=log)
    return make_llm(config, call_log=log)


def _describe(document: dict) -> str:
    """The text report: Table 8's row plus accuracy and parsing."""
    label = " [simulated, not an LLM]" if document["simulated"] else ""
    llm_time = document["llm_median_seconds"]
    llm_text = f"{llm_time:.3g} s" if llm_time is not None else f"n/a ({document['cache_hits']} cached)"
    n = document["transitions"]
    lines = [
        f"{document['env']}: {document['model']}{label} as the world model, "
        f"{n} transitions, {document['shots']} shots",
        f"  LLM: accuracy {document['accuracy']:.4f} (original metric {document['accuracy_original']:.4f}), "
        f"{document['correct']}/{n} transitions right, {document['unparseable']} unparseable answer(s); "
        f"{llm_text} per transition",
        f"  CWM ({document['cwm_label']}): accuracy {document['cwm_accuracy']:.4f}, "
        f"{document['cwm_correct']}/{n} right; {document['cwm_seconds_per_step']:.3g} s per step"
        + (f"; LLM/CWM time ratio {document['ratio']:.3g}x" if document.get("ratio") else ""),
    ]
    return "\n".join(lines + [f"  unparseable: {p}" for p in document["problems"][:3]])


def register(app: typer.Typer) -> None:
    """Add ``llm-as-model`` to the CLI."""
    app.command("llm-as-model")(llm_as_model)
