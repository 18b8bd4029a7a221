"""A grid run is the recording: turn complete grid runs into a learning-curve table (bench.store.tables)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bench.errors import BenchError, option

if TYPE_CHECKING:
    from collections.abc import Sequence

    import pandas as pd

    from bench.store.manifest import RunSummary
    from workloads.base import Workload


def repeat_seeds(repeats: int | None, strategy_name: str, seeds: int, replay: bool) -> int:
    """How many seeds a run records: `--repeats R` means R grid runs, training seeds seed..seed+R-1,
    one table."""
    if repeats is None:
        return seeds
    if repeats < 1:
        raise BenchError(f"{option('repeats')} must be a positive integer, not {repeats}")
    if strategy_name != "grid":
        raise BenchError(f"{option('repeats')} records a learning-curve table, which only a grid run covers; "
                         f"use {option('strategy')} grid, not {strategy_name!r}")
    if seeds != 1:
        raise BenchError(f"{option('repeats')} R runs seeds seed..seed+R-1 itself; drop {option('seeds')}")
    if replay:
        raise BenchError(f"{option('repeats')} records a table by training; it cannot be combined with "
                         f"{option('replay')}")
    return repeats


def covers_grid(curves: pd.DataFrame, workload: Workload, repeats: int) -> str | None:
    """None when every grid point (x repeat) is recorded to its end, else the reason it is not."""
    from bench.store.tables import check_complete

    try:
        check_complete(curves, workload, {"grid_size": workload.space.grid_size(), "repeats": repeats},
                       Path("."))
    except BenchError as exc:
        return str(exc).removeprefix(".: ")
    return None


def record_tables(summaries: Sequence[RunSummary], strategy_name: str, workload: Workload, command: list[str],
                  repeats: int | None) -> list[Path]:
    """Write `<run folder>/table/` for complete grid runs that cover the whole grid.

    Without `repeats`, each grid run gets its own one-repeat table; with it, the last run's
    folder gets one table whose repeat r is the run with training seed seed+r.

    Returns:
        the table folders written (a run that does not cover the grid is reported, not fatal).
    """
    from bench.store.results import load_run
    from bench.store.tables import curves_from_runs, write_table

    if strategy_name != "grid":
        return []
    complete = [s for s in summaries if s.status == "complete"]
    groups = [complete] if repeats else [[s] for s in complete]
    if repeats and len(complete) != repeats:
        print(f"no table written: {len(complete)} of {repeats} grid runs completed")
        return []
    written = []
    for group in groups:
        runs = [load_run(s.folder) for s in group]
        curves = curves_from_runs(runs, workload)
        missing = covers_grid(curves, workload, len(runs))
        target = Path(group[-1].folder) / "table"
        if missing is not None:
            print(f"no table written for {group[-1].run_id}: the grid is not covered ({missing})")
            continue
        write_table(target, curves, workload, command=command,
                    source_runs=[r.manifest["run_id"] for r in runs])
        print(f"learning-curve table ({len(runs)} repeat{'s' if len(runs) > 1 else ''}): {target}")
        written.append(target)
    return written
