"""`bench report`: the compute-to-target report (grid = 100) from stored results only."""

from __future__ import annotations

from pathlib import Path

from bench.errors import BenchError, path_option

HELP = "report compute-to-target per strategy, normalised so that grid search = 100"


def add_arguments(parser) -> None:
    parser.add_argument("results", nargs="*", type=path_option, default=[Path("results")], metavar="RESULTS",
                        help="run folders or folders holding them (default: results)")
    add_report_options(parser)
    parser.add_argument("--out", type=path_option, default=None, help="where to write the report (default: results/report)")


def add_report_options(parser) -> None:
    """Options shared with `bench compare`."""
    parser.add_argument("--workload", default=None, help="report only this workload's runs")
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--target", type=float, default=None, help="validation accuracy to reach, in (0, 1]")
    target.add_argument("--tolerance", type=float, default=None, metavar="PP",
                        help="target = the grid's best final accuracy minus PP percentage points (default: 1)")
    parser.add_argument("--reference", type=path_option, default=None,
                        help="a learning-curve table or grid run folder (default: the workload's shipped table)")
    parser.add_argument("--claims", type=path_option, default=None, help="a TOML claims file (default: the shipped one)")


def check_report_options(args, workload: str | None) -> None:
    """Refuse a bad target, tolerance, claims file or reference before anything runs or is written."""
    from bench.report.basis import check_target_options
    from bench.report.claims import load_claims
    from bench.report.reference import load_reference

    check_target_options(args.target, args.tolerance)
    if args.claims is not None:
        load_claims(args.claims)
    if args.reference is not None and workload is not None:
        load_reference(workload, args.reference)


def report_and_print(results, args, out: Path, reference: Path | None = None) -> int:
    """Build the report from `results`, write it under `out` and print the text budget chart.

    Args:
        reference: the reference table or grid run (default: --reference, else the workload's shipped table).
    """
    from bench.report.build import build_report
    from bench.report.outputs import text_chart, write_report
    from bench.spec import check_writable

    check_report_options(args, None)
    check_writable(out, "the report")
    workload = args.workload
    if workload is not None and ":" in workload:  # module:attribute: its runs carry the workload's own name
        import workloads

        workload = workloads.get(workload).name
    report = build_report(results, workload=workload, target=args.target, tolerance_pp=args.tolerance,
                          reference_path=reference or args.reference, claims_path=args.claims)
    try:
        written = write_report(report, out)
    except OSError as exc:  # the folder became unwritable, or the disk filled, while writing
        raise BenchError(f"cannot write the report under {out}: {exc.strerror or exc}; accepted: a writable "
                         f"folder for --out") from None
    basis = report.basis
    print(f"{report.workload}: {len(report.runs)} runs against {basis.reference.kind} {basis.reference.source}")
    print(f"target {basis.target:.4f} ({basis.target_rule})")
    print(f"unit {basis.unit}: {basis.unit_reason}")
    print(text_chart(report))
    for warning in report.warnings:
        print(f"warning: {warning}")
    print(f"report: {out / 'report.md'} ({len(written)} files)")
    return 0


def main(args) -> int:
    out = args.out if args.out is not None else Path("results") / "report"
    return report_and_print(args.results, args, out)
