"""Plots and text bars are drawn from stored results: files written, non-empty, PNG."""

from __future__ import annotations

from bench.reporting.build import report_from_runs
from bench.reporting.outputs import text_chart, write_report
from bench.reporting.plots import PLOT_FILES
from bench.reporting.reference import load_reference
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
    tables = {"summary.csv", "summary.json", "per_seed.csv"}
    assert {p.name for p in written} >= {"report.md", "report.html", *tables, *PLOT_FILES}
    page = (tmp_path / "out" / "report.html").read_text()
    # Self-contained: every plot inlined, none linked.
    assert page.count("data:image/png;base64,") == len(PLOT_FILES)
    assert not any(f'src="{name}"' in page for name in PLOT_FILES)


def test_text_bars_scale_with_the_median(tmp_path, shipped_reference):
    report = report_from_runs(_runs(tmp_path / "results"), load_reference("digits"))
    lines = {line.split()[0]: line for line in text_chart(report).splitlines()[1:]}
    assert "100 by definition" in lines["grid"] and "█" * 30 in lines["grid"]
    assert "not reached  hit 0/1" in lines["random"]
    assert "█" * 60 + "»" in lines["fifo"] and "229 [229, 229]" in lines["fifo"]
    assert "hit 2/2" in lines["asha"]


def test_every_registered_strategy_has_its_own_colour_and_marker():
    import strategies
    from bench.reporting import style

    names = strategies.REGISTRY.names()
    assert set(names) <= set(style.STRATEGY_STYLE)
    assert len({style.colour(n) for n in names}) == len(names)
    assert style.colour("asha[grace_period=2]") == style.colour("asha")
    assert style.marker("grid (own order)") == style.marker("grid")


def _report(tmp_path):
    return report_from_runs(_runs(tmp_path / "results"), load_reference("digits"))


def _title_inside(fig, text) -> bool:
    """The text's drawn box lies inside the figure's: nothing clipped."""
    fig.canvas.draw()
    box = text.get_window_extent()
    figure = fig.bbox
    return (box.x0 >= figure.x0 - 1 and box.x1 <= figure.x1 + 1 and box.y0 >= figure.y0 - 1
            and box.y1 <= figure.y1 + 1)


def test_budget_and_spread_charts_use_a_log_axis_with_the_grid_line_in_the_legend(tmp_path,
                                                                                  shipped_reference):
    from bench.reporting import plotdata, plots

    report = _report(tmp_path)
    budget = plots.budget_figure(plotdata.budget_chart_data(report.summary))
    spread = plots.distribution_figure(plotdata.distribution_data(report.per_seed, report.summary))
    for fig in (budget, spread):
        ax = fig.axes[0]
        assert ax.get_xscale() == "log"
        assert "grid = 100" in [t.get_text() for t in ax.get_legend().get_texts()]
        assert "(seconds)" not in ax.get_xlabel() and "grid = 100" in ax.get_xlabel()
        assert _title_inside(fig, ax.title)
        # fifo's 229 and the grid's 100 both fit on the axis.
        low, high = ax.get_xlim()
        assert low < 100 < 229 < high
    labels = [t.get_text() for t in budget.axes[0].get_yticklabels()]
    assert labels[:1] == ["asha"] and "grid" in labels


def test_anytime_plot_has_the_grid_curve_and_a_labelled_target(tmp_path, shipped_reference):
    from bench.reporting import plotdata, plots

    report = _report(tmp_path)
    fig = plots.anytime_figure(plotdata.anytime_data(report.runs, report.basis), report.basis.target)
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "grid (reference, own order)" in legend and any(t.startswith("target 0.89") for t in legend)
    assert "grid = 100" in legend and fig.axes[0].get_xscale() == "log"


def test_learning_curves_highlight_the_best_trials_in_the_strategy_colour_not_outcome_colours(tmp_path,
                                                                                           shipped_reference):
    from matplotlib.colors import to_hex

    from bench.reporting import plotdata, plots, style

    report = _report(tmp_path)
    panels = plotdata.learning_curves_data(report.runs, report.per_seed)
    many = {"random": (0, [plotdata.TrialCurve(f"t{i}", [1, 2], [0.1, i / 100], "completed")
                           for i in range(40)])}
    fig = plots.learning_curves_figure({**panels, **many}, report.basis.target)
    axes = {ax.get_title().split(":")[0]: ax for ax in fig.axes if ax.get_visible() and ax.get_title()}
    coloured = [line for line in axes["random"].get_lines()
                if to_hex(line.get_color()) == style.colour("random").lower()]
    grey = [line for line in axes["random"].get_lines() if to_hex(line.get_color()) == "#cccccc"]
    assert len(coloured) == plots.HIGHLIGHTED_TRIALS and len(grey) == 40 - plots.HIGHLIGHTED_TRIALS
    # The highlighted ones are the best by last accuracy.
    assert sorted(line.get_ydata()[-1] for line in coloured) == [i / 100 for i in range(30, 40)]
    strategy_colours = {c.lower() for c, _ in style.STRATEGY_STYLE.values()}
    legend = fig.legends[0]
    assert ({to_hex(h.get_color()) for h in legend.legend_handles} & strategy_colours
            <= {style.TARGET_COLOUR.lower()})
    assert _title_inside(fig, fig._suptitle)


def test_runtime_distribution_is_a_log_axis_ecdf_with_counts_in_the_legend(tmp_path, shipped_reference):
    from bench.reporting import plots
    from bench.reporting.ladder import runtime_distribution_data

    report = _report(tmp_path)
    fig = plots.runtime_distribution_figure(runtime_distribution_data(report.ladder_table), report.ladder)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_ylim()[1] > 1.0
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    # asha: 2 seeds x 3 rungs (0.88, 0.89, 0.90): seed 0 reaches 0.90 at its last result; seed 1 all three.
    assert "asha (6/6)" in legend and "grid = 100" in legend
