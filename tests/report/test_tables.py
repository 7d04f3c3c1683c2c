"""Table values against hand-computed fixtures: means, SE (ddof=1), N/A and missing values."""

from __future__ import annotations

import math

from cwmb.report import build_report
from cwmb.report.aggregate import mean_se
from tests.report.fakes import LLAMA, NO_REFERENCE, write_env_run, write_evaluation


def rows_by_source(table):
    return {row[0]: dict(zip(table.columns, row, strict=True)) for row in table.rows}


def per_env(report):
    table = report.table("per_env")
    return {row[0]: dict(zip(table.columns, row, strict=True)) for row in table.rows}


def test_mean_and_standard_error_use_ddof_1():
    mean, se = mean_se([1.0, 0.8, 0.9, 0.5])
    assert math.isclose(mean, 0.8)
    assert math.isclose(se, math.sqrt(0.14 / 3) / 2)  # std(ddof=1) / sqrt(n)
    assert mean_se([0.4]) == (0.4, None)
    assert mean_se([]) == (None, None)


def test_main_table_by_hand(two_runs):
    report = build_report(["a", "b"], two_runs)
    main = rows_by_source(report.table("main"))
    a = main["run a"]
    # accuracy: mean(1.0, 0.8, 0.9, 0.5) = 0.80, SE = sqrt(0.14/3)/2 = 0.108
    assert a["Discrete acc."] == "0.80 ± 0.11"
    # R: MountainCar is N/A and left out: mean(1.0, 0.6, 0.5) = 0.70, SE = sqrt(0.07)/sqrt(3) = 0.153
    assert a["Discrete R"] == "0.70 ± 0.15"
    assert a["Continuous acc."] == "0.40" and a["Continuous R"] == "0.30"  # one env: no ±
    b = main["run b"]
    # Taxi's 0.7 comes from the search (†); MountainCar and CliffWalking are missing: [2/4]
    assert b["Discrete acc."] == "0.85 ± 0.15 [2/4]†"
    assert b["Discrete R"] == "0.90 [1/4]"  # Taxi not evaluated, two envs missing
    assert b["Continuous acc."] == "missing" and b["Continuous R"] == "missing"
    values = {v["source"]: v for v in report.table("main").values}
    assert math.isclose(values["run a"]["discrete_R_mean"], 0.7)
    assert math.isclose(values["run a"]["discrete_R_se"], math.sqrt(0.07 / 3))
    assert values["run a"]["discrete_R_not_applicable"] == "MountainCar-v0"
    assert values["run b"]["continuous_accuracy_mean"] is None


def test_every_table_states_the_metric(two_runs):
    report = build_report(["a", "b"], two_runs, metric="original")
    for table in report.tables:
        assert any("metric" in note.lower() for note in table.notes), table.name
    assert any("`original`" in note for note in report.table("main").notes)


def test_per_env_table_shows_states_not_zeros(two_runs):
    report = build_report(["a", "b"], two_runs)
    envs = per_env(report)
    assert envs["MountainCar-v0"]["GIF-MCTS · offline (simulated) R"] == "N/A"
    assert envs["MountainCar-v0"]["WorldCoder · offline (simulated) acc."] == "missing"
    assert envs["Taxi-v3"]["WorldCoder · offline (simulated) acc."] == "0.70†"
    assert envs["Taxi-v3"]["WorldCoder · offline (simulated) R"] == "not evaluated"
    assert envs["Pendulum-v1"]["Action"] == "continuous"
    assert list(envs) == ["CliffWalking-v0", "Taxi-v3", "CartPole-v1", "MountainCar-v0", "Pendulum-v1"]


def test_usage_table_counts_calls_tokens_and_cache_hits(two_runs):
    report = build_report(["a", "b"], two_runs)
    usage = report.table("usage")
    rows = {(r[0], r[1]): r for r in usage.rows}
    assert rows[("a", "CartPole-v1")][4] == "2/10"
    assert rows[("a", "CartPole-v1")][6:] == ["200", "100", "0.0000 (simulated)", "1"]
    assert rows[("b", "MountainCar-v0")][4] == "missing"
    total = rows[("b", "total (2/5 envs)")]
    assert total[4] == "3" and total[9] == "2"


def test_unrunnable_models_no_reference_and_partial_runs(tmp_path):
    crashed = write_env_run(tmp_path, "c", "CartPole-v1", accuracies=[None])
    write_evaluation(crashed, None, 0.0)  # no program runs: whatever the planner got is no R
    taxi = write_env_run(tmp_path, "c", "Taxi-v3", accuracies=[0.6])
    write_evaluation(taxi, 0.6, NO_REFERENCE)
    write_env_run(tmp_path, "c", "CliffWalking-v0", accuracies=[0.2], status="running")
    report = build_report(["c"], tmp_path)
    envs = per_env(report)
    assert envs["CartPole-v1"]["GIF-MCTS · offline (simulated) acc."] == "failed"
    assert envs["CartPole-v1"]["GIF-MCTS · offline (simulated) R"] == "failed"
    assert envs["Taxi-v3"]["GIF-MCTS · offline (simulated) R"] == "no ref."
    assert envs["CliffWalking-v0"]["GIF-MCTS · offline (simulated) acc."] == "0.20†‡"
    main = rows_by_source(report.table("main"))["run c"]
    # mean(0.6, 0.2, 0) = 0.267: the failed CartPole counts as 0; SE = sqrt(0.28/3 / 3) = 0.176
    assert main["Discrete acc."] == "0.27 ± 0.18†‡ (1 failed)"
    # no R at all: Taxi has no reference, CliffWalking is not evaluated, CartPole failed
    assert main["Discrete R"] == "no ref. (1 failed)"
    assert any("(k failed)" in n and "Failed: CartPole-v1" in n for n in report.table("main").notes)


