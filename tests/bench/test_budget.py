"""The shared budget: its unit follows the cost model, so the default is the grid's compute
as the report counts it."""

from __future__ import annotations

import json

import pytest

import workloads
from bench.budget import REFERENCE_SECONDS, Budget, make_budget
from bench.errors import BenchError


def test_the_default_budget_is_the_grid_in_reference_seconds_where_a_cost_model_charges_epochs():
    assert make_budget(6561) == Budget("epochs", 6561.0)
    assert make_budget(6561, grid_budget_seconds=500.0) == Budget("seconds", 500.0, REFERENCE_SECONDS)
    # The options keep their units; --budget-seconds counts the cost model's seconds where there is one.
    assert make_budget(6561, budget_epochs=100, grid_budget_seconds=500.0) == Budget("epochs", 100)
    assert make_budget(6561, budget_fraction=0.5, grid_budget_seconds=500.0) == Budget("epochs", 3280.5)
    assert make_budget(6561, budget_seconds=60, grid_budget_seconds=500.0) == Budget("seconds", 60,
                                                                                     REFERENCE_SECONDS)
    assert make_budget(6561, budget_seconds=60) == Budget("seconds", 60)


def test_a_budget_reads_back_from_old_and_new_manifests():
    assert Budget("epochs", 6.0).as_dict() == {"unit": "epochs", "limit": 6.0}  # as before labels existed
    labelled = Budget("seconds", 516.5, REFERENCE_SECONDS)
    assert labelled.as_dict() == {"unit": "seconds", "limit": 516.5, "label": "reference-seconds"}
    assert Budget.from_dict(json.loads(json.dumps(labelled.as_dict()))) == labelled
    assert Budget.from_dict({"unit": "seconds", "limit": 9}) == Budget("seconds", 9.0)
    assert labelled.describe() == "516.5 reference-seconds"
    with pytest.raises(BenchError, match="accepted: none, or reference-seconds for seconds"):
        Budget("epochs", 5, REFERENCE_SECONDS)


def test_the_grid_cost_in_reference_seconds_is_the_reference_total():
    from bench.reporting.reference import load_reference
    from bench.store.dataset import workload_cost_model

    digits = workloads.get("digits")
    total = load_reference("digits").total_compute("seconds")
    assert workload_cost_model(digits).grid_cost_s(digits) == pytest.approx(total, rel=1e-12)


def test_a_replay_with_the_default_budget_uses_at_most_the_grids_compute(tmp_path):
    """In reference-seconds, as the report counts them; the ledger stops after the result that reaches the
    budget, so a run may pass it by that one epoch's cost and no more."""
    import bench
    from bench.reporting.reference import load_reference
    from bench.spec import spec_from_manifest

    grid_total = load_reference("digits").total_compute("seconds")
    run = bench.run("random", replay=True, until="budget", out=tmp_path)
    assert run.manifest["budget"] == {"unit": "seconds", "limit": pytest.approx(grid_total, rel=1e-12),
                                      "label": "reference-seconds"}
    assert run.manifest["compute_unit"]["name"] == "reference-seconds"
    spent = run.epochs["epoch_cost_s"].sum()
    assert spent == pytest.approx(run.epochs["run_compute_s"].max(), rel=1e-9)
    before_last = spent - run.epochs.sort_values("result_index")["epoch_cost_s"].iloc[-1]
    assert before_last < grid_total <= spent <= grid_total + run.epochs["epoch_cost_s"].max()
    assert spec_from_manifest(run.manifest, run.folder).budget.label == REFERENCE_SECONDS


def test_a_replay_with_budget_epochs_stays_in_epochs(tmp_path):
    import bench

    run = bench.run("random", replay=True, until="budget", budget_epochs=40, out=tmp_path)
    assert run.manifest["budget"] == {"unit": "epochs", "limit": 40.0}
    assert len(run.epochs) == 40


def test_a_replay_of_a_table_without_a_cost_model_keeps_the_budget_in_epochs(tmp_path):
    """Its epochs are charged measured seconds: the default stays the grid's epochs,
    not the shipped model's seconds."""
    import sys
    from pathlib import Path

    import bench

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "replay"))
    from synthetic import write_synthetic_table

    digits = workloads.get("digits")
    table = write_synthetic_table(tmp_path / "digits-synthetic", digits)
    run = bench.run("random", replay=table, until="budget", samples=4, out=tmp_path / "out")
    assert run.manifest["budget"] == {"unit": "epochs", "limit": float(digits.grid_budget_epochs)}
    assert run.manifest["compute_unit"]["name"] == "measured-seconds"
