"""A whole report over hand-built runs: every figure in summary.json worked out by hand."""

from __future__ import annotations

import json

import pytest

from report_builders import GRID_OWN_REACH, GRID_TOTAL, write_run

APPROXIMATION = "PBT clones continue on the recorded curve of their new configuration"


def _norm(compute_s: float) -> float:
    return 100.0 * compute_s / GRID_TOTAL


@pytest.fixture
def scenario(tmp_path):
    """Runs of seven strategies; the target is 0.89 (grid best final 0.90 minus 1 pp)."""
    root = tmp_path / "results"
    # asha: concurrent trials interleave; reaches 0.89 at the 3rd result (4 s), 10 s and 6 s.
    write_run(root, "asha", 0, [(0, 1, 0.60, 1.0), (1, 1, 0.70, 1.0), (0, 2, 0.89, 2.0), (1, 2, 0.75, 1.0)])
    write_run(root, "asha", 1, [(0, 1, 0.5, 2.0), (1, 1, 0.6, 2.0), (2, 1, 0.7, 2.0), (0, 2, 0.8, 2.0),
                                (2, 2, 0.95, 2.0)])
    write_run(root, "asha", 2, [(3, 1, 0.90, 6.0)])
    # random: one hit, one miss: the median seed misses, so "not reached".
    write_run(root, "random", 0, [(0, 1, 0.89, 20.0)])
    write_run(root, "random", 1, [(0, 1, 0.5, 1.0), (1, 1, 0.88, 1.0)])
    # tpe: a single seed whose accuracy ties the target exactly.
    write_run(root, "tpe", 0, [(5, 1, 0.85, 3.0), (6, 1, 0.89, 5.0)])
    # hyperband: two seeds tied at 3 s.
    write_run(root, "hyperband", 0, [(0, 1, 0.95, 3.0)])
    write_run(root, "hyperband", 1, [(1, 1, 0.5, 1.0), (2, 1, 0.91, 2.0)])
    # bohb: never reaches the target.
    write_run(root, "bohb", 0, [(0, 1, 0.5, 1.0)])
    write_run(root, "bohb", 1, [(0, 1, 0.5, 1.0), (0, 2, 0.6, 1.0)])
    # median: unequal budgets; seed 0's reach comes after its 2-epoch budget, so it misses.
    same = [(0, 1, 0.5, 1.0), (1, 1, 0.6, 1.0), (2, 1, 0.95, 1.0)]
    write_run(root, "median", 0, same, budget_epochs=2)
    write_run(root, "median", 1, same)
    write_run(root, "median", 2, same)
    # pbt: an approximate replay.
    write_run(root, "pbt", 0, [(0, 1, 0.95, 1.0)], approximations=[APPROXIMATION])
    return root


def _report(scenario, shipped_reference, tmp_path, *extra):
    from bench.cli import main

    out = tmp_path / "report"
    assert main(["report", str(scenario), "--out", str(out), *extra]) == 0
    return out, json.loads((out / "summary.json").read_text())


def test_summary_figures_exact(scenario, shipped_reference, tmp_path):
    out, doc = _report(scenario, shipped_reference, tmp_path)
    rows = {row["strategy"]: row for row in doc["strategies"]}
    assert doc["target"]["accuracy"] == 0.90 - 0.01
    assert doc["target"]["tolerance_pp"] == 1.0
    assert doc["unit"]["name"] == "seconds"
    assert doc["reference"]["total_compute"] == GRID_TOTAL
    assert doc["reference"]["own_order_normalised"] == _norm(GRID_OWN_REACH)

    asha = rows["asha"]
    assert (asha["seeds"], asha["hits"], asha["hit_rate"]) == (3, 3, 1.0)
    assert asha["normalised_median"] == _norm(6.0)
    assert asha["speedup_median"] == 100.0 / _norm(6.0)
    assert asha["best_final_median"] == 0.90
    assert asha["compute_used_median"] == 6.0
    assert asha["compute_used_normalised_median"] == _norm(6.0)
    assert (asha["configurations_median"], asha["epochs_median"]) == (2.0, 4.0)
    assert (_norm(4.0) <= asha["normalised_low"] <= asha["normalised_median"] <= asha["normalised_high"]
            <= _norm(10.0))

    random = rows["random"]
    assert (random["hits"], random["seeds"], random["reached"]) == (1, 2, False)
    assert random["normalised_median"] is None and random["speedup_median"] is None
    assert random["normalised_low"] == _norm(20.0) and random["normalised_high"] is None

    tpe = rows["tpe"]
    assert (tpe["normalised_median"], tpe["normalised_low"], tpe["normalised_high"]) == (_norm(8.0),) * 3
    assert tpe["best_final_median"] == 0.89

    hyperband = rows["hyperband"]
    assert (hyperband["normalised_median"], hyperband["normalised_low"],
            hyperband["normalised_high"]) == (_norm(3.0),) * 3

    bohb = rows["bohb"]
    assert (bohb["hits"], bohb["normalised_median"], bohb["best_final_median"]) == (0, None, 0.55)

    median = rows["median"]
    assert (median["hits"], median["seeds"], median["normalised_median"]) == (2, 3, _norm(3.0))
    assert median["normalised_high"] is None  # resamples drawing the miss twice

    grid = rows["grid"]
    assert (grid["normalised_median"], grid["speedup_median"], grid["by_definition"]) == (100.0, 1.0, True)
    assert (grid["best_final_median"], grid["configurations_median"], grid["epochs_median"]) == (0.90, 243.0,
                                                                                                 GRID_TOTAL)
    assert grid["own_order_normalised"] == _norm(GRID_OWN_REACH)

    order = [row["strategy"] for row in doc["strategies"]]
    assert order == ["pbt", "hyperband", "median", "asha", "tpe", "grid", "random", "bohb"]

    per_seed = {(r["strategy"], r["seed"]): r for r in doc["per_seed"]}
    assert per_seed[("asha", 0)]["compute_to_target"] == 4.0
    assert per_seed[("asha", 0)]["first_reach_index"] == 2
    assert per_seed[("median", 0)]["reached"] is False
    assert per_seed[("median", 1)]["compute_to_target"] == 3.0


