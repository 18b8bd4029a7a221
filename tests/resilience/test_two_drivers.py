"""One live driver per run folder (issue 14, item 2): a second driver never writes into a running run."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest

from bench.errors import BenchError
from bench.store.run_lock import LOCK, acquire, live_owner, release

from .resilience_cli import TWO_TRIALS_ARGS, finish, run, start, wait_for


def test_a_held_lock_is_refused_naming_its_owner_and_released_on_exit(tmp_path):
    acquire(tmp_path)
    with pytest.raises(BenchError) as refused:
        acquire(tmp_path)
    message = str(refused.value)
    assert f"pid {os.getpid()} on {socket.gethostname()}" in message and str(tmp_path / LOCK) in message
    release(tmp_path)
    assert not (tmp_path / LOCK).exists()
    acquire(tmp_path)
    release(tmp_path)


def test_the_lock_of_a_dead_driver_on_this_host_is_taken_over(tmp_path):
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True)
    dead_pid = int(gone.stdout)
    (tmp_path / LOCK).write_text(json.dumps({"host": socket.gethostname(), "pid": dead_pid,
                                             "started_at": "x"}))
    assert live_owner(tmp_path) is None
    acquire(tmp_path)
    assert json.loads((tmp_path / LOCK).read_text())["pid"] == os.getpid()
    release(tmp_path)


def test_a_lock_held_from_another_host_is_respected(tmp_path):
    (tmp_path / LOCK).write_text(json.dumps({"host": "other-node", "pid": 1, "started_at": "x"}))
    with pytest.raises(BenchError, match="on other-node"):
        acquire(tmp_path)


def test_a_second_driver_starts_its_own_run_and_resume_of_a_running_run_is_refused(tmp_path):
    # The first run trains the `barrier` test workload (tests/plugins): its first trial waits in its
    # first epoch until another trial has started, which only the second driver's run does. So the
    # first run is certainly still running while the second driver decides, however fast it is.
    out = tmp_path / "out"
    barrier = tmp_path / "barrier"
    gate = {"BENCH_WORKLOADS": "bench_test_workloads:EXPLODING,bench_test_workloads:BARRIER",
            "BENCH_TEST_BARRIER_DIR": str(barrier)}
    args = (*TWO_TRIALS_ARGS, "--workload", "barrier")
    first = start(out, *args, extra_env=gate)
    wait_for(lambda: barrier.exists() and len(list(barrier.iterdir())) == 1, first,
             what="the first run's trial")
    (running,) = [p.parent for p in out.glob("*/manifest.json")]
    assert live_owner(running)["pid"] == first.pid

    code, _, stderr = run(out, "--resume", str(running), "--quiet", extra_env=gate)
    lines = stderr.strip().splitlines()
    assert code == 2 and len(lines) == 1 and f"driver pid {first.pid}" in lines[0]
    assert len(list(barrier.iterdir())) == 1 and first.poll() is None  # the first run was still running

    code, _, stderr = run(out, *args, extra_env=gate)  # the same command again, while the first runs
    assert code == 0, stderr[-2000:]
    assert f"not resuming {running.name}" in stderr and "resuming unfinished run" not in stderr
    assert finish(first)[0] == 0
    folders = sorted(p.parent for p in out.glob("*/manifest.json"))
    assert len(folders) == 2
    for folder in folders:
        manifest = json.loads((folder / "manifest.json").read_text())
        assert manifest["status"] == "complete" and not (folder / LOCK).exists()
        partial = [json.loads(line) for line in (folder / "epochs.partial.jsonl").read_text().splitlines()]
        assert [r["run_epochs"] for r in partial] == list(range(1, len(partial) + 1))  # one writer each
        assert len({(r["trial_id"], r["epoch"]) for r in partial}) == len(partial)
