"""report.html: the Markdown report as one self-contained page, and what a real browser shows of it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bench.errors import BenchError
from bench.reporting.html import render_html, write_html
from bench.reporting.plots import PLOT_FILES
from tests.browser import open_page

ROOT = Path(__file__).resolve().parents[2]
#: The committed answer: a 13-strategy, 20-seed replayed compare's report and plots.
ANSWER = ROOT / "docs" / "answer"


def _picture(path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot([0, 1], [0, 1])
    fig.savefig(path)
    plt.close(fig)
    return path


def test_pictures_are_inlined_and_tables_rendered(tmp_path):
    _picture(tmp_path / "p.png")
    text = "# Title\n\n- at 0.9: best asha\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n![p.png](p.png)\n"
    page = render_html(text, tmp_path, "t")
    assert "<table>" in page and "<td>2</td>" in page and "<li>at 0.9: best asha</li>" in page
    assert page.count('src="data:image/png;base64,') == 1 and 'src="p.png"' not in page
    assert "http://" not in page and "https://" not in page  # nothing to fetch: readable offline


def test_markdown_cannot_inject_markup(tmp_path):
    page = render_html("# a <script>alert(1)</script> strategy\n", tmp_path, "<b>")
    assert "<script>" not in page and "&lt;script&gt;" in page and "<title>&lt;b&gt;</title>" in page


@pytest.mark.parametrize("link", ["gone.png", "https://example.org/x.png", "notes.txt"])
def test_a_picture_that_cannot_be_inlined_is_one_clear_error(tmp_path, link):
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / "report.md").write_text(f"# r\n\n![x]({link})\n")
    with pytest.raises(BenchError, match=f"cannot be inlined: '{link}'.*accepted: .jpeg, .jpg, .png, .svg"):
        write_html(tmp_path / "report.md", "r")
    assert not (tmp_path / "report.html").exists()


def test_the_answer_report_renders_in_a_browser(browser, tmp_path):
    for name in ("report.md", *PLOT_FILES):
        shutil.copy(ANSWER / name, tmp_path / name)
    seen = open_page(browser, write_html(tmp_path / "report.md", "bench report: digits"))
    assert seen["errors"] == []
    assert sorted(alt for alt, *_ in seen["pictures"]) == sorted(PLOT_FILES)
    assert all(loaded and width > 300 and height > 200 for _, loaded, width, height in seen["pictures"])
    assert seen["headings"][0].startswith("Compute-to-target report: digits")
    text = seen["text"]
    # The verdict comes first, then the summary, ladder, warnings, plots and definitions.
    first = text.splitlines()[1:3]
    assert any(line.startswith("at 0.8962 (grid's best - 2 pp): best ") for line in first), first
    sections = ("Summary", "Ladder of targets", "Warnings", "Plots", "Definitions")
    order = [text.index(word) for word in sections]
    assert order == sorted(order)
    # A drawn page, not a blank one: ink on part of the screen and many colours (the tables' shading).
    assert seen["drawn_share"] > 0.02 and seen["colours"] > 20, seen
