"""`bench run --strategy grid --repeats R` trains the grid R times (training seeds seed..seed+R-1)
and records one table with R repeats in the last run's folder (the `tiny` test workload: a
2-point grid of 2 epochs, so the whole recording is live and small)."""

from __future__ import annotations

import json

from bench.cli import main


def test_repeats_record_one_table_whose_repeat_r_is_the_run_of_seed_r(ray_session, tmp_path, capsys):
    import pandas as pd

    out = tmp_path / "out"
    assert main(["run", "--strategy", "grid", "--workload", "tiny", "--repeats", "2", "--seed", "5",
                 "--workers", "1", "--quiet", "--out", str(out)]) == 0
    stdout = capsys.readouterr().out
    folders = sorted(out.iterdir(), key=lambda f: json.loads((f / "manifest.json").read_text())["seed"])
    assert [json.loads((f / "manifest.json").read_text())["seed"] for f in folders] == [5, 6]
    assert (not (folders[0] / "table").exists()
            and f"learning-curve table (2 repeats): {folders[1] / 'table'}" in stdout)
    meta = json.loads((folders[1] / "table" / "table.json").read_text())
    assert (meta["repeats"], meta["grid_size"], meta["rows"]) == (2, 2, 2 * 2 * 2)
    assert meta["workload"]["name"] == "tiny" and len(meta["source_runs"]) == 2
    curves = pd.read_parquet(folders[1] / "table" / "curves.parquet")
    for repeat, folder in enumerate(folders):  # repeat r is the run with training seed 5 + r, value for value
        epochs = pd.read_parquet(folder / "epochs.parquet").sort_values(["learning_rate", "epoch"])
        recorded = curves[curves["repeat"] == repeat].sort_values(["learning_rate", "epoch"])
        assert recorded["val_accuracy"].tolist() == epochs["val_accuracy"].tolist()
        assert recorded["epoch"].tolist() == epochs["epoch"].tolist() == [1, 2, 1, 2]
