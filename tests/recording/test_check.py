"""`bench check` / `bench.check`: a dataset's surrogate chosen and cross-validated on the dataset
itself, its fidelity.json written beside it (and used by replay and by reports), and bad input
refused in one line with nothing written."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import bench
from bench.cli import main
from bench.errors import BenchError
from bench.store.tables import REFERENCE_DIR

ROOT = Path(__file__).resolve().parents[2]


def _listing(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def digits_copy(tmp_path) -> Path:
    return Path(shutil.copytree(REFERENCE_DIR / "digits-v2", tmp_path / "digits-copy"))


def test_bad_input_is_one_line_and_writes_nothing(tmp_path, digits_copy, capsys):
    from tests.report.report_builders import write_hand_table

    empty = tmp_path / "empty"
    empty.mkdir()
    grid = write_hand_table(tmp_path / "grid")
    damaged = digits_copy
    (damaged / "space.parquet").write_bytes((damaged / "space.parquet").read_bytes()[:-100])
    before = {folder: _listing(folder) for folder in (empty, grid, damaged)}
    cases = [
        ([str(empty)], "not a dataset (no table.json)"),
        ([str(grid)], "a grid table, not a dataset"),
        ([str(damaged)], "checksum differs"),
        ([str(damaged), "--folds", "1"], "--folds takes 2 or more"),
        ([str(damaged), "--models", "knn-5,nosuch"], "--models: unknown nosuch; accepted: knn-3"),
        ([str(tmp_path / "nowhere")], "nowhere"),
    ]
    for argv, says in cases:
        assert main(["check", *argv]) == 2, argv
        err = capsys.readouterr().err
        assert err.startswith("error: ") and err.count("\n") == 1 and says in err, (argv, err)
    with pytest.raises(BenchError, match="folds takes 2 or more"):
        bench.check(damaged, folds=1)
    assert {folder: _listing(folder) for folder in (empty, grid, damaged)} == before


@pytest.fixture(scope="module")
def tiny_dataset(tmp_path_factory) -> Path:
    """A real recording of the 2-epoch `tiny` workload: 2 grid points x 3 seeds + 8 Sobol x 2 seeds."""
    out = tmp_path_factory.mktemp("check") / "tiny"
    done = subprocess.run([sys.executable, "-m", "bench", "record", "--workload", "tiny", "--configs", "8",
                           "--seeds", "2", "--out", str(out), "--quiet"], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return out


@pytest.mark.slow  # records a dataset (trains, as Ray tasks)
def test_check_writes_its_record_and_replay_and_reports_use_it(tiny_dataset, tmp_path, capsys):
    before = bench.compare(["asha", "random"], workload="tiny", seeds=2, replay=tiny_dataset,
                           out=tmp_path / "before", parallel=1, log=lambda line: None)
    assert any("was never checked: `python -m bench check" in w for w in before.report.report.warnings)

    assert main(["check", str(tiny_dataset), "--models", "knn-3,knn-5", "--folds", "2",
                 "--inner-folds", "2"]) == 0
    printed = capsys.readouterr().out
    record = json.loads((tiny_dataset / "fidelity.json").read_text())
    assert record["chosen"] in ("knn-3", "knn-5") and record["folds"] == 2
    assert record["epochs"] == [1, 2] and len(record["verdict"]) == len(record["targets"]) >= 4
    assert printed.count("verdict   ") >= len(record["verdict"])
    assert all(line.startswith(("verdict   trusted at ", "verdict   not trusted at ", "verdict   ranking"))
               for line in printed.splitlines() if line.startswith("verdict"))

    after = bench.compare(["asha", "random"], workload="tiny", seeds=2, replay=tiny_dataset,
                          out=tmp_path / "after", parallel=1, log=lambda line: None)
    assert not any("was never checked" in w for w in after.report.report.warnings)
    manifest = json.loads(next((tmp_path / "after").glob("asha*/manifest.json")).read_text())
    assert f"surrogate's ({record['chosen']})" in manifest["table"]["config_mapping"]  # the model chosen
    untrusted = [row["target"] for row in record["verdict"] if not row["trusted"]]
    if untrusted:  # a report at those targets says replayed hits there are not to be trusted
        assert any("not to be trusted" in w for w in after.report.report.warnings)
