"""The SQLite response cache: keys, replay, stats, corruption, several processes."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from cwmb.llm.cache import CACHE_FILE_NAME, ResponseCache, resolve_cache_path
from cwmb.llm.protocol import Completion


def parts(sample_index: int = 0, temperature: float = 1.0) -> dict:
    return {
        "model": "m",
        "params": {"temperature": temperature},
        "messages": [{"role": "user", "content": "hi"}],
        "sample_index": sample_index,
    }


def test_key_separates_samples_and_parameters():
    keys = {ResponseCache.key_for(parts(i)) for i in range(5)}
    assert len(keys) == 5
    assert ResponseCache.key_for(parts(0, 0.5)) != ResponseCache.key_for(parts(0, 1.0))
    assert ResponseCache.key_for(parts(3)) == ResponseCache.key_for(parts(3))


def test_put_get_and_first_writer_wins(tmp_path):
    with ResponseCache(tmp_path / "c.sqlite3") as cache:
        key = ResponseCache.key_for(parts())
        assert cache.get(key) is None
        stored = cache.put(key, "m", Completion("first ünïcode ✓", 3, 4, None), parts())
        assert stored == Completion("first ünïcode ✓", 3, 4, None)
        # A second writer of the same key gets the first answer back, so replays agree.
        assert cache.put(key, "m", Completion("second", 1, 1, 0.5), parts()).text == "first ünïcode ✓"
        assert cache.get(key) == stored


def test_stats_and_clear(tmp_path):
    with ResponseCache(tmp_path / "c.sqlite3") as cache:
        for i in range(3):
            cache.put(ResponseCache.key_for(parts(i)), "a", Completion(f"t{i}", 10, 5, 0.01), parts(i))
        cache.put("other", "b", Completion("x", 1, 2, None), {})
        stats = cache.stats()
        assert stats.entries == 4 and stats.size_bytes > 0
        assert stats.per_model["a"]["entries"] == 3 and stats.per_model["a"]["tokens_in"] == 30
        assert abs(stats.per_model["a"]["cost_usd"] - 0.03) < 1e-12
        assert stats.per_model["b"]["entries_with_unknown_cost"] == 1
        assert cache.clear("b") == 1
        assert cache.clear() == 3
        assert cache.stats().entries == 0


def test_location_precedence(tmp_path, monkeypatch):
    monkeypatch.setenv("CWMB_CACHE_DIR", str(tmp_path / "env"))
    assert resolve_cache_path(tmp_path / "flag", "conf") == tmp_path / "flag" / CACHE_FILE_NAME
    assert resolve_cache_path(None, str(tmp_path / "conf")) == tmp_path / "env" / CACHE_FILE_NAME
    monkeypatch.delenv("CWMB_CACHE_DIR")
    assert resolve_cache_path(None, str(tmp_path / "conf")) == tmp_path / "conf" / CACHE_FILE_NAME
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert resolve_cache_path() == tmp_path / "xdg" / "cwmb" / CACHE_FILE_NAME


def test_corrupted_file_is_reported_and_set_aside(tmp_path):
    path = tmp_path / "c.sqlite3"
    path.write_bytes(b"this is not a database" * 200)
    warnings: list[str] = []
    with ResponseCache(path, warn=warnings.append) as cache:
        cache.put("k", "m", Completion("ok", 1, 1, 0.0), {})
        assert cache.get("k").text == "ok"
    assert len(warnings) == 1 and "unreadable" in warnings[0] and "moved it to" in warnings[0]
    aside = list(tmp_path.glob("c.sqlite3.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"this is not a database")


def test_truncated_database_is_set_aside(tmp_path):
    path = tmp_path / "c.sqlite3"
    with ResponseCache(path) as cache:
        for i in range(300):
            cache.put(f"k{i}", "m", Completion("x" * 500, 1, 1, 0.0), {})
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    warnings: list[str] = []
    with ResponseCache(path, warn=warnings.append) as cache:
        assert cache.stats().entries == 0
    assert warnings


_WRITER = textwrap.dedent(
    """
    import sys
    from cwmb.llm.cache import ResponseCache
    from cwmb.llm.protocol import Completion
    path, tag = sys.argv[1], sys.argv[2]
    cache = ResponseCache(path)
    for i in range(300):
        cache.put(f"{tag}-{i}", tag, Completion(f"{tag} {i}", 1, 1, 0.0), {})
        stored = cache.put(f"shared-{i}", "shared", Completion(f"from {tag}", 1, 1, 0.0), {})
        assert cache.get(f"shared-{i}") == stored
    print("ok")
    """
)


def test_two_processes_write_one_cache(tmp_path):
    path = tmp_path / "shared.sqlite3"
    ResponseCache(path).close()  # create it first, as a run would
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(path), tag],
            stdout=subprocess.PIPE,
            text=True,
            stderr=subprocess.PIPE,
            cwd=Path(__file__).resolve().parents[2],
        )
        for tag in ("alpha", "beta")
    ]
    for writer in writers:
        out, err = writer.communicate(timeout=60)
        assert writer.returncode == 0, err
        assert out.strip() == "ok"
    with ResponseCache(path) as cache:
        stats = cache.stats()
        assert stats.per_model["alpha"]["entries"] == 300
        assert stats.per_model["beta"]["entries"] == 300
        assert stats.per_model["shared"]["entries"] == 300


def test_a_failure_during_a_run_bypasses_the_cache_with_one_warning(tmp_path):
    warnings: list[str] = []
    cache = ResponseCache(tmp_path / "c.sqlite3", warn=warnings.append)
    cache.put("k", "m", Completion("kept", 1, 1, 0.0), {})
    cache.close()  # stands in for a connection SQLite can no longer use
    assert cache.get("k") is None
    assert cache.put("k2", "m", Completion("still returned", 1, 1, 0.0), {}).text == "still returned"
    assert len(warnings) == 1 and "continuing without it" in warnings[0]


def test_an_entry_edited_on_disk_is_never_replayed(tmp_path):
    import sqlite3

    path = tmp_path / "c.sqlite3"
    warnings: list[str] = []
    key = ResponseCache.key_for(parts())
    with ResponseCache(path) as cache:
        cache.put(key, "m", Completion("class Environment: honest", 3, 4, None), parts())
    with sqlite3.connect(path) as conn:  # a poisoner rewrites the answer, not the checksum
        conn.execute("UPDATE responses SET text = 'class Environment: cheater' WHERE key = ?", (key,))
    with ResponseCache(path, warn=warnings.append) as cache:
        assert cache.get(key) is None
        assert "does not match its checksum" in warnings[0]
        fresh = cache.put(key, "m", Completion("class Environment: asked again", 1, 1, None), parts())
        assert fresh.text == "class Environment: asked again" and cache.get(key) == fresh


def test_a_cache_from_before_checksums_gets_them(tmp_path):
    import sqlite3

    path = tmp_path / "old.sqlite3"
    key = ResponseCache.key_for(parts())
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE responses (key TEXT PRIMARY KEY, model TEXT NOT NULL, text TEXT NOT NULL, "
            "tokens_in INTEGER NOT NULL, tokens_out INTEGER NOT NULL, cost_usd REAL, created REAL NOT NULL, "
            "key_parts TEXT NOT NULL)"
        )
        conn.execute("INSERT INTO responses VALUES (?, 'm', 'old answer', 1, 2, 0.5, 0, '{}')", (key,))
    with ResponseCache(path) as cache:
        assert cache.get(key) == Completion("old answer", 1, 2, 0.5)
