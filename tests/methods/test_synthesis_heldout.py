"""The search never sees the held-out split; the run summary scores best.py on it once, at the end."""

from __future__ import annotations

import json
import shutil

from cwmb.benchmark import get_env
from cwmb.heldout import sandbox_heldout_scorer
from cwmb.llm import load_llm_config
from cwmb.methods import load_method_config
from cwmb.methods.rundir import read_lines
from cwmb.methods.sandbox_evaluator import SandboxEvaluator
from cwmb.methods.synthesis import synthesize_env
from cwmb.trajectories.collection import CollectionRequest, collect_env
from cwmb.trajectories.storage import write_dataset
from tests.methods.conftest import DATA_ROOT

ENV = "Blackjack-v1"  # never perfect for a deterministic model: every run spends its whole budget


def data_root(tmp_path, name: str, heldout_seed: int | None):
    """A copy of the shipped search split of ENV, with a held-out split from ``heldout_seed`` (or none)."""
    root = tmp_path / name
    shutil.copytree(DATA_ROOT / ENV, root / ENV, ignore=shutil.ignore_patterns("heldout"))
    if heldout_seed is not None:
        request = CollectionRequest(get_env(ENV), heldout_seed, episodes=6, max_steps=100, split="heldout")
        write_dataset(root, *collect_env(request))
    return root


def run(tmp_path, name: str, root, pool, scorer=True):
    method = load_method_config("gif_mcts").with_overrides(budget=6)
    factory = lambda dataset, config: SandboxEvaluator(pool, dataset, timeout_s=config.eval_timeout_s)  # noqa: E731
    synthesize_env(
        get_env(ENV),
        method,
        load_llm_config(None),
        results_dir=tmp_path / f"results-{name}",
        data_root=root,
        seed=1,
        evaluator_factory=factory,
        heldout_scorer=sandbox_heldout_scorer(pool) if scorer else None,
    )
    return tmp_path / f"results-{name}" / ENV


def search_trace(folder):
    """Everything the search decided and asked: the tree and the fingerprints of every prompt."""
    keys = ("call", "node", "parent", "action", "accuracy", "status", "program_hash", "best_node", "extra")
    tree = [{k: line[k] for k in keys} for line in read_lines(folder / "tree.jsonl")]
    prompts = [line["fingerprint"] for line in read_lines(folder / "completions.jsonl")]
    summary = json.loads((folder / "summary.json").read_text())
    return tree, prompts, summary["curve"], summary["best"], summary["stop_reason"]


def test_the_search_is_the_same_whatever_the_held_out_data(tmp_path, pool):
    folders = {
        name: run(tmp_path, name, data_root(tmp_path, name, seed), pool)
        for name, seed in (("one", 1), ("other", 2), ("none", None))
    }
    traces = {name: search_trace(folder) for name, folder in folders.items()}
    assert traces["one"] == traces["other"] == traces["none"]  # prompts, values, early stop
    summaries = {name: json.loads((f / "summary.json").read_text()) for name, f in folders.items()}
    assert summaries["one"]["heldout"]["sha256"] != summaries["other"]["heldout"]["sha256"]
    assert (
        summaries["none"]["heldout"]["status"] == "missing" and summaries["none"]["heldout_accuracy"] is None
    )


def test_the_summary_carries_both_accuracies_of_best_py(tmp_path, pool):
    folder = run(tmp_path, "one", data_root(tmp_path, "one", 1), pool)
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["accuracy"] == summary["best"]["accuracy"]
    assert 0.0 <= summary["heldout_accuracy"] <= 1.0 and summary["heldout"]["status"] == "ok"
    assert summary["heldout"]["default"]["accuracy"] == summary["heldout_accuracy"]
    assert summary["heldout"]["transitions"] > 0
