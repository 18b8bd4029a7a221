"""A second Ctrl-C stops at once; errors and retries come back from `trials.partial.jsonl` on resume;
a driver killed while Tune copies a trial's pickled error resumes to exit 0.

The kill waits for observable events only: the errored event in the trial journal, then a rename
of `tune_state.snapshot`. A real driver's graceful stop after one Ctrl-C takes well under a second
here, with no outside sign that Tune's handler has run, so the second Ctrl-C is tested against a
stand-in for Tune's fit that behaves as Tune's handler does.
"""

from __future__ import annotations

import json
import os
import pickle
import signal
from pathlib import Path

import pytest

from workloads.digits import MAX_EPOCHS

from .kill_while_syncing_error import journal_events
from .resilience_cli import (
    GRID_ARGS,
    TWO_TRIALS_ARGS,
    finish,
    run,
    run_folder,
    run_folders,
    sigkill,
    signature,
    start,
    wait_for,
    wait_rows,
)

FAULT = {"BENCH_INJECT_FAULT": "raise:00000:2"}
#: Runs `bench` and kills it once Tune's sync has copied a trial's error.pkl, cut short (see the file).
KILL_WHILE_SYNCING_ERROR = (str(Path(__file__).with_name("kill_while_syncing_error.py")),)


def test_a_second_ctrl_c_stops_at_once():
    """bench.live.interrupt.fit against a stand-in for Tune's fit that handles SIGINT as Tune 2.60 does
    (the first one stops the loop gracefully and puts back the handler it found): a second SIGINT
    during the graceful stop must raise at once, not be swallowed; one SIGINT must return True."""
    import threading

    from bench.live import interrupt

    class TuneLike:
        def __init__(self, signals: int):
            self.signals, self.stopping = signals, threading.Event()

        def fit(self):
            found = signal.getsignal(signal.SIGINT)

            def tune_handler(signum, frame):
                self.stopping.set()
                signal.signal(signal.SIGINT, found)

            signal.signal(signal.SIGINT, tune_handler)
            os.kill(os.getpid(), signal.SIGINT)
            assert self.stopping.wait(10)
            if self.signals == 2:
                os.kill(os.getpid(), signal.SIGINT)  # lands in bench's handler: stop now
                for _ in range(1000):  # the graceful stop would go on; the handler raises first
                    threading.Event().wait(0.01)
                raise AssertionError("the second Ctrl-C did not stop the run")

    before = signal.getsignal(signal.SIGINT)
    assert interrupt.fit(TuneLike(signals=1)) is True
    assert signal.getsignal(signal.SIGINT) is before
    try:
        interrupt.fit(TuneLike(signals=2))
    except KeyboardInterrupt:
        pass
    else:
        raise AssertionError("a second Ctrl-C was swallowed")
    assert signal.getsignal(signal.SIGINT) is before


def test_two_ctrl_c_on_a_real_driver_end_it_with_one_line_and_a_resumable_run(tmp_path, uninterrupted):
    """A real `bench run` given two SIGINTs back to back (the second lands during Tune's graceful
    stop, or after it): exit 130, the resume line and no traceback, and the run resumes to the
    uninterrupted run's table."""
    out = tmp_path / "out"
    proc = start(out, *GRID_ARGS)
    wait_rows(proc, out, 4)
    proc.send_signal(signal.SIGINT)
    proc.send_signal(signal.SIGINT)
    code, _, stderr = finish(proc, timeout=120)
    assert code == 130, stderr[-3000:]
    assert "Traceback" not in stderr and " ERROR " not in stderr, stderr[-3000:]
    folder = run_folder(out)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["status"] in ("interrupted", "running"), manifest["status"]
    assert not (folder / "epochs.parquet").exists()
    code, _, stderr = run(out, *GRID_ARGS)
    assert code == 0 and "resuming unfinished run" in stderr, stderr[-2000:]
    assert signature(run_folder(out)) == uninterrupted


