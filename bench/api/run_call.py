"""`run`: one strategy on one workload, live through Ray Tune or replayed (`bench run`'s work)."""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from bench.api.run_request import RunRequest, call_command, path_value, plan, replay_option
from bench.errors import BenchError, option
from bench.spec import MAX_FAILURES
from bench.store.results import StoredRun, load_run


def _check_replay_request(request: RunRequest) -> None:
    """Values that have no meaning in replay are refused rather than ignored."""
    if request.address is not None:
        raise BenchError(f"{option('replay')} runs without Ray, so {option('address')} is not accepted "
                         "with it")
    if request.resume is not None:
        raise BenchError(f"{option('replay')} runs finish in seconds and are not resumed; "
                         f"drop {option('resume')}")
    if request.repeats is not None:
        raise BenchError(f"{option('repeats')} records a table by training; it cannot be combined with "
                         f"{option('replay')}")


#: Called after each run with its summary, its budget and, for a replay, the line naming the table.
OnRun = Callable[[Any, Any, "str | None"], None]


def execute(request: RunRequest, on_run: OnRun = lambda summary, budget, line: None,
            on_hardware: Callable[[str], None] = lambda line: None) -> list:
    """Validate `request`, then replay or train each seed; returns the runs' summaries."""
    if request.replay is not None:
        return _replay(request, on_run)
    return _train(request, on_run, on_hardware)


def _replay(request: RunRequest, on_run: OnRun) -> list:
    """Validate everything (table, strategy, values) first, then replay each seed."""
    import workloads
    from bench.replay import DEFAULT_WORKERS, check_specs, execute_replay
    from bench.store.dataset import table_cost_model
    from bench.store.tables import resolve_table

    _check_replay_request(request)
    table = resolve_table(request.replay, workloads.get(request.workload).name,  # type: ignore[arg-type]  # a replay
                          extra_dirs=[request.out])
    specs = plan(request, cost_model=table_cost_model(table))  # the table's cost model charges the epochs
    check_specs(specs, table)
    workers = request.workers or DEFAULT_WORKERS
    summaries = []
    for spec in specs:
        summaries.append(execute_replay(dataclasses.replace(spec, workers=workers), table))
        on_run(summaries[-1], spec.budget,
               f"  replay             {table.name} ({table.path}), {workers} simulated "
                                           f"workers, {summaries[-1].wall_s:.2f} s")
    return summaries


def _train(request: RunRequest, on_run: OnRun, on_hardware: Callable[[str], None]) -> list:
    """Live runs through Ray Tune, one per seed; a complete grid run also records its table."""
    from bench.live import packing
    from bench.live.ray_session import ensure_ray
    from bench.live.runner import execute as execute_live
    from bench.store.recording import record_tables

    specs = plan(request)
    cluster = ensure_ray(request.address)
    chosen = packing.choose(cluster, request.workers, request.trials_per_gpu, packing.local_gpu_memory_gib())
    on_hardware(chosen.line())
    summaries = []
    for spec in specs:
        spec = dataclasses.replace(spec, trials_per_gpu=chosen.trials_per_gpu)
        summaries.append(execute_live(spec if spec.resume is not None
                                      else dataclasses.replace(spec, workers=chosen.workers)))
        on_run(summaries[-1], spec.budget, None)
    record_tables(summaries, specs[0].strategy.name, specs[0].workload, list(request.command),
                  request.repeats)
    return summaries


def mlflow_uri(text: str | None) -> str | None:
    """The tracking URI of `--mlflow`, checked (MLflow installed, a usable location) before anything runs."""
    if text is None:
        return None
    from bench.reporting import mlflow_log

    mlflow_log.check_available()
    return mlflow_log.tracking_uri(text)


def log_to_mlflow(folders: list, uri: str | None) -> int:
    """Log finished runs (complete ones: an interrupted run is logged when it is resumed to its end)."""
    if uri is None:
        return 0
    from bench.reporting import mlflow_log
    from bench.store.results import read_manifest

    complete = [f for f in folders if read_manifest(Path(f)).get("status") == "complete"]
    return mlflow_log.log_runs(complete, uri)


