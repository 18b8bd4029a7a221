"""Step detection over a stored history names the run and the library versions that changed."""

from bench.nightly.history import History
from bench.nightly.report import plot_trends, steps, trend_data
from bench.nightly.suite import parse_suite

SUITE = parse_suite({"schema": 1, "name": "s", "replay": {"strategies": ["asha"], "seeds": 5}}, "s.toml")


def test_step_names_first_run_and_changed_versions(tmp_path):
    history = History(tmp_path)
    for night, (scale, ray) in enumerate([(1, "2.59.0")] * 3 + [(2, "2.60.0")] * 3):
        run = {"suite": "s", "started_at": f"2026-01-0{night + 1}", "machine": "m", "commit_sha": "c" * 40,
               "versions": {"ray": ray, "torch": "2.1"}, "status": "accepted"}
        rows = [{"mode": "replay", "workload": "digits", "conditions": "{}", "strategy": "asha",
                 "params": "{}", "seed": seed, "reached": True,
                 "normalised": scale * (10.0 + seed + 0.1 * night), "final_accuracy": 0.9}
                for seed in range(5)]
        history.append(run, rows)
    trend = trend_data(history, SUITE, "m", "replay", "digits", 6)
    assert list(trend["run_id"]) == [1, 2, 3, 4, 5, 6]
    found = steps(trend, history, SUITE)
    assert len(found) == 1 and "began at run 4" in found[0] and "ray 2.59.0 -> 2.60.0" in found[0]
    assert "torch" not in found[0]
    plot_trends(trend, {"asha"}, 3, 6, tmp_path / "trend.png", "s")
    assert (tmp_path / "trend.png").stat().st_size > 10_000