def test_errors_and_retries_are_restored_from_the_trial_journal(tmp_path):
    out = tmp_path / "out"
    args = (*TWO_TRIALS_ARGS, "--samples", "3", "--max-failures", "1")  # 54 epochs after the error
    proc = start(out, *args, extra_env=FAULT)
    wait_for(lambda: run_folders(out)
             and any(e["event"] == "errored" for e in journal_events(run_folder(out))), proc,
             what="trial 0's errored event")
    # Tune's saved state must know trial 0 errored too: then the resumed run does not train it
    # again, and its error and retry can only come back from the journal.
    snapshot = run_folder(out) / "tune_state.snapshot"
    before = os.stat(snapshot).st_ino if snapshot.exists() else None
    wait_for(lambda: snapshot.exists() and os.stat(snapshot).st_ino != before, proc,
             what="Tune's next saved state")
    sigkill(proc)
    folder = run_folder(out)
    assert json.loads((folder / "manifest.json").read_text())["status"] == "running"

    code, _, stderr = run(out, *args, extra_env=FAULT)
    assert code == 0, stderr[-2000:]
    assert "resuming unfinished run" in stderr
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert [e["trial_id"][-5:] for e in manifest["errors"]] == ["00000"]
    assert manifest["errors"][0]["error"].startswith("RuntimeError: injected fault in trial")
    assert [r["trial_id"][-5:] for r in manifest["retries"]] == ["00000"]
    table = signature(folder)
    assert [(epoch, outcome) for trial, _, epoch, outcome in table if trial == "00000"] == [(1, "errored")]
    for other in ("00001", "00002"):
        assert [(epoch, outcome) for trial, _, epoch, outcome in table if trial == other] == [
            (epoch, "completed") for epoch in range(1, MAX_EPOCHS + 1)]
    # the resumed driver saw no new error: what the manifest lists came from the journal
    assert sum(e["event"] == "errored" for e in journal_events(folder)) == 1


def test_a_driver_killed_while_tune_copies_a_trials_error_resumes_and_ends_with_exit_0(tmp_path):
    """The moment of #21's bug, made deterministic: trial 0 errors for good, Tune's next sync copies
    its experiment state (the trial errored) and its error.pkl into the run folder, and the driver
    dies while the pickle is half copied. Tune, restored, unpickles every errored trial's error for
    its results: without bench dropping the damaged pickle on resume, the resumed run trains to
    its end and dies in EOFError (exit 1)."""
    out = tmp_path / "out"
    args = (*TWO_TRIALS_ARGS, "--max-failures", "0")
    code, _, stderr = finish(start(out, *args, extra_env=FAULT, launcher=KILL_WHILE_SYNCING_ERROR))
    assert code == -signal.SIGKILL, stderr[-2000:]
    folder = run_folder(out)
    [damaged] = list(folder.rglob("error.pkl"))
    with pytest.raises((EOFError, pickle.UnpicklingError)):
        pickle.loads(damaged.read_bytes())
    assert [e["trial_id"][-5:] for e in journal_events(folder) if e["event"] == "errored"] == ["00000"]

    code, _, stderr = run(out, *args)  # the same command; no fault now, and no kill
    assert code == 0, stderr[-3000:]
    assert "resuming unfinished run" in stderr and "Traceback" not in stderr, stderr[-3000:]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    [resume] = manifest["resumes"]
    assert [Path(p).name for p in resume["damaged_error_files_dropped"]] == ["error.pkl"]
    assert [e["trial_id"][-5:] for e in manifest["errors"]] == ["00000"]  # kept by bench's journal
    assert manifest["errors"][0]["error"].startswith("RuntimeError: injected fault in trial")
    table = signature(folder)
    assert [(epoch, outcome) for trial, _, epoch, outcome in table if trial == "00000"] == [(1, "errored")]
    assert [(epoch, outcome) for trial, _, epoch, outcome in table if trial == "00001"] == [
        (epoch, "completed") for epoch in range(1, MAX_EPOCHS + 1)]
