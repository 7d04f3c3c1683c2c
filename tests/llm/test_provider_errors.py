"""Each common provider error ends as one line with the hint that fixes it, checked over real HTTP.

The loopback fake server answers the errors real providers send (401, 403, 404, 429,
context window); litellm turns them into its exceptions as it does in production, and
:mod:`cwmb.llm.provider_errors` maps those to our messages.
"""

from __future__ import annotations

import random

import pytest

from cwmb.llm import LLMError, LLMRequest, config_from_dict, make_llm, read_call_log
from cwmb.llm.provider_errors import ERROR_FILE_NAME, provider_text
from tests.llm.fake_openai_server import (
    Reply,
    auth_failed,
    context_too_long,
    forbidden,
    rate_limited,
    unknown_model,
)


def client(tmp_path, sleeps: list[float], **overrides):
    data = {
        "backend": "litellm",
        "model": "openai/fake-model",
        "api_key_env": "FAKE_SERVER_KEY",
        "max_tokens": 64,
        "timeout_s": 5.0,
        "max_retries": 3,
    } | overrides
    config = config_from_dict({k: v for k, v in data.items() if v is not None}, source="fake.yaml")
    return make_llm(
        config, call_log=tmp_path / "run" / "llm_calls.jsonl", sleep=sleeps.append, rng=random.Random(0)
    )


def ask(llm, text: str = "Write a world model.") -> LLMError:
    with pytest.raises(LLMError) as problem:
        llm.complete(LLMRequest.chat([{"role": "user", "content": text}], action="generate"))
    return problem.value


@pytest.fixture(autouse=True)
def fake_key(monkeypatch):
    monkeypatch.setenv("FAKE_SERVER_KEY", "sk-test-123")


@pytest.mark.parametrize("answer", [auth_failed(), forbidden()])
def test_auth_errors_are_never_retried_and_name_the_key_variable(server, tmp_path, answer):
    server.push(answer, answer)
    sleeps: list[float] = []
    error = ask(client(tmp_path, sleeps, api_base=server.api_base))
    assert len(server.requests) == 1 and sleeps == []
    assert error.message.startswith(f"{server.api_base} rejected the credentials for openai/fake-model")
    assert error.hint.startswith("check the key in FAKE_SERVER_KEY")


def test_auth_error_of_a_hosted_model_names_the_providers_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-wrong")
    from cwmb.llm.provider_errors import key_variable

    config = config_from_dict({"model": "gpt-4-turbo"})
    import litellm

    assert key_variable(config, litellm) == "OPENAI_API_KEY"


