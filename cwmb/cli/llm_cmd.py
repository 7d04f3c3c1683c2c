"""``cwmb cache stats|clear`` and ``cwmb llm ping|presets``: the LLM response cache and connectivity."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from cwmb.cli.output import JSON_HELP, emit_json
from cwmb.errors import CwmbError

cache_app = typer.Typer(help="Inspect or empty the LLM response cache.", no_args_is_help=True)
llm_app = typer.Typer(help="LLM configs and a one-call connectivity check.", no_args_is_help=True)

_CACHE_DIR_HELP = "Cache folder (default: $CWMB_CACHE_DIR, else ~/.cache/cwmb)."


def _cache_path(cache_dir: Path | None) -> Path:
    from cwmb.llm.cache import resolve_cache_path

    return resolve_cache_path(cache_dir)


@cache_app.command("stats")
def cache_stats(
    cache_dir: Path | None = typer.Option(None, "--cache-dir", help=_CACHE_DIR_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Show the cache file, its number of entries, its size and a per-model breakdown."""
    from dataclasses import asdict

    from cwmb.llm.cache import CacheStats, ResponseCache

    path = _cache_path(cache_dir)
    if path.exists():
        with ResponseCache(path) as cache:
            stats = cache.stats()
    else:  # do not create a cache just to say it is empty
        stats = CacheStats(str(path), 0, 0, {})
    if as_json:
        emit_json(asdict(stats))
        return
    typer.echo(f"cache    {stats.path}")
    typer.echo(f"entries  {stats.entries}")
    typer.echo(f"size     {stats.size_bytes / 1e6:.2f} MB")
    for model, row in stats.per_model.items():
        unknown = (
            f" (+{row['entries_with_unknown_cost']} of unknown price)"
            if row["entries_with_unknown_cost"]
            else ""
        )
        typer.echo(
            f"  {model}: {row['entries']} entries, {row['tokens_in']} tokens in, {row['tokens_out']} out, "
            f"${row['cost_usd']:.4f}{unknown}"
        )


@cache_app.command("clear")
def cache_clear(
    yes: bool = typer.Option(False, "--yes", help="Really delete (required)."),
    model: str | None = typer.Option(None, "--model", help="Delete only this model's entries."),
    cache_dir: Path | None = typer.Option(None, "--cache-dir", help=_CACHE_DIR_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Delete cached LLM answers (all, or one model's). Deleted answers cost money to get again."""
    from cwmb.llm.cache import ResponseCache

    path = _cache_path(cache_dir)
    what = f"the entries of {model}" if model else "every entry"
    if not yes:
        raise CwmbError(f"not clearing {what} of {path} without --yes", "re-run with --yes")
    existed, deleted = path.exists(), 0
    if existed:  # do not create a cache just to clear it
        with ResponseCache(path) as cache:
            deleted = cache.clear(model)
    if as_json:
        emit_json({"path": path, "model": model, "existed": existed, "deleted": deleted})
    elif existed:
        typer.echo(f"deleted {deleted} entries from {path}")
    else:
        typer.echo(f"no cache at {path}; nothing to clear")


@llm_app.command("ping")
def llm_ping(
    config: str = typer.Option(
        "offline",
        "--llm",
        "--config",
        "-c",
        help="LLM config: a YAML path or a preset name (`cwmb llm presets`).",
    ),
    prompt: str = typer.Option("Reply with the single word: pong", "--prompt", help="The message to send."),
    use_cache: bool = typer.Option(
        False, "--cache/--no-cache", help="Answer from the response cache if possible."
    ),
    retries: int = typer.Option(1, "--retries", min=0, help="Retries on errors (a ping should fail fast)."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Send one short prompt and print the answer, tokens, cost and latency."""
    from cwmb.llm import LLMRequest, load_llm_config, make_llm

    llm_config = load_llm_config(config)
    llm = make_llm(llm_config.with_overrides(max_retries=retries), cache=use_cache)
    request = LLMRequest.chat([{"role": "user", "content": prompt}])
    response = llm.complete(request)
    if as_json:
        emit_json(
            _ping_document(response)
            | {"backend": backend_line(llm_config), "seed": seed_line(llm, request, response)}
            | {"startup_s": llm.startup_s}
        )
        return
    cost = "unknown" if response.cost_usd is None else f"${response.cost_usd:.6f}"
    label = " (simulated, not an LLM)" if response.simulated else ""
    typer.echo(f"backend  {backend_line(llm_config)}")
    typer.echo(f"model    {response.model}{label}")
    typer.echo(f"answer   {response.text.strip()}")
    typer.echo(f"tokens   {response.tokens_in} in / {response.tokens_out} out")
    typer.echo(f"cost     {cost}")
    startup = f"; client start-up {llm.startup_s:.2f} s, not counted" if llm.startup_s >= 0.005 else ""
    where = (
        "cache lookup" if response.cache_hit else ("simulated coder" if response.simulated else "provider")
    )
    typer.echo(f"latency  {response.latency_s:.2f} s ({where}{startup})")
    typer.echo(f"seed     {seed_line(llm, request, response)}")
    typer.echo(f"cache    {'hit' if response.cache_hit else 'miss'}")


def seed_line(llm: Any, request: Any, response: Any) -> str:
    """Which seed the request carried, or why it carried none."""
    from cwmb.llm.client import PreparedBackend

    if response.cache_hit:
        return "none sent (answered from the cache)"
    if not isinstance(llm.backend, PreparedBackend):
        return "none sent (not an LLM: its answers follow its own config)"
    seed = llm.backend.request_seed(request)
    if seed is None:
        return "none sent (litellm says this provider takes no seed)"
    return f"{seed} (derived from the sample index)"


def backend_line(llm_config: Any) -> str:
    """The backend, where it sends requests, and why it was chosen when the config did not say."""
    where = f" at {llm_config.api_base}" if llm_config.api_base else ""
    if llm_config.backend_inferred_from:
        return (
            f"{llm_config.backend}{where} (inferred from {llm_config.backend_inferred_from}: "
            f"the config has no backend key; add backend: {llm_config.backend} to say so)"
        )
    return f"{llm_config.backend}{where}"


def _ping_document(response) -> dict:
    """The ping's answer as plain data; ``simulated`` says when no LLM answered."""
    fields = ("model", "text", "tokens_in", "tokens_out", "cost_usd", "latency_s", "cache_hit", "simulated")
    return {"kind": "cwmb.llm.ping"} | {name: getattr(response, name) for name in fields}


@llm_app.command("presets")
def llm_presets(as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    """List the LLM configs shipped in configs/llms/."""
    from cwmb.llm.config import CONFIG_DIR, list_presets, load_llm_config

    if as_json:
        configs = {name: load_llm_config(name) for name in list_presets()}
        rows = [
            {"name": n, "backend": c.backend, "model": c.model, "api_base": c.api_base}
            for n, c in configs.items()
        ]
        emit_json({"directory": CONFIG_DIR, "presets": rows})
        return
    for name in list_presets():
        config = load_llm_config(name)
        where = f" at {config.api_base}" if config.api_base else ""
        typer.echo(f"{name:<20} {config.backend:<9} {config.model}{where}")
    typer.echo(f"(in {CONFIG_DIR})")


def register(app: typer.Typer) -> None:
    """Add ``cache`` and ``llm`` to the CLI."""
    app.add_typer(cache_app, name="cache")
    app.add_typer(llm_app, name="llm")
