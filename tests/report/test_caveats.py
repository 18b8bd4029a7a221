"""Warnings: fifo and random (A/A twins) differing significantly, and duplicate or unfinished runs."""

from __future__ import annotations

from bench.reporting.build import build_report

from report_builders import write_run


def test_fifo_and_random_apart_is_flagged(tmp_path, shipped_reference):
    root = tmp_path / "results"
    for seed in range(5):
        write_run(root, "fifo", seed, [(0, 1, 0.95, 1.0 + seed)])
        write_run(root, "random", seed, [(0, 1, 0.5, 50.0), (1, 1, 0.95, 10.0 + seed)])
    report = build_report([root])
    assert round(report.aa_p_value, 5) == round(2 / 252, 5)
    assert any(w.startswith("fifo and random differ significantly (Mann-Whitney U p = 0.00794")
               for w in report.warnings)


def test_fifo_and_random_alike_pass(tmp_path, shipped_reference):
    root = tmp_path / "results"
    for seed in range(4):
        write_run(root, "fifo", seed, [(0, 1, 0.95, 1.0 + 2 * seed)])
        write_run(root, "random", seed, [(0, 1, 0.95, 2.0 + 2 * seed)])
    report = build_report([root])
    assert report.aa_p_value > 0.05 and not any("differ significantly" in w for w in report.warnings)


def test_unfinished_and_duplicate_runs_are_named(tmp_path, shipped_reference):
    root = tmp_path / "results"
    write_run(root, "asha", 0, [(0, 1, 0.5, 1.0)])
    write_run(root, "asha", 0, [(0, 1, 0.95, 1.0)])  # a later run of the same seed replaces it
    write_run(root, "asha", 1, [(0, 1, 0.95, 1.0)], status="interrupted")
    report = build_report([root])
    assert len(report.runs) == 1 and report.per_seed["reached"].tolist() == [True]
    assert any(w.startswith("skipped 1 unfinished runs: asha-digits-seed1-2 (interrupted)")
               for w in report.warnings)
    assert any("ignored 1 older: asha-digits-seed0-0" in w for w in report.warnings)


def test_replayed_targets_where_the_committed_fidelity_misses_its_goals_are_warned(tmp_path):
    import json
    from types import SimpleNamespace

    from bench.reporting.caveats import replay_fidelity_warnings

    record = tmp_path / "fidelity.json"
    record.write_text(json.dumps({"comparisons": [
        {"figure": "spearman epoch 1", "target": None, "value": 0.1, "ceiling": 0.5, "met": False},
        {"figure": "precision", "target": 0.9062, "value": 0.5, "ceiling": 0.7, "met": False},
        {"figure": "recall", "target": 0.9062, "value": 0.7, "ceiling": 0.8, "met": True},
        {"figure": "precision", "target": 0.8962, "value": 0.8, "ceiling": 0.8, "met": True}]}))
    replayed = [SimpleNamespace(manifest={"replay": True, "target": t}) for t in (0.9062, 0.8962)]
    warnings = replay_fidelity_warnings(replayed, record)
    assert len(warnings) == 1 and warnings[0].startswith("replay at target 0.9062")
    assert "precision 0.50 where seed-vs-seed is 0.70" in warnings[0]
    assert replay_fidelity_warnings([SimpleNamespace(manifest={"replay": False, "target": 0.9062})],
                                    record) == []
    assert replay_fidelity_warnings(replayed, tmp_path / "absent.json") == []
    other_table = [SimpleNamespace(manifest={"replay": True, "target": 0.9062,
                                             "table": {"curves_sha256": "other"}})]
    record.write_text(json.dumps({"curves_sha256": "measured", **json.loads(record.read_text())}))
    assert replay_fidelity_warnings(other_table, record) == []
    # A compare's runs have no target of their own: the report's target and ladder are checked.
    ladder_runs = [SimpleNamespace(manifest={"replay": True, "target": None})]
    (warning,) = replay_fidelity_warnings(ladder_runs, record, report_targets=[0.8962, 0.9062, 0.9162])
    assert warning.startswith("replay at target 0.9062")
    live = [SimpleNamespace(manifest={"replay": False, "target": None})]
    assert replay_fidelity_warnings(live, record, report_targets=[0.9062]) == []
