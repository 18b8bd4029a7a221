"""Every registered strategy runs a real Ray Tune sweep of the real digits workload."""

from __future__ import annotations

import pytest

import strategies
from bench.store.results import OUTCOMES, load_run


@pytest.mark.parametrize("name", strategies.REGISTRY.names())
def test_strategy_runs_end_to_end_within_budget(name, ray_session, run_spec_factory):
    from bench.live.runner import execute

    spec = run_spec_factory(strategy=name, budget_epochs=6, samples=3, workers=2)
    summary = execute(spec)

    stored = load_run(summary.folder)
    epochs = stored.epochs
    assert summary.status == "complete"
    assert stored.manifest["strategy"]["name"] == name
    assert len(epochs) >= 1
    # The budget is shared across trials: at most one epoch per worker beyond it.
    assert len(epochs) <= spec.budget.limit + spec.workers
    assert set(epochs["outcome"]) <= set(OUTCOMES)
    assert epochs["val_accuracy"].between(0, 1).all()
    assert (epochs["epoch_compute_s"] > 0).all()
    assert epochs["run_epochs"].tolist() == list(range(1, len(epochs) + 1))
    for hp in spec.workload.space:
        assert epochs[hp.name].between(hp.low, hp.high).all()


def test_same_seed_samples_same_configurations(ray_session, run_spec_factory):
    from bench.live.runner import execute

    configs = []
    for _ in range(2):
        summary = execute(run_spec_factory(strategy="random", budget_epochs=3, samples=3, workers=1))
        epochs = load_run(summary.folder).epochs
        names = list(strategies_space_names())
        configs.append(epochs.drop_duplicates("trial_id")[names].to_dict("records"))
    assert configs[0] == configs[1]


def strategies_space_names():
    import workloads

    return workloads.get("digits").space.names
