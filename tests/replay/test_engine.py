"""Replay runs every strategy's real Ray Tune objects against a table and writes live-format runs."""

from __future__ import annotations

import pytest

import strategies
from bench.budget import Budget
from bench.replay import execute_replay
from bench.store.results import BASE_COLUMNS, OUTCOMES, load_run

VOLATILE = ["run_id", "timestamp"]


def _frame(summary):
    return load_run(summary.folder).epochs


@pytest.mark.parametrize("name", strategies.REGISTRY.names())
def test_every_strategy_replays_within_budget_in_live_format(name, digits_table, replay_spec):
    spec = replay_spec(strategy=name, budget_epochs=60, samples=12, workers=4)
    summary = execute_replay(spec, digits_table)

    stored = load_run(summary.folder)
    epochs, manifest = stored.epochs, stored.manifest
    assert summary.status == "complete" and manifest["status"] == "complete"
    assert manifest["replay"] is True and manifest["strategy"]["name"] == name
    assert manifest["table"]["curves_sha256"] == digits_table.meta["curves_sha256"]
    assert list(epochs.columns) == list(BASE_COLUMNS[:6]) + spec.workload.space.names + list(BASE_COLUMNS[6:])
    assert epochs["replay"].all()
    assert 1 <= len(epochs) <= spec.budget.limit  # replay stops at the result that spends the budget
    assert epochs["run_epochs"].tolist() == list(range(1, len(epochs) + 1))
    assert set(epochs["outcome"]) <= set(OUTCOMES)
    assert (epochs["epoch_compute_s"] > 0).all()
    for hp in spec.workload.space:
        assert epochs[hp.name].between(hp.low, hp.high).all()


@pytest.mark.parametrize("name", ["random", "asha", "hyperband", "median", "tpe"])
def test_rows_are_the_curves_the_dataset_gives_their_configuration(name, digits_table, replay_spec):
    from bench.store.curves import curve_book

    spec = replay_spec(strategy=name, samples=40, workers=3, seed=1)
    epochs = _frame(execute_replay(spec, digits_table))
    book = curve_book(digits_table, spec.workload.space, 1)
    names = spec.workload.space.names
    for row in epochs.itertuples(index=False):
        expected = book.curve_for({n: getattr(row, n) for n in names})[row.epoch - 1]
        assert (row.val_accuracy, row.epoch_compute_s, row.diverged) == (expected[0], expected[3],
                                                                         expected[5])
        assert row.epoch_cost_s == row.epoch_compute_s  # replay charges the cost model, as live runs do
    # every trial's epochs are consecutive from 1: a paused trial resumes from its last checkpoint,
    # which is its last epoch unless that epoch diverged (no checkpoint, as live: it is trained again)
    for _, trial in epochs.groupby("trial_id", sort=False):
        assert trial["epoch"].drop_duplicates().tolist() == list(range(1, trial["epoch"].max() + 1))
        assert trial[trial["epoch"].duplicated()]["diverged"].all()


@pytest.mark.parametrize("seed", [1, 2])
def test_a_replayed_grid_reads_the_recorded_files_exactly(seed, digits_table, replay_spec):
    """Checked against the Parquet files read directly, not through bench's lookup code.

    Seeds 0-2 are the grid's recorded repeats; another seed draws keyed noise around the grid
    point's recorded mean (tests/surrogate/test_noise.py).
    """
    import pandas as pd

    spec = replay_spec(strategy="grid", workers=2, seed=seed)
    epochs = _frame(execute_replay(spec, digits_table))
    names = spec.workload.space.names
    curves = pd.read_parquet(digits_table.path / "curves.parquet")
    cost = pd.read_parquet(digits_table.path / "cost.parquet").set_index(["batch_size", "width"])
    recorded = curves[curves["repeat"] == seed % 3].set_index(names + ["epoch"])
    assert len(epochs) == len(recorded) == 243 * spec.workload.max_epochs
    for row in epochs.itertuples(index=False):
        truth = recorded.loc[tuple(getattr(row, n) for n in names) + (row.epoch,)]
        assert (row.val_accuracy, row.val_loss, row.diverged) == (truth["val_accuracy"], truth["val_loss"],
                                                                  truth["diverged"])
        assert row.epoch_cost_s == cost.loc[(row.batch_size, row.width), "epoch_cost_s"]


