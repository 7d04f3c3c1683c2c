"""The search-tree page: data and layout in Python, then the real page in a headless Chromium."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from cwmb.report.tree import action_stats, load_tree
from cwmb.report.tree_html import accuracy_colour, render_html, tree_data, write_tree_html
from tests.report.fakes import digest, program, write_env_run

HOSTILE = '# </script><img src=x onerror="document.title=1">\nclass Environment:\n    pass\n'


@pytest.fixture
def gif_tree(tmp_path):
    """root → 1 (0.4) → 2 (bug) → 3 fix (0.7) → 4 improve (1.0, best); 1 → 5 improve (0.5)."""
    env_dir = write_env_run(
        tmp_path,
        "t",
        "CartPole-v1",
        accuracies=[0.4, None, 0.7, 1.0, 0.5],
        actions=["generate", "generate", "fix", "improve", "improve"],
        parents=[0, 1, 2, 3, 1],
    )
    (env_dir / "candidates" / f"{digest(program('CartPole-v1', 5))}.py").write_text(HOSTILE)
    return env_dir


def test_tree_best_path_and_action_statistics(gif_tree):
    tree = load_tree(gif_tree)
    assert tree.best == 4 and tree.best_path == [0, 1, 2, 3, 4]
    assert tree.nodes[2].buggy and not tree.nodes[3].buggy
    stats = action_stats(tree)
    assert stats["generate_pct"] == 40.0 and stats["improve_pct"] == 40.0 and stats["fix_pct"] == 20.0
    assert stats["path_length"] == 4.0 and stats["path_generate_pct"] == 50.0 and stats["tree_depth"] == 4.0


def test_pool_methods_get_a_virtual_root(tmp_path):
    env_dir = write_env_run(tmp_path, "w", "Taxi-v3", method="worldcoder", accuracies=[0.2, 0.9])
    tree = load_tree(env_dir)
    root = next(n for n in tree.nodes.values() if n.parent is None)
    assert root.action == "root" and root.extra.get("virtual")
    assert tree.best_path == [root.id, 1, 2]


def test_page_data_and_self_containment(gif_tree):
    data = tree_data(gif_tree)
    by_id = {n["id"]: n for n in data["nodes"]}
    assert by_id[4]["colour"] == accuracy_colour(1.0) == "#1a9850"
    assert by_id[2]["buggy"] and "NameError" in by_id[2]["error"]
    assert by_id[3]["feedback"] == "wrong on CartPole-v1"
    assert by_id[1]["y"] < by_id[2]["y"] < by_id[3]["y"]  # depth grows downwards
    page = render_html(gif_tree, "t")
    urls = set(re.findall(r"https?://[^\s\"'<>]+", page)) - {"http://www.w3.org/2000/svg"}
    assert not urls  # no external resource; the SVG namespace is a name, never fetched
    assert "</script><img" not in page  # "<" is escaped in the embedded JSON


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if shutil.which(name):
            return shutil.which(name)
    return None


@pytest.fixture
def chromium() -> str:
    """The browser, or a visible skip; CI sets CWMB_REQUIRE_CHROMIUM=1 so that it fails instead."""
    found = find_chromium()
    if found is None:
        message = (
            "no Chromium installed (Debian: apt-get install chromium): tree page not checked in a browser"
        )
        if os.environ.get("CWMB_REQUIRE_CHROMIUM") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return found


def run_chromium(browser: str, tmp_path, *args: str) -> subprocess.CompletedProcess:
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ]
    return subprocess.run([browser, *flags, *args], capture_output=True, text=True, timeout=120)


def test_page_renders_in_a_real_browser(chromium, gif_tree, tmp_path):
    page = write_tree_html(gif_tree, tmp_path / "tree.html", "t")
    done = run_chromium(chromium, tmp_path, "--dump-dom", page.resolve().as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    assert 'data-rendered="true"' in dom  # the inline script ran
    nodes = dict((int(i), cls) for cls, i in re.findall(r'<g class="([^"]*)" data-id="(\d+)"', dom))
    assert sorted(nodes) == [0, 1, 2, 3, 4, 5]
    assert {i for i, cls in nodes.items() if "on-path" in cls.split()} == {0, 1, 2, 3, 4}
    assert "buggy" in nodes[2].split() and "buggy" not in nodes[3].split()
    assert "selected" in nodes[4].split()  # the best node is shown first
    assert len(re.findall(r'class="edge on-path"', dom)) == 4
    details = re.search(r'<aside id="details" data-node="(\d+)">(.*?)</aside>', dom, re.S)
    assert details and details.group(1) == "4"
    assert "fake program of CartPole-v1, node 4" in details.group(2)
    assert "<img" not in dom  # program text is text, never markup


def test_screenshot_is_not_blank(chromium, gif_tree, tmp_path):
    page = write_tree_html(gif_tree, tmp_path / "tree.html", "t")
    shot = tmp_path / "tree.png"
    args = ("--window-size=1200,800", f"--screenshot={shot}", page.resolve().as_uri())
    done = run_chromium(chromium, tmp_path, *args)
    assert done.returncode == 0, done.stderr[-2000:]
    assert shot.stat().st_size > 10_000
