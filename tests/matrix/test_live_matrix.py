"""`bench compare --live --parallel 2`: two live drivers at once on one Ray cluster, each run its own.

A real command in a fresh process (it starts its own Ray cluster, as a user's does): two tiny live
runs (6 epochs each, one worker), then the same command again, which must skip both.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pandas as pd
import pytest

from ..resilience.resilience_cli import ROOT, env

pytestmark = pytest.mark.slow  # starts Ray and trains (tests/conftest.py: slow)

LIVE = ["compare", "--live", "--strategies", "random,asha", "--seeds", "1", "--budget-epochs", "6",
        "--workers", "1", "--parallel", "2", "--verbose", "--trials-per-gpu", "4", "--max-failures", "5"]


def compare(out):
    return subprocess.run([sys.executable, "-m", "bench", *LIVE, "--out", str(out)], cwd=ROOT, env=env(),
                          capture_output=True, text=True, timeout=600)


def test_live_parallel_runs_two_drivers_at_once_and_a_rerun_skips_them(tmp_path):
    out = tmp_path / "live"
    done = compare(out)
    assert done.returncode == 0, done.stderr[-3000:]
    records = [json.loads(line) for line in (out / "matrix.jsonl").read_text().splitlines()]
    assert sorted((r["strategy"], r["status"]) for r in records) == [("asha", "complete"),
                                                                     ("random", "complete")]
    assert len({r["executed"]["pid"] for r in records}) == 2  # one driver process per run

    manifests = [json.loads(path.read_text()) for path in sorted(out.glob("*/manifest.json"))]
    assert len(manifests) == 2
    starts = [dt.datetime.fromisoformat(m["started_at"]) for m in manifests]
    ends = [dt.datetime.fromisoformat(m["ended_at"]) for m in manifests]
    assert max(starts) < min(ends), ("the two live runs did not overlap: --parallel 2 ran them "
                                     "one after another")
    trial_ids = []
    for manifest in manifests:
        assert manifest["status"] == "complete" and manifest["workers"] == 1
        # compare's run options reach every run of the matrix (through its recipes, in other processes)
        assert manifest["trials_per_gpu"] == 4 and manifest["max_failures"] == 5
        assert manifest["rows"] == 6  # each run's budget is its own trials' epochs, not the pair's
        epochs = pd.read_parquet(out / manifest["run_id"] / "epochs.parquet")
        assert len(epochs) == 6 and epochs["run_epochs"].tolist() == list(range(1, 7))
        trial_ids.append(set(epochs["trial_id"]))
    assert not trial_ids[0] & trial_ids[1]

    again = compare(out)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "resuming: 2 of 2 runs already complete and verified" in again.stdout + again.stderr
    assert len((out / "matrix.jsonl").read_text().splitlines()) == len(records)  # nothing ran again
