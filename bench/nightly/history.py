"""The nightly history: an SQLite database (WAL), one transaction per nightly run.

Tables: `runs` (one row per nightly run: suite, machine, commit, versions, status) and
`results` (one row per run, mode, workload, strategy and seed). pandas reads both with
`pandas.read_sql("select * from results", sqlite3.connect(path))`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.errors import BenchError

if TYPE_CHECKING:
    import pandas as pd

SCHEMA = 1
FILE = "history.sqlite"
_DDL = """
create table if not exists meta (key text primary key, value text not null);
create table if not exists runs (
    run_id integer primary key autoincrement, schema integer not null, suite text not null,
    started_at text not null, machine text not null, commit_sha text not null,
    versions text not null, status text not null);
create table if not exists results (
    run_id integer not null references runs(run_id), mode text not null, workload text not null,
    conditions text not null, strategy text not null, params text not null, seed integer not null,
    reached integer not null, normalised real, final_accuracy real,
    primary key (run_id, mode, workload, strategy, seed));
"""
RESULT_COLUMNS = ("mode", "workload", "conditions", "strategy", "params", "seed", "reached", "normalised",
                  "final_accuracy")


@dataclass(frozen=True)
class RunRecord:
    """One nightly run's row; status is "accepted" (nothing regressed) or "regressed"."""

    run_id: int
    suite: str
    started_at: str
    machine: str
    commit_sha: str
    versions: dict
    status: str


class History:
    """A history database in `folder` (created on first use)."""

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(self.folder / FILE, timeout=30.0)
            self.conn.execute("pragma journal_mode=wal")
            with self.conn:
                self.conn.executescript(_DDL)
                self.conn.execute("insert or ignore into meta values ('schema', ?)", (str(SCHEMA),))
            found = self.conn.execute("select value from meta where key = 'schema'").fetchone()[0]
        except (OSError, sqlite3.DatabaseError) as exc:
            raise BenchError(f"{self.folder / FILE}: not a usable history database ({exc})") from None
        if found != str(SCHEMA):
            raise BenchError(f"{self.folder / FILE}: history schema {found}, "
                             f"this bench reads schema {SCHEMA}")

    def close(self) -> None:
        self.conn.close()

    def append(self, run: Mapping[str, Any], results: Iterable[Mapping[str, Any]]) -> int:
        """Store one nightly run and its per-seed results atomically; returns its run_id."""
        with self.conn:  # one transaction: all rows or none
            cursor = self.conn.execute(
                "insert into runs (schema, suite, started_at, machine, commit_sha, versions, status) "
                "values (?, ?, ?, ?, ?, ?, ?)",
                (SCHEMA, run["suite"], run["started_at"], run["machine"], run["commit_sha"],
                 json.dumps(run["versions"], sort_keys=True), run["status"]))
            run_id = int(cursor.lastrowid)  # type: ignore[arg-type]  # set by the INSERT
            self.conn.executemany(
                f"insert into results (run_id, {', '.join(RESULT_COLUMNS)}) values "
                f"(?{', ?' * len(RESULT_COLUMNS)})",
                [(run_id, *(stored_value(row, c) for c in RESULT_COLUMNS)) for row in results])
        return run_id

    def runs(self, suite: str | None = None) -> list[RunRecord]:
        """Runs in the order they were stored (optionally of one suite)."""
        query = "select run_id, suite, started_at, machine, commit_sha, versions, status from runs"
        rows = self.conn.execute(query + (" where suite = ?" if suite else "") + " order by run_id",
                                 (suite,) if suite else ()).fetchall()
        return [RunRecord(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), r[6]) for r in rows]

    def run(self, run_id: int) -> RunRecord:
        found = [r for r in self.runs() if r.run_id == run_id]
        if not found:
            ids = [r.run_id for r in self.runs()]
            accepted = f"{min(ids)} to {max(ids)}" if ids else "none (the history is empty)"
            raise BenchError(f"no nightly run {run_id} in {self.folder / FILE}; accepted run ids: {accepted}")
        return found[0]

    def results(self, run_id: int) -> pd.DataFrame:
        """One run's per-seed results as a DataFrame (normalised NaN for a miss)."""
        import pandas as pd

        return pd.read_sql("select * from results where run_id = ? order by mode, workload, strategy, seed",
                           self.conn, params=(run_id,))

    def baseline(self, suite: str, machine: str, before: int | None = None) -> RunRecord | None:
        """The last accepted run of `suite` on `machine` (before run `before`)."""
        found = [r for r in self.runs(suite) if r.machine == machine and r.status == "accepted"
                 and (before is None or r.run_id < before)]
        return found[-1] if found else None


def stored_value(row: Mapping[str, Any], column: str) -> Any:
    """A result row's `column` as the history stores it (JSON text, None for a miss, 0/1 for reached)."""
    value = row[column]
    if column in ("conditions", "params") and not isinstance(value, str):
        return json.dumps(value, sort_keys=True)
    if column in ("normalised", "final_accuracy") and value is not None and value != value:
        return None  # NaN: a miss
    if column == "reached":
        return int(bool(value))
    return value
