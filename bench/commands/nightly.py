"""`bench nightly`: run a suite, append it to the history, flag regressions, write a report."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from bench.errors import BenchError, path_option

if TYPE_CHECKING:
    import argparse

    from bench.nightly.history import History, RunRecord
    from bench.nightly.suite import Suite

HELP = "run a regression suite, store it in the history and exit 1 if a strategy regressed"
DEFAULT_HISTORY = Path("results") / "nightly-history"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--suite", required=True,
                        help="a shipped suite (smoke, nightly) or a suite .toml path")
    parser.add_argument("--baseline", default=None, metavar="RUN_ID",
                        help="history run id to compare with (default: the last accepted run of the suite on "
                             "this machine)")
    parser.add_argument("--history", type=path_option, default=DEFAULT_HISTORY,
                        help=f"history folder (default: {DEFAULT_HISTORY})")
    parser.add_argument("--out", type=path_option, default=None,
                        help="folder for the runs and the report (default: results/nightly-SUITE-TIMESTAMP)")
    # --- the matrix's execution (issue 11: bench.matrix) ---
    from bench.matrix import add_matrix_arguments

    add_matrix_arguments(parser)
    parser.add_argument("--address", default=None,
                        help="a Ray cluster (auto, host:port, ray://host:port): "
                             "replays run as Ray tasks on it, live runs join it")


def project_commit() -> str:
    """git rev-parse HEAD of the project, or "unknown"."""
    try:
        done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=Path(__file__).resolve().parents[2],
                              capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else "unknown"


def _baseline_id(ref: str | None) -> int | None:
    if ref is None:
        return None
    try:
        run_id = int(ref)
    except ValueError:
        run_id = 0
    if run_id < 1:
        raise BenchError(f"--baseline takes a history run id (a positive integer), not {ref!r}")
    return run_id


def _check_history(folder: Path, run_id: int | None) -> None:
    """Refuse an unwritable history folder, and a --baseline where there is no history yet; opens nothing."""
    from bench.nightly.history import FILE
    from bench.spec import check_writable

    check_writable(folder, "the nightly history")
    if run_id is not None and not (folder / FILE).exists():
        raise BenchError(f"--baseline {run_id}: there is no history at {folder / FILE} yet; "
                         f"accepted: a run id of an existing history (--history), or no --baseline")


def _open_history(folder: Path) -> History | None:
    """The existing history in `folder`, or None when there is none yet
    (it is created only to store a run)."""
    from bench.nightly.history import FILE, History

    return History(folder) if (folder / FILE).exists() else None


def _baseline(history: History | None, suite: Suite, machine: str, run_id: int | None) -> RunRecord | None:
    if history is None:
        return None
    if run_id is None:
        return history.baseline(suite.name, machine)
    record = history.run(run_id)
    if record.suite != suite.name:
        raise BenchError(f"--baseline {run_id} is a run of suite {record.suite!r}, not {suite.name!r}")
    return record


def main(args: argparse.Namespace) -> int:
    from bench.environment import hardware_fingerprint, library_versions
    from bench.matrix import MatrixOptions
    from bench.nightly.compare import compare_results
    from bench.nightly.execute import check_suite, run_suite
    from bench.nightly.history import History
    from bench.nightly.report import write_report
    from bench.nightly.suite import load_suite
    from bench.spec import check_writable

    suite = load_suite(args.suite)
    options = MatrixOptions(parallel=args.parallel, address=args.address, verbose=args.verbose)
    baseline_id = _baseline_id(args.baseline)
    started = dt.datetime.now(dt.UTC)
    out = args.out or Path("results") / f"nightly-{suite.name}-{started.strftime('%Y%m%dT%H%M%S')}"
    check_writable(out, "the nightly runs and report")
    # Every option is checked before anything is written: the history's folder and a --baseline
    # without a history first, which needs none of the strategies' libraries (refused in 0.4 s, not
    # 4.3 s), then every run's values; only then is the history opened (SQLite writes its journal).
    _check_history(args.history, baseline_id)
    check_suite(suite, out, tuple(args.argv))
    history = _open_history(args.history)
    machine = hardware_fingerprint()
    baseline = _baseline(history, suite, machine, baseline_id)
    rows, skipped = run_suite(suite, out, tuple(args.argv), options=options)
    if not rows:
        raise BenchError(f"suite {suite.name}: nothing ran on this machine ({'; '.join(skipped)})")
    import pandas as pd

    from bench.nightly.history import stored_value

    history = history or History(args.history)
    current = pd.DataFrame([{c: stored_value(r, c) for c in r} for r in rows])
    base_results = None if baseline is None else history.results(baseline.run_id)
    verdicts = compare_results(base_results, current, suite.factor_of,
                               same_machine=baseline is None or baseline.machine == machine)
    regressed = [v for v in verdicts if v.change.regressed]
    status = "regressed" if regressed else "accepted"
    run_id = history.append({"suite": suite.name, "started_at": started.isoformat(timespec="seconds"),
                             "machine": machine, "commit_sha": project_commit(),
                             "versions": library_versions(), "status": status}, rows)
    note = ("none: no accepted run of this suite on this machine yet" if baseline is None else
            f"run {baseline.run_id} ({baseline.started_at}, commit {baseline.commit_sha[:10]}, "
            f"{baseline.status})")
    report = write_report(out, history, suite, history.run(run_id), baseline, verdicts, skipped, note)
    history.close()
    for v in verdicts:
        print(f"{v.mode} {v.workload} {v.strategy}: {v.change.category} ({v.change.reason})")
    print(f"history run {run_id} ({status}) in {args.history}; report: {report}")
    if regressed:
        print("REGRESSED: " + ", ".join(f"{v.strategy} ({v.change.category})" for v in regressed))
        return 1
    return 0
