"""Replay runs as Ray tasks on a cluster: one task per run, at most `parallel` in flight.

A task replays into a temporary folder on its node and returns the folder's files; the driver
writes them into `--out`, so the cluster needs no shared file system. Ray reuses worker
processes between tasks, and each keeps its loaded table (bench.matrix.worker.table), so a
node loads the table once per worker process, not once per run. The table is read by path on
every node: the shipped tables are where bench is installed; give a `--replay TABLE` path that
exists on every node. A task whose worker dies (or any other failed task) is that run's failure.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable

from bench.matrix.plan import RunRecipe

#: Environment a task needs from the driver: where bench is, plug-in workloads, the surrogate cache, faults.
FORWARDED_ENV = ("PYTHONPATH", "BENCH_WORKLOADS", "BENCH_CACHE_DIR", "BENCH_MATRIX_FAULT")


def _task(recipe: RunRecipe) -> dict:
    from bench.matrix.worker import run_replay

    return run_replay(recipe)


def run_ray(recipes: Iterable[RunRecipe], parallel: int, on_done: Callable[[dict], None]) -> None:
    """Run `recipes` as Ray tasks (Ray must be initialised), calling `on_done(outcome)` as each ends."""
    import ray

    from bench.live.faults import one_line
    from bench.matrix.worker import outcome

    env = {name: os.environ[name] for name in FORWARDED_ENV if os.environ.get(name)}
    remote = ray.remote(num_cpus=1, max_retries=0)(_task).options(
        runtime_env={"env_vars": env} if env else None)
    queue = list(recipes)[::-1]
    running: dict = {}
    while queue or running:
        while queue and len(running) < parallel:
            recipe = queue.pop()
            running[remote.remote(recipe)] = (recipe, time.perf_counter())
        done, _ = ray.wait(list(running), num_returns=1)
        for ref in done:
            recipe, started = running.pop(ref)
            try:
                result = ray.get(ref)
            except Exception as exc:  # noqa: BLE001 - a lost task is that run's recorded failure
                reason = one_line(exc).replace("the trial's worker process died", "its worker process died")
                result = outcome(recipe, "failed", time.perf_counter() - started,
                                 f"Ray task failed ({reason})",
                                 executed={"host": None, "pid": None, "node_id": None})
            on_done(result)
