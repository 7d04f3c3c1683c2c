"""LLM configs: presets load, typos are caught, requests are validated, litellm stays unimported."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cwmb.errors import CwmbError
from cwmb.llm import LLMRequest, config_from_dict, list_presets, load_llm_config, make_llm
from cwmb.llm.config import CONFIG_DIR, Price

ROOT = Path(__file__).resolve().parents[2]


def test_presets_load_with_the_papers_sampling_settings():
    assert {"gpt-4-turbo", "llama3-70b-vllm", "llama3-70b-ollama", "offline", "local-openai"} <= set(
        list_presets()
    )
    gpt = load_llm_config("gpt-4-turbo")
    assert gpt.model == "gpt-4-turbo" and gpt.sampling() == {"max_tokens": 1500}
    for name in ("llama3-70b-vllm", "llama3-70b-ollama"):
        llama = load_llm_config(name)
        assert llama.sampling() == {"temperature": 1.0, "top_p": 0.8, "max_tokens": 1500, "top_k": 100}
        assert llama.api_base
    assert load_llm_config(CONFIG_DIR / "offline.yaml").backend == "offline"


def test_none_means_the_offline_simulated_coder():
    config = load_llm_config(None)
    assert config.backend == "offline" and config.model == "offline/simulated-coder"


def test_unknown_key_is_an_error_with_a_suggestion():
    with pytest.raises(CwmbError) as problem:
        config_from_dict({"backend": "litellm", "model": "gpt-4-turbo", "temprature": 0.5})
    assert "temprature" in problem.value.message and "temperature" in problem.value.hint


def test_wrong_types_and_values_are_errors():
    with pytest.raises(CwmbError, match="must be a number"):
        config_from_dict({"backend": "litellm", "model": "m", "temperature": "hot"})
    with pytest.raises(CwmbError, match="must be an integer"):
        config_from_dict({"backend": "litellm", "model": "m", "max_tokens": 1.5})
    with pytest.raises(CwmbError, match="unknown LLM backend"):
        config_from_dict({"backend": "openia"})
    with pytest.raises(CwmbError, match="has no model"):
        config_from_dict({"backend": "litellm"})
    with pytest.raises(CwmbError, match="input_per_mtok"):
        config_from_dict({"backend": "litellm", "model": "m", "price": {"input": 1}})


def test_unknown_preset_lists_the_presets():
    with pytest.raises(CwmbError) as problem:
        load_llm_config("gpt4-turbo")
    assert "gpt-4-turbo" in problem.value.hint


def test_offline_skill_tables_extend_the_defaults():
    config = config_from_dict({"backend": "offline", "offline": {"fix_remove": {"constant": 0.5}, "seed": 3}})
    assert config.offline.fix_remove["constant"] == 0.5
    assert config.offline.fix_remove["syntax_error"] == 0.8
    assert config.offline.seed == 3
    with pytest.raises(CwmbError, match="gremlin"):
        config_from_dict({"backend": "offline", "offline": {"fault_weights": {"gremlin": 1}}})
    with pytest.raises(CwmbError, match="out of range"):
        config_from_dict({"backend": "offline", "offline": {"improve_remove": {"constant": 1.5}}})


def test_price_parsing():
    config = config_from_dict(
        {"backend": "litellm", "model": "m", "price": {"input_per_mtok": 10, "output_per_mtok": 30}}
    )
    assert config.price == Price(10.0, 30.0)
    assert config.price.cost(1_000_000, 0) == 10.0


def test_request_validation():
    with pytest.raises(ValueError):
        LLMRequest.chat([{"role": "user", "content": "x"}], action="rewrite")
    with pytest.raises(ValueError):
        LLMRequest.chat([{"role": "robot", "content": "x"}])
    with pytest.raises(ValueError):
        LLMRequest.chat([{"role": "user", "content": "x"}], sample_index=-1)
    one = LLMRequest.chat([{"role": "user", "content": "x"}])
    assert (
        one.prompt_hash() == LLMRequest.chat([{"role": "user", "content": "x"}], sample_index=4).prompt_hash()
    )


def test_make_llm_respects_cache_false(tmp_path):
    llm = make_llm(None, cache=False)
    assert llm.cache is None
    llm = make_llm(config_from_dict({"backend": "offline", "cache": False}))
    assert llm.cache is None


def test_importing_the_cli_and_the_llm_package_does_not_import_litellm():
    code = "import sys, cwmb.cli.main, cwmb.llm; print('litellm' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_a_config_naming_a_server_but_no_backend_is_a_litellm_config():
    config = config_from_dict(
        {"model": "openai/x", "api_base": "http://127.0.0.1:8765/v1", "api_key_env": "K"}
    )
    assert config.backend == "litellm" and config.backend_inferred_from == "api_base"
    config = config_from_dict({"model": "gpt-4-turbo"})
    assert config.backend == "litellm" and config.backend_inferred_from == "model"
    config = config_from_dict({"offline": {"seed": 2}})
    assert config.backend == "offline" and config.backend_inferred_from is None
    assert config_from_dict({"backend": "litellm", "model": "m"}).backend_inferred_from is None


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"backend": "offline", "api_base": "http://127.0.0.1:1/v1"}, "api_base"),
        ({"backend": "offline", "temperature": 0.5}, "temperature"),
        ({"backend": "offline", "model": "gpt-4-turbo"}, "model"),
        ({"backend": "scripted", "script": ["a"], "api_key_env": "K"}, "api_key_env"),
        ({"backend": "scripted", "script": ["a"], "offline": {"seed": 1}}, "offline"),
        ({"backend": "litellm", "model": "m", "offline": {"seed": 1}}, "offline"),
        ({"backend": "litellm", "model": "m", "script": ["a"]}, "script"),
        ({"api_base": "http://127.0.0.1:1/v1", "offline": {"seed": 1}}, "offline"),
    ],
)
def test_a_key_the_backend_ignores_is_an_error(data, key):
    with pytest.raises(CwmbError) as problem:
        config_from_dict(data, source="my.yaml")
    assert problem.value.message.startswith(f"key '{key}' in LLM config my.yaml has no effect")
    assert "remove it" in problem.value.hint


def test_extra_seed_is_refused_since_every_request_carries_its_own():
    with pytest.raises(CwmbError, match=r"extra\.seed") as problem:
        config_from_dict({"backend": "litellm", "model": "m", "extra": {"seed": 3}})
    assert "--seed" in problem.value.hint


def test_every_shipped_preset_still_loads():
    for name in list_presets():
        load_llm_config(name)
