"""`bench compare --live` and `bench run` end to end: real Ray Tune, real digits training."""

from __future__ import annotations

import json

from bench.cli import main
from bench.store.results import load_run, read_manifest

from report_builders import GRID_TOTAL


def test_compare_live_runs_the_matrix_and_reports(ray_session, shipped_reference, tmp_path, capsys):
    out = tmp_path / "compare"
    argv = ["compare", "--live", "--strategies", "random,asha", "--seeds", "1", "--seed", "3", "--samples",
            "1", "--budget-epochs", "2", "--workers", "2", "--out", str(out), "--target", "0.2", "--verbose"]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "[2/2] asha seed 3" in printed and "compute-to-target, grid = 100;" in printed
    doc = json.loads((out / "report" / "summary.json").read_text())
    rows = {row["strategy"]: row for row in doc["strategies"]}
    assert rows["random"]["seeds"] == 1 and rows["asha"]["seeds"] == 1
    assert doc["unit"]["name"] == "seconds" and doc["target"]["accuracy"] == 0.2
    seeds = sorted((r["strategy"], r["seed"]) for r in doc["per_seed"])
    assert seeds == [("asha", 3), ("random", 3)]
    for row in doc["per_seed"]:
        assert row["epochs_trained"] <= 2 + 2 and row["replay"] is False


def test_compare_refuses_unknown_strategy(tmp_path, capsys):
    assert main(["compare", "--strategies", "asha,nosuch", "--out", str(tmp_path / "c")]) == 2
    assert "unknown strategy 'nosuch'" in capsys.readouterr().err
    assert not (tmp_path / "c").exists()


def test_run_defaults_to_the_reference_target_and_prints_its_figure(ray_session, shipped_reference, tmp_path,
                                                                    capsys):
    argv = ["run", "--strategy", "random", "--samples", "1", "--budget-epochs", "1", "--workers", "1",
            "--quiet", "--out", str(tmp_path / "runs")]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    line = next(line for line in printed.splitlines() if "compute-to-target" in line)
    (folder,) = (tmp_path / "runs").iterdir()
    assert read_manifest(folder)["target"] == 0.90 - 0.01  # --until target by default, the reference's target
    # One epoch of one configuration stays far below 0.89, so the one right figure is "not reached", over the
    # hand table's grid sweep (1 s an epoch), timed on this machine like the run: device-seconds.
    assert load_run(folder).epochs["val_accuracy"].max() < 0.89
    assert line == ("  compute-to-target  target 0.8900: not reached "
                    f"(grid = 100; the grid's own sweep costs {GRID_TOTAL:.6g} device-seconds)")


def test_run_without_reference_keeps_budget_default(tmp_path, monkeypatch):
    import argparse

    import bench.store.tables
    from bench.commands import run

    monkeypatch.setattr(bench.store.tables, "REFERENCE_DIR", tmp_path / "none")
    parser = argparse.ArgumentParser()
    run.add_arguments(parser)
    args = parser.parse_args(["--strategy", "asha", "--out", str(tmp_path / "runs")])
    args.argv = ["bench", "run"]
    from bench.reporting.basis import default_stop

    (spec,) = run.build_specs(args)
    # build_specs no longer writes the resolved --until back into args (commands never change them).
    assert spec.target is None and default_stop(args.until, args.target, "digits")[0] == "budget"


def test_compare_replay_reports_what_the_stored_runs_say(shipped_reference, tmp_path, capsys):
    """The replayed matrix's figures equal a from-scratch reading of the stored epochs."""
    import pandas as pd

    out = tmp_path / "compare"
    assert main(["compare", "--strategies", "asha,pbt,random,grid", "--seeds", "2", "--out", str(out),
                 "--parallel", "1", "--verbose"]) == 0
    assert "[8/8] grid seed 1" in capsys.readouterr().out
    doc = json.loads((out / "report" / "summary.json").read_text())
    assert doc["reference"]["source"] == str(shipped_reference) and doc["unit"]["name"] == "seconds"
    target = doc["target"]["accuracy"]
    for row in doc["per_seed"]:
        epochs = pd.read_parquet(f"{row['folder']}/epochs.parquet").sort_values("result_index")
        reached = epochs["val_accuracy"].cummax() >= target
        expected = epochs["epoch_cost_s"].cumsum()[reached].iloc[0] if reached.any() else None
        assert row["replay"] is True and row["compute_to_target"] == expected
        assert row["normalised"] == (None if expected is None
                                     else 100.0 * expected / doc["reference"]["total_compute"])
    approximate = any(read_manifest(f).get("approximations") for f in out.glob("pbt-*"))
    assert approximate == any("pbt: replay is approximate" in w for w in doc["warnings"])
    assert (out / "report" / "budget.png").stat().st_size > 10_000


def test_compare_replay_without_a_table_is_refused(tmp_path, capsys, monkeypatch):
    import bench.store.tables

    monkeypatch.setattr(bench.store.tables, "REFERENCE_DIR", tmp_path / "none")
    assert main(["compare", "--strategies", "asha", "--seeds", "1", "--out", str(tmp_path / "c")]) == 2
    err = capsys.readouterr().err
    assert "no learning-curve table for workload 'digits'" in err and "--live" in err
    assert not (tmp_path / "c").exists()
