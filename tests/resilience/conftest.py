"""Fixtures for the fault-injection tests: one uninterrupted run to compare against."""

from __future__ import annotations

import pytest

from tests.conftest import built_once

from .resilience_cli import GRID_ARGS, run, run_folder, signature


@pytest.fixture(scope="session")
def uninterrupted(tmp_path_factory):
    """The table of an uninterrupted deterministic run (grid, 1 worker, 45 epochs), run once per test
    session (also across pytest-xdist's workers)."""

    def build():
        out = tmp_path_factory.mktemp("uninterrupted") / "out"
        code, _, stderr = run(out, *GRID_ARGS)
        assert code == 0, stderr[-2000:]
        return signature(run_folder(out))

    table = built_once(tmp_path_factory, "uninterrupted", build)
    assert len(table) == 45
    return table
