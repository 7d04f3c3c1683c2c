"""LLM as the world model vs a code world model: time per transition, harness overhead only.

Runs ``cwmb llm-as-model`` with the offline simulated predictor (it steps the reference
model and rounds the numbers, so no LLM is called) on a few envs and prints, per env, the
predictor's median time per transition, the reference CWM's time per step and their ratio.
The ratio measures what cwmb's query/parse/score loop adds on top of a model step; a real
LLM adds its own latency (the paper: GPT-4 Turbo 2.2-146.7 s per transition against a CWM's
5e-5-1e-4 s, ../shared/reference/paper.md). Figure: the harness's time per transition, target
<= 1 ms, so that an LLM's own seconds dominate any real measurement by three orders of magnitude.
The ratio to the CWM step is printed per env (it is large for Taxi, whose step takes 0.5 us).

Run: .venv/bin/python benchmarks/llm_as_model_speed.py
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile

from figures import figure

ENVS = ("CartPole-v1", "Taxi-v3", "HalfCheetah-v4")


def measure(env: str, out: str, transitions: int) -> dict:
    """The record of one offline ``cwmb llm-as-model`` run (written under ``out``)."""
    command = [sys.executable, "-m", "cwmb", "llm-as-model", "--env", env, "--out", out, "--json"]
    command += ["--transitions", str(transitions)]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def main() -> None:
    """Print the table and one figure per env."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transitions", type=int, default=10)
    args = parser.parse_args()
    print(f"{'env':<16} {'predictor s/transition':>23} {'CWM s/step':>11} {'ratio':>7}")
    with tempfile.TemporaryDirectory() as out:
        records = [measure(env, out, args.transitions) for env in ENVS]
    for record in records:
        llm, cwm = record["llm_median_seconds"], record["cwm_seconds_per_step"]
        print(f"{record['env']:<16} {llm:>23.3g} {cwm:>11.3g} {record['ratio']:>6.1f}x")
    print("predictor: offline simulated (not an LLM); times are the harness's own")
    for record in records:
        milliseconds = record["llm_median_seconds"] * 1000
        name = f"llm-as-model harness per transition, {record['env']} (simulated)"
        figure(name, milliseconds, "<= 1 ms", " ms")


if __name__ == "__main__":
    main()