def test_warnings_and_claims(scenario, shipped_reference, tmp_path):
    out, doc = _report(scenario, shipped_reference, tmp_path)
    warnings = "\n".join(doc["warnings"])
    assert f"pbt: replay is approximate: {APPROXIMATION}" in warnings
    assert "random: low hit rate, 1 of 2 seeds" in warnings
    assert "bohb: low hit rate, 0 of 2 seeds" in warnings
    assert "median: low hit rate, 2 of 3 seeds" in warnings
    assert ("unequal seed counts" in warnings
            and f"unequal budgets (2 epochs, {GRID_TOTAL:g} epochs)" in warnings)
    assert "asha: low hit rate" not in warnings
    verdicts = {(c["strategy"], c["measure"]): c["verdict"] for c in doc["claims"]}
    assert verdicts[("asha", "normalised")] == "outside"
    assert verdicts[("random", "normalised")] == "not reached"
    assert verdicts[("median", "speedup")] == "inside"  # 2x lies in [0, 100 / 13.7]
    assert verdicts[("grid", "normalised")] == "inside"
    body = (out / "report.md").read_text()
    assert "| asha | 3 | 3/3 |" in body and "not reached" in body
    csv = (out / "summary.csv").read_text().splitlines()
    assert csv[0].startswith("strategy,seeds,hits,hit_rate") and len(csv) == 1 + 8


def test_explicit_target_and_tolerance(scenario, shipped_reference, tmp_path):
    _, doc = _report(scenario, shipped_reference, tmp_path, "--target", "0.95")
    rows = {row["strategy"]: row for row in doc["strategies"]}
    assert doc["target"]["accuracy"] == 0.95 and doc["target"]["tolerance_pp"] is None
    assert rows["asha"]["hits"] == 1 and rows["asha"]["normalised_median"] is None
    assert rows["hyperband"]["hits"] == 1
    assert doc["reference"]["own_order_normalised"] is None  # the grid never reached 0.95 itself
    _, doc = _report(scenario, shipped_reference, tmp_path, "--tolerance", "5")
    assert doc["target"]["accuracy"] == 0.90 - 0.05
    assert {r["strategy"]: r["hits"] for r in doc["strategies"]}["random"] == 2


def test_epochs_unit_when_hardware_differs(tmp_path, shipped_reference):
    from bench.cli import main

    root = tmp_path / "results"
    other = {"cpu_model": "Some Other CPU", "cpu_count": 64, "gpus": ["H100"]}
    write_run(root, "asha", 0, [(0, 1, 0.5, 7.0), (1, 1, 0.7, 7.0), (0, 2, 0.9, 7.0)], hardware=other,
              replay=False)
    out = tmp_path / "report"
    assert main(["report", str(root), "--out", str(out)]) == 0
    doc = json.loads((out / "summary.json").read_text())
    assert doc["unit"]["name"] == "epochs" and "Some Other CPU" in doc["unit"]["reason"]
    assert doc["strategies"][0]["normalised_median"] == 100.0 * 3.0 / GRID_TOTAL
