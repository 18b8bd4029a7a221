"""Fixtures for the report tests: the hand-built table as the shipped digits reference."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# The builders module sits beside this file; importable whether or not tests/ is a package.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from report_builders import write_hand_table  # noqa: E402  # needs the sys.path line above


@pytest.fixture(scope="session")
def hand_table(tmp_path_factory) -> Path:
    return write_hand_table(tmp_path_factory.mktemp("reference") / "digits-v2")


@pytest.fixture
def shipped_reference(monkeypatch, hand_table):
    """Make the hand-built table the shipped digits reference."""
    import bench.store.tables

    monkeypatch.setattr(bench.store.tables, "REFERENCE_DIR", hand_table.parent)
    return hand_table
