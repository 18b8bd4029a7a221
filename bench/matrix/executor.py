"""run_matrix: every run of a strategies x seeds matrix, skipping those already done, N at a time."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bench.errors import BenchError
from bench.matrix import folders
from bench.matrix.options import MatrixOptions
from bench.matrix.plan import RunRecipe, recipes
from bench.matrix.progress import MatrixProgress

if TYPE_CHECKING:
    from bench.spec import RunSpec
    from bench.store.tables import Table

#: One flat record per executed run, appended as runs end (failures included, with their error).
RECORD = "matrix.jsonl"


@dataclass
class MatrixResult:
    """What happened to every run, in the matrix's serial order."""

    recipes: list[RunRecipe]
    outcomes: dict[int, dict] = field(default_factory=dict)  # by recipe index; skipped runs have none
    skipped: list[RunRecipe] = field(default_factory=list)
    parallel: int = 1
    wall_s: float = 0.0

    def folder(self, recipe: RunRecipe) -> Path | None:
        """The run's folder when it is complete (skipped as done, or done now), else None."""
        result = self.outcomes.get(recipe.index)
        if result is None or result["status"] == "complete":
            return recipe.folder
        return None

    @property
    def failed(self) -> list[dict]:
        return [o for o in (self.outcomes.get(r.index) for r in self.recipes)
                if o and o["status"] != "complete"]


def local_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


#: Seconds a local replay worker process spends before its first run: Python and Ray Tune imports,
#: the table loaded, its surrogate and cost model built, a throwaway replay. Measured on the idle
#: 2-core build machine on 2026-12-06, once torch was no longer imported to look for GPUs: 1.6-1.8 s of
#: CPU to start a process and load the digits table (`bench.matrix.worker.table`, 3 tries), and
#: `compare --strategies asha,grid --seeds 6 --replay` used 9.0 s of CPU with `--parallel 2` against
#: 5.3 s with `--parallel 1` (3.7 s for two workers). It was 4.5 s while every worker imported torch.
WORKER_START_S = 2.0


def worth_workers(mean_run_s: float, remaining: int, workers: int) -> bool:
    """Whether `remaining` replay runs of about `mean_run_s` seconds each end sooner on `workers` fresh
    worker processes than one after another in this process, whose table is already loaded: the
    runs' time saved, `remaining * mean_run_s * (1 - 1 / workers)`, must exceed a worker's start."""
    workers = min(workers, remaining)
    if workers < 2:
        return False
    return remaining * mean_run_s * (1 - 1 / workers) > WORKER_START_S


def default_parallel(mode: str, address: str | None, cluster: dict | None) -> int:
    if mode == "live":
        return 1
    if address is not None and cluster:
        return max(1, int(cluster.get("CPU", 1)))
    return local_cpus()


def _split_done(plan: list[RunRecipe]) -> tuple[list[RunRecipe], list[RunRecipe]]:
    """(runs already complete and verified, runs to execute)."""
    done: list[RunRecipe] = []
    todo: list[RunRecipe] = []
    for recipe in plan:
        (done if folders.verified(recipe.folder) is None else todo).append(recipe)
    return done, todo


def run_matrix(specs: list[RunSpec], mode: str, table: Table | None = None,
               options: MatrixOptions = MatrixOptions(),  # noqa: B008  # frozen: a shared default is safe
               log: Callable[[str], None] = print) -> MatrixResult:
    """Execute every spec (replay against `table`, or live), skipping runs whose folders are complete.

    Results do not depend on `options.parallel`: each run is fixed by its recipe alone, and its
    folder name is a hash of that recipe, so a re-run of the same matrix finds it.

    Raises:
        BenchError: before anything is written, for an unreachable `options.address`.
    """
    cluster = None
    if options.address is not None or (mode == "live" and (options.parallel or 1) > 1):
        from bench.live.ray_session import ensure_ray

        cluster = ensure_ray(options.address)
    plan = recipes(specs, mode, table, options.address)
    parallel = options.parallel or default_parallel(mode, options.address, cluster)
    done, todo = _split_done(plan)
    result = MatrixResult(plan, skipped=done, parallel=parallel)
    if done:
        log(f"resuming: {len(done)} of {len(plan)} runs already complete and verified under "
            f"{plan[0].folder.parent}, skipped; {len(todo)} to run")
    if not todo:
        return result
    for recipe in todo:
        folders.discard(recipe.folder)  # partial or failed: redone from the start
    out = Path(todo[0].out_dir)
    out.mkdir(parents=True, exist_ok=True)
    from bench.store.results import JsonLinesLog

    record = JsonLinesLog(out / RECORD)
    progress = MatrixProgress(len(todo), options.verbose, log, options.bar)
    by_index = {recipe.index: recipe for recipe in todo}

    def on_done(outcome: dict) -> None:
        recipe = by_index[outcome["index"]]
        files = outcome.pop("files", None)
        if files:
            folders.unpack(files, recipe.folder,
                           {"key": recipe.key, "parallel": result.parallel, **outcome["executed"]})
        result.outcomes[recipe.index] = outcome
        record.append({k: v for k, v in outcome.items() if k != "index"})
        progress.update(outcome)

    start = time.perf_counter()
    try:
        if mode == "live":
            from bench.matrix.live_drivers import run_live

            run_live(todo, parallel, cluster, on_done)
        elif options.address is None and (parallel == 1 or options.parallel is None):
            _run_here_then_on_workers(todo, table, parallel, result, on_done)
        elif options.address is None:
            from bench.matrix.local import run_local

            run_local(todo, parallel, todo[0].table_path, on_done)
        else:
            from bench.matrix.ray_tasks import run_ray

            run_ray(todo, parallel, on_done)
    except OSError as exc:
        from bench.live import faults

        storage = faults.storage_error(exc)
        if storage is None:
            raise
        raise BenchError(faults.describe_storage_error(storage, out)) from None
    finally:
        progress.close()
        record.close()
        result.wall_s = time.perf_counter() - start
    log(f"matrix: {len(todo)} runs in {result.wall_s:.1f} s wall at --parallel {result.parallel}"
        + (f", {len(done)} skipped as already complete" if done else "")
        + (f", {progress.failed} failed" if progress.failed else ""))
    log(f"time by strategy (run seconds): {progress.time_by_strategy()}")
    return result


def _run_here_then_on_workers(todo: list[RunRecipe], table: Table | None, workers: int, result: MatrixResult,
                              on_done: Callable[[dict], None]) -> None:
    """Replay `todo` in this process, one run after another, until the runs left would end sooner on
    `workers` worker processes (`worth_workers`, judged after each run from the runs so far), then
    hand those to the workers. `workers` 1 (`--parallel 1`): all here, in order. A small matrix so
    never pays for processes whose start costs more than its runs; a large one, or one whose later
    strategies are slow, moves to the workers after its first runs."""
    from bench.matrix import worker

    if table is not None:
        worker.prime(table)
    result.parallel = 1
    spent: list[float] = []
    queue = list(todo)
    while queue:
        if spent and worth_workers(sum(spent) / len(spent), len(queue), workers):
            from bench.matrix.local import run_local

            result.parallel = min(workers, len(queue))
            run_local(queue, result.parallel, queue[0].table_path, on_done)
            return
        outcome = worker.run_replay(queue.pop(0))
        spent.append(outcome["cpu_s"])  # CPU, not wall: a busy machine slows the workers' start as much
        on_done(outcome)
