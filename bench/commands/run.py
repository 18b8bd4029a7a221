"""`bench run`: one strategy on one workload, for one or more seeds."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bench.errors import path_option
from bench.spec import MAX_FAILURES

if TYPE_CHECKING:
    import argparse

    from bench.api.run_request import RunRequest
    from bench.budget import Budget
    from bench.store.manifest import RunSummary

HELP = "run a search strategy on a workload under a compute budget"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--strategy", default=None,
                        help="a name from `bench list`, searcher+scheduler, or module:attribute naming a "
                             "Strategy of your own (required unless --resume)")
    parser.add_argument("--workload", default="digits",
                        help="a workload from `bench list`, or module:attribute naming a "
                             "Workload of your own (default: digits)")
    parser.add_argument("--seed", type=int, default=0, help="root seed (default: 0)")
    parser.add_argument("--seeds", type=int, default=1, help="run seeds seed..seed+N-1 (default: 1)")
    parser.add_argument("--workers", type=int, default=None,
                        help="concurrent trials (default: CPUs, or GPUs x trials-per-gpu)")
    parser.add_argument("--samples", type=int, default=None,
                        help="configurations a sampling strategy tries at most (default: grid size)")
    budget = parser.add_argument_group("budget (at most one; default: the full grid's cost, "
                                       "in reference-seconds where a cost model charges the epochs, "
                                       "else in epochs)")
    budget.add_argument("--budget-epochs", type=float, default=None, help="epochs summed over trials")
    budget.add_argument("--budget-seconds", type=float, default=None,
                        help="compute seconds (reference-seconds where a cost model charges the epochs)")
    budget.add_argument("--budget-fraction", type=float, default=None, help="share of the grid budget")
    parser.add_argument("--until", choices=("budget", "target"), default=None,
                        help="end at the budget, or as soon as --target is reached (default: target when "
                             "the workload has a reference table, else budget)")
    parser.add_argument("--target", type=float, default=None,
                        help="validation accuracy to reach, in (0, 1] (default: the reference's target)")
    parser.add_argument("--set", dest="params", action="append", default=[], metavar="KEY=VALUE",
                        help="a strategy parameter (repeatable); `bench list` names the strategies")
    parser.add_argument("--out", type=path_option, default=Path("results"),
                        help="results folder (default: results)")
    parser.add_argument("--address", default=None,
                        help="join a Ray cluster: auto, host:port or ray://host:port")
    parser.add_argument("--trials-per-gpu", type=int, default=None,
                        help="trials packed onto each GPU, each charged its share (default: from GPU memory, "
                             "at most 8; printed at the start)")
    parser.add_argument("--data-dir", type=path_option, default=None,
                        help="data folder of workloads that read data (cifar10; default: $BENCH_DATA_DIR, "
                             "else ~/.cache/bench/cifar10)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--max-failures", type=int, default=MAX_FAILURES,
                        help="retries of a failed trial from its last checkpoint before it counts as "
                             f"errored (default: {MAX_FAILURES})")
    parser.add_argument("--resume", default=None, metavar="RUN",
                        help="continue an unfinished run: its folder, or its run id under --out")
    parser.add_argument("--replay", nargs="?", const="", default=None, metavar="TABLE",
                        help="replay against a learning-curve table instead of training, without Ray "
                             "(TABLE: a folder or a name from `bench tables`; default: "
                        "the workload's shipped table)")
    parser.add_argument("--mlflow", default=None, metavar="URI",
                        help="log each finished run to MLflow: a folder (an SQLite store inside "
                             "it) or a tracking URI (sqlite:///PATH, http://HOST:PORT); "
                        "needs the mlflow extra")
    parser.add_argument("--repeats", type=int, default=None, metavar="R",
                        help="grid only: R grid runs (training seeds seed..seed+R-1) recorded as one table")


def request(args: argparse.Namespace) -> RunRequest:
    """The command's options as the plain values `bench.api` runs (a RunRequest)."""
    from bench.api.run_request import RunRequest

    return RunRequest(
        strategy=args.strategy, workload=args.workload, seed=args.seed, seeds=args.seeds,
        workers=args.workers, samples=args.samples, budget_epochs=args.budget_epochs,
        budget_seconds=args.budget_seconds, budget_fraction=args.budget_fraction, until=args.until,
        target=args.target, set_pairs=tuple(args.params), out=args.out, address=args.address,
        trials_per_gpu=args.trials_per_gpu, data_dir=args.data_dir, progress=not args.quiet,
        max_failures=args.max_failures, resume=args.resume, replay=args.replay, repeats=args.repeats,
        command=tuple(args.argv))


def build_specs(args: argparse.Namespace) -> list:
    """Validate every option and return one RunSpec per seed; nothing is written here."""
    from bench.api.run_request import plan

    return plan(request(args))


def print_summary(summary: RunSummary, budget: Budget) -> None:
    best = "none" if summary.best_accuracy is None else f"{summary.best_accuracy:.4f}"
    config = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                       for k, v in (summary.best_config or {}).items())
    print(f"run {summary.run_id}: {summary.status}")
    print(f"  best val accuracy  {best}  ({config})")
    print(f"  compute            {summary.compute_epochs} epochs, {summary.compute_s:.1f} s "
          f"(budget {budget.describe()})")
    print(f"  trials             {summary.trials_started} started, {summary.trials_stopped_early} stopped "
          "early")
    print(f"  harness overhead   {100 * summary.overhead_share:.0f}% of worker time outside training "
          f"(wall {summary.wall_s:.1f} s)")
    print(f"  results            {summary.folder}")


def print_normalised(summary: RunSummary) -> None:
    from bench.reporting.basis import normalised_line

    line = normalised_line(summary.folder)
    if line is not None:
        print(line)


def print_run(summary: RunSummary, budget: Budget, replay_line: str | None) -> None:
    print_summary(summary, budget)
    if replay_line is not None:
        print(replay_line)
    print_normalised(summary)


def main(args: argparse.Namespace) -> int:
    from bench.api.run_call import execute, log_to_mlflow, mlflow_uri

    uri = mlflow_uri(args.mlflow)  # checked before anything runs
    summaries = execute(request(args), on_run=print_run,
                        on_hardware=lambda line: print(line, file=sys.stderr))
    return log_to_mlflow([summary.folder for summary in summaries], uri)
