"""Which strategy to use, per target: paired tests over seeds, ties, and what is not yet separated.

Strategies built on the same seed draw the same first configurations (common random numbers), so
a seed is a block: each pair of strategies is compared on the seeds both ran. Per target, the
strategy with the lowest median compute-to-target (misses last) is the best; every other strategy
is compared with it by the Wilcoxon signed-rank test on the per-seed log ratios of compute-to-target
(scipy.stats.wilcoxon), with Holm's correction over those comparisons (statsmodels). A miss counts
as MISS_PENALTY times the largest compute any run spent at that target (so it ranks after every
hit; PAR2 in the algorithm-configuration literature); two misses on a seed are a tie.

Each pair is then
- **better** or **worse**: Holm-adjusted p < ALPHA;
- **tied**: the 95% interval of the geometric-mean paired ratio lies inside [TIE_LOW, TIE_HIGH];
- **not separated**: neither; `seeds_needed` estimates how many seeds would separate them (a
  paired t-test's power, statsmodels, scaled for Wilcoxon's efficiency) or tie them (the interval's
  expected width), whichever is fewer.
The grid is the reference (100 by definition), not a contender. Wilcoxon, "Individual comparisons
by ranking methods", 1945; Holm, "A simple sequentially rejective multiple test procedure", 1979.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bench.errors import BenchError, option
from bench.reporting.ladder import NOT_MEASURED, REACHED, Ladder

if TYPE_CHECKING:
    import pandas as pd

ALPHA = 0.05
TIE_LOW, TIE_HIGH = 0.8, 1.25
#: A miss counts as this many times the largest compute any run spent at the target.
MISS_PENALTY = 2.0
#: The least a verdict needs: strategies besides the grid, and seeds each.
MIN_STRATEGIES, MIN_SEEDS = 2, 3
#: Power aimed at when estimating the seeds that would separate a pair.
POWER = 0.8
#: Wilcoxon's asymptotic efficiency against the t-test under normality (3 / pi).
WILCOXON_EFFICIENCY = 3.0 / math.pi
#: Beyond this many seeds, "more seeds needed" is said without a number.
MAX_SEEDS_ESTIMATE = 10_000
GRID = "grid"


@dataclass(frozen=True)
class Pair:
    """One strategy against the target's best, over the seeds both measured."""

    strategy: str
    best: str
    seeds: int
    ratio: float  # geometric mean of strategy / best compute-to-target (misses penalised)
    ratio_low: float
    ratio_high: float
    p_value: float
    p_holm: float
    relation: str  # "better", "worse", "tied" or "not separated"
    seeds_needed: int | None = None  # for "not separated": seeds that would separate or tie them


@dataclass(frozen=True)
class TargetVerdict:
    """The verdict at one target: the best strategy and how every other one relates to it."""

    target: float
    label: str
    best: str | None
    best_median: float | None  # normalised, None when its median seed missed
    best_hits: int
    best_seeds: int
    pairs: list[Pair] = field(default_factory=list)
    note: str = ""  # why there is no verdict, when there is none

    @property
    def line(self) -> str:
        return verdict_line(self)


def contenders(table: pd.DataFrame) -> list[str]:
    """The strategies a verdict compares: every stored strategy but the grid."""
    return sorted(s for s in table["strategy"].unique() if s != GRID)


def verdict_possible(table: pd.DataFrame) -> str | None:
    """None when a verdict can be given; else why not, in words."""
    names = contenders(table)
    if len(names) < MIN_STRATEGIES:
        return (f"a verdict needs at least {MIN_STRATEGIES} strategies besides the grid; the runs hold "
                f"{len(names)}")
    seeds = table[table["strategy"].isin(names)].groupby("strategy")["seed"].nunique()
    if seeds.min() < MIN_SEEDS:
        return (f"a verdict needs at least {MIN_SEEDS} seeds per strategy; {seeds.idxmin()} has "
                f"{int(seeds.min())}")
    return None