def test_a_local_server_that_wants_a_key_says_to_set_api_key_env(server, tmp_path, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    server.push(auth_failed())
    error = ask(client(tmp_path, [], api_base=server.api_base, api_key_env=None))
    assert "set api_key_env" in error.hint


def test_api_base_without_v1_gets_the_path_hint(server, tmp_path):
    bare = server.api_base.removesuffix("/v1")
    sleeps: list[float] = []
    error = ask(client(tmp_path, sleeps, api_base=bare))
    assert len(server.requests) == 0 and sleeps == []  # the 404 came from the path, before any script
    assert "404 Not Found: api_base has no /v1 at its end" in error.message
    assert error.hint == f"set api_base: {bare}/v1 (OpenAI-compatible servers serve /v1/chat/completions)"


def test_a_model_the_server_does_not_serve_is_named(server, tmp_path):
    server.push(unknown_model())
    error = ask(client(tmp_path, [], api_base=server.api_base))
    assert error.message.startswith(f"{server.api_base} does not know model 'openai/fake-model'")
    assert f"GET {server.api_base}/models" in error.hint
    assert len(server.requests) == 1


def test_a_model_litellm_cannot_route_is_one_line_without_a_request(tmp_path, monkeypatch):
    error = ask(client(tmp_path, [], model="no-such-model-xyz", api_key_env=None))
    assert error.message.startswith("litellm cannot tell which provider serves model 'no-such-model-xyz'")
    assert "provider/name" in error.hint


@pytest.mark.parametrize("style", ["openai", "llama.cpp"])
def test_context_window_exceeded_says_so_without_the_exception_name(server, tmp_path, style):
    server.push(context_too_long(style), context_too_long(style))
    sleeps: list[float] = []
    error = ask(client(tmp_path, sleeps, api_base=server.api_base), text="x" * 400)
    assert len(server.requests) == 1 and sleeps == []
    assert error.message.startswith("the prompt (about 100 tokens) plus max_tokens 64 does not fit")
    assert "Error" not in error.message and "litellm" not in error.message
    assert "longer context" in error.hint and "--n_ctx" in error.hint


def test_rate_limit_is_retried_then_named(server, tmp_path):
    server.push(*[rate_limited(0.01)] * 3)
    sleeps: list[float] = []
    error = ask(client(tmp_path, sleeps, api_base=server.api_base, max_retries=2))
    assert len(server.requests) == 3 and len(sleeps) == 2
    assert "kept answering 429 (rate limit) after 3 attempts" in error.message
    assert "max_concurrency" in error.hint


def test_rate_limit_then_success(server, tmp_path):
    server.push(rate_limited(), Reply("fine"))
    llm = client(tmp_path, [], api_base=server.api_base)
    assert llm.complete(LLMRequest.chat([{"role": "user", "content": "q"}])).text == "fine"


def test_a_long_provider_text_is_cut_at_a_word_and_saved_whole(server, tmp_path):
    words = " ".join(f"word{i}" for i in range(80))
    from tests.llm.fake_openai_server import Status

    server.push(Status(400, message=f"bad parameter: {words}"))
    error = ask(client(tmp_path, [], api_base=server.api_base))
    saved = tmp_path / "run" / ERROR_FILE_NAME
    assert f"(full text in {saved})" in error.message
    shown = error.message.split(": ", 1)[1].split(" (full text")[0]
    kept = shown.removesuffix("...")
    assert shown.endswith("...") and f"bad parameter: {words}".startswith(kept)
    assert f"bad parameter: {words}"[len(kept)] == " "
    assert "word79" in saved.read_text() and "word79" not in error.message
    assert read_call_log(tmp_path / "run" / "llm_calls.jsonl")[0]["error"] == error.message


def test_provider_text_drops_litellms_class_prefixes():
    raw = "litellm.BadRequestError: ContextWindowExceededError: OpenAIException - too long"
    assert provider_text(Exception(raw)) == "too long"
    assert provider_text(Exception("plain words: kept")) == "plain words: kept"


@pytest.mark.parametrize("value", ["", "   "])
def test_an_empty_provider_key_reads_as_missing_with_the_same_hint(tmp_path, monkeypatch, value):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    missing = ask(client(tmp_path, [], model="gpt-4-turbo", api_key_env=None))
    monkeypatch.setenv("OPENAI_API_KEY", value)
    sleeps: list[float] = []
    empty = ask(client(tmp_path, sleeps, model="gpt-4-turbo", api_key_env=None))
    assert empty.message == "OPENAI_API_KEY is empty: model gpt-4-turbo needs it"
    assert missing.message == "OPENAI_API_KEY is not set: model gpt-4-turbo needs it"
    assert empty.hint == missing.hint and sleeps == []
    import os

    assert os.environ["OPENAI_API_KEY"] == value  # looked at, then put back


def test_an_empty_configured_key_variable_reads_as_missing(server, tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_SERVER_KEY", "")
    error = ask(client(tmp_path, [], api_base=server.api_base))
    assert error.message.startswith("FAKE_SERVER_KEY is empty: the LLM config fake.yaml reads")
    assert error.hint.startswith("export FAKE_SERVER_KEY=...") and server.requests == []


def test_an_ollama_model_that_is_not_pulled_says_to_pull_it():
    import litellm

    from cwmb.llm.provider_errors import final_error

    config = config_from_dict({"model": "ollama_chat/llama3:70b", "api_base": "http://127.0.0.1:11434"})
    message, hint = final_error(
        "unknown_model",
        Exception("model 'llama3:70b' not found, try pulling it first"),
        config=config,
        litellm=litellm,
        attempts=1,
        prompt_tokens=10,
        where="http://127.0.0.1:11434",
    )
    assert message.startswith("http://127.0.0.1:11434 does not know model 'ollama_chat/llama3:70b'")
    assert hint == "pull it first: ollama pull llama3:70b"
