"""Compute-to-target reports normalised against grid search (grid = 100), from stored runs."""

from bench.report.basis import Basis, make_basis
from bench.report.build import Report, build_report, report_from_runs
from bench.report.metrics import (
    best_final_accuracy, compute_to_target, per_seed_compute_to_target, run_figures, trajectory,
)
from bench.report.reference import DEFAULT_TOLERANCE_PP, Reference, load_reference
from bench.report.stats import SeedSummary, bootstrap_interval, median_with_misses, summarise

__all__ = [
    "Basis", "make_basis", "Report", "build_report", "report_from_runs", "trajectory",
    "compute_to_target", "best_final_accuracy", "run_figures", "per_seed_compute_to_target",
    "Reference", "load_reference", "DEFAULT_TOLERANCE_PP", "SeedSummary", "summarise",
    "median_with_misses", "bootstrap_interval",
]
