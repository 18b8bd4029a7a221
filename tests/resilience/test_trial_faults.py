"""A trial's worker is killed (retried from its checkpoint) or a trial raises (recorded as errored)."""

from __future__ import annotations

import json
import os
import signal

from .resilience_cli import GRID_ARGS, descendants, finish, rows, run, run_folder, signature, start, wait_rows


def contiguous(table) -> bool:
    """Every trial's epochs are 1..n in order: nothing lost, nothing repeated."""
    epochs: dict[str, list[int]] = {}
    for trial, _, epoch, _ in table:
        epochs.setdefault(trial, []).append(epoch)
    return all(found == list(range(1, len(found) + 1)) for found in epochs.values())


def test_killed_worker_is_retried_from_its_checkpoint(tmp_path, uninterrupted):
    out = tmp_path / "out"
    # 18 epochs: Tune requeues a failed trial behind the pending one, so trial 0 finishes second.
    args = [*GRID_ARGS]
    args[args.index("--budget-epochs") + 1] = "18"
    proc = start(out, *args)
    wait_rows(proc, out, 3)
    workers = [pid for pid, command in descendants(proc.pid) if command.startswith("ray::ImplicitFunc")]
    assert workers, "no trial worker process found"
    for pid in workers:
        os.kill(pid, signal.SIGKILL)
    code, _, stderr = finish(proc)
    assert code == 0, stderr[-2000:]
    folder = run_folder(out)
    manifest = json.loads((folder / "manifest.json").read_text())
    table = signature(folder)
    assert manifest["status"] == "complete" and manifest["errors"] == []
    assert [r["trial_id"][-5:] for r in manifest["retries"]] == ["00000"]
    assert "worker process died" in manifest["retries"][0]["error"]
    assert manifest["replayed_epochs_dropped"] == 0  # restored from its checkpoint, not from scratch
    assert contiguous(table) and len(table) == 18
    configs = {trial: config for trial, config, _, _ in uninterrupted}
    expected = {(trial, configs[trial], epoch, "completed") for trial in ("00000", "00001") for epoch in range(1, 10)}
    assert set(table) == expected  # the same trials and epochs as without the kill


def test_trial_that_raises_is_recorded_as_errored_and_the_run_goes_on(tmp_path):
    out = tmp_path / "out"
    # One retry: Tune requeues a failed trial behind the next one, so trial 0 fails, trial 1 runs
    # its 9 epochs, trial 0 fails again from its epoch-1 checkpoint, and trial 2 takes the rest.
    code, _, stderr = run(out, *GRID_ARGS, "--max-failures", "1", extra_env={"BENCH_INJECT_FAULT": "raise:00000:2"})
    assert code == 0, stderr[-2000:]
    folder = run_folder(out)
    manifest = json.loads((folder / "manifest.json").read_text())
    table = signature(folder)
    assert manifest["status"] == "complete" and manifest["injected_fault"] == "raise:00000:2"
    assert [e["trial_id"][-5:] for e in manifest["errors"]] == ["00000"]
    assert manifest["errors"][0]["error"].startswith("RuntimeError: injected fault in trial")
    assert [r["trial_id"][-5:] for r in manifest["retries"]] == ["00000"]
    assert manifest["max_failures"] == 1
    assert [(e, o) for t, _, e, o in table if t == "00000"] == [(1, "errored")]
    assert [t for t, *_ in table] == ["00000"] + ["00001"] * 9 + ["00002"] * 2  # the run went on
    assert contiguous(table) and manifest["replayed_epochs_dropped"] == 0
    assert len(rows(out)) == 12
