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
    out: Path = typer.Option(Path("results/llm-as-model"), "--out", help="Folder for <ENV>.json."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Ask an LLM to predict recorded transitions directly; score it like a CWM and compare speeds."""
    from cwmb.atomic import write_atomic
    from cwmb.benchmark import get_env
    from cwmb.benchmark.descriptions import describe_env
    from cwmb.llm_as_model import run_llm_as_model
    from cwmb.llm_as_model.timing import time_cwm
    from cwmb.trajectories import load_dataset

    spec = get_env(env)
    data = load_dataset(trajectories, spec.name)
    client = _client(llm, spec, data.obs_kind, out)
    result, queried = run_llm_as_model(
        spec,
        data,
        client,
        describe_env(spec, with_contract=False),
        transitions=transitions,
        shots=shots,
        seed=seed,
    )
    seconds, label = time_cwm(spec, queried, program)
    document = {**result.to_dict(), "cwm_seconds_per_step": seconds, "cwm_label": label}
    if document["llm_median_seconds"] is not None and seconds:
        document["ratio"] = document["llm_median_seconds"] / seconds
    out.mkdir(parents=True, exist_ok=True)
    write_atomic(out / f"{spec.name}.json", json.dumps(document, indent=2, default=str) + "\n")
    if as_json:
        emit_json(document)
        return
    typer.echo(_describe(document))


def _client(llm: str | None, spec, obs_kind: str, out: Path):
    """The configured LLM through the usual cache and call log, or the offline predictor."""
    from cwmb.llm import LLMClient, make_llm
    from cwmb.llm.calllog import CallLog
    from cwmb.llm_as_model.simulated import SimulatedPredictor

    log = CallLog(out / f"{spec.name}.llm_calls.jsonl")
    if llm is None:
        return LLMClient(SimulatedPredictor(spec, obs_kind), cache=None, call_log=log)
    return make_llm(llm, call_log=log)


def _describe(document: dict) -> str:
    """The text report: Table 8's row plus accuracy and parsing."""
    label = " [simulated, not an LLM]" if document["simulated"] else ""
    llm_time = document["llm_median_seconds"]
    llm_text = f"{llm_time:.3g} s" if llm_time is not None else f"n/a ({document['cache_hits']} cached)"
    cwm = document["cwm_seconds_per_step"]
    lines = [
        f"{document['env']}: {document['model']}{label} as the world model, "
        f"{document['transitions']} transitions, {document['shots']} shots",
        f"  accuracy {document['accuracy']:.4f} (original metric {document['accuracy_original']:.4f}); "
        f"{document['unparseable']} unparseable answer(s)",
        f"  time per transition: LLM {llm_text}; CWM {cwm:.3g} s ({document['cwm_label']})"
        + (f"; ratio {document['ratio']:.3g}x" if document.get("ratio") else ""),
    ]
    return "\n".join(lines + [f"  unparseable: {p}" for p in document["problems"][:3]])


def register(app: typer.Typer) -> None:
    """Add ``llm-as-model`` to the CLI."""
    app.command("llm-as-model")(llm_as_model)
