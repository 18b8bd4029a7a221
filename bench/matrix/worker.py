"""One matrix run inside a worker process or Ray task: rebuild the spec, replay it, send the folder back.

The learning-curve table (and the surrogate and cost model built from it) is loaded once per
process and kept for every later run of that process: a worker holds one copy at most.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import time
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

from bench.matrix.plan import RunRecipe

if TYPE_CHECKING:
    from bench.store.manifest import RunSummary
    from bench.store.tables import Table

#: Make matrix runs fail on purpose (tests and drills): `KIND:STRATEGY:SEED`, KIND raise or exit.
FAULT_ENV = "BENCH_MATRIX_FAULT"

_TABLES: dict[str, Table] = {}


def table(path: str) -> Table:
    """The table at `path`, loaded on this process's first use (with its surrogate) and kept."""
    if path not in _TABLES:
        from bench.store.tables import load_table

        _TABLES.clear()  # one table per process at most
        _TABLES[path] = warm(load_table(path))
    return _TABLES[path]


def warm(loaded: Table) -> Table:
    """Build what replay caches per table (surrogate, cost model) now, so no run's time includes it."""
    import workloads
    from bench.store.curves import curve_book
    from bench.store.dataset import table_cost_model

    curve_book(loaded, workloads.get(loaded.workload).space, 0)
    table_cost_model(loaded)
    _throwaway_replay(loaded)
    return loaded


def _throwaway_replay(loaded: Table) -> None:
    """A 3-epoch replay into a temporary folder: the first replay of a process pays seconds of lazy setup."""
    from bench.replay import execute_replay
    from bench.spec import make_specs

    scratch = tempfile.mkdtemp(prefix="bench-matrix-warm-")
    try:
        (spec,) = make_specs([("random", {})], loaded.workload, seed=0, seeds=1, out_dir=Path(scratch),
                             samples=2, workers=1, budget_epochs=3, progress=False)
        execute_replay(spec, loaded)
    except Exception:  # noqa: BLE001 - only a warm-up; the real runs report their own errors
        pass
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def inject_fault(recipe: RunRecipe) -> None:
    """Fire BENCH_MATRIX_FAULT when it names this run: raise, or kill this process without cleanup."""
    text = os.environ.get(FAULT_ENV)
    if not text:
        return
    kind, _, rest = text.partition(":")
    strategy, _, seed = rest.rpartition(":")
    if strategy != recipe.strategy or seed != str(recipe.seed):
        return
    if kind == "raise":
        raise RuntimeError(f"injected fault in matrix run {recipe.label}")
    if kind == "exit":
        os._exit(3)  # as an out-of-memory kill would: no result, no cleanup


_BUILT: set[str] = set()


def imported(recipe: RunRecipe) -> None:
    """Build the recipe's strategy once per process, untimed: its library's import is not the run's time.

    (The driver built every strategy once before the matrix started, so a serial matrix has
    imported them all already.)
    """
    if recipe.strategy in _BUILT:
        return
    from bench.spec import build_strategy
    from bench.store.run_log import quiet

    with quiet():  # the run builds it again and logs what its library says to the run's driver.log
        build_strategy(recipe.spec())
    _BUILT.add(recipe.strategy)


def where() -> dict:
    """The host, process and (inside Ray) node that executed a run."""
    node = None
    try:
        import ray

        if ray.is_initialized():
            node = ray.get_runtime_context().get_node_id()
    except Exception:  # noqa: BLE001 - only a label; a run never fails for it
        node = None
    return {"host": socket.gethostname(), "pid": os.getpid(), "node_id": node}


def outcome(recipe: RunRecipe, status: str, wall_s: float, error: str | None = None,
            summary: RunSummary | None = None, files: dict | None = None,
            executed: dict | None = None) -> dict:
    """The flat record of one matrix run (an error is data, not an exception)."""
    best = None if summary is None else summary.best_accuracy
    return {
        "index": recipe.index, "run": recipe.run_name, "strategy": recipe.strategy, "seed": recipe.seed,
        "status": status, "error": error, "wall_s": wall_s, "best_accuracy": best,
        "compute_epochs": None if summary is None else summary.compute_epochs,
        "executed": executed or where(), "files": files,
    }


def scratch_prefix(pid: int) -> str:
    """The name that starts the temporary folders of process `pid`'s runs (a dead worker's are removed
    by the driver: the worker had no chance to)."""
    return f"bench-matrix-{pid}-"


def remove_scratch(pid: int) -> None:
    """Remove the temporary run folders left by process `pid`, a worker that died mid-run."""
    for folder in Path(tempfile.gettempdir()).glob(f"{scratch_prefix(pid)}*"):
        shutil.rmtree(folder, ignore_errors=True)


def run_replay(recipe: RunRecipe) -> dict:
    """Replay one recipe into a private temporary folder and return its files with the outcome."""
    from bench.matrix.folders import pack
    from bench.replay import execute_replay

    # the process's first run loads it; not that run's time
    loaded = table(recipe.table_path)  # type: ignore[arg-type]  # a replay recipe names its table
    imported(recipe)
    start, cpu_start = time.perf_counter(), time.process_time()
    scratch = Path(tempfile.mkdtemp(prefix=scratch_prefix(os.getpid())))
    try:
        summary, error = None, None
        try:
            inject_fault(recipe)
            summary = execute_replay(recipe.spec(scratch), loaded)
        except Exception as exc:  # noqa: BLE001 - a failed run is a recorded outcome
            error = f"{type(exc).__name__}: {exc}".splitlines()[0]
            if os.environ.get("BENCH_MATRIX_TRACEBACK"):
                traceback.print_exc()
        folder = scratch / recipe.folder_name
        files = pack(folder) if folder.exists() else None
        status = "failed" if error else summary.status  # type: ignore[union-attr]  # no error: a summary
        record = outcome(recipe, status, time.perf_counter() - start, error, summary, files)
        record["cpu_s"] = time.process_time() - cpu_start  # a busy machine inflates wall_s, not this
        return record
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def prime(loaded: Table) -> None:
    """Hand this process's already loaded table to later runs (the serial matrix in the driver)."""
    _TABLES.clear()
    _TABLES[str(loaded.path)] = warm(loaded)
