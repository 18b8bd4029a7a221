"""The nightly report: a markdown table of changes, step detection and trend plots."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bench.nightly.compare import Row
from bench.nightly.detect import ALPHA, changed_versions, detect_steps
from bench.reporting.html import write_html

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from bench.nightly.history import History, RunRecord
    from bench.nightly.suite import Suite

REPORT = "nightly.md"


def _fmt(value: float) -> str:
    return "not reached" if not math.isfinite(value) else f"{value:.1f}"


def trend_data(history: History, suite: Suite, machine: str, mode: str, workload: str,
               current_id: int) -> pd.DataFrame:
    """Per run and strategy: median and 95% interval of normalised compute over comparable runs."""
    import pandas as pd

    from bench.reporting.stats import summarise

    current = history.results(current_id)
    conditions = set(current[(current["mode"] == mode) & (current["workload"] == workload)]["conditions"])
    rows = []
    for record in history.runs(suite.name):
        if record.machine != machine or record.run_id > current_id:
            continue
        frame = history.results(record.run_id)
        frame = frame[(frame["mode"] == mode) & (frame["workload"] == workload)
                      & frame["conditions"].isin(conditions)]
        for strategy, group in frame.groupby("strategy"):
            s = summarise([None if v != v else v for v in group.sort_values("seed")["normalised"]])
            rows.append({"run_id": record.run_id, "started_at": record.started_at, "strategy": strategy,
                         "median": s.median, "low": s.low, "high": s.high, "hits": s.hits, "seeds": s.seeds,
                         "status": record.status})
    return pd.DataFrame(rows, columns=["run_id", "started_at", "strategy", "median", "low", "high", "hits",
                                       "seeds", "status"])


def steps(trend: pd.DataFrame, history: History, suite: Suite) -> list[str]:
    """Lines naming, per strategy, the first run of a lasting change and the versions that changed."""
    lines = []
    runs = {r.run_id: r for r in history.runs(suite.name)}
    for strategy, group in trend.groupby("strategy"):
        group = group.sort_values("run_id")
        step = detect_steps(list(group["median"]), suite.factor_of(strategy))  # type: ignore[arg-type]  # a str column's values
        if step is None:
            continue
        ids = list(group["run_id"])
        first, before = runs[ids[step.index]], runs[ids[step.index - 1]]
        changed = changed_versions(before.versions, first.versions)
        what = (", ".join(f"{k} {a} -> {b}" for k, a, b in ((k, *v) for k, v in changed.items()))
                or "no library versions")
        lines.append(f"- {strategy}: a lasting change from {_fmt(step.before)} to "
                     f"{_fmt(step.after)} began at run {first.run_id} ({first.started_at}, commit "
                     f"{first.commit_sha[:10]}); changed: {what}")
    return lines


def plot_trends(trend: pd.DataFrame, flagged: set[str], baseline_id: int | None, current_id: int, path: Path,
                title: str) -> None:
    """One small panel per strategy: median over runs with its interval band, baseline and flags marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker
    import numpy as np

    from bench.reporting.style import TARGET_COLOUR, colour, marker

    names = sorted(trend["strategy"].unique())
    columns = max(1, min(4, len(names)))  # no empty columns: the canvas holds only panels
    rows = max(1, math.ceil(len(names) / columns))
    fig, axes = plt.subplots(rows, columns, figsize=(3.2 * columns, 2.4 * rows), squeeze=False, sharex=True)
    for ax in axes.flat[len(names):]:
        ax.set_visible(False)
    for ax, name in zip(axes.flat, names, strict=False):
        group = trend[trend["strategy"] == name].sort_values("run_id")
        finite = group[np.isfinite(group["median"])]
        cap = 2 * float(finite["high"].replace(np.inf, np.nan).max() if len(finite) else 100.0)
        cap = cap if math.isfinite(cap) and cap > 0 else 200.0
        x = group["run_id"].to_numpy()

        def clip(col: str, group: pd.DataFrame = group, cap: float = cap) -> np.ndarray:
            return np.minimum(group[col].to_numpy(dtype=float), cap)

        ax.fill_between(x, clip("low"), clip("high"), color=colour(name), alpha=0.2, linewidth=0)
        ax.plot(x, clip("median"), color=colour(name), marker=marker(name), markersize=4, linewidth=1)
        if baseline_id is not None and baseline_id in set(x):
            ax.axvline(baseline_id, color="#555555", linestyle="--", linewidth=0.8, label="baseline")
        if name in flagged:
            last = group[group["run_id"] == current_id]
            ax.scatter(last["run_id"], np.minimum(last["median"], cap), s=80, facecolors="none",
                       edgecolors=TARGET_COLOUR, linewidths=1.5, zorder=5, label="regressed")
        ax.set_title(name, fontsize=9)
        ax.tick_params(labelsize=7)
    for ax in axes[:, 0]:
        ax.set_ylabel("compute-to-target\n(grid = 100)", fontsize=7)
    for ax in axes[-1, :]:
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax.set_xlabel("nightly run", fontsize=7)
    fig.suptitle(title + " (a miss is drawn at the top of its panel)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_report(out: Path, history: History, suite: Suite, run: RunRecord, baseline: RunRecord | None,
                 verdicts: Sequence[Row], skipped: Sequence[str], note: str) -> Path:
    """Write nightly.md, its page nightly.html and the trend plots into `out`; returns nightly.md's path."""
    lines = [f"# Nightly run {run.run_id}: suite `{suite.name}`", "",
             f"- started: {run.started_at}; commit {run.commit_sha}; machine `{run.machine}`",
             f"- baseline: {note}",
             f"- status: **{run.status}**; a regression needs the median normalised compute-to-target worse "
             f"by more than the strategy's factor (default x{suite.factor:.2f}) "
             f"AND a one-sided Mann-Whitney U p < {ALPHA} over seeds (misses rank above every hit), "
             f"or a hit-rate drop with one-sided Fisher p < {ALPHA}", ""]
    lines += [f"- {message}" for message in skipped]
    regressed = [v for v in verdicts if v.change.regressed]
    lines += ["", "## Regressions", ""]
    lines += [f"- **{v.strategy}** ({v.mode}, {v.workload}): {v.change.category}: {v.change.reason}"
              for v in regressed] or ["None."]
    lines += ["", "## Changes against the baseline", "",
              "| mode | workload | strategy | verdict | baseline median | median | ratio | p "
              "(MW) | hits | why |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    for v in verdicts:
        c = v.change
        ratio = "-" if c.ratio is None else f"x{c.ratio:.2f}"
        p = "-" if c.p_compute is None else f"{c.p_compute:.3g}"
        hits = (f"{c.base_hits}/{c.base_seeds} -> {c.hits}/{c.seeds}" if c.base_seeds
                else f"{c.hits}/{c.seeds}")
        base = "-" if not c.base_seeds else _fmt(c.base_median)
        lines.append(f"| {v.mode} | {v.workload} | {v.strategy} | {c.category} | {base} | {_fmt(c.median)} | "
                     f"{ratio} | {p} | {hits} | {c.reason} |")
    for mode, workload in sorted({(v.mode, v.workload) for v in verdicts}):
        trend = trend_data(history, suite, run.machine, mode, workload, run.run_id)
        picture = f"trend-{mode}-{workload}.png"
        plot_trends(trend, {v.strategy for v in regressed if (v.mode, v.workload) == (mode, workload)},
                    None if baseline is None else baseline.run_id, run.run_id, out / picture,
                    f"{suite.name}: {mode} {workload}, median and 95% interval per run")
        found = steps(trend, history, suite)
        lines += ["", f"## Trend: {mode} {workload}", "", f"![trend]({picture})", "",
                  f"Comparable runs on this machine: {trend['run_id'].nunique()}. Step detection:", ""]
        lines += found or ["- no lasting change in the history."]
    path = out / REPORT
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    write_html(path, f"bench nightly: {suite.name}")
    return path
