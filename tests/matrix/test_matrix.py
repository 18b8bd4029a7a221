"""The matrix executor: the same tables at any --parallel, resume of a killed matrix, failures recorded."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pandas as pd
import pytest

from bench.cli import main

#: 3 strategies x 2 seeds, a small budget: seconds per run.
MATRIX = ["compare", "--strategies", "asha,pbt,random", "--seeds", "2", "--budget-epochs", "300"]
#: Fields that measure the machine, not the run.
WALL_CLOCK = ["timestamp"]


def tables(out: Path) -> dict[str, pd.DataFrame]:
    return {folder.name: pd.read_parquet(folder / "epochs.parquet").drop(columns=WALL_CLOCK)
            for folder in sorted(out.glob("*-replay"))}


def per_strategy(out: Path) -> list:
    doc = json.loads((out / "report" / "summary.json").read_text())
    return [{k: v for k, v in row.items() if k != "folder"} for row in doc["per_seed"]], doc["strategies"]


def records(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "matrix.jsonl").read_text().splitlines()]


@pytest.fixture(scope="module")
def serial_and_parallel(tmp_path_factory):
    """The matrix at --parallel 1, and at --parallel 2 with the worker running random seed 1 killed."""
    base = tmp_path_factory.mktemp("matrix")
    assert main([*MATRIX, "--out", str(base / "1"), "--parallel", "1"]) == 0
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BENCH_MATRIX_FAULT", "exit:random:1")  # os._exit in the worker process running it
        assert main([*MATRIX, "--out", str(base / "2"), "--parallel", "2", "--verbose"]) == 0
    return base / "1", base / "2"


def test_a_killed_worker_is_a_recorded_failure_and_the_matrix_goes_on(serial_and_parallel, capsys):
    _, out = serial_and_parallel
    failed = [r for r in records(out) if r["status"] != "complete"]
    assert [(r["strategy"], r["seed"], r["error"]) for r in failed] == [
        ("random", 1, "worker process died (exit code 3)")]
    assert len(tables(out)) == 5 and (out / "report" / "report.md").exists()
    # The run's temporary folder, which the killed worker could not remove, is gone too.
    from bench.matrix.worker import scratch_prefix

    assert not list(Path(tempfile.gettempdir()).glob(f"{scratch_prefix(failed[0]['executed']['pid'])}*"))


def test_parallel_gives_the_serial_tables(serial_and_parallel):
    serial, parallel = serial_and_parallel
    one, two = tables(serial), tables(parallel)
    assert len(one) == 6 and set(two) < set(one)  # the same deterministic folder names
    for name in two:
        pd.testing.assert_frame_equal(one[name], two[name])
    assert len({r["executed"]["pid"] for r in records(parallel)}) == 2  # two worker processes shared the runs


def test_resume_skips_verified_runs_and_redoes_the_others(serial_and_parallel, capsys):
    """Re-running the same command redoes the killed, a damaged and a partial run: then all equal serial."""
    serial, out = serial_and_parallel
    folders = sorted(out.glob("*-replay"))
    damaged = folders[0] / "epochs.parquet"
    damaged.write_bytes(damaged.read_bytes()[:-10])  # truncated: its checksum no longer matches
    partial = json.loads((folders[3] / "manifest.json").read_text())
    (folders[3] / "epochs.parquet").unlink()  # a run cut off before its table was written
    from bench.store.results import write_manifest

    write_manifest(folders[3], {**partial, "status": "running"})
    assert main([*MATRIX, "--out", str(out), "--parallel", "1"]) == 0
    text = capsys.readouterr().out
    assert "resuming: 3 of 6 runs already complete and verified" in text and "3 to run" in text
    one, after = tables(serial), tables(out)
    assert list(after) == list(one)
    for name in one:
        pd.testing.assert_frame_equal(one[name], after[name])
    assert per_strategy(serial) == per_strategy(out)  # the same report
    assert main([*MATRIX, "--out", str(out), "--parallel", "2"]) == 0
    assert "resuming: 6 of 6 runs already complete and verified" in capsys.readouterr().out


def test_a_searcher_exception_is_a_recorded_failure_in_the_serial_matrix(tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    monkeypatch.setenv("BENCH_MATRIX_FAULT", "raise:random:0")
    assert main(["compare", "--strategies", "random", "--seeds", "2", "--budget-epochs", "100", "--out",
                 str(out), "--parallel", "1", "--verbose"]) == 0
    text = capsys.readouterr().out
    assert "[1/2] random seed 0: failed (RuntimeError: injected fault in matrix run random seed 0)" in text
    assert [r["status"] for r in records(out)] == ["failed", "complete"]


def test_ray_tasks_give_the_serial_tables_and_a_lost_task_is_a_failure(ray_session, serial_and_parallel,
                                                                       tmp_path, monkeypatch, capsys):
    serial, _ = serial_and_parallel
    out = tmp_path / "ray"
    monkeypatch.setenv("BENCH_MATRIX_FAULT", "exit:pbt:1")
    assert main([*MATRIX, "--out", str(out), "--address", "auto", "--parallel", "2", "--verbose"]) == 0
    assert ("pbt seed 1: failed (Ray task failed (WorkerCrashedError: its "
            "worker process died))" in capsys.readouterr().out)
    one, ray_tables = tables(serial), tables(out)
    assert len(ray_tables) == 5
    for name, frame in ray_tables.items():
        pd.testing.assert_frame_equal(one[name], frame)
    nodes = {r["executed"]["node_id"] for r in records(out) if r["status"] == "complete"}
    assert len(nodes) == 1 and None not in nodes


@pytest.mark.parametrize("mean_run_s, remaining, workers, expected", [
    (0.3, 12, 2, False),   # a nightly smoke matrix: 1.8 s saved < one worker's start
    (0.3, 40, 2, True),    # 6 s saved
    (5.0, 2, 2, True),     # two slow runs (pb2): 5 s saved
    (5.0, 1, 8, False),    # one run left: nothing runs beside it
    (100.0, 50, 1, False),  # one CPU: workers only add their start
])
def test_worker_processes_are_started_only_when_the_runs_left_pay_for_their_start(
        mean_run_s, remaining, workers, expected):
    from bench.matrix.executor import worth_workers

    assert worth_workers(mean_run_s, remaining, workers) is expected


def test_by_default_a_small_matrix_replays_here_and_a_long_one_moves_to_worker_processes(
        serial_and_parallel, tmp_path, monkeypatch):
    import os

    from bench.matrix import executor

    serial, _ = serial_and_parallel
    monkeypatch.setattr(executor, "local_cpus", lambda: 2)
    small = tmp_path / "small"
    assert main([*MATRIX, "--out", str(small)]) == 0  # no --parallel: the default; runs of 0.01-0.1 s
    assert {r["executed"]["pid"] for r in records(small)} == {os.getpid()}
    # Runs that cost more than a worker's start: after the first run, the rest go to two workers.
    monkeypatch.setattr(executor, "WORKER_START_S", 0.0)
    moved = tmp_path / "moved"
    assert main([*MATRIX, "--out", str(moved)]) == 0
    pids = [r["executed"]["pid"] for r in records(moved)]
    assert pids[0] == os.getpid() and len(set(pids[1:])) == 2 and os.getpid() not in pids[1:]
    expected = tables(serial)
    for out in (small, moved):
        got = tables(out)
        assert sorted(got) == sorted(expected) and [r["status"] for r in records(out)] == ["complete"] * 6
        for name, frame in got.items():
            pd.testing.assert_frame_equal(expected[name], frame)
