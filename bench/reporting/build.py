"""Build a report from stored results: collect runs, fix the basis, compute every figure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bench.reporting.basis import Basis, make_basis
from bench.reporting.caveats import collect_warnings
from bench.reporting.claims import compare_claims, load_claims
from bench.reporting.collect import collect_runs
from bench.reporting.ladder import Ladder, ladder_summary, ladder_table, make_ladder
from bench.reporting.metrics import per_seed_compute_to_target
from bench.reporting.reference import Reference, load_reference
from bench.reporting.summary import grid_own_order, summarise_strategies
from bench.reporting.verdict import (
    TargetVerdict,
    check_verdict_request,
    contenders,
    verdict_possible,
    verdicts,
)
from bench.store.results import StoredRun

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Report:
    """Every figure of one report; writing it is bench.reporting.outputs' job."""

    workload: str
    basis: Basis
    runs: list[StoredRun]
    per_seed: pd.DataFrame  # metrics.PER_SEED_COLUMNS
    summary: pd.DataFrame  # summary.SUMMARY_COLUMNS
    grid_own_order: float | None
    warnings: list[str]
    aa_p_value: float | None
    claims: list[dict]
    claim_sources: dict[str, str]
    environments: list[dict] = field(default_factory=list)
    ladder: Ladder | None = None
    ladder_table: pd.DataFrame | None = None  # ladder.LADDER_COLUMNS: one row per (run, target)
    #: ladder.LADDER_SUMMARY_COLUMNS: one row per (target, strategy)
    ladder_summary: pd.DataFrame | None = None
    verdicts: list[TargetVerdict] = field(default_factory=list)
    verdict_note: str | None = None  # why there is no verdict, when there is none
    grid_own_order_source: str = ""  # whose figure grid_own_order is: the report's grid runs or the reference


def _environments(runs: list[StoredRun]) -> list[dict]:
    """The distinct library versions and hardware the runs recorded, with how many runs each."""
    import json

    seen: dict[str, dict] = {}
    for run in runs:
        body = {"versions": run.manifest.get("versions", {}), "hardware": run.manifest.get("hardware", {})}
        key = json.dumps(body, sort_keys=True, default=str)
        seen.setdefault(key, {**body, "runs": 0})["runs"] += 1
    return list(seen.values())


def report_from_runs(
    runs: list[StoredRun],
    reference: Reference,
    target: float | None = None,
    tolerance_pp: float | None = None,
    claims_path: Path | str | None = None,
    skipped: Iterable[str] = (),
    duplicates: Iterable[str] = (),
    targets: Iterable[float] | None = None,
    verdict_required: bool = False,
) -> Report:
    """All figures for `runs` (one workload) against `reference`.

    Args:
        targets: the ladder's targets (default: make_ladder's rungs for `reference`).
        verdict_required: refuse (BenchError) runs that cannot give a verdict, instead of saying why not.
    """
    basis = make_basis(reference, runs, target, tolerance_pp)
    ladder = make_ladder(reference, None if targets is None else list(targets))
    table = ladder_table(runs, basis, ladder)
    note = verdict_possible(table)
    if note is not None and verdict_required:
        names = contenders(table)
        seeds = (int(table[table["strategy"].isin(names)].groupby("strategy")["seed"].nunique().min())
                 if names else 0)
        check_verdict_request(len(names), seeds)
    claims, sources = load_claims(claims_path)
    per_seed = per_seed_compute_to_target(runs, basis)
    own_order, own_order_source = grid_own_order(per_seed, basis)
    summary = summarise_strategies(per_seed, basis, own_order)
    warnings, p = collect_warnings(runs, per_seed, summary, list(skipped), list(duplicates), reference,
                                   [basis.target, *ladder.targets])
    return Report(
        workload=reference.workload, basis=basis, runs=runs, per_seed=per_seed, summary=summary,
        grid_own_order=own_order, grid_own_order_source=own_order_source, warnings=warnings, aa_p_value=p,
        claims=compare_claims(claims, summary), claim_sources=sources, environments=_environments(runs),
        ladder=ladder, ladder_table=table, ladder_summary=ladder_summary(table, basis, ladder),
        verdicts=verdicts(table, ladder), verdict_note=note,
    )


def build_report(
    results: Iterable[Path | str],
    workload: str | None = None,
    target: float | None = None,
    tolerance_pp: float | None = None,
    reference_path: Path | str | None = None,
    claims_path: Path | str | None = None,
    targets: Iterable[float] | None = None,
    verdict_required: bool = False,
) -> Report:
    """Read run folders under `results`, pick the reference, compute every figure; writes nothing."""
    collected, name = collect_runs(results, workload)
    reference = load_reference(name, reference_path)
    return report_from_runs(collected.runs, reference, target, tolerance_pp, claims_path,
                            collected.skipped, collected.duplicates, targets, verdict_required)
