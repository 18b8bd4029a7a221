"""`bench check`: whether a dataset's replay can be trusted, and at which targets.

On the dataset alone (no digits constant assumed): every candidate surrogate is timed, the model
is chosen by nested cross-validation grouped by configuration (bench.surrogate.nested_cross_validate
with choose_competitive), and the held-out curves are scored overall and where strategies compete
(configurations whose recorded seed-mean final accuracy is at least the floor), against the
seed-vs-seed ceiling, at the epochs and the ladder of targets of the dataset's own reference.
The record (the chosen model, every comparison, the verdict) is what `fidelity.json` beside the
dataset holds: replay then fits the chosen model, and a report that replays the dataset warns at
the targets where the check found replay not to be trusted (or that it was never checked).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.store.tables import Table
    from workloads.base import Workload

#: The file beside a dataset that holds its check (and the committed digits record's format).
CHECK_FILE = "fidelity.json"
SCHEMA_VERSION = 1
#: Default floor of the competitive region: this many percentage points below the ladder's lowest target.
FLOOR_BELOW_LADDER_PP = 5.0


@dataclass(frozen=True)
class DatasetCheck:
    """A dataset's check: the record fidelity.json stores, the tables to print, and the verdict lines."""

    record: dict[str, Any]
    text: str
    verdict: list[str]

    @property
    def trusted_targets(self) -> list[float]:
        return [row["target"] for row in self.record["verdict"] if row["trusted"]]


