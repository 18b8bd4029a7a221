"""Drawing the report's plots from the data bench.reporting.plotdata and bench.reporting.ladder build:
the PNG files, and the budget chart as text bars for the terminal (`text_bars`)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.reporting import style
from bench.reporting.ladder import Ladder, RuntimeDistribution
from bench.reporting.plotdata import AnytimeCurve, Bar, Spread, TrialCurve

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

PLOT_FILES = ("budget.png", "anytime.png", "learning_curves.png", "distribution.png",
              "runtime_distribution.png")
DPI = 120
#: How far below the target the anytime plot's accuracy axis reaches.
ANYTIME_SPAN = 0.3


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _log_limits(values: Iterable[float | None], floor: float = 0.1) -> tuple[float, float]:
    """A log axis spanning every finite positive value and the grid's 100, with a margin."""
    finite = [v for v in values if v is not None and math.isfinite(v) and v > 0]
    low = min([100.0, *finite])
    high = max([100.0, *finite])
    return max(low / 2.0, floor * low), high * 2.5



def _strategy_rows_on_log_axis(ax: Axes, strategies: Sequence[str], limits: tuple[float, float], xlabel: str,
                               title: str, handles: list) -> None:
    """One row per strategy over a log axis of normalised compute, the grid's 100 as a dashed line,
    and the legend below the axes (the layout the budget and distribution charts share)."""
    ax.axvline(100, color="black", lw=0.9, ls="--")
    ax.set_yticks(range(len(strategies)), list(strategies))
    ax.set_ylim(len(strategies) - 0.4, -0.7)
    ax.set_xscale("log")
    ax.set_xlim(*limits)
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    ax.legend(handles=handles, fontsize=8, loc="upper center",
              bbox_to_anchor=(0.5, -0.16 - 0.6 / (len(strategies) + 2)), ncol=len(handles), frameon=False)

