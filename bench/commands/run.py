"""`bench run`: one strategy on one workload, for one or more seeds."""

from __future__ import annotations

import sys
from pathlib import Path

from bench.errors import BenchError, path_option
from bench.spec import MAX_FAILURES

HELP = "run a search strategy on a workload under a compute budget"


def add_arguments(parser) -> None:
    parser.add_argument("--strategy", default=None,
                        help="a name from `bench list`, searcher+scheduler, or module:attribute naming a "
                             "Strategy of your own (required unless --resume)")
    parser.add_argument("--workload", default="digits",
                        help="a workload from `bench list`, or module:attribute naming a Workload of your own "
                             "(default: digits)")
    parser.add_argument("--seed", type=int, default=0, help="root seed (default: 0)")
    parser.add_argument("--seeds", type=int, default=1, help="run seeds seed..seed+N-1 (default: 1)")
    parser.add_argument("--workers", type=int, default=None,
                        help="concurrent trials (default: CPUs, or GPUs x trials-per-gpu)")
    parser.add_argument("--samples", type=int, default=None,
                        help="configurations a sampling strategy tries at most (default: grid size)")
    budget = parser.add_argument_group("budget (at most one; default: the full grid's cost in epochs)")
    budget.add_argument("--budget-epochs", type=float, default=None, help="epochs summed over trials")
    budget.add_argument("--budget-seconds", type=float, default=None, help="device compute seconds")
    budget.add_argument("--budget-fraction", type=float, default=None, help="share of the grid budget")
    parser.add_argument("--until", choices=("budget", "target"), default=None,
                        help="end at the budget, or as soon as --target is reached (default: target when "
                             "the workload has a reference table, else budget)")
    parser.add_argument("--target", type=float, default=None,
                        help="validation accuracy to reach, in (0, 1] (default: the reference's target)")
    parser.add_argument("--set", dest="params", action="append", default=[], metavar="KEY=VALUE",
                        help="a strategy parameter (repeatable); `bench list` names the strategies")
    parser.add_argument("--out", type=path_option, default=Path("results"), help="results folder (default: results)")
    parser.add_argument("--address", default=None, help="join a Ray cluster: auto, host:port or ray://host:port")
    parser.add_argument("--trials-per-gpu", type=int, default=None,
                        help="trials packed onto each GPU, each charged its share (default: from GPU memory, "
                             "at most 8; printed at the start)")
    parser.add_argument("--data-dir", type=path_option, default=None,
                        help="data folder of workloads that read data (cifar10; default: $BENCH_DATA_DIR, "
                             "else ~/.cache/bench/cifar10)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--max-failures", type=int, default=MAX_FAILURES,
                        help=f"retries of a failed trial from its last checkpoint before it counts as errored (default: {MAX_FAILURES})")
    parser.add_argument("--resume", default=None, metavar="RUN",
                        help="continue an unfinished run: its folder, or its run id under --out")
    parser.add_argument("--replay", nargs="?", const="", default=None, metavar="TABLE",
                        help="replay against a learning-curve table instead of training, without Ray "
                             "(TABLE: a folder or a name from `bench tables`; default: the workload's shipped table)")
    parser.add_argument("--mlflow", default=None, metavar="URI",
                        help="log each finished run to MLflow: a folder (an SQLite store inside it) or a tracking "
                             "URI (sqlite:///PATH, http://HOST:PORT); needs the mlflow extra")
    parser.add_argument("--repeats", type=int, default=None, metavar="R",
                        help="grid only: R grid runs (training seeds seed..seed+R-1) recorded as one table")


def parse_params(pairs: list[str]) -> dict[str, str]:
    params = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise BenchError(f"--set takes KEY=VALUE, not {pair!r}")
        if key.strip() in params:
            raise BenchError(f"--set {key.strip()} given twice ({params[key.strip()]!r} and {value.strip()!r}); "
                             f"accepted: each parameter once")
        params[key.strip()] = value.strip()
    return params


def build_specs(args) -> list:
    """Validate every option and return one RunSpec per seed; nothing is written here."""
    import workloads
    from bench.report.single import default_stop
    from bench.spec import check_positive, check_writable, make_specs, raise_if_bad_target
    from bench.store.recording import repeat_seeds

    if args.strategy is None:
        if args.resume is not None:
            return [resume_spec(args, None)]
        raise BenchError("bench run: --strategy is required (or --resume RUN to continue a run)")
    seeds = repeat_seeds(args.repeats, args.strategy, args.seeds, args.replay is not None)
    params = parse_params(args.params)
    workload = workloads.get(args.workload)
    until, target = default_stop(args.until, args.target, workload.name)
    raise_if_bad_target(target)
    if until == "target" and target is None:
        raise BenchError("--until target needs --target ACCURACY")
    check_positive("--trials-per-gpu", args.trials_per_gpu)
    if args.max_failures < 0:
        raise BenchError(f"--max-failures must be 0 or more, not {args.max_failures}")
    if args.address is not None:
        from bench.live.ray_session import parse_address

        parse_address(args.address)  # the syntax now; whether a cluster answers when Ray starts
    check_writable(args.out)
    specs = make_specs(
        [(args.strategy, params)], workload.name, seed=args.seed, seeds=seeds, out_dir=args.out,
        samples=args.samples, workers=args.workers, budget_epochs=args.budget_epochs,
        budget_seconds=args.budget_seconds, budget_fraction=args.budget_fraction,
        target=target if until == "target" else None, address=args.address, trials_per_gpu=args.trials_per_gpu or 1,
        workload_options=workload_options(args, workload), command=tuple(args.argv), progress=not args.quiet,
        max_failures=args.max_failures,
    )
    if args.replay is not None:
        return specs  # replays finish in seconds: nothing to resume
    if args.resume is not None:
        if seeds != 1:
            raise BenchError("--resume continues one run; drop --seeds")
        return [resume_spec(args, specs[0])]
    from bench.live.unfinished import with_unfinished_run

    return [with_unfinished_run(spec) for spec in specs]


