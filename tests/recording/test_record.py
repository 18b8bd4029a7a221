"""`bench record` / `bench.record`: the plan (digits v2's, from the command), bad input refused in
one line with nothing written, and real recordings of the 2-epoch `tiny` workload as Ray tasks:
partial, continued, killed with -9 and continued, then replayed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import bench
import workloads
from bench.cli import main
from bench.errors import BenchError
from bench.recording.execute import PROGRESS, WORK, read_progress
from bench.recording.plan import make_plan, plan_jobs
from bench.store.tables import REFERENCE_DIR, load_table

ROOT = Path(__file__).resolve().parents[2]
#: tiny: 2 grid points x 2 seeds + 4 Sobol configurations x 1 seed = 8 trainings of 2 epochs.
TINY = ("--workload", "tiny", "--configs", "4", "--seeds", "1")


def test_the_default_plan_is_digits_v2s_recording():
    """`bench record --workload digits` plans what digits v2 recorded: the same trainings and seeds."""
    digits = workloads.get("digits")
    plan = make_plan(digits)
    shipped = json.loads((REFERENCE_DIR / "digits-v2" / "table.json").read_text())
    assert {k: shipped["recording"][k] for k in plan.as_dict()} == plan.as_dict()
    jobs = plan_jobs(plan, digits)
    sample = pd.read_parquet(REFERENCE_DIR / "digits-v2" / "space.parquet")
    first = sample[(sample["seed"] == 0) & (sample["epoch"] == 1)].sort_values("config_id")
    sobol = [job for job in jobs if job["source"] == "sobol" and job["seed"] == 0]
    assert len(sobol) == len(first) == 1024
    for job, (_, row) in zip(sobol[:64], first.head(64).iterrows(), strict=True):
        assert all(row[name] == pytest.approx(value) for name, value in job["config"].items())
    assert sum(job["source"] == "grid" for job in jobs) == 3 * digits.space.grid_size()


def test_a_plan_without_the_grid_names_its_grid_table_and_refuses_another_version_or_grid(tmp_path):
    import shutil

    from bench.store.results import file_sha256

    digits = workloads.get("digits")
    table = load_table(REFERENCE_DIR / "digits-v2", "digits")
    plan = make_plan(digits, 4, 1, table)
    assert plan.as_dict()["grid_table_sha256"] == table.meta["curves_sha256"]
    assert plan.job_count == 4 and all(job["source"] == "sobol" for job in plan_jobs(plan, digits))
    assert "grid_table_sha256" not in make_plan(digits, 4, 1).as_dict()  # digits v2's plan keys

    def grid_table(name, edit_meta, curves=None):
        folder = tmp_path / name
        folder.mkdir()
        for file in ("table.json", "curves.parquet"):
            shutil.copy(REFERENCE_DIR / "digits-v2" / file, folder)
        meta = json.loads((folder / "table.json").read_text())
        if curves is not None:
            curves.to_parquet(folder / "curves.parquet", index=False)
            meta.update(curves_sha256=file_sha256(folder / "curves.parquet"), rows=len(curves))
        edit_meta(meta)
        (folder / "table.json").write_text(json.dumps(meta))
        return folder

    def refused(folder, says):
        with pytest.raises(BenchError, match=says):
            bench.record("digits", configs=4, seeds=1, grid=False, grid_table=folder, out=tmp_path / "out")
        assert not (tmp_path / "out").exists()

    older = grid_table("older", lambda meta: meta["workload"].update(version="1"))
    refused(older, "recorded for digits version 1, but the workload is now version 2")
    fewer = grid_table("fewer", lambda meta: None, curves=table.curves[table.curves["grid_index"] > 0])
    refused(fewer, r"726 curves, expected 243 grid points x 3 repeats")


# (API keyword arguments, CLI argv, what the API's message says, what the CLI's says)
BAD = [
    ({"configs": 0}, ["--configs", "0"], "configs takes a power of two", "--configs takes a power of two"),
    ({"configs": -4}, ["--configs", "-4"], "not -4", "not -4"),
    ({"configs": 6}, ["--configs", "6"], "a Sobol sequence is balanced only at those sizes", "not 6"),
    ({"seeds": 0}, ["--seeds", "0"], "seeds takes a positive integer", "--seeds takes a positive integer"),
    ({"workers": 0}, ["--workers", "0"], "workers must be a positive integer", "--workers must be"),
    ({"grid": False}, ["--no-grid"], "grid=False trains the Sobol configurations only and needs the grid "
     "from grid_table", "--no-grid trains the Sobol configurations only and needs the grid from "
     "--grid-table"),
    ({"grid_table": "digits-v2"}, ["--grid-table", "digits-v2"], "grid_table is read only with grid=False",
     "--grid-table is read only with --no-grid"),
    ({"grid": False, "grid_table": "digits-v2"}, ["--no-grid", "--grid-table", "digits-v2"],
     "a table recorded for workload 'digits', not 'tiny'", "not 'tiny'"),
    ({"trials_per_gpu": 0}, ["--trials-per-gpu", "0"], "trials_per_gpu must be a positive integer",
     "--trials-per-gpu must be"),
    ({"address": "nowhere"}, ["--address", "nowhere"], "bad Ray address", "bad Ray address"),
    ({"address": "127.0.0.1:1"}, ["--address", "127.0.0.1:1"], "cannot reach a Ray cluster",
     "cannot reach a Ray cluster"),
]


@pytest.mark.parametrize("kwargs, argv, api_says, cli_says", BAD, ids=[b[2] for b in BAD])
def test_bad_input_is_one_line_and_writes_nothing(kwargs, argv, api_says, cli_says, tmp_path, capsys):
    out = tmp_path / "out"
    with pytest.raises(BenchError) as raised:
        bench.record("tiny", **{"configs": 4, "seeds": 1, "out": out, **kwargs})
    assert api_says in str(raised.value)
    full = ["record", "--workload", "tiny", "--configs", "4", "--seeds", "1", "--out", str(out), *argv]
    assert main(full) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and cli_says in err, err
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def registered_by_import_path():
    """Workloads this module names by import path leave the registry afterwards: other tests (`bench
    list` promises) count what is registered."""
    yield
    for name in ("nogrid", "needsdata"):
        workloads.REGISTRY._entries.pop(name, None)


def test_a_workload_without_grid_values_is_refused(tmp_path, registered_by_import_path):
    with pytest.raises(BenchError, match="no grid values for momentum"):
        bench.record("bench_test_workloads:NOGRID", configs=4, seeds=1, out=tmp_path / "out")
    assert list(tmp_path.iterdir()) == []


def test_an_out_holding_something_else_is_refused_and_left_as_it_was(tmp_path, capsys):
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    (shipped / "table.json").write_text("{}")
    assert main(["record", *TINY, "--out", str(shipped)]) == 2
    assert "already holds files that are not a recording of this plan" in capsys.readouterr().err
    assert [p.name for p in shipped.iterdir()] == ["table.json"]

    other = tmp_path / "other"
    (other / WORK).mkdir(parents=True)
    plan = {**make_plan(workloads.get("tiny"), 8, 1).as_dict()}
    (other / WORK / "plan.json").write_text(json.dumps(plan))
    assert main(["record", *TINY, "--out", str(other)]) == 2  # 4 configurations, not 8
    assert "with another plan (jobs, sobol differ)" in capsys.readouterr().err
    assert sorted(p.name for p in (other / WORK).iterdir()) == ["plan.json"]


def test_an_out_holding_only_a_writability_probe_is_empty(tmp_path, capsys):
    """The empty folder bench.spec.check_writable makes and removes at once, left by a process killed
    between the two steps (or seen while another one starts), is not a file the recording refuses."""
    from bench.spec import PROBE_PREFIX

    out = tmp_path / "out"
    (out / f"{PROBE_PREFIX}x1y2").mkdir(parents=True)
    assert main(["record", *TINY, "--out", str(out), "--dry-run"]) == 0, capsys.readouterr().err
    (out / "notes.txt").write_text("mine")
    assert main(["record", *TINY, "--out", str(out), "--dry-run"]) == 2
    assert "already holds files that are not a recording of this plan" in capsys.readouterr().err


def test_dry_run_prints_the_plan_and_an_estimate_and_writes_nothing(tmp_path, capsys):
    assert main(["record", *TINY, "--out", str(tmp_path / "out"), "--dry-run"]) == 0
    printed = capsys.readouterr().out
    assert "tiny vtest: 8 trainings (grid x 2 seeds, 4 Sobol configurations x 1 seeds)" in printed
    assert "estimate  about " in printed and "nothing written" in printed
    assert list(tmp_path.iterdir()) == []


def _command(out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "bench", "record", *TINY, "--out", str(out), "--quiet", *extra]


def _env() -> dict:
    return {k: v for k, v in os.environ.items() if k not in ("RAY_ADDRESS",)}


@pytest.mark.slow  # trains, as Ray tasks
def test_a_partial_recording_continues_and_a_sample_without_the_grid_takes_it_and_replays(tmp_path):
    out = tmp_path / "tiny"
    first = subprocess.run(_command(out, "--limit", "3"), cwd=ROOT, env=_env(), capture_output=True,
                           text=True, timeout=300)
    assert first.returncode == 0, first.stderr[-2000:]
    assert "partial   " in first.stdout and "3 of 8 trainings recorded" in first.stdout
    assert not (out / "table.json").exists()
    second = subprocess.run(_command(out), cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stderr[-2000:]
    assert "8 trainings (5 trained now)" in second.stdout and "node " in second.stdout
    lines = (out / WORK / PROGRESS).read_text().splitlines()
    assert len(lines) == 8 and len(read_progress(out / WORK / PROGRESS)) == 8
    table = load_table(out, "tiny")
    assert table.meta["recording"]["jobs"] == 8 and table.meta["space_sample"]["configs"] == 4
    assert all(json.loads(line)["hardware_fingerprint"] for line in lines)
    listed = subprocess.run([sys.executable, "-m", "bench", "tables", "--dir", str(tmp_path)], cwd=ROOT,
                            env=_env(), capture_output=True, text=True, timeout=120)
    assert "tiny  " in listed.stdout and "4 sampled configurations" in listed.stdout
    # --no-grid: the Sobol configurations only, the grid taken from the recording above
    sample = tmp_path / "sample"
    no_grid = subprocess.run([*_command(sample), "--no-grid", "--grid-table", str(out)], cwd=ROOT, env=_env(),
                             capture_output=True, text=True, timeout=300)
    assert no_grid.returncode == 0, no_grid.stderr[-2000:]
    assert "4 trainings (4 trained now)" in no_grid.stdout
    taken = load_table(sample, "tiny")
    assert taken.meta["grid_from"]["curves_sha256"] == table.meta["curves_sha256"]
    assert taken.meta["recording"]["grid_seeds"] == [] and taken.meta["recording"]["jobs"] == 4
    pd.testing.assert_frame_equal(taken.curves, table.curves)  # the grid's curves, as recorded
    pd.testing.assert_frame_equal(*(pd.read_parquet(where / "space.parquet").drop(columns="epoch_compute_s")
                                    for where in (sample, out)))  # the same Sobol curves; timings differ
    matrix = bench.compare(["asha", "random"], workload="tiny", seeds=2, replay=sample, out=tmp_path / "cmp",
                           parallel=1, log=lambda line: None)
    assert len(matrix.runs) == 4 and not matrix.failed


@pytest.mark.slow  # trains, as Ray tasks, and kills the driver
def test_a_recording_killed_three_times_ends_with_every_training_exactly_once(tmp_path):
    out = tmp_path / "tiny"
    progress = out / WORK / PROGRESS
    for at_least in (1, 3, 5):  # kill -9 the driver after this many trainings were recorded
        proc = subprocess.Popen(_command(out, "--workers", "2"), cwd=ROOT, env=_env(), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and proc.poll() is None:
            if progress.exists() and len(progress.read_bytes().splitlines()) >= at_least:
                break
            time.sleep(0.2)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=60) == -signal.SIGKILL, proc.stderr.read()[-2000:]  # killed, not ended
        assert len(read_progress(progress)) < 8
    done = subprocess.run(_command(out), cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [json.loads(line) for line in progress.read_text().splitlines() if line.strip()]
    pairs = [(line["config_id"], line["seed"]) for line in lines]
    assert sorted(set(pairs)) == sorted((job["config_id"], job["seed"]) for job in plan_jobs(
        make_plan(workloads.get("tiny"), 4, 1), workloads.get("tiny")))
    assert len(pairs) == len(set(pairs)) == 8  # each recorded exactly once
    assert load_table(out, "tiny").meta["recording"]["jobs"] == 8


@pytest.mark.slow  # starts Ray
def test_a_workload_whose_data_is_missing_on_a_node_is_refused_naming_it(tmp_path, registered_by_import_path):
    out = tmp_path / "out"
    with pytest.raises(BenchError) as raised:
        bench.record("bench_test_workloads:NEEDSDATA", configs=4, seeds=1, out=out,
                     data_dir=tmp_path / "data")
    message = str(raised.value)
    assert "workload needsdata cannot train on node " in message and "no data in" in message
    assert "data_dir where it is" in message
    assert list(tmp_path.iterdir()) == []
