"""A table refused for a changed search space, a missing grid point or epoch, a row-count mismatch.

Each defective table is written by bench's own writer (so its checksum vouches for the curves),
then replayed through the CLI: one line naming the table and what is wrong, exit 2, nothing written.
"""

from __future__ import annotations

import json

import pytest

import workloads
from bench.cli import main
from bench.store.tables import write_table

from synthetic import synthetic_curves


def _drop_point(curves):
    return curves[curves["grid_index"] != 5]


def _drop_epoch(curves):
    return curves[~((curves["grid_index"] == 7) & (curves["epoch"] == 3))]


def _meta(folder, change):
    path = folder / "table.json"
    meta = json.loads(path.read_text())
    change(meta)
    path.write_text(json.dumps(meta))


def _widen_space(meta):
    meta["workload"]["space"][0]["high"] = 10.0


def _more_rows(meta):
    meta["rows"] += 1


CASES = {  # name: (edit of the curves, edit of table.json, what the line must say)
    "changed search space": (None, _widen_space,
                             "another search space than digits version 2 has now (changed: learning_rate)"),
    "missing grid point": (_drop_point, None, "242 curves, expected 243 grid points x 1 repeats"),
    "missing epoch": (_drop_epoch, None, "a curve has missing epochs"),
    "row-count mismatch": (None, _more_rows, "rows, metadata says"),
}


@pytest.fixture(scope="module")
def curves():
    return synthetic_curves(workloads.get("digits"))


@pytest.mark.parametrize("case", list(CASES))
def test_a_defective_table_is_refused_in_one_line(case, curves, capsys, tmp_path):
    edit_curves, edit_meta, says = CASES[case]
    digits = workloads.get("digits")
    table = write_table(tmp_path / "table", edit_curves(curves) if edit_curves else curves, digits,
                        command=["test"], source_runs=[])
    if edit_meta:
        _meta(table, edit_meta)
    out = tmp_path / "out"
    capsys.readouterr()
    assert main(["run", "--strategy", "random", "--replay", str(table), "--quiet", "--out", str(out)]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in captured.err
    assert str(table) in lines[0] and says in lines[0], lines[0]
    assert not out.exists()
