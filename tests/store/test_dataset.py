"""The learning-curve dataset: Sobol configurations, the recording's resume, the cost model,
the shipped files."""

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
    for config_id, (batch, width) in enumerate([(b, w) for b in (16, 32, 64, 128, 256)
                                                for w in (4, 12, 20, 32)]):
        seconds = 0.02 + 2.0 / batch + 0.002 * width
        for lr in (0.01, 0.5):
            rows.append({"config_id": config_id * 2 + (lr > 0.1), "seed": 0, "epoch": 1, "batch_size": batch,
                         "width": width, "learning_rate": lr, "epoch_compute_s": seconds,
                         "train_flops": 1e6 * width})
    table = fit_cost_table(pd.DataFrame(rows), space).set_index(["batch_size", "width"])
    assert len(table) == (256 - 16 + 1) * (32 - 4 + 1)
    assert table.loc[(16, 8), "epoch_cost_s"] > table.loc[(128, 8), "epoch_cost_s"]
    assert table.loc[(64, 32), "epoch_cost_s"] > table.loc[(64, 4), "epoch_cost_s"]
    assert table.loc[(64, 20), "epoch_cost_s"] == pytest.approx(0.02 + 2.0 / 64 + 0.002 * 20, rel=0.01)


@pytest.fixture(scope="module")
def digits_recordings():
    """The shipped digits dataset's every recorded epoch (grid and space sample), and its space."""
    from bench.store.dataset import dataset_frame
    from bench.store.tables import default_table_path, load_table

    workload = workloads.get("digits")
    table = load_table(default_table_path("digits"), "digits")
    return table, dataset_frame(table, workload.space), workload.space


def test_the_cost_table_does_not_depend_on_the_order_of_recordings(digits_recordings):
    """Rows shuffled and configurations renumbered in another order: the same table, to the bit."""
    import pandas as pd

    _, frame, space = digits_recordings
    rng = np.random.default_rng(7)
    ids = frame["config_id"].unique()
    renumbered = dict(zip(ids, rng.permutation(len(ids)), strict=False))
    shuffled = frame.sample(frac=1.0, random_state=11).reset_index(drop=True)
    shuffled["config_id"] = shuffled["config_id"].map(renumbered)
    pd.testing.assert_frame_equal(fit_cost_table(frame, space), fit_cost_table(shuffled, space),
                                  check_exact=True)


def test_the_shipped_cost_model_is_the_median_of_every_recording_of_a_shape(digits_recordings):
    """Each grid shape costs the median of its recordings' mean epoch seconds (all 81 grid ones and
    any of the space sample), computed here without bench's fitting code; the shipped file is the fit."""
    import pandas as pd

    table, frame, space = digits_recordings
    shipped = pd.read_parquet(table.path / "cost.parquet")
    # To 1e-9, not bit for bit: the cubic fit's least squares differ in the last bits between CPUs
    # (a fresh clone failed bit-exactness on another machine of the same kind).
    pd.testing.assert_frame_equal(shipped, fit_cost_table(frame, space), check_exact=False, rtol=1e-9, atol=0)
    shipped = shipped.set_index(["batch_size", "width"])
    means = {}
    for row in frame.itertuples(index=False):
        means.setdefault((row.config_id, row.seed), (int(row.batch_size), int(row.width), []))[2].append(
            row.epoch_compute_s)
    for batch in space["batch_size"].grid:
        for width in space["width"].grid:
            recorded = [float(np.mean(s)) for b, w, s in means.values() if (b, w) == (batch, width)]
            assert len(recorded) >= 81
            assert shipped.loc[(batch, width), "epoch_cost_s"] == pytest.approx(float(np.median(recorded)),
                                                                                rel=1e-12)


def test_the_drift_report_compares_early_and_later_grid_jobs(digits_recordings):
    from bench.store.cost_fit import cost_drift

    table, frame, _ = digits_recordings
    drift = cost_drift(frame, int(table.meta["grid_size"]))
    assert len(drift) == 9 and (drift["recordings"] == 81).all() and drift["early"].sum() == 16
    # Recorded first, the grid's first jobs ran slower than later jobs of the same shape.
    assert (drift["early_over_later"] > 1.1).all()


@pytest.mark.slow  # trains a model
def test_a_recording_resumes_where_it_stopped(tmp_path):
    """Through scripts/record_dataset.py (a caller of `bench record`): trainings already recorded are
    not trained again; a line torn by a kill is trained again."""
    out = tmp_path / "out"
    command = [sys.executable, "scripts/record_dataset.py", "--out", str(out), "--sobol", "2", "--workers",
               "1"]
    first = subprocess.run([*command, "--limit", "2"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    assert "partial   " in first.stdout and "2 of 733 trainings recorded" in first.stdout
    progress = out / "recording" / "progress.jsonl"
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
    out = tmp_path / "out"
    (out / "recording").mkdir(parents=True)
    (out / "recording" / "plan.json").write_text(json.dumps({"workload": "digits", "version": "0"}))
    done = subprocess.run([sys.executable, "scripts/record_dataset.py", "--out", str(out), "--limit", "1"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "another plan" in done.stderr
    assert not (out / "recording" / "progress.jsonl").exists()
