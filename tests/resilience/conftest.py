"""Fixtures for the fault-injection tests: one uninterrupted run to compare against."""

from __future__ import annotations

import pytest

from .resilience_cli import GRID_ARGS, run, run_folder, signature


@pytest.fixture(scope="session")
def uninterrupted(tmp_path_factory):
    """The table of an uninterrupted deterministic run (grid, 1 worker, 45 epochs)."""
    out = tmp_path_factory.mktemp("uninterrupted") / "out"
    code, _, stderr = run(out, *GRID_ARGS)
    assert code == 0, stderr[-2000:]
    table = signature(run_folder(out))
    assert len(table) == 45
    return table
