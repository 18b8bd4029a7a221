"""Pure metric functions over hand-built stored runs."""

from __future__ import annotations

import math

import pytest

from bench.reporting.basis import make_basis
from bench.reporting.metrics import (
    best_final_accuracy,
    compute_to_target,
    configurations_tried,
    per_seed_compute_to_target,
    trajectory,
)
from bench.reporting.reference import load_reference
from bench.store.results import load_run

from report_builders import EPOCHS, GRID_TOTAL, write_run


def test_trajectory_follows_arrival_order_not_storage_or_epoch_order(tmp_path):
    # Two concurrent trials: t1's epoch 1 arrives between t0's epochs 1 and 2; rows are stored shuffled.
    folder = write_run(tmp_path, "asha", 3,
                       [(0, 1, 0.4, 1.0), (1, 1, 0.7, 2.0), (0, 2, 0.6, 3.0), (1, 2, 0.9, 4.0)])
    path = trajectory(load_run(folder).epochs)
    assert path["result_index"].tolist() == [0, 1, 2, 3]
    assert path["trial_id"].tolist() == ["t0", "t1", "t0", "t1"]
    assert path["cumulative_s"].tolist() == [1.0, 3.0, 6.0, 10.0]
    assert path["cumulative_epochs"].tolist() == [1.0, 2.0, 3.0, 4.0]
    assert path["best_so_far"].tolist() == [0.4, 0.7, 0.7, 0.9]
    assert compute_to_target(path, 0.7, "seconds") == 3.0
    assert compute_to_target(path, 0.7, "epochs") == 2.0
    assert compute_to_target(path, 0.8, "seconds") == 10.0
    assert compute_to_target(path, 0.95, "seconds") is None


def test_reach_within_budget_only(tmp_path):
    folder = write_run(tmp_path, "asha", 0, [(0, 1, 0.5, 1.0), (1, 1, 0.6, 1.0), (2, 1, 0.95, 1.0)])
    path = trajectory(load_run(folder).epochs)
    assert compute_to_target(path, 0.9, "seconds", {"unit": "epochs", "limit": 3}) == 3.0
    assert compute_to_target(path, 0.9, "seconds", {"unit": "epochs", "limit": 2}) is None
    assert compute_to_target(path, 0.9, "seconds", {"unit": "seconds", "limit": 2.5}) is None


def test_best_final_is_the_best_trials_last_result(tmp_path):
    # t0 peaks at 0.95 then falls to 0.80; t1 ends at 0.85: the best final is 0.85.
    folder = write_run(tmp_path, "pbt", 0,
                       [(0, 1, 0.95, 1.0), (1, 1, 0.6, 1.0), (0, 2, 0.80, 1.0), (1, 2, 0.85, 1.0)])
    epochs = load_run(folder).epochs
    assert best_final_accuracy(epochs) == 0.85
    assert trajectory(epochs)["best_so_far"].iloc[-1] == 0.95
    assert configurations_tried(epochs) == 2


def test_per_seed_table_against_the_hand_table(tmp_path, shipped_reference):
    runs = [load_run(write_run(tmp_path, "random", seed, rows)) for seed, rows in
            ((0, [(0, 1, 0.5, 2.0), (1, 1, 0.9, 3.0)]), (1, [(0, 1, 0.5, 2.0)]))]
    reference = load_reference("digits")
    assert reference.best_final_accuracy() == 0.90 and reference.total_compute("seconds") == GRID_TOTAL
    assert reference.total_compute("epochs") == GRID_TOTAL
    basis = make_basis(reference, runs)
    frame = per_seed_compute_to_target(runs, basis)
    assert frame["seed"].tolist() == [0, 1]
    assert frame["reached"].tolist() == [True, False]
    assert frame["compute_to_target"].iloc[0] == 5.0
    assert frame["normalised"].iloc[0] == 100.0 * 5.0 / GRID_TOTAL
    assert math.isnan(frame["normalised"].iloc[1])
    assert frame["compute_used_normalised"].tolist() == [100.0 * 5.0 / GRID_TOTAL, 100.0 * 2.0 / GRID_TOTAL]
    assert frame["epochs_trained"].tolist() == [2, 1] and frame["trials"].tolist() == [2, 1]


def test_grid_run_folder_is_a_reference(tmp_path):
    """A complete grid run (every point to max_epochs) is a reference; a partial one is refused."""
    from bench.errors import BenchError

    rows = [(point, epoch, 0.9 if (point, epoch) == (7, EPOCHS) else 0.5, 2.0) for point in range(243)
            for epoch in range(1, EPOCHS + 1)]
    folder = write_run(tmp_path / "full", "grid", 0, rows, shuffle=False)
    reference = load_reference("digits", folder)
    assert (reference.kind, reference.best_final_accuracy(), reference.total_compute("seconds")) == (
        "grid run", 0.9, 2.0 * GRID_TOTAL)
    partial = write_run(tmp_path / "partial", "grid", 0, rows[:-1], shuffle=False)
    with pytest.raises(BenchError, match="not a full grid"):
        load_reference("digits", partial)
