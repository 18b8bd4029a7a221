"""`bench run --replay [TABLE]`: the same runs as live, against a table, without Ray."""

from __future__ import annotations

import dataclasses

from bench.errors import BenchError


def check_args(args) -> None:
    """Options that have no meaning in replay are refused rather than ignored."""
    if args.address is not None:
        raise BenchError("--replay runs without Ray, so --address is not accepted with it")
    if getattr(args, "resume", None) is not None:
        raise BenchError("--replay runs finish in seconds and are not resumed; drop --resume")
    if getattr(args, "repeats", None) is not None:
        raise BenchError("--repeats records a table by training; it cannot be combined with --replay")


def main(args, build_specs, print_summary) -> int:
    """Validate everything (table, strategy, options) first, then replay each seed."""
    from bench.replay.engine import DEFAULT_WORKERS, check_table, execute_replay
    from bench.replay.tune_glue import check_replayable
    from bench.store.tables import resolve_table
    from bench.spec import build_strategy

    check_args(args)
    specs = build_specs(args)
    table = resolve_table(args.replay, specs[0].workload.name, extra_dirs=[args.out])
    check_table(specs[0], table)
    first = specs[0]
    check_replayable(first.strategy.name, build_strategy(first))
    workers = args.workers or DEFAULT_WORKERS
    for spec in specs:
        summary = execute_replay(dataclasses.replace(spec, workers=workers), table)
        print_summary(summary, spec.budget)
        print(f"  replay             {table.name} ({table.path}), {workers} simulated workers, "
              f"{summary.wall_s:.2f} s")
        _print_normalised(summary)
    return 0


def _print_normalised(summary) -> None:
    try:
        from bench.report.single import normalised_line
    except ImportError:
        return
    line = normalised_line(summary.folder)
    if line is not None:
        print(line)
