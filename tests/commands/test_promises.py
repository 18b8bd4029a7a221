"""Promises the README makes about bad input, checked the way a user meets them: one line, exit 2,
nothing written, and no wait (no run, no Ray) before the refusal.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bench.cli import main


def _refused(capsys, argv: list[str], expect: str) -> str:
    code = main(argv)
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert code == 2, captured.err[-2000:]
    assert len(lines) == 1 and lines[0].startswith("error: "), captured.err[-2000:]
    assert expect in lines[0], lines[0]
    assert "Traceback" not in captured.err
    return captured.out


# ---- promise 1: report options are checked before any run ---------------------------------------

def test_compare_refuses_a_target_no_replay_can_reach_before_any_run(tmp_path, capsys, monkeypatch):
    import bench.matrix

    monkeypatch.setattr(bench.matrix, "run_matrix", lambda *a, **k: pytest.fail("a run started"))
    out = tmp_path / "o"
    _refused(capsys, ["compare", "--strategies", "grid,asha", "--seeds", "2", "--target", "0.999",
                      "--out", str(out)], "above anything a replay")
    assert not out.exists()


def test_compare_accepts_a_reachable_target_above_the_grid_final_in_replay(tmp_path, monkeypatch):
    """Beyond the grid's best final accuracy but within the dataset's best: replays can reach it."""
    from bench.api import compare_call
    from bench.reporting.reference import load_reference

    best = load_reference("digits").best_recorded_accuracy()

    class Started(Exception):
        pass

    def started(*a, **k):
        raise Started

    monkeypatch.setattr("bench.matrix.run_matrix", started)
    with pytest.raises(Started):
        compare_call.compare("asha", seeds=1, target=best, out=tmp_path / "o", log=lambda line: None)


def test_compare_live_holds_a_target_to_the_accuracy_range_only(tmp_path, capsys, monkeypatch):
    """Live runs may beat the grid: 0.999 is not refused before running, 1.5 is."""
    monkeypatch.setattr("bench.matrix.run_matrix", lambda *a, **k: pytest.fail("a run started"))
    _refused(capsys, ["compare", "--live", "--strategies", "asha", "--seeds", "1", "--target", "1.5",
                      "--out", str(tmp_path / "o")], "(0, 1]")
    assert not (tmp_path / "o").exists()


def test_nightly_refuses_a_suite_target_no_replay_can_reach_before_any_run(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("bench.matrix.run_matrix", lambda *a, **k: pytest.fail("a run started"))
    suite = tmp_path / "suite.toml"
    suite.write_text('schema = 1\nname = "probe"\ntarget = 0.999\n[replay]\nworkloads = ["digits"]\n'
                     'strategies = ["asha"]\nseeds = 1\n')
    _refused(capsys, ["nightly", "--suite", str(suite), "--history", str(tmp_path / "h"),
                      "--out", str(tmp_path / "n")], "above anything a replay")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["suite.toml"]


def test_nightly_refuses_a_bad_strategy_parameter_before_any_run(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("bench.matrix.run_matrix", lambda *a, **k: pytest.fail("a run started"))
    suite = tmp_path / "suite.toml"
    suite.write_text('schema = 1\nname = "probe"\n[replay]\nworkloads = ["digits"]\nstrategies = ["asha"]\n'
                     'seeds = 1\n[replay.params.asha]\ngrace_period = 100\n')
    _refused(capsys, ["nightly", "--suite", str(suite), "--history", str(tmp_path / "h"),
                      "--out", str(tmp_path / "n")], "grace_period")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["suite.toml"]


# ---- promise 2: an output folder that cannot be created ----------------------------------------

@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs /sys and /proc")
@pytest.mark.parametrize("argv", [["run", "--strategy", "asha", "--replay", "--quiet"],
                                  ["compare", "--strategies", "asha", "--seeds", "1"]])
@pytest.mark.parametrize("out", ["/sys/bench-probe-x", "/proc/bench-probe-x"])
def test_an_output_folder_that_cannot_be_created_is_one_line(capsys, argv, out):
    _refused(capsys, [*argv, "--out", out], "accepted: a writable folder")
    assert not Path(out).exists()


def test_the_writability_probe_leaves_nothing_behind(tmp_path):
    from bench.spec import check_writable

    check_writable(tmp_path / "a" / "b")
    check_writable(tmp_path)
    assert list(tmp_path.iterdir()) == []


# ---- promise 3: live strategy parameters are checked before Ray starts --------------------------

def test_a_live_parameter_refused_against_the_workload_fails_before_ray_starts(tmp_path, capsys, monkeypatch):
    import bench.live.ray_session

    def no_ray(*a, **k):
        raise AssertionError("Ray was started before the parameter was checked")

    monkeypatch.setattr(bench.live.ray_session, "ensure_ray", no_ray)
    out = _refused(capsys, ["run", "--strategy", "asha", "--set", "grace_period=100", "--out",
                            str(tmp_path / "o")],
                   "grace_period")
    assert "hardware:" not in out
    assert not (tmp_path / "o").exists()


# ---- promises 7 and 8: third-party lines go to the run's log; MLflow's artifacts in the folder ----

def _bench(cwd: Path, *argv: str):
    import os
    import subprocess

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])}
    env.pop("RAY_ADDRESS", None)
    return subprocess.run([sys.executable, "-m", "bench", *argv], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


def test_a_strategy_library_warning_goes_to_the_run_log_not_the_terminal(tmp_path):
    done = _bench(tmp_path, "run", "--strategy", "nevergrad", "--replay", "--samples", "4", "--quiet",
                  "--out", "results")
    assert done.returncode == 0, done.stderr[-2000:]
    terminal = done.stdout + done.stderr
    assert "Warning" not in terminal and "warnings.warn" not in terminal, terminal
    (folder,) = (tmp_path / "results").iterdir()
    assert "NevergradRuntimeWarning: Bounds are" in (folder / "driver.log").read_text()


def test_strategy_library_warnings_stay_off_the_terminal_in_parallel_matrix_workers(tmp_path):
    """A matrix worker builds each strategy once before its first run (an untimed import): quietly.

    (BayesOpt's "LogUniform sampler will be dropped" lines reached the terminal at --parallel 2.)
    """
    done = _bench(tmp_path, "compare", "--strategies", "bayesopt,random", "--seeds", "1", "--samples", "4",
                  "--parallel", "2", "--out", "out")
    assert done.returncode == 0, done.stderr[-2000:]
    terminal = done.stdout + done.stderr
    assert ("WARNING" not in terminal and "Warning" not in terminal
            and "bayesopt_search" not in terminal), terminal


def test_mlflow_lines_go_to_the_run_log_and_artifacts_into_the_named_folder(tmp_path):
    pytest.importorskip("mlflow.tracking")
    done = _bench(tmp_path, "run", "--strategy", "asha", "--replay", "--samples", "4", "--quiet",
                  "--out", "results", "--mlflow", "mlruns")
    assert done.returncode == 0, done.stderr[-2000:]
    terminal = done.stdout + done.stderr
    assert "INFO" not in terminal and "Creating initial MLflow" not in terminal, terminal
    (folder,) = (tmp_path / "results").iterdir()
    assert "Creating initial MLflow database tables" in (folder / "driver.log").read_text()
    # README, MLflow: a folder holds the SQLite store and, beside it, the artifacts in FOLDER/mlartifacts/
    assert sorted(p.name for p in (tmp_path / "mlruns").iterdir()) == ["mlartifacts", "mlflow.db"]
    assert list((tmp_path / "mlruns" / "mlartifacts").rglob("manifest.json"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mlruns", "results"]
