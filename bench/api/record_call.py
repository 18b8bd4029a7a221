"""`bench.record`: record a learning-curve dataset for a workload (what `bench record` runs)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.api.run_request import call_command, path_value, workload_options
from bench.recording.plan import DEFAULT_CONFIGS, DEFAULT_SEEDS

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from bench.recording.execute import RecordResult
    from bench.store.tables import Table


@dataclass(frozen=True)
class RecordEstimate:
    """What `dry_run=True` returns: the plan, and a rough cost from a few epochs timed here."""

    folder: Path
    plan: dict[str, Any]
    epochs: float
    seconds_per_epoch: float
    wall_s: float
    workers: int


def default_out(workload_name: str) -> Path:
    """results/recording-WORKLOAD-vVERSION (named apart from the shipped tables' names)."""
    import workloads
    from bench.store.tables import table_name

    workload = workloads.get(workload_name)
    return Path("results") / f"recording-{table_name(workload.name, str(workload.version))}"


def record(workload: str = "digits", *, configs: int = DEFAULT_CONFIGS, seeds: int = DEFAULT_SEEDS,
           grid: bool = True, grid_table: str | Path | None = None, workers: int | None = None,
           address: str | None = None, trials_per_gpu: int | None = None, out: str | Path | None = None,
           limit: int | None = None, dry_run: bool = False, progress: bool = False,
           data_dir: str | Path | None = None,
           log: Callable[[str], None] = print,
           command: Sequence[str] | None = None) -> RecordResult | RecordEstimate:
    """Record a dense learning-curve dataset for `workload`: its grid and a Sobol sample of its space.

    Args:
        workload: a name from `bench list`, or "module:attribute" naming a workloads.Workload.
        configs: Sobol configurations, a power of two (default 1,024, as digits v2).
        seeds: training seeds per Sobol configuration (default 2); grid points get one more.
        grid: train the grid too (default). With False, only the Sobol configurations are trained,
            and the dataset takes its grid from `grid_table`.
        grid_table: with grid=False, a grid table of this workload recorded before (a folder, or a
            name from `bench tables`: by `bench record`, or `bench run --strategy grid --repeats N`).
        workers: trainings at once (default: the Ray cluster's CPUs, or GPUs x trials_per_gpu on a
            cluster with GPUs).
        address: a Ray cluster to record on (auto, host:port, ray://host:port); default a local Ray.
        trials_per_gpu: on a cluster with GPUs, trainings packed onto each GPU, each task taking
            1/trials_per_gpu of one (default: as many as fit in GPU memory, as live runs choose);
            an epoch is charged its measured seconds times that share, as a packed live trial is.
            Without GPUs it is ignored.
        out: the dataset's folder (default results/recording-WORKLOAD-vVERSION); the same call again
            continues a recording stopped part way.
        limit: train at most this many trainings in this call (a partial recording).
        dry_run: print the plan and a rough cost (a few epochs timed here) and train nothing.
        data_dir: the data folder of a workload that reads data (cifar10), on every node; each
            node is checked for it before anything is trained or written.

    Returns:
        a RecordResult (`complete` says whether the dataset was written), or with `dry_run` a
        RecordEstimate. Nothing is written before every argument is checked.
    """
    import workloads
    from bench.recording.execute import check_out, estimate
    from bench.recording.execute import record as execute_record
    from bench.recording.plan import make_plan
    from bench.spec import check_positive, check_writable

    if command is None:
        command = call_command("bench.record", workload=workload, configs=configs, seeds=seeds, grid=grid,
                               grid_table=grid_table, workers=workers, address=address,
                               trials_per_gpu=trials_per_gpu, out=out, limit=limit)
    workload_object = workloads.get(workload)
    table = _grid_table(grid, grid_table, workload_object.name)
    plan = make_plan(workload_object, configs, seeds, table)
    check_positive("workers", workers)
    check_positive("trials_per_gpu", trials_per_gpu)
    check_positive("limit", limit)
    if address is not None:
        from bench.live.ray_session import check_reachable, parse_address

        if parse_address(address) is not None:
            check_reachable(address)  # now, even where this process already runs a Ray session
    # the data is checked on every node when Ray starts, not only here
    given_data = None if data_dir is None else path_value("data_dir", data_dir)
    options = workload_options(given_data, workload_object, live=False)
    folder = default_out(workload_object.name) if out is None else path_value("out", out)
    check_writable(folder, "the recording")
    check_out(folder, plan)
    if dry_run:
        import os

        slots = workers or os.cpu_count() or 1
        cost = estimate(plan, workload_object, slots)
        return RecordEstimate(folder=folder, plan=plan.as_dict(), epochs=cost["epochs"],
                              seconds_per_epoch=cost["seconds_per_epoch"], wall_s=cost["wall_s"],
                              workers=slots)
    return execute_record(plan, workload_object, folder, workers=workers, address=address,
                          trials_per_gpu=trials_per_gpu, limit=limit, grid_table=table,
                          progress=progress, options=options, command=command, log=log)


def _grid_table(grid: bool, grid_table: str | Path | None, workload: str) -> Table | None:
    """The grid table a recording without the grid takes its grid from; refuse a lone half of the pair."""
    from bench.errors import BenchError, option
    from bench.recording.plan import no_grid_option
    from bench.store.tables import resolve_table

    if not isinstance(grid, bool):
        raise BenchError(f"grid takes True or False, not {grid!r}")
    if grid:
        if grid_table is not None:
            raise BenchError(f"{option('grid_table')} is read only with {no_grid_option()} (the grid is "
                             "trained otherwise); accepted: both, or neither")
        return None
    if grid_table is None:
        raise BenchError(f"{no_grid_option()} trains the Sobol configurations only and needs the grid from "
                         f"{option('grid_table')}: a grid table of {workload} (`bench tables`) recorded by "
                         "`bench record` or `bench run --strategy grid --repeats N`")
    return resolve_table(str(path_value("grid_table", grid_table)), workload)
