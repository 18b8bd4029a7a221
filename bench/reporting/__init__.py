"""Compute-to-target reports normalised against grid search (grid = 100), from stored runs.

The figures are pure functions over stored runs, for reports, nightly checks and notebooks:

    collected, workload = collect_runs(["results"])
    basis = make_basis(load_reference(workload), collected.runs)   # reference, target, unit
    per_seed = per_seed_compute_to_target(collected.runs, basis)   # one row per run
    summary = summarise_strategies(per_seed, basis, grid_first_reach_normalised(basis))
"""

from __future__ import annotations

from bench.reporting.basis import Basis, make_basis
from bench.reporting.build import Report, build_report, report_from_runs
from bench.reporting.collect import collect_runs
from bench.reporting.metrics import (
    best_final_accuracy,
    compute_to_target,
    grid_first_reach_normalised,
    per_seed_compute_to_target,
    run_figures,
    strategy_label,
    trajectory,
)
from bench.reporting.reference import DEFAULT_TOLERANCE_PP, Reference, load_reference
from bench.reporting.stats import (
    SeedSummary,
    bootstrap_interval,
    mann_whitney_p,
    median_with_misses,
    summarise,
)
from bench.reporting.summary import summarise_strategies

__all__ = [
    "Basis", "make_basis", "Report", "build_report", "report_from_runs", "collect_runs", "trajectory",
    "compute_to_target", "best_final_accuracy", "run_figures", "per_seed_compute_to_target",
    "grid_first_reach_normalised", "strategy_label", "Reference", "load_reference", "DEFAULT_TOLERANCE_PP",
    "SeedSummary", "summarise", "median_with_misses", "bootstrap_interval", "mann_whitney_p",
    "summarise_strategies",
]