def competitive_epochs(max_epochs: int) -> tuple[int, ...]:
    """The epochs whose rank correlation is compared: 1, a ninth, a third and all of max_epochs."""
    return tuple(sorted({e for e in (1, max_epochs // 9, max_epochs // 3, max_epochs) if e >= 1}))


def check_dataset(table: Table, workload: Workload, *, models: Sequence[str] | None = None, folds: int = 5,
                  inner_folds: int = 3, seed: int = 0, floor: float | None = None, calls: int = 500,
                  progress: Callable[[str], None] | None = None) -> DatasetCheck:
    """Cross-validate the surrogate on `table` (a dataset) and say where its replay can be trusted."""
    from bench.reporting.ladder import make_ladder
    from bench.reporting.reference import DEFAULT_TOLERANCE_PP, load_reference
    from bench.store.dataset import dataset_frame
    from bench.surrogate import (
        CANDIDATES,
        LATENCY_BUDGET_S,
        SURROGATE_VERSION,
        choose_competitive,
        competitive_fidelity,
        competitive_table,
        fidelity,
        fit_surrogate,
        forward_cpu_s,
        nested_cross_validate,
    )
    from bench.surrogate._competitive import to_record

    started = time.time()
    frame = dataset_frame(table, workload.space)
    reference = load_reference(workload.name, table.path)
    ladder = make_ladder(reference)
    run_target = reference.best_final_accuracy() - DEFAULT_TOLERANCE_PP / 100.0
    floor = min(ladder.targets) - FLOOR_BELOW_LADDER_PP / 100.0 if floor is None else floor
    epochs = competitive_epochs(workload.max_epochs)
    names = list(models or CANDIDATES)
    speed = {}
    for model in names:
        speed[model] = forward_cpu_s(fit_surrogate(frame, workload.space, model), calls=calls, seed=seed)
        if progress:
            progress(f"{model}: forward pass {speed[model] * 1e6:.0f} us")
    fast = [m for m in names if speed[m] <= LATENCY_BUDGET_S] or [min(names, key=speed.__getitem__)]

    def choose(inner: dict) -> str:
        results: dict[str, dict[str, Any]] = {}
        for model, held in inner.items():
            figures: dict[str, Any] = fidelity(held.true_accuracy, held.predicted_accuracy, held.config_ids,
                                               held.seeds, run_target)
            figures["forward_s"] = speed[model]
            figures["competitive"] = competitive_fidelity(held.true_accuracy, held.predicted_accuracy,
                                                          held.config_ids, held.seeds, ladder.targets, floor,
                                                          epochs)
            results[model] = figures
        # `fast` is already within the latency budget (or, when none is, the fastest alone)
        return choose_competitive(results, latency_budget_s=float("inf")) or next(iter(inner))

    nested = nested_cross_validate(frame, fast, choose, workload.space, outer_folds=folds,
                                   inner_folds=inner_folds, seed=seed, progress=progress)
    held = nested.held_out
    overall = fidelity(held.true_accuracy, held.predicted_accuracy, held.config_ids, held.seeds, run_target)
    competitive = competitive_fidelity(held.true_accuracy, held.predicted_accuracy, held.config_ids,
                                       held.seeds, ladder.targets, floor, epochs)
    chosen = max(set(nested.chosen), key=lambda m: (nested.chosen.count(m), m))
    comparisons = to_record(competitive)
    verdict_rows = []
    for rung in ladder.rungs:
        at = [row for row in comparisons
              if row["target"] is not None and abs(row["target"] - rung.target) < 5e-5]
        missed = [row for row in at if not row["met"]]
        why = ("no competitive configuration to compare" if not at else
               "; ".join(_missed(row) for row in missed) or "precision and recall reach their goals")
        verdict_rows.append({"target": rung.target, "label": rung.label, "trusted": bool(at) and not missed,
                             "why": why})
    ranks = [row for row in comparisons if row["target"] is None]
    record = {"schema_version": SCHEMA_VERSION, "surrogate_version": SURROGATE_VERSION,
              "data": str(table.path), "curves_sha256": table.meta.get("curves_sha256"), "floor": floor,
              "epochs": list(epochs), "folds": folds, "inner_folds": inner_folds, "seed": seed,
              "models": names, "within_latency_budget": fast, "chosen_per_fold": nested.chosen,
              "chosen": chosen, "configs": competitive.configs,
              "targets": [{"target": r.target, "label": r.label} for r in ladder.rungs],
              "comparisons": comparisons, "verdict": verdict_rows,
              "ranks_met": all(row["met"] for row in ranks) if ranks else None,
              "overall": {k: v for k, v in overall.items() if isinstance(v, (int, float))},
              "wall_s": time.time() - started}
    lines = [f"{table.path}: {overall['configs']} configurations, {overall['curves']} curves, "
             f"{int(frame['epoch'].max())} epochs; nested CV grouped by configuration ({folds} outer, "
             f"{inner_folds} inner folds, seed {seed}); model chosen: {chosen} (per fold: "
             f"{', '.join(nested.chosen)})",
             f"ladder: {ladder.rule}",
             f"where strategies compete: {competitive.configs} configurations with recorded seed-mean final "
             f"accuracy >= {floor:.4f}; goals met: {competitive.goals_met} of {len(competitive.comparisons)}",
             "", competitive_table(competitive, ladder.label)]
    verdict = [f"{'trusted' if row['trusted'] else 'not trusted'} at {row['target']:.4f} ({row['label']}): "
               f"{row['why']}" for row in verdict_rows]
    if ranks:
        met = "reaches" if record["ranks_met"] else "misses"
        verdict.append(f"ranking of competitive configurations (Spearman at epochs "
                       f"{', '.join(map(str, epochs))}): {met} its goal")
    return DatasetCheck(record=record, text="\n".join(lines), verdict=verdict)


def _missed(row: dict[str, Any]) -> str:
    """Why one comparison misses its goal, in words."""
    if not row.get("measurable", True):
        return f"{row['figure']} not measurable (the second recorded seed gives no ceiling)"
    return f"{row['figure']} {row['value']:.2f} where seed-vs-seed is {row['ceiling']:.2f}"


def read_check(folder: Any, curves_sha256: str | None) -> dict[str, Any] | None:
    """The check recorded beside a dataset, if it is of these curves (None: never checked, or stale)."""
    import json
    from pathlib import Path

    path = Path(folder) / CHECK_FILE
    try:
        record = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and record.get("curves_sha256") == curves_sha256 else None
