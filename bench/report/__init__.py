"""Compute-to-target reports normalised against grid search (grid = 100), from stored runs.

The figures are pure functions over stored runs, for reports, nightly checks and notebooks:

    collected, workload = collect_runs(["results"])
    basis = make_basis(load_reference(workload), collected.runs)   # reference, target, unit
    per_seed = per_seed_compute_to_target(collected.runs, basis)   # one row per run
    summary = summarise_strategies(per_seed, basis, grid_first_reach_normalised(basis))
"""

from __future__ import annotations

import sys
import types
from typing import Any

from bench.report.basis import Basis, make_basis
from bench.report.build import Report, build_report, report_from_runs
from bench.report.collect import collect_runs
from bench.report.metrics import (
    best_final_accuracy,
    compute_to_target,
    grid_first_reach_normalised,
    per_seed_compute_to_target,
    run_figures,
    strategy_label,
    trajectory,
)
from bench.report.reference import DEFAULT_TOLERANCE_PP, Reference, load_reference
from bench.report.stats import SeedSummary, bootstrap_interval, mann_whitney_p, median_with_misses, summarise
from bench.report.summary import summarise_strategies

__all__ = [
    "Basis", "make_basis", "Report", "build_report", "report_from_runs", "collect_runs", "trajectory",
    "compute_to_target", "best_final_accuracy", "run_figures", "per_seed_compute_to_target",
    "grid_first_reach_normalised", "strategy_label", "Reference", "load_reference", "DEFAULT_TOLERANCE_PP",
    "SeedSummary", "summarise", "median_with_misses", "bootstrap_interval", "mann_whitney_p",
    "summarise_strategies",
]


class _CallablePackage(types.ModuleType):
    """This package, callable: `bench.report(results, ...)` is `bench.api.report` (the API's name for
    making a report is this package's name, and a package attribute cannot be both)."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from bench.api import report

        return report(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage
