"""Drawing the report's PNG plots from the data bench.report.plotdata and bench.report.ladder build."""

from __future__ import annotations

import math
from pathlib import Path

from bench.report import style
from bench.report.ladder import Ladder, RuntimeDistribution
from bench.report.plotdata import AnytimeCurve, Bar, Spread, TrialCurve

PLOT_FILES = ("budget.png", "anytime.png", "learning_curves.png", "distribution.png", "runtime_distribution.png")
DPI = 120
#: How far below the target the anytime plot's accuracy axis reaches.
ANYTIME_SPAN = 0.3


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _axis_end(values) -> float:
    finite = [v for v in values if v is not None and math.isfinite(v)]
    return max([100.0, *finite]) * 1.15


def draw_budget_chart(bars: list[Bar], unit: str, path: Path) -> Path:
    """Horizontal bars of normalised compute-to-target with interval whiskers and hit rates."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(bars) + 1.6))
    end = _axis_end([v for b in bars for v in (b.median, b.high)])
    for y, bar in enumerate(bars):
        colour = style.colour(bar.strategy)
        if bar.median is None:
            ax.barh(y, end, color="none", edgecolor=colour, hatch="//", height=0.6)
            label = f"not reached  (hit {bar.hits}/{bar.seeds})"
            ax.text(end * 0.02, y, label, va="center", fontsize=9)
            continue
        ax.barh(y, bar.median, color=colour, height=0.6, alpha=0.85)
        if not bar.by_definition:
            high = end if bar.high is None else bar.high
            ax.plot([bar.low, high], [y, y], color="black", lw=1.2)
            ax.plot([bar.low], [y], marker="|", color="black", ms=10)
            ax.plot([high], [y], marker=">" if bar.high is None else "|", color="black", ms=8 if bar.high is None else 10)
        text = "100 by definition" if bar.by_definition else f"{bar.median:.3g}  (hit {bar.hits}/{bar.seeds})"
        ax.text(min(max(bar.median, bar.high or end), end) + end * 0.01, y, text, va="center", fontsize=9)
    ax.axvline(100, color="black", lw=0.8, ls="--")
    ax.set_yticks(range(len(bars)), [b.strategy for b in bars])
    ax.invert_yaxis()
    ax.set_xlim(0, end * 1.3)
    ax.set_xlabel("compute to reach the target, grid = 100; median and 95% interval over seeds")
    ax.set_title("Budget chart: compute-to-target (lower is better)")
    return _save(fig, path)


def draw_anytime(curves: list[AnytimeCurve], target: float, path: Path) -> Path:
    """Best-so-far accuracy against normalised compute: median over seeds with an IQR band."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(9, 5.5))
    lows, highs = [], []
    for curve in curves:
        colour = style.colour(curve.strategy)
        ax.plot(curve.compute, curve.median, color=colour, lw=1.6, label=curve.strategy,
                marker=style.marker(curve.strategy), markevery=0.15, ms=5)
        ax.fill_between(curve.compute, curve.q25, curve.q75, color=colour, alpha=0.15, lw=0)
        lows.append(float(curve.median[len(curve.median) // 3]))
        highs.append(float(curve.median.max()))
    ax.axhline(target, color=style.TARGET_COLOUR, ls="--", lw=1.2, label=f"target {target:.4f}")
    ax.axvline(100, color="black", lw=0.8, ls=":")
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
    return _save(fig, path)


def draw_learning_curves(panels: dict[str, tuple[int, list[TrialCurve]]], target: float, path: Path) -> Path:
    """One panel per strategy: every trial's validation curve, coloured by how the trial ended."""
    plt = _pyplot()
    count = max(1, len(panels))
    cols = min(4, count)
    rows = math.ceil(count / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.4 * cols, 2.7 * rows), squeeze=False, sharey=True)
    seen = set()
    for ax, (label, (seed, trials)) in zip(axes.flat, panels.items()):
        for trial in trials:
            colour = style.OUTCOME_COLOURS.get(trial.outcome, "#777777")
            ax.plot(trial.epochs, trial.accuracies, color=colour, lw=0.8, alpha=0.6, marker=".", ms=3,
                    label=None if trial.outcome in seen else trial.outcome)
            seen.add(trial.outcome)
        ax.axhline(target, color=style.TARGET_COLOUR, ls="--", lw=0.9)
        ax.set_title(f"{label} (seed {seed}, {len(trials)} trials)", fontsize=9, color=style.colour(label))
        ax.set_xlabel("epoch", fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(panels):]:
        ax.set_visible(False)
    axes[0][0].set_ylabel("validation accuracy", fontsize=8)
    handles = [plt.Line2D([], [], color=style.OUTCOME_COLOURS[o], label=o) for o in style.OUTCOME_COLOURS if o in seen]
    handles.append(plt.Line2D([], [], color=style.TARGET_COLOUR, ls="--", label="target"))
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=8, frameon=False)
    fig.suptitle("Learning curves of each strategy's median seed, trials coloured by how they ended")
    fig.tight_layout(rect=(0, 0.05, 1, 0.95))
    return _save(fig, path, tight=False)


def draw_distribution(spreads: list[Spread], path: Path) -> Path:
    """Per-seed normalised compute-to-target per strategy; misses in a column past the axis."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(9, 0.45 * max(1, len(spreads)) + 1.6))
    end = _axis_end([v for s in spreads for v in s.hits])
    for y, spread in enumerate(spreads):
        colour = style.colour(spread.strategy)
        offsets = [((i % 5) - 2) * 0.07 for i in range(len(spread.hits))]
        ax.scatter(spread.hits, [y + o for o in offsets], color=colour, marker=style.marker(spread.strategy),
                   s=26, alpha=0.8, zorder=3)
        if len(spread.hits) >= 2:
            ax.boxplot([spread.hits], positions=[y], vert=False, widths=0.5, showfliers=False,
                       medianprops={"color": "black"}, boxprops={"color": colour}, whiskerprops={"color": colour},
                       capprops={"color": colour})
        if spread.misses:
            ax.scatter([end * 1.08], [y], marker="x", color=colour, s=40, zorder=3)
            ax.text(end * 1.12, y, f"{spread.misses} missed", va="center", fontsize=8)
    ax.axvline(100, color="black", lw=0.8, ls="--")
    ax.axvline(end, color="grey", lw=0.8)
    ax.set_yticks(range(len(spreads)), [s.strategy for s in spreads])
    ax.invert_yaxis()
    ax.set_xlim(0, end * 1.3)
    ax.set_xlabel("compute to reach the target per seed, grid = 100 (misses right of the grey line)")
    ax.set_title("Distribution over seeds of compute-to-target")
    return _save(fig, path)


def draw_runtime_distribution(distributions: list[RuntimeDistribution], ladder: Ladder, path: Path) -> Path:
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
    return _save(fig, path)


def _save(fig, path: Path, tight: bool = True) -> Path:
    plt = _pyplot()
    if tight:
        fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path
