"""Caveats a reader must see before trusting the figures: the report's warnings."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bench.reporting.stats import SIGNIFICANCE, mann_whitney_p
from bench.store.results import StoredRun

if TYPE_CHECKING:
    import pandas as pd

    from bench.reporting.reference import Reference

#: A strategy whose share of seeds reaching the target is below this gets a warning.
LOW_HIT_RATE = 0.8
#: The A/A pair: the same sampling, every trial to the end; they must not differ.
AA_PAIR = ("fifo", "random")
#: The committed fidelity of replay where strategies compete (scripts/surrogate_fidelity.py --write).
FIDELITY_RECORD = Path(__file__).resolve().parents[2] / "results" / "validation" / "fidelity.json"


def approximation_warnings(runs: Sequence[StoredRun]) -> list[str]:
    """Replayed runs whose manifest records an approximation (PBT/PB2 clones in replay)."""
    found: dict[str, set[str]] = {}
    for run in runs:
        notes = run.manifest.get("approximations") if run.manifest.get("replay") else None
        if notes:
            items = notes if isinstance(notes, list) else [notes]
            found.setdefault(run.manifest["strategy"]["name"], set()).update(str(n) for n in items)
    return [f"{name}: replay is approximate: {'; '.join(sorted(notes))}"
            for name, notes in sorted(found.items())]


#: What a grid table's replay records as its configuration mapping (bench.store.curves.CurveBook.mapping).
SNAPPED = "nearest grid point"


def grid_table_warnings(runs: Sequence[StoredRun]) -> list[str]:
    """Replayed runs of sampling strategies whose table held the grid only: every configuration they
    sampled trained as its nearest grid point, so their figures are approximate."""
    import math

    snapped: dict[str, int] = {}
    for run in runs:
        table = run.manifest.get("table") or {}
        if not run.manifest.get("replay") or SNAPPED not in str(table.get("config_mapping", "")):
            continue
        if run.manifest["strategy"]["name"] == "grid":
            continue  # the grid samples the grid points themselves: exact
        space = run.manifest.get("workload", {}).get("space") or []
        snapped[run.manifest["strategy"]["name"]] = math.prod(len(hp.get("grid") or [1]) for hp in space)
    if not snapped:
        return []
    points = sorted(set(snapped.values()))
    return [f"{', '.join(sorted(snapped))}: replayed from the grid points of their table only (a grid "
            f"table, or a dataset without a cost model), so every configuration they sampled trained as its "
            f"nearest of the {'/'.join(map(str, points))} grid points: their figures are approximate "
            "(record a dataset with `bench record` to replay any configuration)"]


def replay_fidelity_warnings(runs: Sequence[StoredRun], record_path: Path = FIDELITY_RECORD,
                             report_targets: Sequence[float] = ()) -> list[str]:
    """Targets at which a replayed dataset's surrogate fidelity misses its goals (docs/fidelity.md),
    among the replayed runs' own targets and the report's (`report_targets`: its target and ladder).

    The figures come from the committed record for the dataset it was measured on (same curves
    checksum), else from the `bench check` beside the replayed dataset (fidelity.json); a replayed
    dataset with neither was never checked, and the report says so.
    """
    from bench.surrogate import read_check

    committed = json.loads(Path(record_path).read_text()) if Path(record_path).is_file() else None
    tables: dict[tuple[str, str | None], list[StoredRun]] = {}
    for run in runs:
        table = run.manifest.get("table")
        if run.manifest.get("replay") and isinstance(table, dict):
            tables.setdefault((str(table.get("path")), table.get("curves_sha256")), []).append(run)
        elif run.manifest.get("replay") and committed is not None:  # a run recorded before tables were named
            tables.setdefault(("", committed.get("curves_sha256")), []).append(run)
    notes = []
    for (path, checksum), replayed in sorted(tables.items(), key=lambda item: item[0][0]):
        if committed is not None and checksum in (None, committed.get("curves_sha256")):
            record = committed
        else:
            record = read_check(path, checksum) if path else None
            if record is None:
                mapping = str((replayed[0].manifest.get("table") or {}).get("config_mapping", ""))
                if "surrogate" in mapping:  # a dataset's replay; grid tables get grid_table_warnings
                    notes.append(f"replay of {Path(path).name} was never checked: `python -m bench check "
                                 f"{path}` says at which targets its replay can be trusted")
                continue
        targets = sorted({float(run.manifest["target"]) for run in replayed
                          if run.manifest.get("target") is not None} | {float(t) for t in report_targets})
        notes += _missed_goal_notes(record, targets)
    return notes


def _missed_goal_notes(record: dict, targets: Sequence[float]) -> list[str]:
    rows = record["comparisons"]
    notes = []
    for target in targets:
        at = [r for r in rows if r["target"] is not None and abs(r["target"] - target) < 5e-5
              and not r["met"]]
        if not at:
            continue
        if not any(r.get("measurable", True) for r in at):
            why = ("a second recorded training seed never agrees with the first on which "
                   "configurations reach it")
        else:
            why = "; ".join(f"{r['figure']} {r['value']:.2f} where seed-vs-seed is {r['ceiling']:.2f}"
                            for r in at if r.get("measurable", True))
        notes.append(f"replay at target {target:.4f}: the surrogate's reach-the-target fidelity "
                     f"misses its goal ({why}; docs/fidelity.md): replayed hits at this target are "
                     "not to be trusted")
    return notes


def other_table_warnings(runs: Sequence[StoredRun], reference: Reference) -> list[str]:
    """Replays of a table other than the reference: their curves come from another recording."""
    if reference.checksum is None:
        return []
    others = sorted({str(run.manifest["table"].get("name") or run.manifest["table"].get("path"))
                     for run in runs if run.manifest.get("replay")
                     and isinstance(run.manifest.get("table"), dict)
                     and run.manifest["table"].get("curves_sha256") not in (None, reference.checksum)})
    if not others:
        return []
    return [f"some runs replayed {', '.join(others)}, not the reference table {reference.source}: "
            f"their curves and timings come from another recording"]


def hit_rate_warnings(summary: pd.DataFrame) -> list[str]:
    rows = summary[(~summary["by_definition"]) & (summary["hit_rate"] < LOW_HIT_RATE)]
    return [
        f"{row.strategy}: low hit rate, {row.hits} of {row.seeds} seeds reached the target"
        + ("" if row.reached else "; its median is not reached")
        for row in rows.itertuples()
    ]


def seed_count_warnings(per_seed: pd.DataFrame) -> list[str]:
    counts = per_seed.groupby("strategy")["seed"].count()
    if counts.nunique() <= 1:
        return []
    listed = ", ".join(f"{name} {count}" for name, count in counts.items())
    return [f"unequal seed counts ({listed}): intervals are not equally tight"]


def budget_warnings(per_seed: pd.DataFrame) -> list[str]:
    budgets: pd.Series | list[str] = per_seed.dropna(subset=["budget_limit"]).apply(
        lambda r: f"{r['budget_limit']:g} {r['budget_unit']}", axis=1
    ) if len(per_seed) else []
    kinds = sorted(set(budgets))
    if len(kinds) <= 1:
        return []
    return [f"unequal budgets ({', '.join(kinds)}): hit rates count a reach within each run's own budget"]


def aa_warning(per_seed: pd.DataFrame) -> tuple[list[str], float | None]:
    """Warn when fifo and random differ significantly (Mann-Whitney U); also return the p-value."""
    first, second = (per_seed[per_seed["strategy"] == name]["normalised"].tolist() for name in AA_PAIR)
    if not first or not second:
        return [], None
    p = mann_whitney_p(first, second)
    if p is not None and p < SIGNIFICANCE:
        return [f"{AA_PAIR[0]} and {AA_PAIR[1]} differ significantly (Mann-Whitney U p = {p:.3g} < "
                f"{SIGNIFICANCE}); they are A/A twins, so this points at noise or a bug"], p
    return [], p


def mixed_replay_warnings(summary: pd.DataFrame) -> list[str]:
    mixed = summary[summary["replay"] == "mixed"]["strategy"].tolist()
    return [f"{name}: seeds mix replayed and live runs" for name in mixed]


def collect_warnings(runs: Sequence[StoredRun], per_seed: pd.DataFrame, summary: pd.DataFrame,
                     skipped: Sequence[str], duplicates: Sequence[str], reference: Reference,
                     targets: Sequence[float] = ()) -> tuple[list[str], float | None]:
    """Every warning, and the fifo-versus-random p-value (None when not both present).

    Args:
        targets: the report's target and ladder, checked against the committed replay fidelity.
    """
    aa, p = aa_warning(per_seed)
    notes = [
        *approximation_warnings(runs), *grid_table_warnings(runs),
        *replay_fidelity_warnings(runs, report_targets=targets),
        *other_table_warnings(runs, reference), *hit_rate_warnings(summary), *seed_count_warnings(per_seed),
        *budget_warnings(per_seed), *aa, *mixed_replay_warnings(summary),
    ]
    if skipped:
        notes.append(f"skipped {len(skipped)} unfinished runs: {', '.join(skipped)}")
    if duplicates:
        notes.append(f"kept the latest run of each strategy and seed; ignored {len(duplicates)} older: "
                     f"{', '.join(duplicates)}")
    return notes, p
