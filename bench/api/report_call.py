"""`report`: the compute-to-target report from stored runs, as data and files (`bench report`'s work)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bench.errors import BenchError, live_option, option

if TYPE_CHECKING:
    import pandas as pd

    from bench.reporting.build import Report


@dataclass(frozen=True)
class ReportResult:
    """A written report: its figures as data and the paths of its files."""

    summary: pd.DataFrame  # one row per strategy (bench.reporting.summary.SUMMARY_COLUMNS)
    per_seed: pd.DataFrame  # one row per run (bench.reporting.metrics.PER_SEED_COLUMNS)
    plots: list[Path]  # the PNGs (bench.reporting.plots.PLOT_FILES)
    files: list[Path]  # every file written, plots included (report.md, summary.csv, summary.json, ...)
    folder: Path
    report: Report  # basis (reference, target, unit), runs, warnings, claims


def check_report_options(target: float | None = None, tolerance: float | None = None,
                         claims: str | Path | None = None, reference: str | Path | None = None,
                         workload: str | None = None) -> None:
    """Refuse a bad target, tolerance, claims file or reference before anything runs or is written."""
    from bench.reporting.basis import check_target_options
    from bench.reporting.claims import load_claims
    from bench.reporting.reference import load_reference

    check_target_options(target, tolerance)
    if claims is not None:
        load_claims(Path(claims))
    if reference is not None and workload is not None:
        load_reference(workload, Path(reference))


def check_replay_target(target: float | None, table: str | Path, workload: str) -> None:
    """Refuse an explicit target that no replay of `table` can reach: above the best accuracy the table
    records anywhere (the grid's repeats and the dataset beyond the grid, any epoch).

    Live runs may beat the grid, so they are held to (0, 1] only (check_report_options).
    """
    if target is None:
        return  # a tolerance gives at most the grid's best final accuracy, which the table holds
    from bench.reporting.reference import load_reference

    best = load_reference(workload, Path(table)).best_recorded_accuracy()
    if target > best + 1e-9:
        raise BenchError(f"{option('target')} {target:.4f} is above anything a replay of {Path(table).name} "
                         f"can reach (its best recorded accuracy, grid and dataset, any epoch: {best:.4f}); "
                         f"accepted: a target in (0, {best:.4f}] in replay, or {live_option()}")


def write_report_from(results: Iterable[str | Path], out: str | Path, *, workload: str | None = None,
                      target: float | None = None, tolerance: float | None = None,
                      reference: str | Path | None = None, claims: str | Path | None = None,
                      targets: Sequence[float] | None = None, verdict: bool = False) -> ReportResult:
    """Build the report of the runs under `results` and write it under `out`; what `bench report` does
    before it prints."""
    from bench.reporting.build import build_report
    from bench.reporting.outputs import write_report
    from bench.spec import check_writable

    out = Path(out)
    from bench.reporting.ladder import check_ladder_targets

    check_report_options(target, tolerance, claims, None, None)
    check_ladder_targets(targets)
    check_writable(out, "the report")
    if workload is not None and ":" in workload:  # module:attribute: its runs carry the workload's own name
        import workloads

        workload = workloads.get(workload).name
    built = build_report([Path(p) for p in results], workload=workload, target=target, tolerance_pp=tolerance,
                         reference_path=None if reference is None else Path(reference),
                         claims_path=None if claims is None else Path(claims), targets=targets,
                         verdict_required=verdict)
    try:
        written = write_report(built, out)
    except OSError as exc:  # the folder became unwritable, or the disk filled, while writing
        raise BenchError(f"cannot write the report under {out}: {exc.strerror or exc}; accepted: a writable "
                         f"folder for {option('out')}") from None
    return ReportResult(summary=built.summary, per_seed=built.per_seed,
                        plots=[p for p in written if p.suffix == ".png"], files=list(written), folder=out,
                        report=built)


def report(results: Sequence[str | Path] | str | Path = ("results",), *, out: str | Path | None = None,
           workload: str | None = None, target: float | None = None, tolerance: float | None = None,
           reference: str | Path | None = None, claims: str | Path | None = None,
           targets: Sequence[float] | None = None, verdict: bool = False) -> ReportResult:
    """The compute-to-target report (grid = 100) of stored runs, as `bench report` writes it.

    Args:
        results: run folders or folders holding them (searched 4 levels deep); default `results`.
        out: where to write report.md, summary.csv/json, per_seed.csv and the plots
            (default `results/report`).
        workload: report only this workload's runs (needed when `results` hold several).
        target: validation accuracy to reach, in (0, 1]; or `tolerance`: the grid's best final accuracy
            minus this many percentage points (default 1). Not both.
        reference: a learning-curve table or grid run folder (default: the workload's shipped table).
        claims: a TOML claims file (default: the shipped one).
        targets: the ladder of targets (default: the grid's best minus 2, 1 and 0 points, and halfway
            from it to the best accuracy recorded in the dataset); none may exceed that best.
        verdict: refuse runs that cannot give a verdict (fewer than 2 strategies besides grid, or 3
            seeds each) instead of reporting why there is none.

    Returns:
        the summary DataFrame (one row per strategy), the per-seed one and the paths written.

    Raises:
        BenchError: bad arguments or unusable results, with the message `bench report` prints; nothing is
            written then.
    """
    from bench.api.run_request import path_value

    if isinstance(results, (str, Path)):
        results = [results]
    out = Path("results") / "report" if out is None else path_value("out", out)
    return write_report_from(results, out, workload=workload, target=target, tolerance=tolerance,
                             reference=reference, claims=claims, targets=targets, verdict=verdict)
