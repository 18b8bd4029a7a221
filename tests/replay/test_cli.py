"""`bench run --replay`, `bench tables`, and a grid run's recorded table."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench.cli import main
from bench.store.results import load_run

ROOT = Path(__file__).resolve().parents[2]


def test_replay_command_writes_one_run_per_seed(capsys, synthetic_table_path, tmp_path):
    out = tmp_path / "out"
    code = main(["run", "--strategy", "hyperband", "--replay", str(synthetic_table_path), "--seeds", "2",
                 "--until", "budget", "--out", str(out), "--workers", "3"])
    printed = capsys.readouterr().out
    assert code == 0
    folders = sorted(out.iterdir())
    assert len(folders) == 2 and all(f.name.endswith("-replay") for f in folders)
    manifests = [load_run(f).manifest for f in folders]
    assert [m["seed"] for m in manifests] == [0, 1]
    assert all(m["replay"] and m["workers"] == 3 and m["table"]["path"] == str(synthetic_table_path)
               for m in manifests)
    assert printed.count("replay             digits-synthetic") == 2


def test_replay_by_name_and_no_ray_started(synthetic_table_path, tmp_path):
    """A table is found by name under --out's tables; the process never starts Ray."""
    import shutil

    out = tmp_path / "out"
    shutil.copytree(synthetic_table_path, out / "mytable")
    script = (
        "import sys, ray; from bench.cli import main; "
        "code = main(['run', '--strategy', 'asha', '--replay', 'mytable', '--out', "
        f"{str(out)!r}, '--quiet']); print('ray initialized:', ray.is_initialized()); sys.exit(code)"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert "ray initialized: False" in done.stdout
    assert len([f for f in out.iterdir() if f.name.endswith("-replay")]) == 1


def test_tables_lists_tables_with_their_facts(capsys, synthetic_table_path):
    assert main(["tables", "--dir", str(synthetic_table_path.parent)]) == 0
    printed = capsys.readouterr().out
    lines = printed.splitlines()
    line = lines[lines.index(f"  {synthetic_table_path}") - 1]  # each table: a facts line, then its path
    assert line.startswith("digits-synthetic ") and "digits v2" in line and "[ok]" in line
    assert "243 grid points x 27 epochs x 2 repeats  11826 rows" in line


def test_a_complete_grid_run_records_its_table(digits_table, replay_spec, capsys):
    """A grid run covering the grid becomes a table with the very curves it ran (here:
    a replayed grid run)."""
    from bench.replay import execute_replay
    from bench.store.recording import record_tables
    from bench.store.tables import load_table

    spec = replay_spec(strategy="grid", workers=2, seed=0)
    summary = execute_replay(spec, digits_table)
    written = record_tables([summary], "grid", spec.workload, ["bench", "run", "--strategy", "grid"], None)
    assert written == [summary.folder / "table"]
    recorded = load_table(written[0])
    source = digits_table.curves[digits_table.curves["repeat"] == 0].reset_index(drop=True)
    columns = ["grid_index", "epoch", "val_accuracy", "val_loss", "train_loss", "diverged"]
    assert recorded.curves[columns].equals(source[columns])
    # The replayed grid charged the dataset's cost model, and its table records those seconds.
    from bench.store.dataset import table_cost_model

    cost = table_cost_model(digits_table)
    names = spec.workload.space.names
    expected = [cost.epoch_cost_s(dict(zip(names, values, strict=False)))
                for values in recorded.curves[names].itertuples(index=False)]
    assert recorded.curves["epoch_compute_s"].tolist() == expected
    assert recorded.meta["source_runs"] == [summary.run_id]


def test_a_grid_run_cut_by_the_budget_records_no_table(digits_table, replay_spec, capsys):
    from bench.replay import execute_replay
    from bench.store.recording import record_tables

    spec = replay_spec(strategy="grid", budget_epochs=100)
    summary = execute_replay(spec, digits_table)
    assert record_tables([summary], "grid", spec.workload, ["bench"], None) == []
    assert "the grid is not covered" in capsys.readouterr().out
    assert not (summary.folder / "table").exists()


def test_live_grid_run_reports_why_it_records_no_table(ray_session, capsys, tmp_path):
    """The CLI hands every finished grid run to the recorder (real Tune; the budget cuts the grid short)."""
    code = main(["run", "--strategy", "grid", "--budget-epochs", "2", "--workers", "1", "--until", "budget",
                 "--out", str(tmp_path), "--quiet"])
    assert code == 0
    assert "no table written" in capsys.readouterr().out
    assert not list(tmp_path.glob("*/table"))
