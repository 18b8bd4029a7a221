"""Hand-built result folders and a hand-built digits table whose report figures are known.

The table: every digits grid point trains its EPOCHS (27) epochs at 1.0 s each (grid total
GRID_TOTAL = 243 x 27 s and epochs); every point sits at 0.5 accuracy except point 10, which
climbs to 0.90 at its last epoch. The grid recorded point after point, so result_index =
point * EPOCHS + epoch - 1. With the default 1 pp tolerance the target is 0.89, first reached by
the grid at point 10, epoch EPOCHS - 1: GRID_OWN_REACH seconds into its own order.
"""

from __future__ import annotations

import functools
import random
from pathlib import Path

from bench import environment
from bench.store.results import write_epochs, write_manifest

EPOCHS = 27  # digits version 2
VERSION = "2"
GRID_TOTAL = 243.0 * EPOCHS
BEST_POINT = 10
BEST_CURVE = (0.6,) * (EPOCHS - 9) + (0.6, 0.7, 0.8, 0.85, 0.86, 0.87, 0.88, 0.89, 0.90)
GRID_OWN_REACH = float(BEST_POINT * EPOCHS + EPOCHS - 1)


def _workload():
    import workloads

    return workloads.get("digits")


def write_hand_table(folder: Path) -> Path:
    """The table described in this module's docstring, written with bench.store.tables."""
    import pandas as pd

    from bench.store.tables import write_table

    workload = _workload()
    rows = []
    for point, config in enumerate(workload.space.grid_points()):
        for epoch in range(1, EPOCHS + 1):
            accuracy = BEST_CURVE[epoch - 1] if point == BEST_POINT else 0.5
            rows.append({"grid_index": point, "repeat": 0, **config, "epoch": epoch, "val_accuracy": accuracy,
                         "val_loss": 1.0, "train_loss": 1.0, "epoch_compute_s": 1.0, "train_flops": 1e6,
                         "diverged": False, "result_index": point * EPOCHS + epoch - 1})
    return write_table(folder, pd.DataFrame(rows), workload, ["hand-built"], [])


@functools.cache
def _grid_points() -> tuple[dict, ...]:
    return tuple(_workload().space.grid_points())


def config_of(trial: int) -> dict:
    """A distinct digits configuration per trial number (grid point number `trial`)."""
    return dict(_grid_points()[trial])  # the grid listed once: a full grid run asks 13,000 times


def write_run(root: Path, strategy: str, seed: int, results: list[tuple], *,
              budget_epochs: float = GRID_TOTAL, replay: bool = True, hardware: dict | None = None,
              workload: str = "digits", version: str = VERSION, status: str = "complete",
              shuffle: bool = True, approximations: list[str] | None = None,
              params: dict | None = None) -> Path:
    """A run folder from results in arrival order: (trial, epoch, val_accuracy, compute_s).

    Rows are stored shuffled (result_index keeps the arrival order), as concurrent trials may be.
    """
    run_id = f"{strategy}-{workload}-seed{seed}-{len(list(root.glob('*'))) if root.exists() else 0}"
    folder = root / run_id
    folder.mkdir(parents=True)
    names = _workload().space.names
    rows, spent, outcome = [], 0.0, "completed"
    for index, (trial, epoch, accuracy, compute_s) in enumerate(results):
        spent += compute_s
        rows.append({"run_id": run_id, "strategy": strategy, "workload": workload,
                     "workload_version": version, "seed": seed, "trial_id": f"t{trial}", **config_of(trial),
                     "epoch": epoch, "val_accuracy": accuracy, "val_loss": 1.0, "train_loss": 1.0,
                     "epoch_compute_s": compute_s, "epoch_cost_s": compute_s,
                     "trial_compute_s": compute_s * epoch, "run_compute_s": spent, "run_epochs": index + 1,
                     "train_flops": 1e6, "result_index": index, "timestamp": 1.0e9 + index, "node": "",
                     "diverged": False, "outcome": outcome, "replay": replay})
    stored = list(rows)
    if shuffle:
        random.Random(seed).shuffle(stored)
    write_epochs(folder, stored, names)
    manifest = {
        "run_id": run_id, "status": status, "replay": replay,
        "strategy": {"name": strategy, "searcher": "random", "scheduler": "fifo", "params": params or {}},
        "workload": {"name": workload, "version": version, "max_epochs": EPOCHS},
        "seed": seed, "budget": {"unit": "epochs", "limit": budget_epochs}, "target": None,
        "versions": environment.library_versions(), "hardware": hardware or environment.hardware(),
        "started_at": f"2026-11-29T08:00:{seed:02d}+00:00", "rows": len(rows),
    }
    if approximations:
        manifest["approximations"] = approximations
    write_manifest(folder, manifest)
    return folder
