"""A run whose budget stop leaves trials Tune never started still ends complete (issue 14, item 1)."""

from __future__ import annotations

import json

from .resilience_cli import run, run_folder

#: Synchronous Hyperband on one worker: after a bracket is halved, Tune stages the trial it
#: unpauses outside its pending-trial limit (1 here), so a trial created in the same step waits
#: without an actor and without a directory name; the budget ends the run in the second bracket.
HYPERBAND_ARGS = ("--strategy", "hyperband", "--workers", "1", "--budget-epochs", "45", "--until", "budget",
                  "--quiet")


def unstarted_trials(folder) -> list[str]:
    """Trials in Tune's final saved state that never got a directory (never started)."""
    tune_dir = folder / "ray" / "tune"
    state = json.loads(max(tune_dir.glob("experiment_state-*.json")).read_text())
    unstarted = []
    for trial_json, _ in state["trial_data"]:
        trial = json.loads(trial_json)
        if trial.get("relative_logdir") is None:
            unstarted.append(trial["trial_id"])
    return unstarted


def test_budget_stop_with_never_started_trials_ends_complete(tmp_path):
    out = tmp_path / "out"
    code, _, stderr = run(out, *HYPERBAND_ARGS, extra_env={"TUNE_MAX_PENDING_TRIALS_PG": "1"})
    assert code == 0, stderr[-2000:]  # before the fix: exit 1, "Should not access `trial_fs_path` ..."
    folder = run_folder(out)
    manifest = json.loads((folder / "manifest.json").read_text())
    # The case this test is for happened: Tune held a trial it never started at the stop.
    assert unstarted_trials(folder), "no never-started trial at the stop; the test exercised nothing"
    assert manifest["status"] == "complete"
    assert manifest["rows"] >= 45
