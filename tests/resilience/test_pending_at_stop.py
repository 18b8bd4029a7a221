"""A run whose budget stop leaves trials Tune never started still ends complete (issue 14, item 1).

Tune names a trial's directory only when it asks for an actor for it. Schedulers that keep
trials pending (Hyperband, BOHB, PBT, PB2) can hold one that was never offered an actor when
bench's stopper ends the experiment; Tune's ResultGrid then reads `trial.path` and `fit()`
raised after all training ("Should not access `trial_fs_path` without setting
`trial_dir_name`"). The state arises by timing; these tests build it with a real Tune Trial and
check what bench's end-of-run callback does with it.
"""

from __future__ import annotations

import pytest


def never_started_trial(tmp_path):
    """A real Tune trial as Tune holds one that was created but never offered an actor."""
    from ray.train._internal.storage import StorageContext
    from ray.tune.experiment import Trial

    storage = StorageContext(storage_path=str(tmp_path), experiment_dir_name="tune")
    return Trial("train_trial", config={"learning_rate": 0.1}, storage=storage, stub=True)


def test_a_never_started_trial_has_no_path_until_named(ray_session, tmp_path):
    from bench.tune_compat import name_unstarted_trial_dirs

    trial = never_started_trial(tmp_path)
    with pytest.raises(RuntimeError, match="trial_dir_name"):
        _ = trial.path  # what ResultGrid reads: the failure of issue 14
    assert name_unstarted_trial_dirs([trial]) == [trial.trial_id]
    assert trial.path.startswith(str(tmp_path))
    assert name_unstarted_trial_dirs([trial]) == []  # a named trial keeps its directory


def test_the_end_of_run_callback_names_never_started_trials(ray_session, tmp_path):
    """LedgerCallback.on_experiment_end (Tune calls it before building its ResultGrid) names them."""
    from bench.budget import Budget, StopRule
    from bench.live.callbacks import LedgerCallback
    from bench.store.ledger import RunLedger

    ledger = RunLedger(identity={"run_id": "r"}, normalise=dict, max_epochs=27,
                       stop_rule=StopRule(Budget("epochs", 3)))
    trial = never_started_trial(tmp_path)
    LedgerCallback(ledger).on_experiment_end([trial])
    assert trial.path and ledger.outcomes[trial.trial_id] == "budget_cut"
