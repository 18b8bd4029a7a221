"""The ladder of targets over hand-built runs: statuses, ERT and the files that carry them."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from report_builders import GRID_TOTAL, write_run


def _norm(compute_s: float) -> float:
    return 100.0 * compute_s / GRID_TOTAL


def _set_target(folder, target):
    from bench.store.results import write_manifest

    manifest = json.loads((folder / "manifest.json").read_text())
    manifest.pop("manifest_sha256", None)
    write_manifest(folder, {**manifest, "target": target})


@pytest.fixture
def ladder_runs(tmp_path):
    """The hand table's grid best is 0.90 and nothing recorded beyond it: rungs 0.88, 0.89, 0.90."""
    root = tmp_path / "results"
    # asha seed 0 reaches 0.88 at 2 s, 0.89 at 5 s, 0.90 at 9 s.
    write_run(root, "asha", 0, [(0, 1, 0.88, 2.0), (1, 1, 0.5, 3.0), (0, 2, 0.90, 4.0)])
    # asha seed 1 stopped at its own target 0.89 (a `bench run`): 0.90 is not measured, not missed.
    _set_target(write_run(root, "asha", 1, [(0, 1, 0.5, 1.0), (1, 1, 0.895, 1.0)]), 0.89)
    # random seed 0 reaches 0.88 only, after 10 s, then spends 30 s more: a miss at 0.89 and 0.90.
    write_run(root, "random", 0, [(0, 1, 0.88, 10.0), (1, 1, 0.5, 30.0)])
    write_run(root, "random", 1, [(0, 1, 0.91, 6.0)])
    return root


def _report(root, tmp_path, *extra):
    from bench.cli import main

    out = tmp_path / "report"
    assert main(["report", str(root), "--out", str(out), *extra]) == 0
    return out, json.loads((out / "summary.json").read_text())


def test_default_ladder_and_statuses(ladder_runs, shipped_reference, tmp_path):
    out, doc = _report(ladder_runs, tmp_path)
    assert [r["target"] for r in doc["ladder"]["rungs"]] == pytest.approx([0.88, 0.89, 0.90])
    runs = pd.DataFrame(doc["ladder"]["runs"])
    status = {(r.strategy, r.seed, round(r.target, 4)): r.status for r in runs.itertuples()}
    assert status[("asha", 1, 0.89)] == "reached"
    assert status[("asha", 1, 0.90)] == "not measured"
    assert status[("random", 0, 0.89)] == "missed"
    assert status[("random", 1, 0.90)] == "reached"
    normalised = {(r.strategy, r.seed, round(r.target, 4)): r.normalised for r in runs.itertuples()}
    assert normalised[("asha", 0, 0.88)] == pytest.approx(_norm(2.0))
    assert normalised[("asha", 0, 0.90)] == pytest.approx(_norm(9.0))
    summary = {(r["strategy"], round(r["target"], 4)): r for r in doc["ladder"]["summary"]}
    # ERT = compute of every measured run (a miss: all it used) / hits.
    assert summary[("random", 0.89)]["ert_normalised"] == pytest.approx(_norm(40.0 + 6.0) / 1)
    assert summary[("asha", 0.90)]["measured"] == 1 and summary[("asha", 0.90)]["hits"] == 1
    assert summary[("asha", 0.90)]["ert_normalised"] == pytest.approx(_norm(9.0))
    # The grid, from the reference: its one repeat's best final accuracy is 0.90, so it reaches every
    # rung at 100.
    assert summary[("grid", 0.90)]["normalised_median"] == 100.0 and summary[("grid", 0.90)]["by_definition"]
    csv = pd.read_csv(out / "per_seed.csv")
    assert set(csv["at_0.9000_status"]) == {"reached", "missed", "not measured"}
    assert "at_0.8900_ert_normalised" in pd.read_csv(out / "summary.csv").columns
    assert (out / "runtime_distribution.png").stat().st_size > 10_000
    # Two strategies but two seeds each: no verdict, and the report says why.
    assert doc["verdicts"] == [] and "3 seeds" in doc["verdict_note"]
    assert "no verdict: a verdict needs at least 3 seeds" in (out / "report.md").read_text()


def test_explicit_targets_are_sorted_and_deduplicated(ladder_runs, shipped_reference, tmp_path):
    _, doc = _report(ladder_runs, tmp_path, "--targets", "0.9,0.885,0.9")
    assert [r["target"] for r in doc["ladder"]["rungs"]] == pytest.approx([0.885, 0.90])


@pytest.mark.parametrize("targets, message", [
    ("0.95", "above the best accuracy recorded"),
    ("", "--targets takes one or more"),
    ("0.9,,0.8", "--targets takes one or more"),
    ("0.9,abc", "--targets takes validation accuracies"),
    ("1.5", "--targets takes validation accuracies in (0, 1]"),
])
def test_bad_ladder_is_one_line_and_writes_nothing(ladder_runs, shipped_reference, tmp_path, capsys, targets,
                                                   message):
    from bench.cli import main

    out = tmp_path / "report"
    assert main(["report", str(ladder_runs), "--out", str(out), "--targets", targets]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0] and "Traceback" not in err[0]
    assert not out.exists()


def test_verdict_asked_of_too_few_seeds_is_refused(ladder_runs, shipped_reference, tmp_path, capsys):
    from bench.cli import main

    out = tmp_path / "report"
    assert main(["report", str(ladder_runs), "--out", str(out), "--verdict"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--verdict needs at least 2 strategies besides grid and 3 seeds" in err[0]
    assert not out.exists()


@pytest.mark.parametrize("strategies, seeds", [("asha", "5"), ("grid,asha", "5"), ("asha,random", "2")])
def test_compare_refuses_a_verdict_it_cannot_give_before_any_run(tmp_path, capsys, strategies, seeds):
    from bench.cli import main

    out = tmp_path / "compare"
    assert main(["compare", "--strategies", strategies, "--seeds", seeds, "--verdict", "--out",
                 str(out)]) == 2
    assert "--verdict needs" in capsys.readouterr().err
    assert not out.exists()


def test_compare_refuses_a_ladder_target_above_the_dataset_before_any_run(tmp_path, capsys):
    from bench.cli import main

    out = tmp_path / "compare"
    assert main(["compare", "--strategies", "asha,random", "--seeds", "3", "--targets", "0.9,0.99",
                 "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "0.99 above the best accuracy recorded" in err[0]
    assert not out.exists()
