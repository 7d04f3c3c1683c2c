"""How much of a first LLM call is client start-up, and is it kept out of the reported latency?

Starts the loopback fake OpenAI server of the tests (127.0.0.1, answers at once), then,
in a fresh Python process each time (so litellm is not imported yet), makes two
``LLMClient`` calls through the litellm backend and reads back what the client measured:
``startup_s`` (importing litellm, checking the key, warming up) and each call's
``latency_s`` (the provider's answer only). Three repetitions; medians are printed with
the target. Run with::

    .venv/bin/python benchmarks/llm_startup.py
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.llm.fake_openai_server import FakeOpenAIServer  # noqa: E402

ONE_CALL = """
import json, sys, tempfile
from cwmb.llm import LLMRequest, config_from_dict, make_llm
config = config_from_dict({"backend": "litellm", "model": "openai/bench", "api_base": sys.argv[1]})
llm = make_llm(config, cache=False, call_log=tempfile.mkdtemp() + "/calls.jsonl")
first = llm.complete(LLMRequest.chat([{"role": "user", "content": "ping"}]))
second = llm.complete(LLMRequest.chat([{"role": "user", "content": "ping"}], sample_index=1))
print(json.dumps({"startup_s": llm.startup_s, "latency_s": first.latency_s, "second_s": second.latency_s}))
"""


def measure(api_base: str) -> dict[str, float]:
    """One fresh process, one call: the client's own start-up and latency figures."""
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    done = subprocess.run(
        [sys.executable, "-c", ONE_CALL, api_base],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=300,
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    """Print the medians of three fresh-process calls."""
    with FakeOpenAIServer() as server:
        runs = [measure(server.api_base) for _ in range(3)]
    startup = statistics.median(r["startup_s"] for r in runs)
    latency = statistics.median(r["latency_s"] for r in runs)
    second = statistics.median(r["second_s"] for r in runs)
    print(f"client start-up (litellm import, key check): median {startup:.2f} s, {len(runs)} fresh processes")
    print(f"latency of the first call, start-up excluded: median {latency:.3f} s (loopback server)")
    print(f"latency of the second call:                   median {second:.3f} s")
    print(
        f"start-up / latency = {startup / latency:.0f}x "
        "(target: latency_s excludes start-up, so latency << start-up)"
    )


if __name__ == "__main__":
    main()
