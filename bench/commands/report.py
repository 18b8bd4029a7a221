"""`bench report`: the compute-to-target report (grid = 100) from stored results only."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bench.errors import path_option

if TYPE_CHECKING:
    import argparse

    from bench.api.report_call import ReportResult

HELP = "report compute-to-target per strategy, normalised so that grid search = 100"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("results", nargs="*", type=path_option, default=[Path("results")], metavar="RESULTS",
                        help="run folders or folders holding them (default: results)")
    add_report_options(parser)
    parser.add_argument("--out", type=path_option, default=None,
                        help="where to write the report (default: results/report)")


def add_report_options(parser: argparse.ArgumentParser) -> None:
    """Options shared with `bench compare`."""
    parser.add_argument("--workload", default=None, help="report only this workload's runs")
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--target", type=float, default=None, help="validation accuracy to reach, in (0, 1]")
    target.add_argument("--tolerance", type=float, default=None, metavar="PP",
                        help="target = the grid's best final accuracy minus PP percentage "
                             "points (default: 1)")
    parser.add_argument("--reference", type=path_option, default=None,
                        help="a learning-curve table or grid run folder (default: "
                             "the workload's shipped table)")
    parser.add_argument("--claims", type=path_option, default=None,
                        help="a TOML claims file (default: the shipped one)")
    parser.add_argument("--targets", default=None, metavar="A,B,...",
                        help="the ladder of targets, comma-separated accuracies (default: "
                             "the grid's best minus 2, 1 and 0 points, and halfway to the best recorded)")
    parser.add_argument("--verdict", action="store_true",
                        help="fail unless the runs can give a verdict (at least 2 strategies besides "
                             "grid, 3 seeds each)")


def print_report(result: ReportResult) -> None:
    """The report's basis, its text budget chart and warnings, and where it was written."""
    from bench.reporting.markdown import verdict_lines
    from bench.reporting.outputs import text_chart

    report, basis = result.report, result.report.basis
    for line in verdict_lines(report):
        print(line)
    print(f"{report.workload}: {len(report.runs)} runs against {basis.reference.kind} "
          f"{basis.reference.source}")
    print(f"target {basis.target:.4f} ({basis.target_rule})")
    print(f"unit {basis.unit_label}: {basis.unit_reason}")
    print(text_chart(report))
    for warning in report.warnings:
        print(f"warning: {warning}")
    print(f"report: {result.folder / 'report.md'} ({len(result.files)} files)")


def main(args: argparse.Namespace) -> int:
    from bench.api import report
    from bench.reporting.ladder import parse_targets

    targets = None if args.targets is None else parse_targets(args.targets)
    print_report(report(args.results, out=args.out, workload=args.workload, target=args.target,
                        tolerance=args.tolerance, reference=args.reference, claims=args.claims,
                        targets=targets, verdict=args.verdict))
    return 0
