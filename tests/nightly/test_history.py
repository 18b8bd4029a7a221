"""The history database: round trip, baseline choice, and an interrupted write leaves it unchanged."""

import sqlite3

import pytest

from bench.errors import BenchError
from bench.nightly.history import FILE, History


def _run(status="accepted", machine="cpu|2cpu|no-gpu"):
    return {"suite": "s", "started_at": "2026-01-01T00:00:00", "machine": machine, "commit_sha": "abc",
            "versions": {"ray": "2.60.0"}, "status": status}


def _rows(n=3, value=10.0):
    return [{"mode": "replay", "workload": "digits", "conditions": {"t": 1}, "strategy": "asha", "params": {},
             "seed": i, "reached": True, "normalised": value + i, "final_accuracy": 0.9} for i in range(n)]


def test_round_trip_and_baseline(tmp_path):
    history = History(tmp_path)
    first = history.append(_run(), _rows())
    history.append(_run(status="regressed"), _rows(value=30.0))
    history.append(_run(machine="other"), _rows())
    assert history.baseline("s", "cpu|2cpu|no-gpu").run_id == first  # the regressed run is no baseline
    results = history.results(first)
    assert list(results["normalised"]) == [10.0, 11.0, 12.0] and results["conditions"].iloc[0] == '{"t": 1}'
    assert history.run(first).versions == {"ray": "2.60.0"}
    assert sqlite3.connect(tmp_path / FILE).execute("pragma journal_mode").fetchone()[0] == "wal"


def test_exception_between_writes_leaves_history_unchanged(tmp_path):
    history = History(tmp_path)
    history.append(_run(), _rows())
    before = (history.runs(), history.results(1).to_dict())
    rows = _rows() + [dict(_rows()[0], seed=object())]  # the last row cannot be stored: fails mid-transaction
    with pytest.raises(sqlite3.Error):
        history.append(_run(), rows)
    history.close()
    reopened = History(tmp_path)
    assert (reopened.runs(), reopened.results(1).to_dict()) == before
    assert reopened.conn.execute("select count(*) from results").fetchone()[0] == 3


def test_not_a_database_is_one_clear_error(tmp_path):
    (tmp_path / FILE).write_text("not sqlite")
    with pytest.raises(BenchError, match="not a usable history database"):
        History(tmp_path)
