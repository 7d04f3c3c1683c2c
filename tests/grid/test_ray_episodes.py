"""Planning and reference episodes as Ray tasks give what the local pool gives (timings aside)."""

from __future__ import annotations

import json
import subprocess
import sys

from cwmb.benchmark import get_env
from cwmb.benchmark.reference import reference_source
from cwmb.evaluation import EvaluationRequest, evaluate_program
from cwmb.grid.ray_episodes import RayEpisodes
from cwmb.planning.profiles import load_profile
from cwmb.planning.reference_runner import compute_references
from cwmb.planning.sandboxed import PLANNING_PRELOAD
from cwmb.sandbox import WorkerPool
from tests.grid.conftest import REPO


def _untimed(episodes: list[dict]) -> list[dict]:
    return [{k: v for k, v in e.items() if "seconds" not in k} for e in episodes]


def test_world_model_episodes_on_ray_equal_the_local_ones(ray_cluster, tmp_path):
    plan = load_profile("quick")
    request = EvaluationRequest(get_env("CartPole-v1"), reference_source("CartPole-v1"), "ref", plan)
    remote = RayEpisodes()
    with WorkerPool(size=1, preload=PLANNING_PRELOAD) as pool:
        local = evaluate_program(request, pool, 2, tmp_path / "local.json")
        on_ray = evaluate_program(
            request, pool, 2, tmp_path / "ray.json", run_episodes=remote.world_model_runner(request)
        )
    remote.close()
    assert ray_cluster.is_initialized()  # joined the session's Ray, did not stop it
    assert _untimed(on_ray["episodes"]) == _untimed(local["episodes"]) and len(local["episodes"]) == 2
    assert on_ray["returns"] == local["returns"]
    assert json.loads((tmp_path / "ray.json").read_text())["episodes"] == on_ray["episodes"]


def test_reference_episodes_on_ray_equal_the_local_ones(ray_cluster, tmp_path):
    plan = load_profile("quick")
    envs = [get_env("Blackjack-v1"), get_env("CartPole-v1")]
    local = compute_references(plan, envs, ["random", "oracle"], tmp_path / "local.json", limit=2)
    remote = RayEpisodes()
    on_ray = compute_references(
        plan, envs, ["random", "oracle"], tmp_path / "ray.json", limit=2, run_jobs=remote.reference_runner()
    )
    remote.close()
    assert local.finished == on_ray.finished == 8 and not on_ray.failures
    for env in ("Blackjack-v1", "CartPole-v1"):
        for agent in ("random", "oracle"):
            mine, theirs = (
                {i: e["return"] for i, e in store.block(env, agent).episodes.items()}
                for store in (on_ray.store, local.store)
            )
            assert mine == theirs and sorted(mine) == [0, 1], (env, agent)


def test_evaluate_without_ray_says_how_to_install_it(tmp_path):
    model = tmp_path / "model.py"
    model.write_text(reference_source("CartPole-v1"))
    script = (
        "import sys; sys.modules['ray'] = None\n"
        "from cwmb.cli.main import main\n"
        f"main(['evaluate', '--model', {str(model)!r}, '--env', 'CartPole-v1', '--executor', 'ray'])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=300
    )
    assert done.returncode == 2
    assert done.stderr.splitlines() == ["error: Ray is not installed: pip install 'cwmb[ray]'"]