def run(strategy: str, workload: str = "digits", *, seed: int = 0, budget_epochs: float | None = None,
        budget_seconds: float | None = None, budget_fraction: float | None = None, until: str | None = None,
        target: float | None = None, params: Mapping[str, Any] | None = None, samples: int | None = None,
        workers: int | None = None, replay: bool | str | Path = False, out: str | Path = "results",
        address: str | None = None, trials_per_gpu: int | None = None, data_dir: str | Path | None = None,
        max_failures: int = MAX_FAILURES, mlflow: str | None = None, progress: bool = False,
        command: Sequence[str] | None = None) -> StoredRun:
    """Run one strategy on one workload under one compute budget and return the stored run.

    Args:
        strategy: a name from `bench list`, `searcher+scheduler` (e.g. "tpe+asha"), or "module:attribute"
            naming a strategies.Strategy of your own.
        workload: a name from `bench list`, or "module:attribute" naming a workloads.Workload.
        seed: the run's seed, 0 to 2**32 - 1.
        budget_epochs, budget_seconds, budget_fraction: at most one; compute summed over all trials
            (default: what the full grid costs: in reference-seconds where a cost model charges the epochs,
            the replayed table's or the workload's shipped dataset's, else in epochs). budget_fraction is a
            share of the grid's epochs; budget_seconds counts reference-seconds where there is a cost model.
        until: "target" (end as soon as `target` is reached; the default when the workload has a
            reference table, with its target) or "budget".
        target: the validation accuracy to reach, in (0, 1].
        params: strategy parameters (`--set KEY=VALUE`), e.g. {"grace_period": 3}.
        samples: configurations a sampling strategy tries at most (default: the grid size).
        workers: concurrent trials (default: the CPUs Ray sees; in replay, the simulated workers).
        replay: False trains live through Ray Tune; True replays against the workload's shipped
            learning-curve table (seconds, no Ray); a path or `bench tables` name replays that table.
        out: the folder the run's folder is written under.
        address, trials_per_gpu, data_dir, max_failures: as `bench run`'s options of those names.
        mlflow: log the finished run to MLflow (a folder or a tracking URI); needs the mlflow extra.
        progress: show the progress bar on stderr.
        command: what the manifest records as the command (default: this call, written out).

    Returns:
        StoredRun: `folder`, `manifest` (dict) and `epochs`, the per-epoch DataFrame (docs/results.md).

    Raises:
        BenchError: bad arguments, with the message `bench run` prints; nothing is written then.
    """
    if command is None:
        command = call_command("bench.run", strategy=strategy, workload=workload, seed=seed,
                               budget_epochs=budget_epochs, budget_seconds=budget_seconds,
                               budget_fraction=budget_fraction, until=until, target=target,
                               params=params or None, samples=samples, workers=workers, replay=replay or None,
                               out=out)
    if until not in (None, "budget", "target"):
        raise BenchError(f"{option('until')} takes 'budget' or 'target', not {until!r}")
    request = RunRequest(
        strategy=strategy, workload=workload, seed=seed, workers=workers, samples=samples,
        budget_epochs=budget_epochs, budget_seconds=budget_seconds, budget_fraction=budget_fraction,
        until=until, target=target, params={str(k): str(v) for k, v in (params or {}).items()},
        out=path_value("out", out), address=address, trials_per_gpu=trials_per_gpu,
        data_dir=None if data_dir is None else path_value("data_dir", data_dir), progress=progress,
        max_failures=max_failures, replay=replay_option(replay), command=tuple(command))
    uri = mlflow_uri(mlflow)
    (summary,) = execute(request)
    if log_to_mlflow([summary.folder], uri):
        warnings.warn(f"the run was not logged to MLflow ({uri}); it stays in {summary.folder}", stacklevel=2)
    return load_run(summary.folder)
