"""Kill the driver of an asha and a tpe run, resume it, and get the uninterrupted run's table.

ASHA decides from its rungs (the results trials reported at epochs 1, 3, 9) and TPE proposes from
the results it has seen, so a resume that lost either state would stop or propose differently.
(Ray Tune saves the searcher's state but no scheduler's: bench keeps ASHA's in its snapshot of
Tune's state, bench.tune_compat.scheduler_state; without it the resumed ASHA let trial 3 train past
rung 1, where the uninterrupted run stopped it.)
Both runs use one worker, which makes Tune's order definite: trial ids, configurations, epochs and
outcomes are deterministic and compared; timings and the number of epochs trained again after the
kill (how old the restored checkpoint is) are not, and are not compared.

Each kill waits for observable events only: the rows recorded, then the next rename of
`tune_state.snapshot` (Tune has saved its state after them), so what the resume restores is
known and the run is still running when it is killed.
"""

from __future__ import annotations

import json
import os

import pytest

from .resilience_cli import HYPERPARAMETERS, rows, run, run_folder, sigkill, start, wait_for, wait_rows

#: asha, seed 1, 16 samples at most: trial 0 trains 27 epochs, then trials stop at rung 1 on ASHA's
#: rungs; killed after 28 rows (trial 1's rung-1 result in), the other 52 epochs are decided on
#: restored rungs (at a 45-epoch budget the run could end before Tune's next save, 2 s later).
ASHA_ARGS = ("--strategy", "asha", "--seed", "1", "--samples", "16", "--budget-epochs", "80", "--workers",
             "1", "--until", "budget", "--quiet")
#: tpe with one random start: trial 1 is TPE's proposal from trial 0's result; killed while trial
#: 0 trains, so the proposal is made by the restored searcher.
TPE_ARGS = ("--strategy", "tpe", "--set", "n_initial_points=1", "--samples", "2", "--budget-epochs", "54",
            "--workers", "1", "--until", "budget", "--quiet")


def signature(folder):
    """The table as (trial by order of first report, configuration, epoch, outcome): HyperOptSearch
    names its trials with random ids, so trials are numbered, not named."""
    from bench.store.results import load_run

    order: dict[str, int] = {}
    return [(order.setdefault(row["trial_id"], len(order)), tuple(row[name] for name in HYPERPARAMETERS),
             int(row["epoch"]), row["outcome"]) for row in load_run(folder).epochs.to_dict("records")]


def identity(path):
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    return stat.st_ino, stat.st_mtime_ns


def kill_after_a_save(out, args, count):
    """SIGKILL the run once `count` rows are recorded and Tune has saved its state after them."""
    proc = start(out, *args)
    wait_rows(proc, out, count)
    snapshot = run_folder(out) / "tune_state.snapshot"
    before = identity(snapshot)
    wait_for(lambda: identity(snapshot) not in (None, before), proc, what="Tune's next saved state")
    sigkill(proc)
    manifest = json.loads((run_folder(out) / "manifest.json").read_text())
    assert manifest["status"] == "running", "the run ended before the kill; the kill tested nothing"
    return rows(out)


@pytest.mark.parametrize("args, kill_at", [pytest.param(ASHA_ARGS, 28, id="asha"),
                                           pytest.param(TPE_ARGS, 3, id="tpe")])
def test_resume_keeps_scheduler_and_searcher_state(args, kill_at, tmp_path):
    code, _, stderr = run(tmp_path / "whole", *args)
    assert code == 0, stderr[-2000:]
    uninterrupted = signature(run_folder(tmp_path / "whole"))

    out = tmp_path / "out"
    before = kill_after_a_save(out, args, kill_at)
    assert kill_at <= len(before) < len(uninterrupted)
    code, _, stderr = run(out, *args)
    assert code == 0, stderr[-2000:]
    assert "resuming unfinished run" in stderr
    folder = run_folder(out)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["status"] == "complete" and len(manifest["resumes"]) == 1
    # Tune saves no scheduler state; bench keeps ASHA's rungs in its snapshot and puts them back.
    expected = "restored" if "asha" in args else "not kept (FIFOScheduler"
    assert manifest["resumes"][0]["scheduler_state"].startswith(expected)
    assert signature(folder) == uninterrupted