def budget_figure(bars: list[Bar]) -> Figure:
    """Median normalised compute-to-target per strategy with its 95% interval, on a log axis."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(bars) + 1.9))
    left, right = _log_limits([v for b in bars for v in (b.low, b.median, b.high)])
    miss_x = right / 1.6
    for y, bar in enumerate(bars):
        colour = style.colour(bar.strategy)
        if bar.median is None:
            ax.plot([miss_x], [y], marker="x", color=colour, ms=9, ls="none")
            ax.text(miss_x / 1.15, y, f"not reached (hit {bar.hits}/{bar.seeds})", va="center", ha="right",
                    fontsize=8)
            continue
        if not bar.by_definition:
            high = miss_x if bar.high is None else bar.high
            ax.plot([bar.low, high], [y, y], color=colour, lw=2.2, alpha=0.6, solid_capstyle="butt")
            if bar.high is None:
                ax.plot([high], [y], marker=">", color=colour, ms=7)
        ax.plot([bar.median], [y], marker=style.marker(bar.strategy), color=colour, ms=8, ls="none")
        text = "100 by definition" if bar.by_definition else f"{bar.median:.3g}  (hit {bar.hits}/{bar.seeds})"
        ax.annotate(text, (bar.median, y), xytext=(0, 7), textcoords="offset points", ha="center", fontsize=8)
    _strategy_rows_on_log_axis(
        ax, [b.strategy for b in bars], (left, right),
        "compute to reach the target, grid = 100 (log scale): median and 95% interval over seeds",
        "Compute-to-target per strategy (lower is better)",
        [plt.Line2D([], [], color="#555555", marker="o", ls="none", label="median over seeds"),
         plt.Line2D([], [], color="#555555", lw=2.2, alpha=0.6, label="95% interval"),
         plt.Line2D([], [], color="black", lw=0.9, ls="--", label="grid = 100"),
         plt.Line2D([], [], color="#555555", marker="x", ls="none", label="median seed missed")])
    ax.grid(alpha=0.3, axis="x", which="both")
    return fig


def draw_budget_chart(bars: list[Bar], unit: str, path: Path) -> Path:
    """budget_figure, saved (`unit` is kept for callers: a normalised axis has none)."""
    return _save(budget_figure(bars), path)


def anytime_figure(curves: list[AnytimeCurve], target: float) -> Figure:
    """Best-so-far accuracy against normalised compute: median over seeds with an IQR band."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(9, 5.5))
    lows, highs = [], []
    for curve in curves:
        colour = style.colour(curve.strategy)
        ax.plot(curve.compute, curve.median, color=colour,
                lw=2.2 if curve.strategy.startswith("grid") else 1.6, label=curve.strategy,
                marker=style.marker(curve.strategy), markevery=0.15, ms=5)
        ax.fill_between(curve.compute, curve.q25, curve.q75, color=colour, alpha=0.15, lw=0)
        lows.append(float(curve.median[len(curve.median) // 3]))
        highs.append(float(curve.median.max()))
    ax.axhline(target, color=style.TARGET_COLOUR, ls="--", lw=1.2, label=f"target {target:.4f}")
    ax.axvline(100, color="black", lw=0.8, ls=":", label="grid = 100")
    ax.set_xscale("log")
    if lows:
        # The climb towards the target is what matters; the first epochs near chance are cut.
        bottom = max(0.0, min(min(lows), target) - 0.05, target - ANYTIME_SPAN)
        ax.set_ylim(bottom, min(1.0, max(max(highs), target) + 0.02))
        entered = [float(c.compute[(c.q75 >= bottom).argmax()]) for c in curves if (c.q75 >= bottom).any()]
        if entered:
            ax.set_xlim(left=min(entered) / 1.5)
    ax.set_xlabel("compute spent, grid = 100 (log scale)")
    ax.set_ylabel("best validation accuracy so far")
    ax.set_title("Anytime performance: median over seeds, interquartile band")
    ax.legend(fontsize=8, ncol=2, loc="lower right")
    ax.grid(alpha=0.3)
    return fig


def draw_anytime(curves: list[AnytimeCurve], target: float, path: Path) -> Path:
    return _save(anytime_figure(curves, target), path)


#: Trials drawn in the strategy's colour per learning-curve panel (the rest in light grey).
HIGHLIGHTED_TRIALS = 10


def learning_curves_figure(panels: dict[str, tuple[int, list[TrialCurve]]], target: float) -> Figure:
    """One panel per strategy: every trial in light grey, its HIGHLIGHTED_TRIALS best
    (by last accuracy) in the strategy's colour, the line style saying how each ended."""
    plt = _pyplot()
    count = max(1, len(panels))
    cols = min(4, count)
    rows = math.ceil(count / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.6 * cols, 2.9 * rows + 0.9), squeeze=False, sharey=True)
    seen = set()
    for ax, (label, (seed, trials)) in zip(axes.flat, panels.items(), strict=False):
        ranked = sorted(trials, key=lambda t: t.accuracies[-1] if t.accuracies else 0.0, reverse=True)
        best = {id(t) for t in ranked[:HIGHLIGHTED_TRIALS]}
        for trial in trials:
            if id(trial) not in best:
                ax.plot(trial.epochs, trial.accuracies, color="#cccccc", lw=0.5, alpha=0.5, zorder=1)
        for trial in ranked[:HIGHLIGHTED_TRIALS]:
            ax.plot(trial.epochs, trial.accuracies, color=style.colour(label), lw=1.2,
                    ls=style.outcome_linestyle(trial.outcome), zorder=3)
            seen.add(trial.outcome)
        ax.axhline(target, color=style.TARGET_COLOUR, ls="--", lw=0.9, zorder=2)
        ax.set_title(f"{label}: seed {seed}, {len(trials)} trials", fontsize=9, color=style.colour(label))
        ax.set_xlabel("epoch", fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(panels):]:
        ax.set_visible(False)
    axes[0][0].set_ylabel("validation accuracy", fontsize=8)
    handles = [plt.Line2D([], [], color="#444444", ls=style.outcome_linestyle(o), label=o)
               for o in style.OUTCOME_LINESTYLES if o in seen]
    handles += [plt.Line2D([], [], color="#cccccc", lw=1.5, label="other trials"),
                plt.Line2D([], [], color=style.TARGET_COLOUR, ls="--", label="target")]
    fig.legend(handles=handles, loc="lower center", ncol=min(6, len(handles)), fontsize=8, frameon=False)
    fig.suptitle(f"Each strategy's median seed: its {HIGHLIGHTED_TRIALS} best trials in colour, "
                 f"the line style says how each ended", fontsize=10)
    fig.tight_layout(rect=(0, 0.07, 1, 0.95))
    return fig


def draw_learning_curves(panels: dict[str, tuple[int, list[TrialCurve]]], target: float, path: Path) -> Path:
    return _save(learning_curves_figure(panels, target), path, tight=False)


def distribution_figure(spreads: list[Spread]) -> Figure:
    """Per-seed normalised compute-to-target per strategy on a log axis; misses past a grey line."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(9, 0.45 * max(1, len(spreads)) + 1.9))
    left, right = _log_limits([v for s in spreads for v in s.hits])
    miss_x = right / 1.4
    for y, spread in enumerate(spreads):
        colour = style.colour(spread.strategy)
        offsets = [((i % 5) - 2) * 0.07 for i in range(len(spread.hits))]
        ax.scatter(spread.hits, [y + o for o in offsets], color=colour, marker=style.marker(spread.strategy),
                   s=24, alpha=0.75, zorder=3)
        if len(spread.hits) >= 2:
            ax.boxplot([spread.hits], positions=[y], orientation="horizontal", widths=0.5, showfliers=False,
                       medianprops={"color": "black"}, boxprops={"color": colour},
                       whiskerprops={"color": colour}, capprops={"color": colour})
        if spread.misses:
            ax.scatter([miss_x], [y], marker="x", color=colour, s=40, zorder=3)
            ax.text(miss_x * 1.08, y, f"{spread.misses}", va="center", fontsize=8)
    ax.axvline(miss_x / 1.2, color="grey", lw=0.8)
    _strategy_rows_on_log_axis(
        ax, [s.strategy for s in spreads], (left, right),
        "compute to reach the target per seed, grid = 100 (log scale)",
        "Spread over seeds of compute-to-target",
        [plt.Line2D([], [], color="#555555", marker="o", ls="none", label="one seed"),
         plt.Line2D([], [], color="black", lw=0.9, ls="--", label="grid = 100"),
         plt.Line2D([], [], color="#555555", marker="x", ls="none", label="seeds that missed (count)")])
    ax.grid(alpha=0.3, axis="x", which="both")
    return fig


def draw_distribution(spreads: list[Spread], path: Path) -> Path:
    return _save(distribution_figure(spreads), path)


def draw_runtime_distribution(distributions: list[RuntimeDistribution], ladder: Ladder, path: Path) -> Path:
    return _save(runtime_distribution_figure(distributions, ladder), path)


def runtime_distribution_figure(distributions: list[RuntimeDistribution], ladder: Ladder) -> Figure:
    """COCO's runtime distribution: per strategy, the share of (seed, target) pairs reached against
    normalised compute (log axis); a curve ends at its last hit, and its height there is its success share."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(9, 5.5))
    hits = [v for d in distributions for v in d.hits if v > 0]
    left = min(hits) / 1.5 if hits else 0.1
    right = max([150.0, *hits]) * 1.5
    for dist in distributions:
        colour = style.colour(dist.strategy)
        xs = [left, *dist.hits]
        ys = [0.0, *[(i + 1) / dist.pairs for i in range(len(dist.hits))]]
        ax.step(xs, ys, where="post", color=colour, lw=1.6,
                label=f"{dist.strategy} ({len(dist.hits)}/{dist.pairs})")
        if dist.hits:
            ax.plot([dist.hits[-1]], [ys[-1]], marker=style.marker(dist.strategy), color=colour, ms=6)
    ax.axvline(100, color="black", lw=0.8, ls="--", label="grid = 100")
    ax.set_xscale("log")
    ax.set_xlim(left, right)
    ax.set_ylim(0, 1.02)
    targets = ", ".join(f"{t:.4f}" for t in ladder.targets) if ladder is not None else ""
    ax.set_xlabel("compute to reach the target, grid = 100 (log scale)")
    ax.set_ylabel("share of (seed, target) pairs reached")
    ax.set_title(f"Runtime distribution over seeds and targets {targets}", fontsize=10)
    ax.legend(fontsize=8, ncol=2, loc="upper left", title="strategy (pairs reached)", title_fontsize=8)
    ax.grid(alpha=0.3, which="both")
    return fig


def _save(fig: Figure, path: Path, tight: bool = True) -> Path:
    plt = _pyplot()
    if tight:
        fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


#: Characters a bar of 100 (the grid) spans.
BAR_WIDTH_100 = 30
_EIGHTHS = " ▏▎▍▌▋▊▉"


def _bar(value: float, scale: float, limit: int) -> str:
    eighths = int(round(value * scale * 8))
    full, part = divmod(eighths, 8)
    if full >= limit:
        return "█" * limit + "»"
    return "█" * full + (_EIGHTHS[part] if part else "")


def _figure(value: float | None) -> str:
    return "-" if value is None else f"{value:.3g}"


def text_bars(bars: list[Bar], unit: str) -> str:
    """One line per strategy: a bar, the median with its 95% interval, and the hit rate."""
    scale = BAR_WIDTH_100 / 100.0
    limit = 2 * BAR_WIDTH_100
    name_width = max([len(b.strategy) for b in bars] + [8])
    lines = ["compute-to-target, grid = 100; median [95% interval], seeds that hit"]
    for bar in bars:
        if bar.by_definition:
            figures = "100 by definition"
        elif bar.median is None:
            figures = f"not reached  hit {bar.hits}/{bar.seeds}"
        else:
            figures = (f"{_figure(bar.median)} [{_figure(bar.low)}, "
                       f"{_figure(bar.high) if bar.high is not None else 'not reached'}]  hit "
                       f"{bar.hits}/{bar.seeds}")
        drawn = "·" * limit if bar.median is None else _bar(bar.median, scale, limit)
        lines.append(f"{bar.strategy:<{name_width}}  {drawn:<{limit + 1}}  {figures}")
    return "\n".join(lines)
