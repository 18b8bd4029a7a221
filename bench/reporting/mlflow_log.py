"""Log a stored run to MLflow: one parent run per bench run, one child run per trial.

Logging reads the finished run folder, not Ray Tune's live results (Ray's
MLflowLoggerCallback), because: replayed runs never go through Tune's trial loop, so only the
store is common to live and replay; the stored rows are the ones bench measures (compute
charged by the cost model or the GPU share, budget-cut and diverged epochs, a resumed run's
epochs once); the figures are the report's pure functions over those rows; and an
unreachable tracking server cannot disturb the run. The price: MLflow sees a run when it ends.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.errors import BenchError, option, option_value

if TYPE_CHECKING:
    from bench.store.results import StoredRun

INSTALL_HINT = 'pip install -e ".[mlflow]" (or pip install "mlflow-skinny>=3" sqlalchemy alembic)'
#: Per-epoch columns logged as each trial's metric series (step = epoch).
EPOCH_METRICS = ("val_accuracy", "val_loss", "train_loss", "epoch_compute_s", "epoch_cost_s")
_SCHEMES = ("sqlite:", "file:", "http:", "https:", "databricks", "postgresql", "mysql", "mssql")


def check_available() -> None:
    """BenchError saying how to install MLflow when it is missing (before anything runs)."""
    try:
        import mlflow  # noqa: F401  # imported only to see whether it is installed
    except ImportError:
        raise BenchError(f"{option('mlflow')} needs MLflow, which is not installed: {INSTALL_HINT}") from None


def tracking_uri(text: str) -> str:
    """A tracking URI as given, or for a plain folder an SQLite store inside it
    (MLflow's file store is deprecated)."""
    if text.startswith(_SCHEMES):
        return text
    folder = Path(text).expanduser().absolute()
    if folder.exists() and not folder.is_dir():
        raise BenchError(f"{option_value('mlflow', text)}: not a folder nor a tracking URI (sqlite:///PATH, "
                         "http://HOST:PORT)")
    return f"sqlite:///{folder / 'mlflow.db'}"  # the folder is made when the first run is logged


def _artifact_location(uri: str) -> str | None:
    """Artifacts beside a local SQLite store (MLflow's default is ./mlruns under the working folder)."""
    if uri.startswith("sqlite:///"):
        return (Path(uri.removeprefix("sqlite:///")).absolute().parent / "mlartifacts").as_uri()
    return None


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def run_figures(run: StoredRun) -> dict[str, float]:
    """The parent run's metrics from the stored rows: best accuracy, compute, compute-to-target.

    Against the workload's shipped reference when there is one (the report's figures,
    normalised so the grid is 100), else against the run's own target in raw compute.
    """
    from bench.reporting.metrics import compute_to_target, trajectory

    path = trajectory(run.epochs)
    manifest = run.manifest
    figures = {
        "best_val_accuracy": float(path["best_so_far"].iloc[-1]) if len(path) else float("nan"),
        "compute_epochs": float(len(path)),
        "compute_s": float(path["cumulative_s"].iloc[-1]) if len(path) else 0.0,
        "trials": float(run.epochs["trial_id"].nunique()),
    }
    target = manifest.get("target")
    try:
        from bench.reporting.basis import make_basis
        from bench.reporting.metrics import run_figures as report_figures
        from bench.reporting.reference import load_reference
        from bench.store.tables import default_table_path

        if default_table_path(manifest["workload"]["name"]) is not None:
            basis = make_basis(load_reference(manifest["workload"]["name"]), [run], target=target)
            reached = report_figures(run, basis)
            figures["target"] = basis.target
            if reached["reached"]:
                figures[f"compute_to_target_{basis.unit}"] = reached["compute_to_target"]
                figures["compute_to_target_normalised"] = reached["normalised"]
            return figures
    except BenchError:
        pass  # no comparable reference: the raw figures below
    if target is not None:
        figures["target"] = float(target)
        for unit in ("epochs", "seconds"):
            reach = compute_to_target(path, target, unit, manifest.get("budget"))
            if reach is not None:
                figures[f"compute_to_target_{unit}"] = float(reach)
    return figures


def run_params(manifest: dict) -> dict[str, str]:
    """The parent run's parameters: what was run, under which budget and seed."""
    budget = manifest.get("budget") or {}
    params = {
        "strategy": manifest["strategy"]["name"], "searcher": manifest["strategy"]["searcher"],
        "scheduler": manifest["strategy"]["scheduler"], "workload": manifest["workload"]["name"],
        "workload_version": manifest["workload"]["version"], "seed": manifest["seed"],
        "budget": f"{budget.get('limit')} {budget.get('unit')}", "target": manifest.get("target"),
        "samples": manifest.get("samples"), "workers": manifest.get("workers"),
        "replay": manifest.get("replay", False),
    }
    params.update({f"strategy.{k}": v for k, v in (manifest["strategy"].get("params") or {}).items()})
    return {k: str(v) for k, v in params.items()}


def trial_series(run: StoredRun) -> list[tuple[str, dict[str, str], list[tuple[str, float, int, int]]]]:
    """Per trial: (trial id, its first configuration, [(metric, value, step, timestamp ms)])."""
    hyperparameters = [hp["name"] for hp in run.manifest["workload"]["space"]]
    trials = []
    for trial_id, rows in run.epochs.sort_values("result_index", kind="stable").groupby("trial_id",
                                                                                        sort=False):
        first = rows.iloc[0]
        config = {name: str(first[name]) for name in hyperparameters if name in rows}
        config["outcome"] = str(rows["outcome"].iloc[-1])
        changed = [n for n in hyperparameters if n in rows and rows[n].nunique() > 1]  # PBT, PB2
        series = []
        for row in rows.itertuples(index=False):
            stamp = int(float(row.timestamp) * 1000)  # type: ignore[arg-type]  # stubs: any scalar
            for key in (*EPOCH_METRICS, *changed):
                value = getattr(row, key)
                if _finite(value):
                    series.append((key, float(value), int(row.epoch), stamp))  # type: ignore[arg-type]  # as above
        trials.append((str(trial_id), config, series))
    return trials


def log_run(folder: Path | str, uri: str) -> str:
    """Log one complete run folder to the tracking store at `uri`; returns the parent run's id."""
    import mlflow.tracking  # noqa: F401 (imported first: it sets up MLflow's loggers, which the block reroutes)

    from bench.store.results import load_run
    from bench.store.run_log import to_run_log

    run = load_run(folder)
    with to_run_log(folder):  # MLflow's own lines (creating its tables) go to the run's driver.log
        return _log_run(run, folder, uri)


def _log_run(run: StoredRun, folder: Path | str, uri: str) -> str:
    from mlflow.entities import Metric, Param
    from mlflow.tracking import MlflowClient

    from bench.store.results import MANIFEST

    manifest = run.manifest
    if uri.startswith("sqlite:///"):
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    client = MlflowClient(tracking_uri=uri)
    name = f"bench-{manifest['workload']['name']}"
    experiment = client.get_experiment_by_name(name)
    experiment_id = experiment.experiment_id if experiment is not None else client.create_experiment(
        name, artifact_location=_artifact_location(uri))
    tags = {"bench.run_id": manifest["run_id"], "bench.folder": str(Path(folder).absolute()),
            "bench.status": manifest["status"]}
    parent = client.create_run(experiment_id, run_name=manifest["run_id"], tags=tags).info.run_id
    client.log_batch(parent, params=[Param(k, v) for k, v in run_params(manifest).items()],
                     metrics=[Metric(k, v, 0, 0) for k, v in run_figures(run).items() if _finite(v)])
    client.log_artifact(parent, str(Path(folder) / MANIFEST))
    for trial_id, config, series in trial_series(run):
        child = client.create_run(experiment_id, run_name=trial_id,
                                  tags={"mlflow.parentRunId": parent, "bench.trial_id": trial_id}).info.run_id
        metrics = [Metric(key, value, stamp, step) for key, value, step, stamp in series]
        client.log_batch(child, params=[Param(k, v) for k, v in config.items()])
        for start in range(0, len(metrics), 1000):  # MLflow takes at most 1000 metrics a batch
            client.log_batch(child, metrics=metrics[start:start + 1000])
        client.set_terminated(child)
    client.set_terminated(parent)
    return parent


def log_runs(folders: list, uri: str) -> int:
    """Log each folder, one line each; returns 1 when one could not be logged (its run stays stored)."""
    failed = 0
    for folder in folders:
        try:
            parent = log_run(folder, uri)
            print(f"  mlflow             run {parent} in {uri}")
        except Exception as exc:  # the run is stored whatever MLflow says; say so and go on
            failed = 1
            print(f"  mlflow             not logged ({type(exc).__name__}: "
                  f"{str(exc).splitlines()[0] if str(exc) else ''}); the run stays in {folder}")
    return failed


__all__ = ["check_available", "tracking_uri", "log_run", "log_runs", "run_figures", "run_params",
           "trial_series"]
