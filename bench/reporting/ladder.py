"""A ladder of targets, easy to hard, and every run's compute to reach each: where strategies separate.

At the default target (the grid's best final accuracy minus 1 percentage point) one of the first
few sampled configurations often hits, so the leading strategies tie. The ladder adds harder
targets. Its default rungs: the grid's best final accuracy minus 2, 1 and 0 points, and one
halfway between the grid's best and the best accuracy recorded anywhere in the reference's dataset
(the grid and the configurations beyond it, at any epoch).

A run that stopped as soon as it reached its own target (`bench run`'s default) says nothing about
a harder target it had not reached: that rung is "not measured" for it, never a miss.

Figures follow the COCO platform's runtime distributions (Hansen et al., "COCO: a platform for
comparing continuous optimizers in a black-box setting", 2021, https://arxiv.org/abs/1603.08785):
the expected running time (ERT) counts misses by the compute they spent, ERT = compute spent by
all runs / runs that hit, and the runtime distribution is, per strategy, the share of (seed,
target) pairs reached within each amount of compute.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bench.errors import BenchError, option
from bench.reporting.basis import REACH_EPSILON, Basis
from bench.store.results import StoredRun

if TYPE_CHECKING:
    from bench.reporting.reference import Reference

#: Default rungs below the grid's best final accuracy, in percentage points.
DEFAULT_RUNGS_PP = (2.0, 1.0, 0.0)
#: The hardest default rung sits this share of the way from the grid's best to the best recorded.
HEADROOM_SHARE = 0.5
REACHED, MISSED, NOT_MEASURED = "reached", "missed", "not measured"
#: Columns of ladder_table, in order.
LADDER_COLUMNS = ("strategy", "strategy_name", "seed", "run_id", "target", "status", "compute_to_target",
                  "normalised", "compute_used_normalised")
#: Columns of ladder_summary, in order.
LADDER_SUMMARY_COLUMNS = ("target", "strategy", "measured", "hits", "hit_rate", "normalised_median",
                          "normalised_low", "normalised_high", "ert_normalised", "by_definition")


@dataclass(frozen=True)
class Rung:
    """One target of the ladder and why it is there."""

    target: float
    label: str


@dataclass(frozen=True)
class Ladder:
    """Targets from easy to hard; `rule` says how they were chosen."""

    rungs: tuple[Rung, ...]
    rule: str

    @property
    def targets(self) -> list[float]:
        return [r.target for r in self.rungs]

    def label(self, target: float) -> str:
        return next((r.label for r in self.rungs if abs(r.target - target) <= REACH_EPSILON), f"{target:.4f}")


def check_ladder_targets(targets: Sequence[float] | None) -> None:
    """Refuse an empty ladder or a target outside (0, 1]; needs no reference, so callers check first."""
    if targets is None:
        return
    if len(targets) == 0:
        raise BenchError(f"{option('targets')} takes one or more validation accuracies in (0, 1]; "
                         "it was empty")
    for value in targets:
        if not (isinstance(value, (int, float)) and math.isfinite(value) and 0.0 < value <= 1.0):
            raise BenchError(f"{option('targets')} takes validation accuracies in (0, 1], "
                             f"comma-separated, not {value!r}")


def parse_targets(text: str) -> list[float]:
    """`--targets 0.9,0.91,0.92` as floats; a bad item is one clear line."""
    items = [item.strip() for item in text.split(",")]
    if not text.strip() or "" in items:
        raise BenchError(f"{option('targets')} takes one or more validation accuracies in (0, 1], "
                         f"comma-separated, not {text!r}")
    try:
        values = [float(item) for item in items]
    except ValueError:
        raise BenchError(f"{option('targets')} takes validation accuracies in (0, 1], "
                         f"comma-separated, not {text!r}") from None
    check_ladder_targets(values)
    return values


def make_ladder(reference: Reference, targets: Sequence[float] | None = None) -> Ladder:
    """The default ladder of `reference`, or the explicit `targets` (sorted, duplicates dropped).

    Raises:
        BenchError: an empty ladder, or a target above the best accuracy recorded anywhere in the
            reference's dataset (nothing could ever reach it, in replay or in the recording).
    """
    best_recorded = reference.best_recorded_accuracy()
    grid_best = reference.best_final_accuracy()
    if targets is not None:
        check_ladder_targets(targets)
        above = [t for t in targets if t > best_recorded + REACH_EPSILON]
        if above:
            raise BenchError(f"{option('targets')} {', '.join(f'{t:g}' for t in above)} above the best "
                             f"accuracy recorded in {reference.source} ({best_recorded:.4f}); accepted: "
                             f"targets in (0, {best_recorded:.4f}]")
        values = sorted({round(float(t), 12) for t in targets})
        return Ladder(tuple(Rung(v, f"{v:.4f}") for v in values),
                      f"explicit --targets (the grid's best final accuracy is {grid_best:.4f})")
    rungs = [Rung(grid_best - pp / 100.0, "grid's best" if pp == 0 else f"grid's best - {pp:g} pp")
             for pp in DEFAULT_RUNGS_PP]
    headroom = grid_best + HEADROOM_SHARE * (best_recorded - grid_best)
    if headroom > grid_best + 1e-4:
        rungs.append(Rung(headroom, "halfway from the grid's best to the best recorded"))
    rule = (f"the grid's best final accuracy {grid_best:.4f} minus "
            f"{', '.join(f'{p:g}' for p in DEFAULT_RUNGS_PP)} percentage points, and halfway from it to "
            f"the best accuracy recorded in the dataset ({best_recorded:.4f}, any configuration, any epoch)")
    return Ladder(tuple(rungs), rule)


def _run_target(run: StoredRun) -> float | None:
    value = run.manifest.get("target")
    return None if value is None else float(value)


def run_ladder_rows(run: StoredRun, basis: Basis, ladder: Ladder) -> list[dict]:
    """One run's status and compute at every rung (one trajectory for all of them)."""
    from bench.reporting.metrics import compute_to_target, cumulative_column, strategy_label, trajectory

    path = trajectory(run.epochs)
    budget = run.manifest.get("budget") or None
    grid = basis.grid_compute
    used = float(path[cumulative_column(basis.unit)].iloc[-1]) if len(path) else 0.0
    own_target = _run_target(run)
    rows = []
    for target in ladder.targets:
        reach = compute_to_target(path, target, basis.unit, budget)
        if reach is not None:
            status = REACHED
        elif own_target is not None and target > own_target + REACH_EPSILON:
            status = NOT_MEASURED  # it stopped at its own, easier target
        else:
            status = MISSED
        rows.append({
            "strategy": strategy_label(run.manifest), "strategy_name": run.manifest["strategy"]["name"],
            "seed": int(run.manifest["seed"]), "run_id": run.manifest.get("run_id", run.folder.name),
            "target": target, "status": status, "compute_to_target": reach,
            "normalised": None if reach is None else 100.0 * reach / grid,
            "compute_used_normalised": 100.0 * used / grid,
        })
    return rows


