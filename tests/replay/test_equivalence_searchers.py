"""Replay decides like real Ray Tune for model-based searchers and population schedulers, and at 2 workers.

Each case runs bench's live runner on real Ray Tune (real actors, the strategy's real Tune
objects, seeded as a live run seeds them) with the table trainable (workload option
`replay_table`: it reports the shipped dataset's curve instead of training), and replays the same
spec; tests/replay/test_equivalence.py does the same for grid, random, asha, hyperband and median.

At one worker every strategy is compared decision for decision: the searchers are seeded (tpe,
optuna-asha, bohb, bayesopt, nevergrad), and PBT/PB2 draw from `random`/`numpy`, which bench
seeds, only in the driver, in the order replay calls them; the table trainable continues a clone
on its new configuration's curve exactly as replay does, so even the exploits must agree.

At two workers the order in which Tune handles two live actors' results is the OS scheduler's,
not bench's, and every strategy that reacts to results (ASHA, model-based searchers, PBT) or is
cut by the budget decides by that order: there only what the order cannot change is compared.
"""

from __future__ import annotations

import pytest

import strategies
import workloads
from bench.budget import Budget
from bench.replay import execute_replay
from bench.spec import RunSpec
from bench.store.results import load_run

from test_equivalence import decisions

#: strategy: (parameters, samples, budget in epochs, seed). Startup phases are cut short so each
#: searcher's model proposes configurations within a few trials.
CASES = {
    "tpe": ({"n_initial_points": 2}, 5, 5 * 27, 1),
    "optuna-asha": ({"n_startup_trials": 2}, 8, 40, 2),
    "bohb": ({}, 9, 45, 3),
    "bayesopt": ({"random_search_steps": 2}, 5, 5 * 27, 4),
    "nevergrad": ({}, 5, 5 * 27, 5),
    "pbt": ({"population_size": 4, "perturbation_interval": 2}, 4, 40, 6),
    "pb2": ({"population_size": 4, "perturbation_interval": 2}, 4, 40, 7),
}


def both_sides(name, params, samples, budget, seed, workers, table, out):
    from bench.live.runner import execute

    spec = RunSpec.of(strategy=strategies.resolve(name, params), workload=workloads.get("digits"), seed=seed,
                   budget=Budget("epochs", budget), samples=samples, workers=workers, out_dir=out,
                   progress=False, workload_options={"replay_table": str(table.path)})
    live = load_run(execute(spec).folder)
    replayed = load_run(execute_replay(spec, table).folder)
    return live, replayed


@pytest.mark.parametrize("name", list(CASES))
def test_replay_decides_like_a_real_tune_run(name, digits_table, ray_session, tmp_path):
    live, replayed = both_sides(name, *CASES[name], workers=1, table=digits_table, out=tmp_path)
    names = workloads.get("digits").space.names
    live_sequence, live_outcomes = decisions(live.epochs, names)
    replay_sequence, replay_outcomes = decisions(replayed.epochs, names)
    assert replay_sequence == live_sequence
    assert replay_outcomes == live_outcomes
    assert replayed.epochs["val_accuracy"].tolist() == live.epochs["val_accuracy"].tolist()
    assert replayed.epochs["epoch_cost_s"].tolist() == live.epochs["epoch_cost_s"].tolist()



def per_trial(frame, names):
    """Each trial (by creation index) as its configuration, its epochs in order and its outcome."""
    trials = {}
    for trial_id, rows in frame.groupby("trial_id", sort=False):
        first = rows.iloc[0]
        trials[int(trial_id.rsplit("_", 1)[1])] = (tuple(first[n] for n in names), rows["epoch"].tolist(),
                                                   rows["val_accuracy"].tolist(), rows["outcome"].iloc[-1])
    return trials


def test_two_workers_train_the_same_trials_as_a_real_tune_run(digits_table, ray_session, tmp_path):
    """At 2 workers, which of two live actors' results Tune handles first is the OS's choice, so
    the interleaving is not compared; random search to completion does not depend on it: every
    trial must be the same (configuration, epochs, values, outcome)."""
    samples = 3
    live, replayed = both_sides("random", {}, samples, samples * 27 + 10, 8, workers=2, table=digits_table,
                                out=tmp_path)
    names = workloads.get("digits").space.names
    assert live.manifest["workers"] == replayed.manifest["workers"] == 2
    expected = per_trial(live.epochs, names)
    assert len(expected) == samples and all(outcome == "completed" for *_, outcome in expected.values())
    assert per_trial(replayed.epochs, names) == expected


@pytest.mark.parametrize("name, samples, budget, seed", [("grid", 243, 40, 2), ("asha", 12, 100, 9)])
def test_two_workers_agree_on_what_timing_does_not_decide(name, samples, budget, seed, digits_table,
                                                          ray_session, tmp_path):
    """ASHA's decisions and where the budget cuts depend on which results arrived first, which is
    timing at 2 live workers: only the rest is compared (trial i's configuration and curve, rung
    stops), and a grid run's rows are checked against the dataset's Parquet files on both sides (its seed
    is one of the grid's recorded repeats: another seed draws keyed noise, not a recorded curve)."""
    live, replayed = both_sides(name, {}, samples, budget, seed, workers=2, table=digits_table, out=tmp_path)
    names = workloads.get("digits").space.names
    live_trials, replay_trials = per_trial(live.epochs, names), per_trial(replayed.epochs, names)
    assert len(live_trials) >= 2 and len(replay_trials) >= 2
    if name == "asha":
        for side in (live_trials, replay_trials):
            stops = [epochs[-1] for _, epochs, _, outcome in side.values() if outcome == "stopped_early"]
            assert stops and set(stops) <= {1, 3, 9}  # ASHA's rungs at grace period 1, reduction factor 3
    else:
        assert_rows_are_the_parquet_files(live.epochs, digits_table, seed)
        assert_rows_are_the_parquet_files(replayed.epochs, digits_table, seed)
    for index in set(live_trials) & set(replay_trials):
        (config, epochs, accuracy, _), (other_config, other_epochs, other_accuracy, _) = (
            live_trials[index], replay_trials[index])
        shared = min(len(epochs), len(other_epochs))
        assert (config, epochs[:shared], accuracy[:shared]) == (other_config, other_epochs[:shared],
                                                                 other_accuracy[:shared])


def assert_rows_are_the_parquet_files(epochs, table, seed):
    """Every row of a grid run equals the dataset's files read with pandas, not bench's lookup."""
    import pandas as pd

    names = workloads.get("digits").space.names
    curves = pd.read_parquet(table.path / "curves.parquet")
    cost = pd.read_parquet(table.path / "cost.parquet").set_index(["batch_size", "width"])
    assert seed in set(curves["repeat"]), "only a recorded repeat replays the Parquet files' rows"
    recorded = curves[curves["repeat"] == seed].set_index(names + ["epoch"])
    assert len(epochs) > 0
    for row in epochs.itertuples(index=False):
        truth = recorded.loc[tuple(getattr(row, n) for n in names) + (row.epoch,)]
        assert (row.val_accuracy, row.val_loss, row.train_loss, row.diverged) == (
            truth["val_accuracy"], truth["val_loss"], truth["train_loss"], truth["diverged"])
        assert row.epoch_cost_s == cost.loc[(row.batch_size, row.width), "epoch_cost_s"]