def test_the_surrogate_returns_recorded_sobol_curves_exactly(digits_table):
    import numpy as np
    import pandas as pd

    from bench.store.curves import curve_book

    space = digits_table.meta["workload"]["space"]
    names = [hp["name"] for hp in space]
    sample = pd.read_parquet(digits_table.path / "space.parquet")
    import workloads

    # seed 2 is not recorded for Sobol configurations: keyed noise, neither recorded curve
    for seed in (0, 1, 2):
        book = curve_book(digits_table, workloads.get("digits").space, seed)
        for config_id in (0, 17, 1023):
            rows = sample[sample["config_id"] == config_id]
            config = rows.iloc[0][names].to_dict()
            accuracy = [epoch[0] for epoch in book.curve_for(config)]
            recorded = [rows[rows["seed"] == s]["val_accuracy"].to_numpy() for s in (0, 1)]
            if seed < 2:
                assert np.array_equal(accuracy, recorded[seed])
            else:
                assert not any(np.array_equal(accuracy, r) for r in recorded)


@pytest.mark.parametrize("name", ["asha", "pbt", "bohb"])
def test_same_seed_same_results_other_seed_other_results(name, digits_table, replay_spec):
    first, second = (_frame(execute_replay(replay_spec(strategy=name, samples=30), digits_table))
                     for _ in range(2))
    assert first.drop(columns=VOLATILE).equals(second.drop(columns=VOLATILE))
    other = _frame(execute_replay(replay_spec(strategy=name, samples=30, seed=7), digits_table))
    assert not first.drop(columns=VOLATILE + ["seed"]).equals(other.drop(columns=VOLATILE + ["seed"]))


def test_until_target_stops_at_the_first_result_reaching_it(digits_table, replay_spec):
    best = float(digits_table.curves["val_accuracy"].max())
    target = round(best - 0.02, 4)
    epochs = _frame(execute_replay(replay_spec(strategy="random", target=target), digits_table))
    running_best = epochs["val_accuracy"].cummax()
    assert running_best.iloc[-1] >= target
    assert (running_best.iloc[:-1] < target).all()


def test_seconds_budget_is_spent_on_recorded_compute(digits_table, replay_spec):
    budget = Budget("seconds", 5.0)
    epochs = _frame(execute_replay(replay_spec(strategy="random", budget=budget), digits_table))
    assert epochs["run_compute_s"].iloc[-1] >= 5.0
    assert epochs["run_compute_s"].iloc[-2] < 5.0


def test_more_workers_finish_sooner_in_simulated_time(digits_table, replay_spec):
    times = {}
    for workers in (1, 4):
        summary = execute_replay(replay_spec(strategy="random", samples=20, workers=workers), digits_table)
        times[workers] = load_run(summary.folder).manifest["simulation"]["simulated_wall_s"]
    assert times[4] < times[1] / 2


def test_pbt_clones_are_marked_approximate(digits_table, replay_spec):
    manifest = load_run(execute_replay(replay_spec(strategy="pbt"), digits_table).folder).manifest
    assert manifest["simulation"]["clones"] > 0
    assert manifest["approximations"] and "clone" in manifest["approximations"][0]
    asha = load_run(execute_replay(replay_spec(strategy="asha", samples=20), digits_table).folder).manifest
    assert asha["approximations"] == []


def test_grid_index_is_the_nearest_grid_point(digits_table):
    import random as stdlib_random

    import workloads
    from bench.store.curves import CurveBook

    space = workloads.get("digits").space
    book = CurveBook(digits_table, space, repeat=0)
    points = {tuple(p.values()): i for i, p in enumerate(space.grid_points())}
    rng = stdlib_random.Random(0)
    configs = [{hp.name: rng.uniform(hp.low - 1, hp.high * 1.5) for hp in space} for _ in range(2000)]
    configs += [dict(p) for p in space.grid_points()]
    # values exactly halfway between two grid values (on the scale) go to the smaller one
    configs += [{hp.name: (hp.grid[0] * hp.grid[1]) ** 0.5 if hp.log else (hp.grid[0] + hp.grid[1]) / 2
                 for hp in space}]
    for config in configs:
        assert book.grid_index(config) == points[tuple(space.nearest_grid_point(config).values())]


