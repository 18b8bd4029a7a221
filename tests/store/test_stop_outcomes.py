"""A trial the run's own stop ends is 'stopped_at_target' when the target ended the run, 'budget_cut' when
the budget did (docs/results.md); folders written before the split keep reading as they are."""

from __future__ import annotations

import pytest

from bench.budget import Budget, StopRule
from bench.store.ledger import RunLedger
from bench.store.results import OUTCOMES

RESULT = {"val_loss": 1.0, "train_loss": 1.0, "epoch_compute_s": 1.0, "trial_compute_s": 1.0}


def _ledger(limit_epochs: float, target: float | None) -> RunLedger:
    return RunLedger(identity={"run_id": "r"}, normalise=dict, max_epochs=27,
                     stop_rule=StopRule(Budget("epochs", limit_epochs), target))


def _report(ledger: RunLedger, trial: str, epoch: int, accuracy: float) -> bool:
    ledger.record(trial, {"x": trial}, {**RESULT, "epoch": epoch, "val_accuracy": accuracy}, node="")
    return ledger.should_stop()


@pytest.mark.parametrize("finish", ["trial_finished", "trial_left", "finalise_rows"])
def test_trials_running_when_the_target_is_reached_are_stopped_at_target(finish):
    ledger = _ledger(1000, target=0.9)
    assert not _report(ledger, "a", 1, 0.5)
    assert _report(ledger, "b", 1, 0.95)  # the target: the run stops, a and b still training
    for trial in ("a", "b"):
        if finish == "trial_finished":
            ledger.trial_finished(trial)
        elif finish == "trial_left":
            ledger.trial_left(trial, paused=False)
    outcomes = {row["trial_id"]: row["outcome"] for row in ledger.finalise_rows()}
    assert outcomes == {"a": "stopped_at_target", "b": "stopped_at_target"}


def test_trials_running_when_the_budget_is_spent_are_budget_cut():
    ledger = _ledger(2, target=0.9)
    assert not _report(ledger, "a", 1, 0.5)
    assert _report(ledger, "b", 1, 0.6)
    ledger.trial_finished("a")
    assert {row["outcome"] for row in ledger.finalise_rows()} == {"budget_cut"}


def test_every_outcome_has_a_colour_and_old_folders_still_say_budget_cut():
    from bench.reporting.style import OUTCOME_LINESTYLES

    assert "stopped_at_target" in OUTCOMES and "budget_cut" in OUTCOMES
    assert set(OUTCOMES) <= set(OUTCOME_LINESTYLES)


def test_a_ledger_pickled_before_the_split_reads_as_the_budget():
    import pickle

    ledger = _ledger(1000, target=0.9)
    state = ledger.__getstate__()
    state.pop("stop_reason", None)
    old = RunLedger.__new__(RunLedger)
    old.__dict__.update(pickle.loads(pickle.dumps(state)))
    old.stopping = True
    old.trial_finished("a")
    assert old.outcomes["a"] == "budget_cut"