def check_verdict_request(strategies: int, seeds: int) -> None:
    """Refuse, before any run, a verdict asked of too few strategies (grid not counted) or seeds."""
    if strategies < MIN_STRATEGIES or seeds < MIN_SEEDS:
        raise BenchError(f"{option('verdict')} needs at least {MIN_STRATEGIES} strategies besides grid and "
                         f"{MIN_SEEDS} seeds each, not {strategies} and {seeds}; accepted: more of both, "
                         f"or no {option('verdict')}")


def _penalised(at: Any) -> Any:
    """strategies x seeds of compute-to-target, misses as MISS_PENALTY x the largest spent; NaN unmeasured."""
    import numpy as np

    measured = at[at["status"] != NOT_MEASURED]
    spent = np.nanmax(np.r_[measured["compute_used_normalised"].to_numpy(float),
                            measured["normalised"].to_numpy(float), 1e-9])
    value = measured["normalised"].where(measured["status"] == REACHED, MISS_PENALTY * spent)
    frame = measured.assign(value=value)
    return frame.pivot_table(index="strategy", columns="seed", values="value", aggfunc="median")


def _seeds_needed(differences: Any, comparisons: int) -> int | None:
    """Seeds that would likely separate the pair (power POWER at Holm's strictest level) or tie it."""
    import numpy as np
    from scipy.stats import t as student
    from statsmodels.stats.power import TTestPower

    mean, sd = float(np.mean(differences)), float(np.std(differences, ddof=1))
    if not np.ptp(differences) > 1e-12:
        return None
    candidates = []
    if abs(mean) > 0:
        effect = abs(mean) / sd
        try:
            n = TTestPower().solve_power(effect_size=effect, alpha=ALPHA / comparisons, power=POWER,
                                         alternative="two-sided")
            if n is not None and math.isfinite(float(n)):
                candidates.append(math.ceil(float(n) / WILCOXON_EFFICIENCY))
        except (ValueError, RuntimeError):  # the solver found no root: effect too small for any size
            pass
    margin = math.log(TIE_HIGH) - abs(mean)
    if margin > 0:  # the expected 95% interval fits inside the tie band from this many seeds on
        for n in range(MIN_SEEDS, MAX_SEEDS_ESTIMATE + 1):
            if student.ppf(0.975, n - 1) * sd / math.sqrt(n) <= margin:
                candidates.append(n)
                break
    best = min(candidates) if candidates else None
    if best is None or best > MAX_SEEDS_ESTIMATE:
        return None
    return max(best, len(differences) + 1)  # these seeds did not tell: more are needed, whatever the estimate


def _relation(p_holm: float, ratio: float, low: float, high: float) -> str:
    if p_holm < ALPHA:
        return "worse" if ratio > 1 else "better"
    if TIE_LOW <= low and high <= TIE_HIGH:
        return "tied"
    return "not separated"


