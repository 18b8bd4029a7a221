"""The shipped `smoke` suite end to end: every strategy x 4 seeds replayed, stored, reported, exit 0.

It ran in 33 s on the idle 2-core machine on 2026-12-06 at 77b47c2 (56 s CPU, every process counted:
its first runs replay in the command's process, then the runs left, pb2's among them, move to two
worker processes; 41 s and 55 s before, when each process imported torch to look for GPUs and a
worker's start was reckoned at 4.5 s). It was opt-in while it took 4 min 19 s: each worker then ran
pb2's Gaussian-process fits on as many BLAS threads as there are cores, N workers fighting over N
cores (now one BLAS thread, bench.environment.one_blas_thread).
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import strategies

ROOT = Path(__file__).resolve().parents[2]


def test_the_shipped_smoke_suite_runs_end_to_end(tmp_path):
    done = subprocess.run([sys.executable, "-m", "bench", "nightly", "--suite", "smoke", "--history",
                           str(tmp_path / "h"), "--out", str(tmp_path / "n")], cwd=ROOT, capture_output=True,
                          text=True, timeout=1200)
    assert done.returncode == 0, done.stderr[-3000:]
    with sqlite3.connect(tmp_path / "h" / "history.sqlite") as conn:
        runs = conn.execute("select suite, status from runs").fetchall()
        results = conn.execute("select strategy, seed, normalised from results").fetchall()
    assert runs == [("smoke", "accepted")]
    assert sorted({(s, seed) for s, seed, _ in results}) == sorted(
        (name, seed) for name in strategies.REGISTRY.names() for seed in range(4))
    assert all(normalised is None or normalised > 0 for *_, normalised in results)
    report = (tmp_path / "n" / "nightly.md").read_text()
    assert all(name in report for name in strategies.REGISTRY.names())
    assert (tmp_path / "n" / "trend-replay-digits.png").stat().st_size > 0
