"""scripts/live_vs_replay.py --from-stored recomputes the committed
live-versus-replay table without training."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "live_vs_replay.py"
STORED = ROOT / "results" / "validation" / "live-vs-replay"


def test_from_stored_recomputes_every_pair_from_the_stored_live_runs(tmp_path):
    manifest = json.loads((STORED / "manifest.json").read_text())
    done = subprocess.run([sys.executable, str(SCRIPT), "--from-stored", "--store", str(STORED),
                           "--out", str(tmp_path / "runs")], capture_output=True, text=True, timeout=900,
                          cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = [line for line in done.stdout.splitlines() if re.match(r"\| \w[\w-]* \| 0\.9", line)]
    # One row per strategy and target, each with a geometric mean.
    assert len(rows) == 2 * len(manifest["strategies"])
    assert all(re.search(r"\| \d+\.\d\d \[", row) for row in rows), rows
    assert sum(line.startswith("verdict live: at ") for line in done.stdout.splitlines()) == 2
    assert sum(line.startswith("verdict replay: at ") for line in done.stdout.splitlines()) == 2
    # Nothing was trained: the live figures are the stored ones, seed for seed.
    seeds = [seed for seed in manifest["seeds"]
             if all(f"{name}:{seed}" in manifest["runs"] for name in manifest["strategies"])]
    assert len(seeds) >= 3
    for name in manifest["strategies"]:
        for seed in seeds:
            assert f"  {name} seed {seed}: live " in done.stdout
    assert not (tmp_path / "runs").exists() or not any(
        json.loads(m.read_text()).get("replay") is False for m in (tmp_path / "runs").glob("*/manifest.json"))