def workload_options(args, workload) -> dict:
    """--data-dir as a workload option; the workload checks its data before anything is written."""
    from workloads import Workload

    if args.data_dir is None:
        options = {}
    elif workload.check_ready is Workload.check_ready:  # the base's no-op: the workload reads no data
        raise BenchError(f"--data-dir: workload {workload.name} reads no data files; workloads that do: cifar10")
    else:
        options = {"data_dir": str(args.data_dir.expanduser().absolute())}
    if args.replay is None:
        workload.check_ready(options)  # data missing: one line, exit 2
    return options


def resume_spec(args, given):
    """The spec that continues `--resume RUN`; options given must match the run's manifest."""
    from bench.live import unfinished

    return unfinished.resume_spec(args.resume, args.out, given, address=args.address,
                                  trials_per_gpu=args.trials_per_gpu or 1, command=tuple(args.argv),
                                  progress=not args.quiet)


def print_summary(summary, budget) -> None:
    best = "none" if summary.best_accuracy is None else f"{summary.best_accuracy:.4f}"
    config = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                       for k, v in (summary.best_config or {}).items())
    print(f"run {summary.run_id}: {summary.status}")
    print(f"  best val accuracy  {best}  ({config})")
    print(f"  compute            {summary.compute_epochs} epochs, {summary.compute_s:.1f} s "
          f"(budget {budget.limit:g} {budget.unit})")
    print(f"  trials             {summary.trials_started} started, {summary.trials_stopped_early} stopped early")
    print(f"  harness overhead   {100 * summary.overhead_share:.0f}% of worker time outside training "
          f"(wall {summary.wall_s:.1f} s)")
    print(f"  results            {summary.folder}")


def check_replay_options(args) -> None:
    """Options that have no meaning in replay are refused rather than ignored."""
    if args.address is not None:
        raise BenchError("--replay runs without Ray, so --address is not accepted with it")
    if args.resume is not None:
        raise BenchError("--replay runs finish in seconds and are not resumed; drop --resume")
    if args.repeats is not None:
        raise BenchError("--repeats records a table by training; it cannot be combined with --replay")


def replay(args) -> list:
    """`bench run --replay [TABLE]`: validate everything (table, strategy, options) first, then replay each seed."""
    import dataclasses

    from bench.replay import DEFAULT_WORKERS, check_specs, execute_replay
    from bench.store.tables import resolve_table

    check_replay_options(args)
    specs = build_specs(args)
    table = resolve_table(args.replay, specs[0].workload.name, extra_dirs=[args.out])
    check_specs(specs, table)
    workers = args.workers or DEFAULT_WORKERS
    summaries = []
    for spec in specs:
        summaries.append(execute_replay(dataclasses.replace(spec, workers=workers), table))
        print_summary(summaries[-1], spec.budget)
        print(f"  replay             {table.name} ({table.path}), {workers} simulated workers, "
              f"{summaries[-1].wall_s:.2f} s")
        print_normalised(summaries[-1])
    return summaries


def train(args) -> list:
    """Live runs through Ray Tune, one per seed; a complete grid run also records its table."""
    import dataclasses

    from bench.live import packing
    from bench.live.ray_session import ensure_ray
    from bench.live.runner import execute
    from bench.store.recording import record_tables

    specs = build_specs(args)
    cluster = ensure_ray(args.address)
    chosen = packing.choose(cluster, args.workers, args.trials_per_gpu, packing.local_gpu_memory_gib())
    print(chosen.line(), file=sys.stderr)
    summaries = []
    for spec in specs:
        spec = dataclasses.replace(spec, trials_per_gpu=chosen.trials_per_gpu)
        summaries.append(execute(spec if spec.resume is not None else dataclasses.replace(spec, workers=chosen.workers)))
        print_summary(summaries[-1], spec.budget)
        print_normalised(summaries[-1])
    record_tables(summaries, specs[0].strategy.name, specs[0].workload, list(args.argv), args.repeats)
    return summaries


def print_normalised(summary) -> None:
    from bench.report.single import normalised_line

    line = normalised_line(summary.folder)
    if line is not None:
        print(line)


def main(args) -> int:
    mlflow_uri = None
    if args.mlflow is not None:  # checked before anything runs
        from bench.report import mlflow_log

        mlflow_log.check_available()
        mlflow_uri = mlflow_log.tracking_uri(args.mlflow)
    summaries = replay(args) if args.replay is not None else train(args)
    return _log_to_mlflow([summary.folder for summary in summaries], mlflow_uri)


def _log_to_mlflow(folders: list, uri: str | None) -> int:
    """Log finished runs (complete ones: an interrupted run is logged when it is resumed to its end)."""
    if uri is None:
        return 0
    from bench.report import mlflow_log
    from bench.store.results import read_manifest

    complete = [f for f in folders if read_manifest(Path(f)).get("status") == "complete"]
    return mlflow_log.log_runs(complete, uri)
