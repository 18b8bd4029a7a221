"""Tables for replay tests: the shipped digits dataset, and a synthetic grid table in the real format."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(scope="session")
def synthetic_table_path(tmp_path_factory) -> Path:
    """A synthetic digits table with 2 repeats (written once per session)."""
    import workloads

    from synthetic import write_synthetic_table

    return write_synthetic_table(tmp_path_factory.mktemp("tables") / "digits-synthetic",
                                 workloads.get("digits"), repeats=2)


@pytest.fixture(scope="session")
def digits_table():
    """The shipped digits dataset; a missing or broken one fails the tests that use it."""
    from bench.store.tables import default_table_path, load_table

    shipped = default_table_path("digits")
    assert shipped is not None, "the shipped digits dataset is missing from results/reference"
    return load_table(shipped)


@pytest.fixture
def replay_spec(tmp_path):
    """A RunSpec for a replay of the digits workload."""
    import strategies
    import workloads
    from bench.budget import Budget
    from bench.spec import RunSpec

    def make(strategy="asha", params=None, budget_epochs=None, samples=None, workers=4, seed=0, target=None,
             budget=None, out=None):
        workload = workloads.get("digits")
        return RunSpec.of(
            strategy=strategies.resolve(strategy, params or {}), workload=workload, seed=seed,
            budget=budget or Budget("epochs", budget_epochs or workload.grid_budget_epochs),
            samples=samples or workload.space.grid_size(), workers=workers,
            out_dir=out or tmp_path / "results", target=target, progress=False,
        )

    return make
