"""What report.md promises a reader about the grid row and the units (README, Report)."""

from __future__ import annotations

import re

from report_builders import GRID_TOTAL, write_run


def _report_md(root, tmp_path, *extra) -> str:
    from bench.cli import main

    out = tmp_path / "report"
    assert main(["report", str(root), "--out", str(out), *extra]) == 0
    return (out / "report.md").read_text()


def _grid_row(text: str) -> list[str]:
    summary = text.split("## Summary", 1)[1]
    row = next(line for line in summary.splitlines() if line.startswith("| grid |"))
    return [cell.strip() for cell in row.strip("|").split("|")]


def test_the_grid_own_order_is_one_figure_named_with_its_source(shipped_reference, tmp_path):
    """Stored grid runs reach the target 30 s into their own order: header and row say the same."""
    root = tmp_path / "results"
    for seed in (0, 1):
        write_run(root, "grid", seed, [(0, 1, 0.5, 10.0), (1, 1, 0.5, 20.0), (2, 1, 0.95, 30.0)])
    write_run(root, "asha", 0, [(0, 1, 0.95, 3.0)])
    text = _report_md(root, tmp_path)
    own = 100.0 * 60.0 / GRID_TOTAL
    (header,) = [line for line in text.splitlines() if line.startswith("- The grid first reached")]
    assert f"at {own:.1f} in its own order" in header and "2 grid runs" in header, header
    row = _grid_row(text)
    assert f"own order {own:.3g}" in row[3]
    assert (row[1], row[2]) == ("2", "2/2")


def test_without_grid_runs_the_grid_row_says_it_is_the_reference(shipped_reference, tmp_path):
    root = tmp_path / "results"
    for seed in (0, 1, 2):
        write_run(root, "asha", seed, [(0, 1, 0.95, 3.0)])
    text = _report_md(root, tmp_path)
    (header,) = [line for line in text.splitlines() if line.startswith("- The grid first reached")]
    assert "reference table" in header and "1 repeat" in header, header
    row = _grid_row(text)
    assert row[1] == "table, 1 repeat" and row[2] == "-", row
    assert not re.search(r"\| grid \| 3 \|", text)


def test_one_unit_name_everywhere_and_no_unit_on_a_normalised_axis(shipped_reference, tmp_path, capsys,
                                                                    monkeypatch):
    """The hand-built runs were timed on the reference's hardware: device-seconds, in every output."""
    import bench.reporting.plots as plots

    labels = []
    save = plots._save

    def keep_labels(fig, path, *args, **kwargs):
        labels.extend(ax.get_xlabel() for ax in fig.axes)
        return save(fig, path, *args, **kwargs)

    monkeypatch.setattr(plots, "_save", keep_labels)
    root = tmp_path / "results"
    for seed in (0, 1, 2):
        write_run(root, "asha", seed, [(0, 1, 0.95, 3.0)])
    text = _report_md(root, tmp_path)
    terminal = capsys.readouterr().out
    assert "unit device-seconds:" in terminal and "unit seconds" not in terminal
    assert "- Unit: **device-seconds**" in text and "(= 100) is 6561 device-seconds" in text
    for output in (text, terminal):
        assert "grid = 100 (seconds)" not in output and "compute-to-target, grid = 100;" in output
    normalised = [label for label in labels if "grid = 100" in label]
    assert normalised and not any("seconds" in label for label in normalised), normalised