def test_failed_envs_count_as_zero_accuracy_and_their_r_stays_na(tmp_path):
    good = write_env_run(tmp_path, "w", "CartPole-v1", accuracies=[1.0])
    write_evaluation(good, 1.0, 0.8)
    evaluated = write_env_run(tmp_path, "w", "Taxi-v3", accuracies=[None, None])
    write_evaluation(evaluated, None, 0.3)  # the evaluation's program crashed too
    write_env_run(tmp_path, "w", "Blackjack-v1", accuracies=[None])  # failed search, not evaluated
    report = build_report(["w"], tmp_path)
    main = rows_by_source(report.table("main"))["run w"]
    # accuracy: mean(1, 0, 0) = 0.33, SE = std(ddof=1) / sqrt(3) = 0.577 / 1.732 = 0.33
    assert main["Discrete acc."] == "0.33 ± 0.33 (2 failed)"
    assert main["Discrete R"] == "0.80 (2 failed)"  # R over CartPole only; failed envs are N/A
    values = next(v for v in report.table("main").values if v["source"] == "run w")
    assert values["discrete_accuracy_n"] == 3 and values["discrete_R_n"] == 1
    assert values["discrete_accuracy_failed"] == values["discrete_R_failed"] == "Blackjack-v1;Taxi-v3"
    assert per_env(report)["Blackjack-v1"]["GIF-MCTS · offline (simulated) acc."] == "failed"


def test_a_seed_that_failed_counts_as_zero_in_its_envs_mean(tmp_path):
    for seed, accuracies in ((0, [0.8]), (1, [None])):
        env_dir = write_env_run(tmp_path, f"s{seed}", "CartPole-v1", seed=seed, accuracies=accuracies)
        write_evaluation(env_dir, accuracies[0], 0.5)
    report = build_report(["s0", "s1"], tmp_path)
    envs = per_env(report)
    assert envs["CartPole-v1"]["GIF-MCTS · offline (simulated) acc."] == "0.40 (1 failed)"
    # R over the seed that ran, saying that the other failed
    assert envs["CartPole-v1"]["GIF-MCTS · offline (simulated) R"] == "0.50 (1 failed)"


def test_seeds_pool_into_one_group_and_ablations_do_not(tmp_path):
    for seed, accuracy in ((0, 1.0), (1, 0.6)):
        env_dir = write_env_run(
            tmp_path, f"s{seed}", "CartPole-v1", seed=seed, accuracies=[accuracy], llm=LLAMA
        )
        write_evaluation(env_dir, accuracy, accuracy)
    write_env_run(
        tmp_path, "nofix", "CartPole-v1", accuracies=[0.3], llm=LLAMA, switches={"allow_fix": False}
    )
    report = build_report(["s0", "s1", "nofix"], tmp_path)
    assert [g.method_label for g in report.groups] == ["GIF-MCTS", "GIF-MCTS (no fix)"]
    assert report.groups[0].seeds == (0, 1)
    main = rows_by_source(report.table("main"))
    assert main["run s0, s1"]["Discrete acc."] == "0.80"  # one env: mean over the two seeds
    assert main["paper, Table 2"]["Discrete acc."] == "0.84 ± 0.03"  # Llama 3 70B, 3 seeds
    assert main["paper, Table 6"]["Method"] == "No Fix action"


def test_stale_and_unreadable_files_are_reported_not_fatal(two_runs):
    (two_runs / "a" / "Taxi-v3" / "best.py").write_text("# changed after the evaluation\n")
    (two_runs / "b" / "CartPole-v1" / "summary.json").write_text("{not json")
    (two_runs / "empty").mkdir()
    report = build_report(["a", "b", "empty"], two_runs)
    assert per_env(report)["Taxi-v3"]["GIF-MCTS · offline (simulated) R"] == "not evaluated"
    text = " ".join(report.loaded.warnings)
    assert "older best.py" in text and "not readable JSON" in text and "no env directories" in text


def test_a_run_with_nothing_in_it_gives_empty_tables(tmp_path):
    (tmp_path / "nothing").mkdir()
    report = build_report(["nothing"], tmp_path)
    assert report.groups == [] and report.table("main").rows == []
    assert report.table("actions") is None


def test_an_evaluated_program_without_a_search_is_reported(tmp_path):
    env_dir = tmp_path / "hand" / "CartPole-v1"
    env_dir.mkdir(parents=True)
    (env_dir / "best.py").write_text("class Environment:\n    pass\n")
    write_evaluation(env_dir, 0.9, 0.8)
    report = build_report(["hand"], tmp_path)
    assert per_env(report)["CartPole-v1"]["unknown · unknown acc."] == "0.90"
    assert "method and LLM unknown" in " ".join(report.loaded.warnings)
