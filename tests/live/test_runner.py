"""The live runner's guarantees: pause and resume, divergence, budgets in seconds, targets."""

from __future__ import annotations

from bench.budget import Budget
from bench.live.runner import execute
from bench.store.results import load_run


def test_paused_trials_resume_from_their_checkpoint(ray_session, run_spec_factory):
    # Synchronous Hyperband pauses every trial of a bracket at its rung and resumes the best;
    # with one worker, a resumed trial's rows are separated by other trials' rows.
    # The `short` test workload is digits for 9 epochs, so max_t is 9 (27 for digits, whose first,
    # no-halving bracket alone took 108 of the 180 epochs this test trained): the brackets pause
    # their trials at epoch 3 and resume the best. At 60 epochs two trials are resumed (one at 45).
    spec = run_spec_factory(strategy="hyperband", workload="short", samples=9, budget_epochs=60, workers=1)
    run = load_run(execute(spec).folder)
    epochs = run.epochs
    # One worker holds both CPUs, but digits trains on one torch thread (see workloads/digits.py).
    assert run.manifest["trial_resources"]["cpu"] == 2 and run.manifest["torch_cpu_threads_per_trial"] == 1

    resumed = 0
    for _, trial in epochs.groupby("trial_id"):
        assert trial["epoch"].tolist() == list(range(1, len(trial) + 1)), "an epoch was retrained or lost"
        assert trial["trial_compute_s"].is_monotonic_increasing
        if (trial["result_index"].diff().dropna() > 1).any():
            resumed += 1
            gap = trial["result_index"].diff().idxmax()
            assert trial.loc[gap, "epoch"] > 1
    assert resumed >= 1, "hyperband paused no trial; the test did not exercise a restore"


def test_diverging_configuration_ends_as_diverged(ray_session, run_spec_factory):
    # The test-only `exploding` workload is digits with learning rates of 1e3 to 1e4.
    spec = run_spec_factory(strategy="grid", workload="exploding", budget_epochs=3, workers=1)
    epochs = load_run(execute(spec).folder).epochs
    diverged = epochs[epochs["diverged"]]
    assert not diverged.empty
    assert set(epochs.loc[epochs["trial_id"].isin(diverged["trial_id"]), "outcome"]) == {"diverged"}
    assert (diverged["val_accuracy"] == spec.workload.chance_accuracy).all()
    # A diverged trial ends at its diverged epoch, and the run goes on to the next grid points.
    last_epochs = epochs.groupby("trial_id")["epoch"].max()
    assert (diverged.set_index("trial_id")["epoch"] == last_epochs[diverged["trial_id"]]).all()
    assert epochs["trial_id"].nunique() >= 2


def test_budget_in_seconds_is_respected(ray_session, run_spec_factory):
    import dataclasses

    spec = dataclasses.replace(run_spec_factory(strategy="random", samples=20, workers=2),
                               budget=Budget("seconds", 1.5))
    epochs = load_run(execute(spec).folder).epochs
    per_worker_slack = epochs["epoch_cost_s"].nlargest(spec.workers).sum()
    assert epochs["epoch_cost_s"].sum() <= 1.5 + per_worker_slack
    assert epochs["run_compute_s"].iloc[-1] >= 1.5 - 1e-9


def test_until_target_stops_at_the_first_result_reaching_it(ray_session, run_spec_factory):
    spec = run_spec_factory(strategy="random", samples=30, budget_epochs=200, workers=1, target=0.2)
    epochs = load_run(execute(spec).folder).epochs
    reached = epochs.index[epochs["val_accuracy"] >= 0.2]
    assert len(reached) >= 1
    # With one worker nothing else is in flight: the run ends at the result that reached it.
    assert reached[0] == epochs.index[-1]
    assert len(epochs) < 200