@pytest.mark.parametrize("name", ["random", "grid"])
def test_copy_shortcuts_sample_the_same_configurations(name):
    """Sharing domains across Tune's deep copies changes no sampled value."""
    import numpy as np
    from ray.tune.search.variant_generator import generate_variants

    import workloads
    from bench.replay.strategy_setup import _shared_domains
    from strategies import BuildContext

    space = workloads.get("digits").space
    spaces = [strategies.resolve(name).build(BuildContext(space=space, max_epochs=space_epochs(), seed=3,
                                                          samples=10)).param_space
              for _ in range(2)]
    original, shared = np.random.RandomState(5), np.random.RandomState(5)
    for _ in range(30):
        plain = [spec["config"] for _, spec in generate_variants({"config": spaces[0]},
                                                                 random_state=original)]
        fast = [dict(spec["config"]) for _, spec in generate_variants({"config": _shared_domains(spaces[1])},
                                                                     random_state=shared)]
        assert fast == plain


def space_epochs() -> int:
    import workloads

    return workloads.get("digits").max_epochs


def test_pbt_clone_continues_on_its_new_configurations_curve(digits_table, replay_spec):
    """After an exploit, a trial continues from the copied epoch on its new configuration's curve."""
    from bench.store.curves import curve_book

    spec = replay_spec(strategy="pbt", workers=4)
    epochs = _frame(execute_replay(spec, digits_table))
    book = curve_book(digits_table, spec.workload.space, 0)
    names = spec.workload.space.names
    exploits = 0
    for _, trial in epochs.groupby("trial_id", sort=False):
        previous = None
        for row in trial.itertuples(index=False):
            config = {n: getattr(row, n) for n in names}
            # Tune records the epoch that triggered the exploit with the new configuration (PBT sets
            # it inside on_trial_result), though that epoch was trained with the old one.
            changed = previous is not None and config != previous[0]
            exploits += changed
            trained_with = previous[0] if changed else config
            assert row.val_accuracy == book.curve_for(trained_with)[row.epoch - 1][0]
            if previous is not None and not changed and not previous[2] and row.epoch != previous[1] + 1:
                raise AssertionError("a trial's epochs jump without an exploit")
            previous = (config, row.epoch, changed)  # after an exploit: the copied epoch + 1
    assert exploits > 0


def test_pb2_decides_the_same_with_scikit_learns_parameter_checks_on(digits_table, replay_spec, monkeypatch):
    """The replay skips scikit-learn's parameter validation (a tenth of a default pb2 replay's CPU); every
    Gaussian-process fit and so every exploit and perturbation must come out the same with it on."""
    import contextlib

    import sklearn

    from bench.replay import engine

    def replayed():
        spec = replay_spec(strategy="pb2", params={"population_size": 4}, samples=8, budget_epochs=32)
        return _frame(execute_replay(spec, digits_table))

    skipping, skipped = engine._sklearn_parameter_checks_off, []

    @contextlib.contextmanager
    def watched():
        with skipping():
            skipped.append(sklearn.get_config()["skip_parameter_validation"])
            yield

    monkeypatch.setattr(engine, "_sklearn_parameter_checks_off", watched)
    unchecked = replayed()
    assert skipped == [True]  # the replay ran with scikit-learn's checks off
    monkeypatch.setattr(engine, "_sklearn_parameter_checks_off", contextlib.nullcontext)
    checked = replayed()
    # PB2 explored: some trial went on with other hyperparameters, chosen by its Gaussian process.
    changed = unchecked.groupby("trial_id")[["learning_rate", "momentum", "weight_decay"]].nunique().gt(1)
    assert changed.any(axis=1).any()
    assert unchecked.drop(columns=VOLATILE).equals(checked.drop(columns=VOLATILE))
