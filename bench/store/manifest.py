"""A run's manifest and summary, built the same way for live and replayed runs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench import environment
from bench.spec import spec_record
from bench.store.results import SCHEMA_VERSION
from strategies import METRIC, MODE

if TYPE_CHECKING:
    from collections.abc import Callable

    from bench.spec import RunSpec
    from bench.store.dataset import CostModel
    from bench.store.ledger import RunLedger
    from strategies.base import ResolvedStrategy


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    folder: Path
    status: str
    best_accuracy: float | None
    best_config: dict | None
    compute_epochs: int
    compute_s: float
    trials_started: int
    trials_stopped_early: int
    overhead_share: float
    wall_s: float

    def as_dict(self) -> dict:
        return {k: (str(v) if isinstance(v, Path) else v) for k, v in self.__dict__.items()}


def summarise(run_id: str, folder: Path, status: str, ledger: RunLedger, rows: list[dict], wall_s: float,
              worker_s: float) -> RunSummary:
    """A run's summary; `worker_s` is the worker time it had (the base of overhead_share)."""
    trials = {row["trial_id"] for row in rows}
    compute_s = sum(row["epoch_cost_s"] for row in rows)
    measured_s = sum(row["epoch_compute_s"] for row in rows)
    return RunSummary(
        run_id=run_id, folder=folder, status=status,
        best_accuracy=ledger.best_accuracy, best_config=ledger.best_config,
        compute_epochs=len(rows), compute_s=compute_s,
        trials_started=len(trials),
        trials_stopped_early=sum(1 for t in trials if ledger.outcomes.get(t) == "stopped_early"),
        overhead_share=max(0.0, 1.0 - measured_s / worker_s) if worker_s > 0 else 0.0,
        wall_s=wall_s,
    )


def strategy_label(name: str, params: dict, defaults: dict) -> str:
    """A strategy's name, with its parameters that differ from the defaults in brackets."""
    changed = {k: v for k, v in sorted(params.items()) if defaults.get(k, object()) != v}
    return name + (f"[{', '.join(f'{k}={v}' for k, v in changed.items())}]" if changed else "")


def strategy_record(strategy: ResolvedStrategy) -> dict:
    """The manifest's strategy: what the run resolved, and the label reports show (fixed at run time)."""
    defaults = {p.name: p.default for component in (strategy.searcher, strategy.scheduler)
                for p in component.params}
    described = strategy.describe()
    return {**described, "label": strategy_label(strategy.name, described["params"], defaults)}


def workload_record(spec: RunSpec) -> dict:
    """The manifest's description of the workload a run used (live and replay alike)."""
    return {
        "name": spec.workload.name, "version": spec.workload.version,
        "max_epochs": spec.workload.max_epochs, "space": spec.workload.space.as_dict(),
        "grid_budget_epochs": spec.workload.grid_budget_epochs,
        "options": {k: str(v) for k, v in spec.workload_options.items()},
    }


def compute_unit(cost_model: CostModel | None) -> dict:
    """The manifest's record of what a run's epoch_cost_s are (live and replay alike)."""
    from bench.store.dataset import MEASURED_UNIT

    return MEASURED_UNIT if cost_model is None else cost_model.record()


_ENVIRONMENT: dict = {}


def _environment() -> dict:
    """Library versions and hardware, read once per process (a matrix writes hundreds of runs)."""
    if not _ENVIRONMENT:
        _ENVIRONMENT.update(versions=environment.library_versions(), hardware=environment.hardware())
    return _ENVIRONMENT


def run_manifest(spec: RunSpec, run_id: str, status: str, started_at: str, *, replay: bool, workers: int,
                 trial_resources: dict, address: str | None, cost_model: CostModel | None,
                 **extra: Any) -> dict:
    """The fields every run's manifest has, then `extra` (live: threads; replay: table and simulation)."""
    env = _environment()
    return {
        "schema_version": SCHEMA_VERSION, "run_id": run_id, "status": status, "replay": replay,
        "strategy": strategy_record(spec.strategy), "workload": workload_record(spec),
        "seed": spec.seed, "budget": spec.budget.as_dict(), "target": spec.target, "samples": spec.samples,
        "workers": workers, "trial_resources": trial_resources, **extra, "address": address,
        "metric": METRIC, "mode": MODE, "compute_unit": compute_unit(cost_model),
        "versions": env["versions"], "hardware": env["hardware"],
        "command": list(spec.command), "started_at": started_at,
        "spec": spec_record(spec),  # the whole run description; bench.spec.spec_from_manifest reads it back
    }


def ended(status: str, rows: list[dict], summary: RunSummary) -> dict:
    """What a run's final manifest adds: its status, end time, row count and summary."""
    return {"status": status, "ended_at": dt.datetime.now(dt.UTC).isoformat(), "rows": len(rows),
            "summary": summary.as_dict()}


def finish_run(folder: Path, manifest: dict, status: str, rows: list[dict], names: list[str],
               summary: RunSummary, write_rows: Callable[..., Any] | None = None, **more: Any) -> None:
    """Write epochs.parquet (complete runs only), then the final manifest that vouches for it.

    Args:
        write_rows: the epochs writer (default bench.store.results.write_epochs_columnar).
        more: further final manifest fields (live: errors, retries, nodes).
    """
    from bench.store.results import write_epochs_columnar, write_manifest

    if status == "complete":
        (write_rows or write_epochs_columnar)(folder, rows, names)
    manifest.update(ended(status, rows, summary), **more)
    write_manifest(folder, manifest)
