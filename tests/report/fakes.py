"""Small fake run directories, written in the formats `cwmb synthesize` and `cwmb evaluate` use.

Only the fields the report reads are written; values are chosen so that tests can check
means and standard errors by hand.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

OFFLINE = {"name": "offline", "backend": "offline", "model": "offline/simulated-coder", "simulated": True}
GPT4 = {"name": "gpt-4-turbo", "backend": "litellm", "model": "gpt-4-turbo", "simulated": False}
LLAMA = {
    "name": "llama3-70b",
    "backend": "litellm",
    "model": "hosted_vllm/meta-llama/Meta-Llama-3-70B-Instruct",
    "simulated": False,
}
NA = "N/A"  # an evaluation whose R is undefined (oracle = random)
NO_REFERENCE = "no reference"  # an evaluation made before the profile's reference returns existed


def program(env: str, node: int) -> str:
    """A distinct, recognisable program text per node."""
    return f"# fake program of {env}, node {node}\nclass Environment:\n    pass\n"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def write_env_run(
    results: Path,
    run: str,
    env: str,
    *,
    method: str = "gif_mcts",
    llm: dict[str, Any] | None = None,
    budget: int = 10,
    seed: int = 0,
    accuracies: list[float | None] = (0.5,),
    actions: list[str] | None = None,
    parents: list[int | None] | None = None,
    status: str = "finished",
    switches: dict[str, bool] | None = None,
    tokens: tuple[int, int] = (100, 50),
    cost: float | None = 0.0,
) -> Path:
    """One env's run directory; ``accuracies[k]`` is node k+1's accuracy, None = it crashed."""
    llm = {**OFFLINE, **(llm or {})}
    env_dir = Path(results) / run / env
    (env_dir / "candidates").mkdir(parents=True, exist_ok=True)
    actions = actions or ["generate"] + ["improve"] * (len(accuracies) - 1)
    root = 0 if method == "gif_mcts" else None
    parents = parents or [root, *range(1, len(accuracies))]
    lines, best, best_acc, curve = [], None, -1.0, []
    for index, accuracy in enumerate(accuracies):
        node, text = index + 1, program(env, index + 1)
        bug = accuracy is None
        record = {"accuracy": 0.0 if bug else accuracy, "status": "error" if bug else "ok"}
        record |= {
            "error": "NameError on line 3" if bug else None,
            "feedback": "" if bug else f"wrong on {env}",
        }
        (env_dir / "candidates" / f"{digest(text)}.py").write_text(text)
        (env_dir / "candidates" / f"{digest(text)}.json").write_text(json.dumps(record))
        if not bug and accuracy > best_acc:
            best, best_acc = node, accuracy
        curve.append(max(best_acc, 0.0))
        usage = {"tokens_in": tokens[0], "tokens_out": tokens[1], "cost_usd": cost, "cache_hit": index == 0}
        lines.append(
            {
                "call": node,
                "node": node,
                "parent": parents[index],
                "action": actions[index],
                "accuracy": record["accuracy"],
                "perfect": accuracy == 1.0,
                "status": record["status"],
                "error": record["error"],
                "program_hash": digest(text),
                "best_node": best or 1,
                "best_accuracy": curve[-1],
                "llm": usage,
                "extra": {},
            }
        )
    (env_dir / "tree.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    best = best or 1
    (env_dir / "best.py").write_text(program(env, best))
    summary = {
        "kind": "cwmb.synthesis.summary",
        "env": env,
        "method": method,
        "seed": seed,
        "budget": budget,
        "metric": "default",
        "llm": llm,
        "status": status,
        "calls": len(accuracies),
        "stop_reason": "budget" if status == "finished" else None,
        "best": {"node": best, "accuracy": max(best_acc, 0.0), "perfect": best_acc == 1.0},
        "curve": curve,
    }
    (env_dir / "summary.json").write_text(json.dumps(summary))
    settings = {"method": method, "metric": "default", **(switches or {})}
    config = {
        "method": {**settings, "budget": budget},
        "llm": llm,
        "seed": seed,
        "identity": {"env": env, "method": settings, "llm": llm, "seed": seed},
    }
    (env_dir / "config.json").write_text(json.dumps(config))
    return env_dir


def write_evaluation(
    env_dir: Path,
    accuracy: float | None,
    r: float | str | None,
    original: float | None = None,
    profile: str = "quick",
    return_mean: float = 10.0,
):
    """``evaluation.json`` for the env's current ``best.py``; ``r`` may be NA or NO_REFERENCE."""
    text = (env_dir / "best.py").read_text()
    scored = None if accuracy is None else {"accuracy": accuracy, "metric": "default"}
    returns: dict[str, Any] = {"mean": return_mean, "standard_error": 1.0, "n": 2, "normalized": None}
    if r == NA:
        returns |= {
            "normalized_note": "oracle and random returns are equal",
            "random_mean": 5,
            "oracle_mean": 5,
        }
    elif r == NO_REFERENCE:
        returns["normalized_note"] = "no reference returns for profile quick (run `cwmb references`)"
    else:
        returns |= {"normalized": r, "random_mean": 0.0, "oracle_mean": 20.0}
    record = {
        "schema_version": 1,
        "env": env_dir.name,
        "program_hash": digest(text),
        "profile": {"name": profile},
        "episodes": [{"episode": 0}, {"episode": 1}],
        "returns": returns,
        "accuracy": {
            "status": "ok" if accuracy is not None else "error",
            "default": scored,
            "original": None
            if accuracy is None
            else {"accuracy": original if original is not None else accuracy},
        },
    }
    (env_dir / "evaluation.json").write_text(json.dumps(record))
