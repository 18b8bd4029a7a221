"""The learning-curve dataset: Sobol configurations, the recording's resume, the cost model, the shipped files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import workloads
from bench.store.dataset_recording import fit_cost_table, sobol_configs

ROOT = Path(__file__).resolve().parents[2]


def test_sobol_configurations_cover_the_space_on_its_scales():
    space = workloads.get("digits").space
    configs = sobol_configs(space, 256, seed=3)
    assert len(configs) == 256 and configs == sobol_configs(space, 256, seed=3)
    for hp in space:
        values = np.array([c[hp.name] for c in configs], dtype=float)
        assert values.min() >= hp.low and values.max() <= hp.high
        if hp.integer:
            assert all(float(v).is_integer() for v in values)
        scaled = np.log10(values) if hp.log else values
        low, high = (np.log10(hp.low), np.log10(hp.high)) if hp.log else (hp.low, hp.high)
        # Uniform on the search scale: each half of the range holds about half the points.
        share = float(np.mean(scaled < (low + high) / 2))
        assert 0.4 < share < 0.6, (hp.name, share)
    with pytest.raises(ValueError, match="power of 2"):
        sobol_configs(space, 1000, seed=0)


def test_cost_table_follows_batch_size_and_width_only():
    """Fewer, larger batches cost less per epoch; wider models cost more; other values do not matter."""
    import pandas as pd

    space = workloads.get("digits").space
    rows = []
    for config_id, (batch, width) in enumerate([(b, w) for b in (16, 32, 64, 128, 256) for w in (4, 12, 20, 32)]):
        seconds = 0.02 + 2.0 / batch + 0.002 * width
        for lr in (0.01, 0.5):
            rows.append({"config_id": config_id * 2 + (lr > 0.1), "seed": 0, "batch_size": batch, "width": width,
                         "learning_rate": lr, "epoch_compute_s": seconds, "train_flops": 1e6 * width})
    table = fit_cost_table(pd.DataFrame(rows), space).set_index(["batch_size", "width"])
    assert len(table) == (256 - 16 + 1) * (32 - 4 + 1)
    assert table.loc[(16, 8), "epoch_cost_s"] > table.loc[(128, 8), "epoch_cost_s"]
    assert table.loc[(64, 32), "epoch_cost_s"] > table.loc[(64, 4), "epoch_cost_s"]
    assert table.loc[(64, 20), "epoch_cost_s"] == pytest.approx(0.02 + 2.0 / 64 + 0.002 * 20, rel=0.01)


def test_a_recording_resumes_where_it_stopped(tmp_path):
    """Jobs already recorded are not trained again; a line torn by a kill is trained again."""
    work = tmp_path / "work"
    command = [sys.executable, "scripts/record_dataset.py", "--work", str(work), "--out", str(tmp_path / "out"),
               "--sobol", "2", "--workers", "1"]
    first = subprocess.run([*command, "--limit", "2"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    assert "partial: 2 of" in first.stdout
    progress = work / "progress.jsonl"
    lines = progress.read_text().splitlines()
    records = [json.loads(line) for line in lines]
    assert {(r["config_id"], r["seed"]) for r in records} == {(0, 0), (1, 0)}
    assert all(len(r["rows"]) == workloads.get("digits").max_epochs for r in records)
    progress.write_text(lines[0] + "\n" + lines[1][: len(lines[1]) // 2])  # the second torn by a kill
    again = subprocess.run([*command, "--limit", "2"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert ", 1 recorded," in again.stdout
    done = [json.loads(line) for line in progress.read_text().splitlines()]
    assert sorted((r["config_id"], r["seed"]) for r in done) == [(0, 0), (1, 0), (2, 0)]


def test_a_recording_with_another_plan_is_refused(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    (work / "plan.json").write_text(json.dumps({"workload": "digits", "version": "0"}))
    done = subprocess.run([sys.executable, "scripts/record_dataset.py", "--work", str(work), "--limit", "0"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "another plan" in done.stderr
    assert not (work / "progress.jsonl").exists()
