"""`bench compare`: run strategies x seeds (replayed by default, or live) and report them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bench.errors import path_option
from bench.spec import MAX_FAILURES

if TYPE_CHECKING:
    import argparse

HELP = "run a strategies x seeds matrix (replay by default) and report compute-to-target"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from bench.commands.report import add_report_options

    parser.add_argument("--strategies", default="all",
                        help="all, or a comma-separated list of names (default: all)")
    parser.add_argument("--seeds", type=int, default=20, help="seeds per strategy (default: 20)")
    parser.add_argument("--seed", type=int, default=0,
                        help="root seed: runs seeds seed..seed+N-1 (default: 0)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--replay", nargs="?", const="", default=None, metavar="TABLE",
                      help="replay against a learning-curve table (default mode; default: the shipped table)")
    mode.add_argument("--live", action="store_true", help="train for real through Ray Tune")
    parser.add_argument("--workers", type=int, default=None,
                        help="concurrent (or simulated) trials (default: as `bench run`)")
    parser.add_argument("--samples", type=int, default=None,
                        help="configurations a sampling strategy tries at most (default: grid size)")
    parser.add_argument("--budget-epochs", type=float, default=None,
                        help="epochs summed over trials, per run (default: the full grid's cost)")
    parser.add_argument("--out", type=path_option, default=None,
                        help="folder for the runs and the report (default: results/compare-TIMESTAMP)")
    add_report_options(parser)
    # --- the matrix's execution (issue 11: bench.matrix) ---
    from bench.matrix import add_matrix_arguments

    add_matrix_arguments(parser)
    parser.add_argument("--address", default=None,
                        help="a Ray cluster (auto, host:port, ray://host:port): "
                             "replays run as Ray tasks on it, live runs join it")
    parser.add_argument("--trials-per-gpu", type=int, default=None,
                        help="live: trials packed onto each GPU, each charged its share (as for bench run)")
    parser.add_argument("--max-failures", type=int, default=MAX_FAILURES,
                        help="live: retries of a failed trial before it counts as errored "
                             f"(default: {MAX_FAILURES})")
    parser.add_argument("--data-dir", type=path_option, default=None,
                        help="data folder of workloads that read data (cifar10), for every run")
    parser.set_defaults(workload="digits")


def main(args: argparse.Namespace) -> int:
    from bench.api import compare
    from bench.commands.report import print_report
    from bench.reporting.ladder import parse_targets

    replay = False if args.live else (args.replay or True)  # --replay without TABLE: the shipped table
    targets = None if args.targets is None else parse_targets(args.targets)
    result = compare(args.strategies, seeds=args.seeds, seed=args.seed, workload=args.workload, replay=replay,
                     workers=args.workers, samples=args.samples, budget_epochs=args.budget_epochs,
                     out=args.out, target=args.target, tolerance=args.tolerance, reference=args.reference,
                     claims=args.claims, parallel=args.parallel, address=args.address, verbose=args.verbose,
                     targets=targets, verdict=args.verdict, trials_per_gpu=args.trials_per_gpu,
                     max_failures=args.max_failures, data_dir=args.data_dir, command=tuple(args.argv))
    print_report(result.report)
    return 0
