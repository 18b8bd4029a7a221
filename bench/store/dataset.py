"""Reading learning-curve datasets: the grid plus Sobol configurations, and the cost model.

A dataset is a learning-curve table (bench.store.tables: every grid point, one repeat per training
seed) whose folder also holds `space.parquet` (configurations drawn by a scrambled Sobol
sequence over the whole space, each with its training seeds) and `cost.parquet` (the idle
recording machine's seconds and FLOPs per epoch for every batch size and width: the cost model
that makes compute independent of machine load). `table.json` vouches for all three.
bench.store.dataset_recording writes them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.errors import BenchError

if TYPE_CHECKING:
    import pandas as pd

    from bench.store.tables import Table
    from bench.surrogate._surrogate import Surrogate
    from workloads.base import Workload
    from workloads.space import SearchSpace

SPACE_SAMPLE = "space.parquet"
COST = "cost.parquet"


#: Per-epoch columns of a dataset frame, after the configuration's columns.
CURVE_FIELDS = ("epoch", "val_accuracy", "val_loss", "train_loss", "epoch_compute_s", "train_flops",
                "diverged")


@dataclass(frozen=True)
class CostModel:
    """Charges an epoch the idle recording machine's seconds for its shape (its cost axes' values).

    Args:
        source: the dataset it comes from (its folder name).
        sha256: checksum of its cost.parquet, recorded in every run that used it.
        seconds: shape -> seconds per epoch (every shape of the space for digits v2's table; the
            recorded shapes for a cost function).
        flops: shape -> training FLOPs per epoch.
        axes: the hyperparameters that make a shape (the workload's cost axes).
        function: for a shape not in `seconds`, its fitted value (bench.store.cost_fit); None when
            `seconds` holds every shape.
    """

    source: str
    sha256: str
    seconds: Mapping[tuple, float]
    flops: Mapping[tuple, float]
    axes: tuple[str, ...] = ("batch_size", "width")
    function: Mapping[str, Any] | None = None
    _fitted: dict = field(default_factory=dict, compare=False, repr=False)

    def _shape(self, hyperparameters: Mapping[str, Any]) -> tuple:
        if self.function is None:
            return tuple(int(hyperparameters[name]) for name in self.axes)
        return tuple(float(hyperparameters[name]) for name in self.axes)

    def _value(self, kind: str, table: Mapping[tuple, float], hyperparameters: Mapping[str, Any]) -> float:
        shape = self._shape(hyperparameters)
        if shape in table or self.function is None:
            return table[shape]
        key = (kind, shape)
        if key not in self._fitted:
            from bench.store.cost_fit import polynomial_terms, scaled_axes

            scales, degree = self.function["axes"], int(self.function["degree"])
            import numpy as np

            terms = polynomial_terms(scaled_axes(np.asarray([shape]), scales), degree)[0]
            self._fitted[key] = math.exp(float(terms @ self.function["coefficients"][kind]))
        return float(self._fitted[key])

    def epoch_cost_s(self, hyperparameters: Mapping[str, Any]) -> float:
        return self._value("seconds", self.seconds, hyperparameters)

    def epoch_flops(self, hyperparameters: Mapping[str, Any]) -> float:
        return self._value("flops", self.flops, hyperparameters)

    def grid_cost_s(self, workload: Workload) -> float:
        """What exhaustive grid search of `workload` costs in this model's seconds:
        every grid point to max_epochs.

        The seconds counterpart of workload.grid_budget_epochs, and the default budget where a
        cost model charges the epochs (bench.spec.make_specs).
        """
        return float(workload.max_epochs
                     * sum(self.epoch_cost_s(point) for point in workload.space.grid_points()))

    def record(self) -> dict:
        """What a manifest says about the unit its rows' epoch_cost_s are in."""
        shape = " and ".join(name.replace("_", " ") for name in self.axes)
        return {"name": "reference-seconds", "source": self.source, "cost_sha256": self.sha256,
                "meaning": f"each epoch is charged the seconds an epoch of its {shape} took "
                           "on the idle recording machine, whatever the load of the machine that ran it"}


#: The unit record of a run without a cost model: epoch_cost_s is the measured time.
MEASURED_UNIT = {"name": "measured-seconds",
                 "meaning": "each epoch is charged its measured compute time (moves with machine load)"}


def _vouched(folder: Path, name: str, entry: Mapping[str, Any], what: str) -> Path:
    """`folder/name`, refused when missing or when its checksum is not the one table.json records."""
    from bench.store.results import file_sha256

    path = Path(folder) / name
    if not path.exists():
        raise BenchError(f"{path}: missing ({what})")
    if file_sha256(path) != entry.get("sha256"):
        raise BenchError(f"{path}: checksum differs from {Path(folder) / 'table.json'} (truncated or edited)")
    return path


_COST_MODELS: dict[tuple, CostModel] = {}


def read_cost_model(folder: Path, meta: Mapping[str, Any]) -> CostModel:
    """The cost model of a dataset folder whose table.json `meta` vouches for cost.parquet."""
    import pandas as pd

    entry = meta.get("cost_model") or {}
    path = _vouched(folder, COST, entry, "the dataset's cost model")
    # A matrix replays hundreds of runs: read (and hash) each cost model once per process.
    key = (str(path.resolve()), path.stat().st_mtime_ns, entry["sha256"])
    if key not in _COST_MODELS:
        frame = pd.read_parquet(path)
        if entry.get("form") == "function":  # a function of the workload's cost axes (bench record)
            import numpy as np

            coefficients = {k: np.asarray(v, dtype=float) for k, v in entry["coefficients"].items()}
            function = {"axes": entry["axes"], "degree": entry["degree"], "coefficients": coefficients}
            axes = tuple(axis["name"] for axis in entry["axes"])
            keys = [tuple(float(v) for v in row) for row in frame[list(axes)].itertuples(index=False)]
        else:  # digits v2: every (batch_size, width) of the space enumerated
            function, axes = None, ("batch_size", "width")
            keys = list(zip(frame["batch_size"].astype(int), frame["width"].astype(int), strict=False))
        _COST_MODELS[key] = CostModel(source=Path(folder).name, sha256=entry["sha256"],
                                      seconds=dict(zip(keys, frame["epoch_cost_s"].astype(float),
                                                       strict=False)),
                                      flops=dict(zip(keys, frame["epoch_train_flops"].astype(float),
                                                     strict=False)),
                                      axes=axes, function=function)
    return _COST_MODELS[key]


def read_space_sample(folder: Path, meta: Mapping[str, Any], space: SearchSpace) -> Any:
    """The dataset's Sobol configurations (one row per configuration, seed and epoch), validated."""
    import pandas as pd

    entry = meta.get("space_sample") or {}
    if not entry:
        raise BenchError(f"{folder}: a grid table without a space sample; record a dataset with "
                         f"`python -m bench record`")
    path = _vouched(folder, SPACE_SAMPLE, entry, "the dataset's configurations beyond the grid")
    frame = pd.read_parquet(path)
    expected = ["config_id", "seed", *space.names, *CURVE_FIELDS]
    if list(frame.columns) != expected or len(frame) != entry.get("rows"):
        raise BenchError(f"{path}: not the space sample table.json describes (columns or row count differ)")
    return frame


def workload_cost_model(workload: Workload) -> CostModel | None:
    """The cost model of the workload's shipped dataset for its current version, if it has one."""
    import json

    from bench.store.tables import META, default_table_path

    folder = default_table_path(workload.name)
    if folder is None:
        return None
    meta = json.loads((folder / META).read_text())
    if "cost_model" not in meta:
        return None
    return read_cost_model(folder, meta)


def table_cost_model(table: Table) -> CostModel | None:
    """A loaded table's cost model, when the table is a dataset that has one."""
    return read_cost_model(table.path, table.meta) if "cost_model" in table.meta else None


def is_dataset(table: Table) -> bool:
    """True for a table that also covers the space beyond its grid (a surrogate can model it)."""
    return "space_sample" in table.meta


def dataset_frame(table: Table, space: SearchSpace) -> pd.DataFrame:
    """Every recorded curve of a dataset in one frame (the records_frame layout).

    Grid points keep their grid index as config_id and their repeat as training seed; the
    space sample's configurations follow with ids from the grid size on.
    """
    import pandas as pd

    grid = table.curves.rename(columns={"grid_index": "config_id", "repeat": "seed"}).assign(source="grid")
    sample = read_space_sample(table.path, table.meta, space).assign(source="sobol")
    sample["config_id"] += int(table.meta["grid_size"])
    columns = ["config_id", "source", "seed", *space.names, *CURVE_FIELDS]
    return pd.concat([grid[columns], sample[columns]], ignore_index=True)


def dataset_checksum(table: Table) -> str:
    """One checksum over what a surrogate of the dataset is fitted on (curves and space sample)."""
    import hashlib

    parts = (table.meta["curves_sha256"], table.meta["space_sample"]["sha256"])
    return hashlib.sha256(":".join(parts).encode()).hexdigest()


def cache_dir() -> Path:
    """Where fitted surrogates are cached: $BENCH_CACHE_DIR, else .bench-cache in the project."""
    import os

    folder = Path(os.environ.get("BENCH_CACHE_DIR") or Path(__file__).resolve().parents[2] / ".bench-cache")
    if folder.exists() and not folder.is_dir():
        raise BenchError(f"BENCH_CACHE_DIR={folder}: a file, not a folder; accepted: a folder for fitted "
                         f"surrogates, or unset for .bench-cache in the project")
    return folder


def dataset_surrogate(table: Table, space: SearchSpace, model: str | None = None) -> Surrogate:
    """The dataset's surrogate: fitted on first use (under a minute), then loaded from the cache.

    Its model is `model`, by default the one `bench check` chose on this dataset (fidelity.json
    beside it, for these curves), else the default (dataset_model).
    """
    from bench.surrogate import load_surrogate

    return load_surrogate(dataset_frame(table, space), dataset_checksum(table), cache_dir(), space=space,
                          model=dataset_model(table) if model is None else model)


def dataset_model(table: Table) -> str:
    """The surrogate model of a dataset: the one `bench check` chose on these curves, else the default."""
    from bench.surrogate import DEFAULT_MODEL, read_check

    check = read_check(table.path, table.meta.get("curves_sha256"))
    return str(check["chosen"]) if check and check.get("chosen") else DEFAULT_MODEL
