"""`bench record`: record a learning-curve dataset (grid + Sobol sample) for a workload, resumably."""

from __future__ import annotations

import argparse

from bench.errors import path_option
from bench.recording.plan import DEFAULT_CONFIGS, DEFAULT_SEEDS

HELP = "record a workload's learning-curve dataset (its grid and a Sobol sample) as Ray tasks"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workload", default="digits",
                        help="a workload from `bench list`, or module:attribute (default: digits)")
    parser.add_argument("--configs", type=int, default=DEFAULT_CONFIGS,
                        help=f"Sobol configurations, a power of two (default: {DEFAULT_CONFIGS})")
    parser.add_argument("--seeds", type=int, default=DEFAULT_SEEDS,
                        help=f"training seeds per Sobol configuration; grid points get one more "
                             f"(default: {DEFAULT_SEEDS})")
    parser.add_argument("--grid", action=argparse.BooleanOptionalAction, default=True,
                        help="train the grid too (default); --no-grid trains the Sobol configurations only "
                             "and takes the grid from --grid-table")
    parser.add_argument("--grid-table", default=None,
                        help="with --no-grid: a grid table of the workload recorded before (a folder, or a "
                             "name from `bench tables`)")
    parser.add_argument("--workers", type=int, default=None,
                        help="trainings at once (default: the Ray cluster's CPUs, or GPUs x trials per GPU "
                             "on a cluster with GPUs)")
    parser.add_argument("--address", default=None,
                        help="a Ray cluster to record on (auto, host:port, ray://host:port)")
    parser.add_argument("--trials-per-gpu", type=int, default=None,
                        help="on a cluster with GPUs: trainings packed onto each GPU, as live runs pack "
                             "trials (default: as many as fit in GPU memory); ignored without GPUs")
    parser.add_argument("--out", type=path_option, default=None,
                        help="the dataset's folder (default: results/recording-WORKLOAD-vVERSION); "
                             "the same command again continues it")
    parser.add_argument("--limit", type=int, default=None,
                        help="train at most this many trainings now (a partial recording)")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the plan and a rough cost from a few timed epochs; train nothing")
    parser.add_argument("--data-dir", type=path_option, default=None,
                        help="data folder of workloads that read data (cifar10), the same on every node")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def main(args: argparse.Namespace) -> int:
    from bench.api.record_call import RecordEstimate, record

    result = record(args.workload, configs=args.configs, seeds=args.seeds, grid=args.grid,
                    grid_table=args.grid_table, workers=args.workers,
                    address=args.address, trials_per_gpu=args.trials_per_gpu, out=args.out, limit=args.limit,
                    dry_run=args.dry_run, progress=not args.quiet, data_dir=args.data_dir, command=args.argv)
    if isinstance(result, RecordEstimate):
        plan = result.plan
        grid = (f"grid x {len(plan['grid_seeds'])} seeds" if plan["grid_seeds"]
                else "the grid taken from --grid-table")
        print(f"plan      {plan['workload']} v{plan['version']}: {plan['jobs']} trainings "
              f"({grid}, {plan['sobol']} Sobol configurations x "
              f"{len(plan['sobol_seeds'])} seeds), up to {plan['max_epochs']} epochs each")
        print(f"estimate  about {_duration(result.wall_s)} at {result.workers} at once "
              f"({result.epochs:.0f} epochs at most, {result.seconds_per_epoch:.3g} s per epoch timed here "
              f"on one thread; epochs differ by configuration, so this is an order of magnitude)")
        print(f"out       {result.folder} (nothing written)")
        return 0
    if result.complete:
        print(f"dataset   {result.folder}: {result.total} trainings ({result.trained} trained now); "
              f"`bench tables` lists it, `--replay {result.folder}` replays it")
        mixed = _mixed_hardware(result.folder)
        if mixed:
            print(f"warning: the trainings ran on different hardware ({'; '.join(mixed)}): the dataset has "
                  "no cost model, so its replay charges recorded seconds at grid points only")
    else:
        print(f"partial   {result.folder}: {result.recorded} of {result.total} trainings recorded; "
              f"run the same command to continue")
    return 0


def _duration(seconds: float) -> str:
    """A rough duration in the unit a person plans in."""
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.2g} h"


def _mixed_hardware(folder: object) -> list[str]:
    import json
    from pathlib import Path

    meta = json.loads((Path(str(folder)) / "table.json").read_text())
    return list((meta.get("mixed_hardware") or {}).get("fingerprints", []))
