"""scripts/gpu_throughput.py runs end to end (here on the CPU, at the smallest sizes) and stores its rows."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "gpu_throughput.py"


@pytest.mark.slow  # trains a model
@pytest.mark.skipif(torch.cuda.is_available(), reason="the CPU path; on CUDA the script itself is the check")
def test_cpu_run_prints_labelled_table_and_writes_rows(tmp_path, monkeypatch):
    monkeypatch.setenv("BENCH_DATA_DIR", str(tmp_path / "no-data"))
    out = tmp_path / "throughput.json"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--trials", "1,2", "--widths", "8", "--batch-sizes", "16", "--images",
         "32", "--json", str(out)],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "CPU ONLY (no CUDA)" in done.stdout and "synthetic CIFAR-shaped data" in done.stdout
    stored = json.loads(out.read_text())
    assert stored["schema_version"] == 1 and stored["device"] == "cpu" and stored["error"] is None
    assert [row["trials"] for row in stored["rows"]] == [1, 2]
    for row in stored["rows"]:
        assert row["images_per_s"] > 0 and row["flops_per_s"] > 0 and 0 < row["mfu"]
        assert row["epoch_s_per_trial"] > 0