def target_verdict(at: pd.DataFrame, target: float, label: str) -> TargetVerdict:
    """The verdict at one target from its rows of the ladder table (contenders only)."""
    import numpy as np
    from scipy.stats import ttest_1samp, wilcoxon
    from statsmodels.stats.multitest import multipletests

    at = at[at["strategy"] != GRID]
    values = _penalised(at)
    reached = at[at["status"] == REACHED].groupby("strategy").size()
    measured = at[at["status"] != NOT_MEASURED].groupby("strategy").size()
    if values.empty or not len(reached):
        return TargetVerdict(target, label, None, None, 0, int(measured.max()) if len(measured) else 0,
                             note="no strategy reached it in any seed")
    # Geometric mean first: the paired ratios below are geometric means, so the best's are all >= 1
    # on common seeds; the median breaks ties (all missed: equal penalties).
    order = sorted(values.index, key=lambda s: (float(np.nanmean(np.log(values.loc[s]))),
                                                float(np.nanmedian(values.loc[s])), s))
    best = order[0]
    hits = {s: int(reached.get(s, 0)) for s in values.index}
    median = float(np.nanmedian(values.loc[best])) if hits[best] * 2 > int(measured.get(best, 0)) else None
    rows = []
    for name in order[1:]:
        both = values.loc[[name, best]].dropna(axis=1)
        d = np.log(both.loc[name].to_numpy(float)) - np.log(both.loc[best].to_numpy(float))
        if len(d) < 2:
            rows.append((name, len(d), math.nan, math.nan, math.nan, 1.0, d))
            continue
        if np.allclose(d, 0.0):
            p = 1.0
        else:
            p = float(wilcoxon(d).pvalue) if np.count_nonzero(d) else 1.0
        if np.ptp(d) > 1e-12:  # a constant ratio has no spread to build an interval from
            interval = ttest_1samp(d, 0.0).confidence_interval(0.95)
            low, high = math.exp(interval.low), math.exp(interval.high)
        else:
            low = high = math.exp(float(np.mean(d)))
        rows.append((name, len(d), math.exp(float(np.mean(d))), low, high, p, d))
    adjusted = multipletests([r[5] for r in rows], method="holm")[1] if rows else []
    pairs = []
    for (name, n, ratio, low, high, p, d), p_holm in zip(rows, adjusted, strict=False):
        relation = "not separated" if n < 2 else _relation(float(p_holm), ratio, low, high)
        needed = _seeds_needed(d, len(rows)) if relation == "not separated" and n >= 2 else None
        pairs.append(Pair(name, best, n, ratio, low, high, p, float(p_holm), relation, needed))
    return TargetVerdict(target, label, best, median, hits[best], int(measured.get(best, 0)), pairs)


def verdicts(table: pd.DataFrame, ladder: Ladder) -> list[TargetVerdict]:
    """One verdict per rung of the ladder, easy to hard; empty when verdict_possible says no."""
    if verdict_possible(table) is not None:
        return []
    return [target_verdict(table[table["target"] == t], t, ladder.label(t)) for t in ladder.targets]


def _ratio(value: float) -> str:
    return f"{value:.2g}x" if value < 10 else f"{value:.0f}x"


def verdict_line(verdict: TargetVerdict) -> str:
    """One line, e.g. "at 0.9224 (...): best asha (12.3); tied with hyperband; not separated from tpe
    (about 40 seeds would tell); slower: random 3.1x asha"."""
    head = f"at {verdict.target:.4f} ({verdict.label}): "
    if verdict.best is None:
        return head + (verdict.note or "no verdict")
    figure = (f"{verdict.best_median:.3g}, grid = 100" if verdict.best_median is not None
              else f"median seed missed; {verdict.best_hits}/{verdict.best_seeds} hit")
    parts = [f"best {verdict.best} ({figure})"]
    groups: dict[str, list[Pair]] = {}
    for pair in verdict.pairs:
        groups.setdefault(pair.relation, []).append(pair)
    if groups.get("tied"):
        parts.append("tied with " + ", ".join(p.strategy for p in groups["tied"]))
    if groups.get("not separated"):
        items = [f"{p.strategy} (" + ("about " + str(p.seeds_needed) + " seeds would tell" if p.seeds_needed
                                      else "more seeds needed") + ")"
                 for p in groups["not separated"]]
        parts.append("not separated from " + ", ".join(items))
    if groups.get("better"):
        parts.append("yet faster by a paired test: " + ", ".join(
            f"{p.strategy} {_ratio(1 / p.ratio)}" for p in groups["better"]))
    if groups.get("worse"):
        parts.append("slower: " + ", ".join(f"{p.strategy} {_ratio(p.ratio)} {verdict.best}"
                                            for p in groups["worse"]))
    return head + "; ".join(parts)


def verdict_records(verdicts_: list[TargetVerdict]) -> list[dict]:
    """The verdicts as JSON-ready dicts (summary.json)."""
    from dataclasses import asdict

    return [{"target": v.target, "label": v.label, "best": v.best, "best_median_normalised": v.best_median,
             "best_hits": v.best_hits, "best_seeds": v.best_seeds, "line": v.line, "note": v.note,
             "pairs": [asdict(p) for p in v.pairs]} for v in verdicts_]