def ladder_table(runs: Sequence[StoredRun], basis: Basis, ladder: Ladder) -> Any:
    """One row per (run, target): reached, missed or not measured, and the normalised compute-to-target."""
    import pandas as pd

    rows = [row for run in runs for row in run_ladder_rows(run, basis, ladder)]
    frame = pd.DataFrame(rows, columns=list(LADDER_COLUMNS))
    for column in ("compute_to_target", "normalised", "compute_used_normalised"):
        frame[column] = frame[column].astype(float)
    return frame.sort_values(["target", "strategy", "seed", "run_id"], kind="stable").reset_index(drop=True)


def expected_running_time(rows: Any) -> float | None:
    """COCO's ERT in normalised compute: compute spent by all measured runs / runs that hit.

    A hit spent its compute-to-target, a miss all the compute it used; None when none hit.
    """
    measured = rows[rows["status"] != NOT_MEASURED]
    hits = measured["status"] == REACHED
    if not hits.any():
        return None
    spent = measured["normalised"].where(hits, measured["compute_used_normalised"])
    return float(spent.sum() / hits.sum())


def _grid_rows(reference: Reference, targets: Sequence[float]) -> list[dict]:
    """The grid at each rung: a repeat hits when its best final accuracy reaches the target, at 100."""
    last = reference.curves.sort_values("epoch", kind="stable").groupby(["repeat", "point"]).tail(1)
    bests = last.groupby("repeat")["val_accuracy"].max().to_numpy(dtype=float)
    rows = []
    for target in targets:
        hits = int((bests >= target - REACH_EPSILON).sum())
        median = 100.0 if hits * 2 > len(bests) else None
        rows.append({"target": target, "strategy": "grid", "measured": len(bests), "hits": hits,
                     "hit_rate": hits / len(bests), "normalised_median": median, "normalised_low": median,
                     "normalised_high": median, "ert_normalised": 100.0 * len(bests) / hits if hits else None,
                     "by_definition": True})
    return rows


def finite(value: float) -> float | None:
    """A figure, or None where a miss decides it (inf)."""
    return value if math.isfinite(value) else None


def ladder_summary(table: Any, basis: Basis, ladder: Ladder) -> Any:
    """Per rung and strategy: measured runs, hits, median [95% interval] with misses last, and ERT.

    Without stored grid runs, the grid's row comes from the reference: a repeat reaches a rung when
    its best final accuracy does, at 100 (grid search knows its best only when the sweep ends).
    """
    import pandas as pd

    from bench.reporting.stats import summarise

    rows = []
    for target in ladder.targets:
        at = table[table["target"] == target]
        for label, group in at.groupby("strategy", sort=True):
            measured = group[group["status"] != NOT_MEASURED]
            values = [v if s == REACHED else None
                      for v, s in zip(measured["normalised"], measured["status"], strict=False)]
            stats = summarise(values)
            rows.append({"target": target, "strategy": label, "measured": len(measured), "hits": stats.hits,
                         "hit_rate": stats.hit_rate, "normalised_median": finite(stats.median),
                         "normalised_low": finite(stats.low), "normalised_high": finite(stats.high),
                         "ert_normalised": expected_running_time(group), "by_definition": False})
    if "grid" not in set(table["strategy"]):
        rows.extend(_grid_rows(basis.reference, ladder.targets))
    frame = pd.DataFrame(rows, columns=list(LADDER_SUMMARY_COLUMNS))
    return frame.sort_values(["target", "strategy"], kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class RuntimeDistribution:
    """One strategy's runtime distribution: normalised compute of every hit, over measured pairs."""

    strategy: str
    hits: list[float]  # sorted normalised compute-to-target of each (seed, target) pair reached
    pairs: int  # (seed, target) pairs measured


def runtime_distribution_data(table: Any) -> list[RuntimeDistribution]:
    """Per strategy (grid runs excluded: the grid is 100 by definition), its hits over all rungs."""
    result = []
    for label, group in table.groupby("strategy", sort=True):
        measured = group[group["status"] != NOT_MEASURED]
        if label == "grid" or measured.empty:
            continue
        hits = sorted(measured.loc[measured["status"] == REACHED, "normalised"].astype(float).tolist())
        result.append(RuntimeDistribution(label, hits, int(len(measured))))
    return result
