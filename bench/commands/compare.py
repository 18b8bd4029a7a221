"""`bench compare`: run strategies x seeds (replayed by default, or live) and report them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bench.errors import BenchError, check_seeds, path_option

HELP = "run a strategies x seeds matrix (replay by default) and report compute-to-target"


def add_arguments(parser) -> None:
    from bench.commands.report import add_report_options

    parser.add_argument("--strategies", default="all", help="all, or a comma-separated list of names (default: all)")
    parser.add_argument("--seeds", type=int, default=20, help="seeds per strategy (default: 20)")
    parser.add_argument("--seed", type=int, default=0, help="root seed: runs seeds seed..seed+N-1 (default: 0)")
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
                        help="a Ray cluster (auto, host:port, ray://host:port): replays run as Ray tasks on it, "
                             "live runs join it")
    parser.set_defaults(workload="digits")


def strategy_names(text: str) -> list[str]:
    """`all` or a comma-separated list, each checked against the registry."""
    import strategies

    if text.strip() == "all":
        return strategies.REGISTRY.names()
    names = [n.strip() for n in text.split(",")]
    if not text.strip() or "" in names:
        raise BenchError(f"--strategies takes all or a comma-separated list of strategy names with no empty "
                         f"item, not {text!r}")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise BenchError(f"--strategies names {', '.join(repeated)} twice; accepted: each strategy once "
                         f"(--seeds sets the runs per strategy)")
    for name in names:
        strategies.resolve(name)  # raises, listing the accepted names
    return names


def build_specs(args, out: Path) -> list:
    """One RunSpec per strategy and seed, validated before anything runs."""
    import workloads
    from bench.commands.report import check_report_options
    from bench.spec import check_positive, check_writable, make_specs

    check_positive("--seeds", args.seeds)
    check_seeds(args.seed, args.seeds)
    check_positive("--workers", args.workers)
    workload = workloads.get(args.workload)
    check_writable(out)
    check_report_options(args, workload.name)
    return make_specs([(name, {}) for name in strategy_names(args.strategies)], workload.name, seed=args.seed,
                      seeds=args.seeds, out_dir=out, samples=args.samples, workers=args.workers,
                      budget_epochs=args.budget_epochs, command=tuple(args.argv), progress=False)


def _table(args, workload: str):
    from bench.store.tables import default_table_path, load_table

    path = Path(args.replay) if args.replay else default_table_path(workload)
    if path is None:
        raise BenchError(f"no learning-curve table for workload {workload!r} to replay; record one "
                         f"(README, Tables) and pass it with --replay TABLE, or run live with --live")
    return load_table(path, workload)


def _mode(args, specs):
    """(mode, table, specs with their worker counts, reference): replay against the table, or live through
    Ray Tune; the reference the report measures against (None: the report's default)."""
    import dataclasses

    if args.live:
        from bench.matrix.live import live_workers

        workers = live_workers(args.workers, args.parallel, args.address)
        return ("live", None, [dataclasses.replace(spec, workers=workers, address=args.address) for spec in specs],
                args.reference)
    from bench.replay import DEFAULT_WORKERS as replay_workers
    from bench.replay import check_specs

    table = _table(args, args.workload)
    check_specs(specs, table)
    # Without --reference, the replayed table is the grid these runs are measured against.
    return ("replay", table, [dataclasses.replace(spec, workers=args.workers or replay_workers) for spec in specs],
            args.reference or table.path)


def main(args) -> int:
    from bench.commands.report import report_and_print

    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S")
    out = args.out if args.out is not None else Path("results") / f"compare-{stamp}"
    specs = build_specs(args, out)
    from bench.matrix import MatrixOptions, run_matrix

    mode, table, specs, reference = _mode(args, specs)
    result = run_matrix(specs, mode, table, MatrixOptions(parallel=args.parallel, address=args.address,
                                                          verbose=args.verbose))
    if result.failed:
        print(f"{len(result.failed)} of {len(specs)} runs failed; the report skips them")
    return report_and_print([out], args, out / "report", reference=reference)
