"""Plots and text bars are drawn from stored results: files written, non-empty, PNG."""

from __future__ import annotations

from bench.report.build import report_from_runs
from bench.report.outputs import text_chart, write_report
from bench.report.reference import load_reference
from bench.report.plots import PLOT_FILES
from bench.store.results import load_run
from report_builders import write_run

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _runs(root):
    folders = [
        write_run(root, "asha", 0, [(0, 1, 0.6, 1.0), (1, 1, 0.7, 1.0), (0, 2, 0.9, 1.0)]),
        write_run(root, "asha", 1, [(0, 1, 0.95, 30.0)]),
        write_run(root, "random", 0, [(0, 1, 0.5, 1.0)]),  # never reaches
        write_run(root, "fifo", 0, [(2, 1, 0.5, 9000.0), (2, 2, 0.89, 6000.0)]),  # 229: past the chart
    ]
    return [load_run(folder) for folder in folders]


def test_every_plot_written_and_non_empty(tmp_path, shipped_reference):
    report = report_from_runs(_runs(tmp_path / "results"), load_reference("digits"))
    written = write_report(report, tmp_path / "out")
    for name in PLOT_FILES:
        data = (tmp_path / "out" / name).read_bytes()
        assert data.startswith(PNG_MAGIC) and len(data) > 10_000, name
    assert {p.name for p in written} >= {"report.md", "summary.csv", "summary.json", "per_seed.csv", *PLOT_FILES}


def test_text_bars_scale_with_the_median(tmp_path, shipped_reference):
    report = report_from_runs(_runs(tmp_path / "results"), load_reference("digits"))
    lines = {line.split()[0]: line for line in text_chart(report).splitlines()[1:]}
    assert "100 by definition" in lines["grid"] and "█" * 30 in lines["grid"]
    assert "not reached  hit 0/1" in lines["random"]
    assert "█" * 60 + "»" in lines["fifo"] and "229 [229, 229]" in lines["fifo"]
    assert "hit 2/2" in lines["asha"]


def test_every_registered_strategy_has_its_own_colour_and_marker():
    import strategies
    from bench.report import style

    names = strategies.REGISTRY.names()
    assert set(names) <= set(style.STRATEGY_STYLE)
    assert len({style.colour(n) for n in names}) == len(names)
    assert style.colour("asha[grace_period=2]") == style.colour("asha")
    assert style.marker("grid (own order)") == style.marker("grid")
