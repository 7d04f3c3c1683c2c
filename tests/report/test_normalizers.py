"""The report says which normalizers R uses and which R rest on few oracle episodes."""

from __future__ import annotations

import json

import pytest

from cwmb.errors import CwmbError
from cwmb.planning.published_references import PUBLISHED_LABEL
from cwmb.report import build_report
from tests.report.fakes import write_env_run, write_evaluation


def _evaluated(results, run, env, r, oracle_episodes=None, mean=10.0):
    env_dir = write_env_run(results, run, env, accuracies=[0.5])
    write_evaluation(env_dir, 0.5, r)
    path = env_dir / "evaluation.json"
    record = json.loads(path.read_text())
    record["returns"]["mean"] = mean
    if oracle_episodes is not None:
        record["returns"]["oracle_episodes"] = oracle_episodes
    path.write_text(json.dumps(record))
    return env_dir


def test_r_on_fewer_than_ten_oracle_episodes_is_listed(tmp_path):
    _evaluated(tmp_path, "a", "CartPole-v1", 0.5, oracle_episodes=2)
    _evaluated(tmp_path, "a", "Taxi-v3", 0.25, oracle_episodes=10)
    report = build_report(["a"], tmp_path)
    notes = " ".join(report.table("main").notes)
    assert "fewer than 10 oracle episodes" in notes and "a CartPole-v1 (2)" in notes
    assert "Taxi-v3" not in notes.split("fewer than 10 oracle episodes")[1]
    assert PUBLISHED_LABEL not in notes


def test_published_normalizers_recompute_r_from_the_mean_and_say_so(tmp_path):
    _evaluated(tmp_path, "a", "CartPole-v1", 0.5, oracle_episodes=2, mean=259.2)
    _evaluated(tmp_path, "a", "MountainCar-v0", 0.5, oracle_episodes=2, mean=-200.0)
    report = build_report(["a"], tmp_path, references="published")
    frame = report.loaded.frame.set_index("env")
    assert frame.loc["CartPole-v1", "R"] == pytest.approx((259.2 - 24.4) / (494.0 - 24.4))
    assert frame.loc["MountainCar-v0", "R"] is None and frame.loc["MountainCar-v0", "r_state"] == "N/A"
    for name in ("main", "per_env"):
        table = report.table(name)
        assert PUBLISHED_LABEL in table.title and any(PUBLISHED_LABEL in n for n in table.notes)
    assert "fewer than 10" not in " ".join(report.table("main").notes)


def test_an_r_that_was_never_computed_stays_absent_under_our_references(tmp_path):
    # evaluate found no (finished) reference: no R, and the report does not invent one.
    _evaluated(tmp_path, "a", "Walker2d-v4", "no reference", mean=5.0)
    row = build_report(["a"], tmp_path).loaded.frame.set_index("env").loc["Walker2d-v4"]
    assert row["R"] is None and row["r_state"] == "no reference"


def test_unknown_references_choice_is_refused(tmp_path):
    _evaluated(tmp_path, "a", "CartPole-v1", 0.5)
    with pytest.raises(CwmbError):
        build_report(["a"], tmp_path, references="paper")


def test_the_returns_plot_is_labelled_too(tmp_path):
    from cwmb.report.plots import returns_figure

    _evaluated(tmp_path, "a", "CartPole-v1", 0.5, oracle_episodes=2, mean=259.2)
    figure = returns_figure(build_report(["a"], tmp_path, references="published"))
    assert figure is not None and PUBLISHED_LABEL in figure.axes[0].get_title()
    figure = returns_figure(build_report(["a"], tmp_path))
    assert figure is not None and PUBLISHED_LABEL not in figure.axes[0].get_title()
