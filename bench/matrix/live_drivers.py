"""Live runs of the matrix: N `bench` driver subprocesses joined to one Ray cluster.

Ray Tune runs one experiment per driver process (its controller, signal handling and
callbacks are process-wide), so N live runs at once are N driver processes. The parent starts
Ray (or joins `--address`) once; every child joins that cluster and runs one RunSpec through
bench.live.runner.execute with its own `--workers` trials, each sized from 1/N of the cluster's CPUs
and GPUs, so N runs fit side by side and each run's compute is only its own trials'. Children
write their run folders straight into `--out` (a live run's checkpoints need that storage
anyway); what they return is one JSON outcome each. With `--parallel 1` the runs execute in
the parent, one after another, as before.
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from bench.errors import BenchError
from bench.matrix.plan import RunRecipe

if TYPE_CHECKING:
    from bench.store.manifest import RunSummary


def live_workers(requested: int | None, parallel: int | None, address: str | None,
                 trials_per_gpu: int = 1) -> int:
    """Trials per live run: `--workers`, else the cluster's default (GPUs x trials per GPU, or the
    CPUs) split over `parallel` runs."""
    from bench.live.cluster import default_workers
    from bench.live.ray_session import ensure_ray

    cluster = ensure_ray(address)
    if requested:
        return requested
    return max(1, default_workers(cluster, trials_per_gpu) // (parallel or 1))


def _outcome_of(recipe: RunRecipe, summary: RunSummary | None, error: str | None, wall_s: float) -> dict:
    from bench.matrix.worker import outcome

    status = "failed" if error else summary.status  # type: ignore[union-attr]  # no error: a summary
    return outcome(recipe, status, wall_s, error, summary)


def _in_process(recipe: RunRecipe) -> dict:
    from bench.live.runner import execute

    start = time.perf_counter()
    try:
        summary = execute(recipe.spec())
    except BenchError:
        raise  # bad storage or a refused folder: the matrix stops, as a single run would
    except Exception as exc:  # noqa: BLE001 - a failed run is a recorded outcome
        return _outcome_of(recipe, None, f"{type(exc).__name__}: {exc}".splitlines()[0],
                           time.perf_counter() - start)
    return _outcome_of(recipe, summary, None, time.perf_counter() - start)


def _cluster_address() -> str:
    import ray

    return ray.get_runtime_context().gcs_address


class _Child:
    def __init__(self, recipe: RunRecipe, share: float, address: str, scratch: Path) -> None:
        self.recipe, self.started = recipe, time.perf_counter()
        self.result = scratch / f"{recipe.run_name}.json"
        self.log = scratch / f"{recipe.run_name}.log"
        task = scratch / f"{recipe.run_name}.pickle"
        task.write_bytes(pickle.dumps(recipe.with_address(address)))
        project = str(Path(__file__).resolve().parents[2])  # this copy of bench, first, as in the parent
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None,
                                                                 [project, os.environ.get("PYTHONPATH")])))
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bench.matrix.live_drivers", str(task), str(self.result), repr(share)],
                stdout=log, stderr=subprocess.STDOUT, env=env)

    def outcome(self) -> dict:
        try:
            return json.loads(self.result.read_text())
        except (OSError, ValueError):
            tail = self.log.read_text(errors="replace").strip().splitlines()[-1:] if self.log.exists() else []
            from bench.matrix.worker import outcome

            return outcome(self.recipe, "failed", time.perf_counter() - self.started,
                           f"driver process died (exit code {self.process.returncode})"
                           + (f": {tail[0]}" if tail else ""),
                           executed={"host": None, "pid": self.process.pid, "node_id": None})


def run_live(recipes: list[RunRecipe], parallel: int, cluster: dict | None,
             on_done: Callable[[dict], None]) -> None:
    """Run live recipes, `parallel` at a time, calling `on_done(outcome)` as each ends."""
    if parallel == 1:
        for recipe in recipes:
            on_done(_in_process(recipe))
        return
    address = recipes[0].address or _cluster_address()
    queue = list(recipes)[::-1]
    running: list[_Child] = []
    with tempfile.TemporaryDirectory(prefix="bench-matrix-live-") as scratch:
        try:
            while queue or running:
                while queue and len(running) < parallel:
                    running.append(_Child(queue.pop(), 1.0 / parallel, address, Path(scratch)))
                time.sleep(0.2)
                for child in [c for c in running if c.process.poll() is not None]:
                    running.remove(child)
                    on_done(child.outcome())
        finally:
            for child in running:  # Ctrl-C reached them too: each saves its run as interrupted
                try:
                    child.process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    child.process.kill()


def _share_cluster(share: float) -> None:
    """Make this driver size its trials from `share` of the cluster's CPUs and GPUs."""
    from bench.live import ray_session

    whole = ray_session.ensure_ray

    def shared(address: str | None = None, num_cpus: int | None = None) -> dict:
        resources = dict(whole(address, num_cpus))
        for name in ("CPU", "GPU"):
            if name in resources:
                resources[name] = resources[name] * share
        return resources

    ray_session.ensure_ray = shared


def main(argv: list[str]) -> int:
    """A child driver: `python -m bench.matrix.live_drivers TASK.pickle RESULT.json SHARE`."""
    task, result, share = Path(argv[0]), Path(argv[1]), float(argv[2])
    recipe = pickle.loads(task.read_bytes())
    _share_cluster(share)
    try:
        record = _in_process(recipe)
    except BenchError as exc:
        record = _outcome_of(recipe, None, f"error: {exc}", 0.0)
    record["files"] = None
    result.write_text(json.dumps(record, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
