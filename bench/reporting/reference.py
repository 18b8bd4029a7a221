"""The reference every run is measured against: the grid's recorded results of one workload.

A reference is a learning-curve table (bench.store.tables) or a complete grid run folder. It gives
the target accuracy (the grid's best final validation accuracy minus a tolerance) and the
compute that normalises every figure (the grid's total compute = 100).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bench import environment
from bench.errors import BenchError

if TYPE_CHECKING:
    import pandas as pd

#: Default tolerance below the grid's best final validation accuracy, in percentage points.
DEFAULT_TOLERANCE_PP = 1.0
UNITS = ("seconds", "epochs")
#: Columns of a reference's curves: one row per grid point, repeat and epoch.
REFERENCE_COLUMNS = ("repeat", "point", "epoch", "val_accuracy", "epoch_compute_s", "epoch_cost_s",
                     "result_index")


@dataclass(frozen=True)
class Reference:
    """The grid's results for one workload and version.

    Args:
        source: the table or grid run folder it was read from.
        kind: "table" or "grid run".
        workload, workload_version: what was recorded.
        curves: REFERENCE_COLUMNS; result_index orders the results within each repeat.
        hardware_fingerprint: bench.environment.hardware_fingerprint of the recording machine.
        grid_size: grid points per repeat.
        checksum: the table's curves_sha256 (None for a grid run), to tell which table a replay used.
        cost_sha256: the checksum of the cost model its epoch_cost_s come from (None: measured seconds).
        beyond_grid_best: the best accuracy, at any epoch, of the dataset's configurations beyond the
            grid (None: a grid-only table or a grid run).
    """

    source: str
    kind: str
    workload: str
    workload_version: str
    curves: pd.DataFrame
    hardware_fingerprint: str
    grid_size: int
    checksum: str | None = None
    cost_sha256: str | None = None
    beyond_grid_best: float | None = None  # best accuracy of the dataset's configurations beyond the grid

    @property
    def repeats(self) -> int:
        return int(self.curves["repeat"].nunique())

    def best_final_accuracy(self) -> float:
        """Best validation accuracy at a grid point's last epoch; the mean over repeats."""
        last = self.curves.sort_values("epoch", kind="stable").groupby(["repeat", "point"]).tail(1)
        return float(last.groupby("repeat")["val_accuracy"].max().mean())

    def best_accuracy(self) -> float:
        """Best validation accuracy at any epoch of any repeat."""
        return float(self.curves["val_accuracy"].max())

    def best_recorded_accuracy(self) -> float:
        """Best validation accuracy recorded anywhere: the grid's repeats and the dataset beyond it."""
        return max(self.best_accuracy(), self.beyond_grid_best or 0.0)

    def total_compute(self, unit: str) -> float:
        """What one full grid sweep costs in `unit`; the mean over repeats."""
        per_repeat = self.curves.groupby("repeat")["epoch_cost_s"]
        return float((per_repeat.sum() if unit == "seconds" else per_repeat.count()).mean())

    def repeat_epochs(self, repeat: int) -> pd.DataFrame:
        """One repeat's results in the order the grid recording received them."""
        frame = self.curves[self.curves["repeat"] == repeat]
        return frame.sort_values("result_index", kind="stable").reset_index(drop=True)


def hardware_fingerprint(hardware: dict | None) -> str:
    """The fingerprint of a recorded hardware description ("unknown" when it is missing)."""
    try:
        return environment.hardware_fingerprint(hardware) if hardware else "unknown"
    except (KeyError, TypeError):
        return "unknown"


def cost_checksum(manifest: dict) -> str | None:
    """The cost model a run charged its epochs with (None: measured seconds)."""
    unit = manifest.get("compute_unit") or {}
    return unit.get("cost_sha256")


def how_to_make_reference(workload: str) -> str:
    return (f"record one with `python -m bench run --strategy grid --workload {workload} --until budget` "
            f"and pass its folder (or a learning-curve table) with --reference")


def from_table(path: Path) -> Reference:
    from bench.store.dataset import is_dataset, read_space_sample, table_cost_model
    from bench.store.tables import load_table

    table = load_table(path)
    cost = table_cost_model(table)
    curves = table.curves.rename(columns={"grid_index": "point"})
    if cost is None:
        curves = curves.assign(epoch_cost_s=curves["epoch_compute_s"])
    else:
        per_point = curves.drop_duplicates("point").set_index("point")
        point_cost = {point: cost.epoch_cost_s(row) for point, row in per_point.iterrows()}  # type: ignore[arg-type]  # a row reads as a mapping
        curves = curves.assign(epoch_cost_s=curves["point"].map(point_cost))
    curves = curves[list(REFERENCE_COLUMNS)]
    beyond = None
    if is_dataset(table):
        import workloads

        sample = read_space_sample(table.path, table.meta, workloads.get(table.workload).space)
        beyond = float(sample["val_accuracy"].max())
    return Reference(
        source=str(table.path), kind="table", workload=table.workload,
        workload_version=str(table.meta["workload"]["version"]), curves=curves.reset_index(drop=True),
        hardware_fingerprint=table.meta.get("hardware_fingerprint")
        or hardware_fingerprint(table.meta.get("hardware")),
        grid_size=int(table.meta["grid_size"]), checksum=table.meta.get("curves_sha256"),
        cost_sha256=None if cost is None else cost.sha256, beyond_grid_best=beyond,
    )


def from_grid_run(path: Path) -> Reference:
    """A complete grid run as a one-repeat reference; refuses runs that skipped grid points."""
    import workloads
    from bench.store.results import load_run

    run = load_run(path)
    manifest = run.manifest
    if manifest["strategy"]["name"] != "grid":
        raise BenchError(f"{path}: a reference must be a grid run or a table, not a "
                         f"{manifest['strategy']['name']} run")
    workload = workloads.get(manifest["workload"]["name"])
    epochs = run.epochs
    last = epochs.groupby("trial_id").agg(epoch=("epoch", "max"), diverged=("diverged", "any"))
    finished = (last["epoch"] >= workload.max_epochs) | last["diverged"]
    if len(last) != workload.space.grid_size() or not finished.all():
        raise BenchError(
            f"{path}: not a full grid ({int(finished.sum())} of {workload.space.grid_size()} grid points "
            f"trained to the end); {how_to_make_reference(workload.name)}"
        )
    curves = epochs.assign(repeat=0, point=epochs["trial_id"])[list(REFERENCE_COLUMNS)]
    return Reference(
        source=str(path), kind="grid run", workload=manifest["workload"]["name"],
        workload_version=str(manifest["workload"]["version"]), curves=curves.reset_index(drop=True),
        hardware_fingerprint=hardware_fingerprint(manifest.get("hardware")),
        grid_size=workload.space.grid_size(), cost_sha256=cost_checksum(manifest),
    )


def load_reference(workload: str, path: Path | str | None = None) -> Reference:
    """The reference at `path` (a table or a grid run folder), or the workload's shipped table."""
    from bench.store.tables import META, default_table_path

    if path is None:
        path = default_table_path(workload)
        if path is None:
            raise BenchError(f"no reference for workload {workload!r}: {how_to_make_reference(workload)}")
    path = Path(path)
    if (path / META).exists():
        reference = from_table(path)
    elif (path / "manifest.json").exists():
        reference = from_grid_run(path)
    else:
        raise BenchError(f"{path}: not a reference (neither a learning-curve table nor a grid run folder)")
    if reference.workload != workload:
        raise BenchError(f"{path}: the reference is for workload {reference.workload!r}, "
                         f"the runs are {workload!r}")
    return reference
