"""Learning-curve datasets over a workload's whole space: the grid plus Sobol configurations.

A dataset is a learning-curve table (bench.tables: every grid point, one repeat per training
seed) whose folder also holds `space.parquet` (configurations drawn by a scrambled Sobol
sequence over the whole space, each with its training seeds) and `cost.parquet` (the idle
recording machine's seconds and FLOPs per epoch for every batch size and width: the cost model
that makes compute independent of machine load). `table.json` vouches for all three.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from bench.errors import BenchError

SPACE_SAMPLE = "space.parquet"
COST = "cost.parquet"
#: Neighbours averaged by the cost model, in the (log batch size, width) plane.
COST_NEIGHBOURS = 12


def sobol_configs(space, count: int, seed: int) -> list[dict[str, Any]]:
    """`count` configurations from a scrambled Sobol sequence on each dimension's search scale.

    Log dimensions are uniform in log space, integers are drawn as Tune's (log)randint draws them
    (uniform over [low, high + 1) on the dimension's scale, then floored).
    """
    from scipy.stats import qmc

    if count < 1 or count & (count - 1):
        raise ValueError(f"a Sobol sample size is a power of 2, not {count}")
    points = qmc.Sobol(d=len(space.hyperparameters), scramble=True, seed=seed).random_base2(int(math.log2(count)))
    configs = []
    for point in points:
        config = {}
        for u, hp in zip(point, space.hyperparameters):
            high = hp.high + 1 if hp.integer else hp.high
            if hp.log:
                value = math.exp(math.log(hp.low) + float(u) * (math.log(high) - math.log(hp.low)))
            else:
                value = hp.low + float(u) * (high - hp.low)
            if hp.integer:
                value = min(math.floor(value), int(hp.high))
            config[hp.name] = hp.normalise(value)
        configs.append(config)
    return configs


def train_curve(workload, config: dict[str, Any], seed: int) -> list[list[float]]:
    """Train `config` with training seed `seed` to max_epochs (or divergence), as a live trial does.

    Returns:
        one [epoch, val_accuracy, val_loss, train_loss, epoch_compute_s, train_flops, diverged] per epoch.
    """
    from bench.trainable import measure_epoch, scored_accuracy
    from workloads import TrainerContext

    trainer = workload.make_trainer(workload.space.normalise(config),
                                    TrainerContext(device="cpu", cpu_threads=1, seed=seed))
    rows = []
    for epoch in range(1, workload.max_epochs + 1):
        metrics, seconds = measure_epoch(trainer, "cpu")
        diverged, accuracy = scored_accuracy(workload, metrics)
        rows.append([epoch, accuracy, float(metrics.val_loss), float(metrics.train_loss), seconds,
                     float(metrics.train_flops), diverged])
        if diverged:
            break
    return rows


#: Per-epoch columns of a dataset frame, after the configuration's columns.
CURVE_FIELDS = ("epoch", "val_accuracy", "val_loss", "train_loss", "epoch_compute_s", "train_flops", "diverged")


def records_frame(jobs: list[dict], done: dict, space) -> Any:
    """One row per (configuration, training seed, epoch) of a recording, in plan order.

    Columns: config_id, source ("grid" or "sobol"), seed, the hyperparameters, CURVE_FIELDS.
    """
    import pandas as pd

    names = space.names
    rows = []
    for job in jobs:
        record = done[(job["config_id"], job["seed"])]
        head = [job["config_id"], job["source"], job["seed"], *(job["config"][n] for n in names)]
        rows.extend(head + list(epoch_row) for epoch_row in record["rows"])
    frame = pd.DataFrame(rows, columns=["config_id", "source", "seed", *names, *CURVE_FIELDS])
    frame["diverged"] = frame["diverged"].astype(bool)
    return frame


def _cost_axes(batch_size, width):
    """The cost model's plane: log2 batch size and width, each over its own range."""
    import numpy as np

    return np.column_stack([np.log2(np.asarray(batch_size, dtype=float)) / 4.0,
                            np.asarray(width, dtype=float) / 28.0])


def fit_cost_table(frame, space) -> Any:
    """The idle cost of one epoch for every integer (batch_size, width) of the space.

    Each recorded (configuration, seed) gives its mean seconds and FLOPs per epoch; the cost of
    a (batch_size, width) is the inverse-distance weighted mean of its COST_NEIGHBOURS nearest
    recordings in the (log2 batch size, width) plane, where only those two hyperparameters
    change the work of an epoch. Learning rate, momentum and weight decay do not.

    Returns:
        a DataFrame with batch_size, width, epoch_cost_s, epoch_train_flops.
    """
    import numpy as np
    import pandas as pd

    jobs = frame.groupby(["config_id", "seed"]).agg(
        batch_size=("batch_size", "first"), width=("width", "first"),
        seconds=("epoch_compute_s", "mean"), flops=("train_flops", "mean"))
    known = _cost_axes(jobs["batch_size"], jobs["width"])
    batch_hp, width_hp = space["batch_size"], space["width"]
    batches, widths = np.meshgrid(np.arange(int(batch_hp.low), int(batch_hp.high) + 1),
                                  np.arange(int(width_hp.low), int(width_hp.high) + 1), indexing="ij")
    batches, widths = batches.ravel(), widths.ravel()
    wanted = _cost_axes(batches, widths)
    distances = np.sqrt(((wanted[:, None, :] - known[None, :, :]) ** 2).sum(axis=2))
    nearest = np.argsort(distances, axis=1)[:, :COST_NEIGHBOURS]
    weights = 1.0 / (np.take_along_axis(distances, nearest, axis=1) + 1e-3)
    weights /= weights.sum(axis=1, keepdims=True)
    seconds = (weights * jobs["seconds"].to_numpy()[nearest]).sum(axis=1)
    flops = (weights * jobs["flops"].to_numpy()[nearest]).sum(axis=1)
    return pd.DataFrame({"batch_size": batches, "width": widths, "epoch_cost_s": seconds,
                         "epoch_train_flops": flops})


@dataclass(frozen=True)
class CostModel:
    """Charges an epoch the idle recording machine's seconds for its batch size and width.

    Args:
        source: the dataset it comes from (its folder name).
        sha256: checksum of its cost.parquet, recorded in every run that used it.
        seconds: (batch_size, width) -> seconds per epoch.
        flops: (batch_size, width) -> training FLOPs per epoch.
    """

    source: str
    sha256: str
    seconds: Mapping[tuple[int, int], float]
    flops: Mapping[tuple[int, int], float]

    def epoch_cost_s(self, hyperparameters: Mapping[str, Any]) -> float:
        return self.seconds[(int(hyperparameters["batch_size"]), int(hyperparameters["width"]))]

    def epoch_flops(self, hyperparameters: Mapping[str, Any]) -> float:
        return self.flops[(int(hyperparameters["batch_size"]), int(hyperparameters["width"]))]

    def record(self) -> dict:
        """What a manifest says about the unit its rows' epoch_cost_s are in."""
        return {"name": "reference-seconds", "source": self.source, "cost_sha256": self.sha256,
                "meaning": "each epoch is charged the seconds an epoch of its batch size and width took "
                           "on the idle recording machine, whatever the load of the machine that ran it"}


#: The unit record of a run without a cost model: epoch_cost_s is the measured time.
MEASURED_UNIT = {"name": "measured-seconds",
                 "meaning": "each epoch is charged its measured compute time (moves with machine load)"}


def _vouched(folder: Path, name: str, entry: Mapping[str, Any], what: str) -> Path:
    """`folder/name`, refused when missing or when its checksum is not the one table.json records."""
    from bench.results import file_sha256

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
        keys = list(zip(frame["batch_size"].astype(int), frame["width"].astype(int)))
        _COST_MODELS[key] = CostModel(source=Path(folder).name, sha256=entry["sha256"],
                                      seconds=dict(zip(keys, frame["epoch_cost_s"].astype(float))),
                                      flops=dict(zip(keys, frame["epoch_train_flops"].astype(float))))
    return _COST_MODELS[key]


def read_space_sample(folder: Path, meta: Mapping[str, Any], space) -> Any:
    """The dataset's Sobol configurations (one row per configuration, seed and epoch), validated."""
    import pandas as pd

    entry = meta.get("space_sample") or {}
    if not entry:
        raise BenchError(f"{folder}: a grid table without a space sample; record a dataset with "
                         f"`python scripts/record_dataset.py`")
    path = _vouched(folder, SPACE_SAMPLE, entry, "the dataset's configurations beyond the grid")
    frame = pd.read_parquet(path)
    expected = ["config_id", "seed", *space.names, *CURVE_FIELDS]
    if list(frame.columns) != expected or len(frame) != entry.get("rows"):
        raise BenchError(f"{path}: not the space sample table.json describes (columns or row count differ)")
    return frame


def write_dataset(folder: Path, workload, jobs: list[dict], done: dict, plan: dict, command: list[str],
                  wall_s: float) -> Path:
    """Write a recording as a dataset: the grid table, the space sample and the cost model."""
    import json

    from bench.results import atomic_write_bytes, file_sha256
    from bench.tables import CURVE_COLUMNS, META, write_table

    frame = records_frame(jobs, done, workload.space)
    grid = frame[frame["source"] == "grid"]
    curves = grid.rename(columns={"config_id": "grid_index", "seed": "repeat"}).copy()
    # The order a one-worker grid sweep reports: grid point by grid point, epoch by epoch.
    curves["result_index"] = curves["grid_index"] * workload.max_epochs + curves["epoch"] - 1
    names = workload.space.names
    curves = curves[list(CURVE_COLUMNS[:2]) + names + list(CURVE_COLUMNS[2:])].sort_values(
        ["grid_index", "repeat", "epoch"], kind="stable").reset_index(drop=True)
    folder = Path(folder)
    write_table(folder, curves, workload, command=command, source_runs=[])
    sample = frame[frame["source"] == "sobol"].drop(columns="source").reset_index(drop=True)
    sample["config_id"] -= workload.space.grid_size()
    sample.to_parquet(folder / SPACE_SAMPLE, index=False)
    fit_cost_table(frame, workload.space).to_parquet(folder / COST, index=False)
    meta = json.loads((folder / META).read_text())
    meta["space_sample"] = {
        "file": SPACE_SAMPLE, "sha256": file_sha256(folder / SPACE_SAMPLE), "rows": len(sample),
        "configs": int(sample["config_id"].nunique()), "seeds": sorted(int(s) for s in sample["seed"].unique()),
        "method": f"scrambled Sobol sequence (scipy.stats.qmc.Sobol, seed {plan['scramble_seed']}) on each "
                  f"dimension's search scale",
    }
    meta["cost_model"] = {
        "file": COST, "sha256": file_sha256(folder / COST),
        "method": f"per (batch_size, width): inverse-distance weighted mean seconds per epoch of the "
                  f"{COST_NEIGHBOURS} nearest recorded (configuration, seed) pairs in the (log2 batch size, "
                  f"width) plane",
    }
    meta["recording"] = {**plan, "wall_s": wall_s,
                         "how": "each (configuration, seed) trained in its own process through the workload's "
                                "trainer, one torch thread, epochs timed as live trials time them"}
    atomic_write_bytes(folder / META, json.dumps(meta, indent=2).encode())
    return folder


def workload_cost_model(workload) -> CostModel | None:
    """The cost model of the workload's shipped dataset for its current version, if it has one."""
    import json

    from bench.tables import META, default_table_path

    folder = default_table_path(workload.name)
    if folder is None:
        return None
    meta = json.loads((folder / META).read_text())
    if "cost_model" not in meta:
        return None
    return read_cost_model(folder, meta)


def table_cost_model(table) -> CostModel | None:
    """A loaded table's cost model, when the table is a dataset that has one."""
    return read_cost_model(table.path, table.meta) if "cost_model" in table.meta else None


def is_dataset(table) -> bool:
    """True for a table that also covers the space beyond its grid (a surrogate can model it)."""
    return "space_sample" in table.meta


def dataset_frame(table, space) -> Any:
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


def dataset_checksum(table) -> str:
    """One checksum over what a surrogate of the dataset is fitted on (curves and space sample)."""
    import hashlib

    parts = (table.meta["curves_sha256"], table.meta["space_sample"]["sha256"])
    return hashlib.sha256(":".join(parts).encode()).hexdigest()


def cache_dir() -> Path:
    """Where fitted surrogates are cached: $BENCH_CACHE_DIR, else .bench-cache in the project."""
    import os

    folder = Path(os.environ.get("BENCH_CACHE_DIR") or Path(__file__).resolve().parents[1] / ".bench-cache")
    if folder.exists() and not folder.is_dir():
        raise BenchError(f"BENCH_CACHE_DIR={folder}: a file, not a folder; accepted: a folder for fitted "
                         f"surrogates, or unset for .bench-cache in the project")
    return folder


def dataset_surrogate(table, space):
    """The dataset's surrogate: fitted on first use (under a minute), then loaded from the cache."""
    from bench.surrogate import load_surrogate

    return load_surrogate(dataset_frame(table, space), dataset_checksum(table), cache_dir(), space=space)
