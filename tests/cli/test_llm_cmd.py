"""``cwmb cache stats|clear`` and ``cwmb llm ping|presets``, run through the real CLI entry point."""

from __future__ import annotations

import json
import os
import socket

import pytest

from cwmb.cli.main import main
from cwmb.llm import LLMRequest, ResponseCache, ScriptedLLM, make_llm
from cwmb.llm.client import LLMClient
from tests.llm.fake_openai_server import FakeOpenAIServer, Reply

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")


@pytest.fixture(autouse=True)
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("CWMB_CACHE_DIR", str(folder))
    return folder


def run(capsys, *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as stop:
        code = stop.code or 0
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def fill_cache(cache_dir, n: int = 3) -> None:
    cache = ResponseCache(cache_dir / "llm-cache.sqlite3")
    llm = LLMClient(ScriptedLLM([f"answer {i}" for i in range(n)]), cache=cache)
    for i in range(n):
        llm.complete(LLMRequest.chat([{"role": "user", "content": "q"}], sample_index=i))
    cache.close()


def test_stats_of_a_missing_cache_does_not_create_it(capsys, cache_dir):
    code, out, _ = run(capsys, "cache", "stats")
    assert code == 0 and "entries  0" in out
    assert not cache_dir.exists()


def test_stats_lists_entries_per_model(capsys, cache_dir):
    fill_cache(cache_dir)
    code, out, _ = run(capsys, "cache", "stats")
    assert code == 0 and "entries  3" in out and "scripted: 3 entries" in out
    code, out, _ = run(capsys, "cache", "stats", "--json")
    data = json.loads(out)
    assert data["entries"] == 3 and data["per_model"]["scripted"]["entries"] == 3


def test_clear_needs_yes(capsys, cache_dir):
    fill_cache(cache_dir)
    code, _, err = run(capsys, "cache", "clear")
    assert code == 2 and "without --yes" in err and "hint: re-run with --yes" in err
    code, out, _ = run(capsys, "cache", "clear", "--yes")
    assert code == 0 and "deleted 3 entries" in out
    assert "entries  0" in run(capsys, "cache", "stats")[1]


def test_corrupted_cache_is_reported_not_fatal(capsys, cache_dir):
    cache_dir.mkdir()
    (cache_dir / "llm-cache.sqlite3").write_bytes(b"garbage" * 100)
    code, out, err = run(capsys, "cache", "stats")
    assert code == 0 and "entries  0" in out
    assert err.startswith("warning: LLM response cache") and "corrupt-" in err


def test_ping_offline_by_default(capsys):
    code, out, _ = run(capsys, "llm", "ping")
    assert code == 0
    assert "offline/simulated-coder (simulated, not an LLM)" in out and "cache    miss" in out


def test_ping_a_local_server(capsys, tmp_path):
    with FakeOpenAIServer() as server:
        server.push(Reply("pong", prompt_tokens=12, completion_tokens=1))
        config = tmp_path / "local.yaml"
        config.write_text(
            f"backend: litellm\nmodel: openai/tiny\napi_base: {server.api_base}\nmax_tokens: 5\n"
        )
        code, out, err = run(capsys, "llm", "ping", "--llm", str(config))
    assert code == 0, err
    assert "answer   pong" in out and "tokens   12 in / 1 out" in out and "cost     unknown" in out


def test_ping_an_unreachable_server_is_one_clean_error(capsys, tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = tmp_path / "down.yaml"
    config.write_text(f"backend: litellm\nmodel: openai/tiny\napi_base: http://127.0.0.1:{port}/v1\n")
    code, _, err = run(capsys, "llm", "ping", "--config", str(config), "--retries", "0")
    assert code == 2
    assert f"error: cannot reach the LLM server at http://127.0.0.1:{port}/v1" in err
    assert "Traceback" not in err and "offline" in err


def test_presets_are_listed(capsys):
    code, out, _ = run(capsys, "llm", "presets")
    assert code == 0 and "gpt-4-turbo" in out and "llama3-70b-vllm" in out and "offline" in out


def test_ping_uses_the_cache_when_asked(capsys):
    make_llm(None).complete(
        LLMRequest.chat([{"role": "user", "content": "Reply with the single word: pong"}])
    )
    code, out, _ = run(capsys, "llm", "ping", "--cache")
    assert code == 0 and "cache    hit" in out


def test_ping_a_config_without_backend_reaches_its_server_and_says_why(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("K", "sk-test")
    with FakeOpenAIServer() as server:
        server.push(Reply("pong"))
        config = tmp_path / "nobackend.yaml"
        config.write_text(f"model: openai/x\napi_base: {server.api_base}\napi_key_env: K\n")
        code, out, err = run(capsys, "llm", "ping", "--llm", str(config))
        assert len(server.requests) == 1
    assert code == 0, err
    assert "answer   pong" in out and "simulated" not in out
    assert f"backend  litellm at {server.api_base} (inferred from api_base" in out


def test_ping_refuses_a_key_the_backend_ignores(capsys, tmp_path):
    config = tmp_path / "offline-with-server.yaml"
    config.write_text("backend: offline\napi_base: http://127.0.0.1:9/v1\n")
    code, out, err = run(capsys, "llm", "ping", "--llm", str(config))
    assert code == 2 and out == ""
    assert f"error: key 'api_base' in LLM config {config} has no effect" in err and "hint: remove it" in err


def test_ping_with_an_empty_openai_key_is_the_missing_key_error_without_retries(capsys, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "")
    code, out, err = run(capsys, "llm", "ping", "--config", "gpt-4-turbo")
    assert code == 2 and out == ""
    assert err.splitlines()[0] == "error: OPENAI_API_KEY is empty: model gpt-4-turbo needs it"
    assert "server errors" not in err and "hint: export OPENAI_API_KEY=..." in err


def test_ping_reports_provider_latency_apart_from_start_up_and_the_seed_sent(capsys, tmp_path):
    from cwmb.llm.litellm_backend import sample_seed

    with FakeOpenAIServer() as server:
        config = tmp_path / "local.yaml"
        config.write_text(f"backend: litellm\nmodel: openai/tiny\napi_base: {server.api_base}\n")
        code, out, err = run(capsys, "llm", "ping", "--llm", str(config))
        sent = server.requests[0]["seed"]
    assert code == 0, err
    assert sent == sample_seed(0) and f"seed     {sent} (derived from the sample index)" in out
    latency = next(line for line in out.splitlines() if line.startswith("latency"))
    assert "(provider" in latency
