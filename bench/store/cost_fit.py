"""Fitting the cost model (seconds and FLOPs of an epoch per batch size and width)
from a dataset's recordings.

Only batch size and width change the work of an epoch; learning rate, momentum and weight decay
do not. Recorded epoch times drift with the machine (the first grid jobs ran slower, the third
grid seed slower again; `cost_drift` measures it), so the estimate is a median over every
recording of a shape, never a pick of some of them, and nothing depends on the order of rows or
configurations. bench.store.dataset reads the table written here.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from workloads.base import Workload
    from workloads.space import SearchSpace

#: What table.json says about how cost.parquet was made.
COST_METHOD = ("per (batch_size, width): the median over every recorded (configuration, seed) of that exact "
               "shape (grid and space sample) of its mean seconds and FLOPs per epoch; shapes without a "
               "recording: exp of a least-squares cubic in (log2 batch size, width), "
               "each scaled to [0, 1] over the space's range, fitted to the log of the per-shape medians, "
               "one point per shape")
#: Grid jobs recorded first, in the recording plan's order (scripts/record_dataset.py plan_jobs).
EARLY_JOBS = 16


def cost_axes(batch_size: Any, width: Any, space: SearchSpace) -> Any:
    """The cost plane: batch size and width, each on its search scale, scaled to
    [0, 1] over the space's range."""
    import numpy as np

    columns = []
    for name, values in (("batch_size", batch_size), ("width", width)):
        hp = space[name]
        values = np.asarray(values, dtype=float)
        if hp.log:
            columns.append((np.log(values) - math.log(hp.low)) / (math.log(hp.high) - math.log(hp.low)))
        else:
            columns.append((values - hp.low) / (hp.high - hp.low))
    return np.column_stack(columns)


def recording_costs(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per recorded (configuration, seed): its shape and mean seconds and FLOPs per epoch.

    The rows are put in (config_id, seed, epoch) order first, so each mean sums the same numbers
    in the same order however the frame's rows were shuffled.
    """
    ordered = frame.sort_values(["config_id", "seed", "epoch"], kind="stable")
    return ordered.groupby(["config_id", "seed"], sort=True).agg(
        batch_size=("batch_size", "first"), width=("width", "first"),
        seconds=("epoch_compute_s", "mean"), flops=("train_flops", "mean")).reset_index()


def shape_costs(recordings: pd.DataFrame) -> pd.DataFrame:
    """The median seconds and FLOPs per epoch of every recorded (batch_size, width),
    with its recording count."""
    shapes = recordings.assign(batch_size=recordings["batch_size"].astype(int),
                               width=recordings["width"].astype(int))
    return shapes.groupby(["batch_size", "width"], sort=True).agg(
        seconds=("seconds", "median"), flops=("flops", "median"),
        recordings=("seconds", "size")).reset_index()


def _cubic_terms(points: np.ndarray) -> np.ndarray:
    import numpy as np

    u, v = points[:, 0], points[:, 1]
    return np.column_stack([np.ones_like(u), u, v, u * v, u ** 2, v ** 2, u ** 2 * v, u * v ** 2, u ** 3,
                            v ** 3])


def _log_fit(known: np.ndarray, values: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """exp of the least-squares cubic fitted to log(values) at `known`, evaluated at `wanted`."""
    import numpy as np

    coefficients, *_ = np.linalg.lstsq(_cubic_terms(known), np.log(values), rcond=None)
    return np.exp(_cubic_terms(wanted) @ coefficients)


def fit_cost_table(frame: pd.DataFrame, space: SearchSpace) -> pd.DataFrame:
    """The idle cost of one epoch for every integer (batch_size, width) of the space.

    A recorded shape gets the median of its recordings (`shape_costs`); any other shape the smooth
    fit of COST_METHOD over the recorded shapes' medians. The result depends only on the set of
    recordings, not on their order.

    Args:
        frame: the records_frame layout (config_id, seed, batch_size, width, epoch, epoch_compute_s,
            train_flops).
        space: the workload's search space (its batch_size and width ranges scale the plane).

    Returns:
        a DataFrame with batch_size, width, epoch_cost_s, epoch_train_flops.
    """
    import numpy as np
    import pandas as pd

    shapes = shape_costs(recording_costs(frame))
    batch_hp, width_hp = space["batch_size"], space["width"]
    batches, widths = np.meshgrid(np.arange(int(batch_hp.low), int(batch_hp.high) + 1),
                                  np.arange(int(width_hp.low), int(width_hp.high) + 1), indexing="ij")
    table = pd.DataFrame({"batch_size": batches.ravel(), "width": widths.ravel()})
    known = cost_axes(shapes["batch_size"], shapes["width"], space)
    wanted = cost_axes(table["batch_size"], table["width"], space)
    table["epoch_cost_s"] = _log_fit(known, shapes["seconds"].to_numpy(), wanted)
    table["epoch_train_flops"] = _log_fit(known, shapes["flops"].to_numpy(), wanted)
    recorded = table.merge(shapes, on=["batch_size", "width"], how="left")
    measured = recorded["recordings"].notna().to_numpy()
    table.loc[measured, "epoch_cost_s"] = recorded.loc[measured, "seconds"].to_numpy()
    table.loc[measured, "epoch_train_flops"] = recorded.loc[measured, "flops"].to_numpy()
    return table


def cost_drift(frame: pd.DataFrame, grid_size: int, early_jobs: int = EARLY_JOBS) -> pd.DataFrame:
    """How the grid's recorded epoch times drift, per grid shape.

    The dataset stores no timestamps; the order is the recording plan's (grid point by grid point,
    seed 0 then 1 then 2: job = seed * grid_size + config_id), which the recording worked through
    in order on its worker processes.

    Returns:
        one row per grid (batch_size, width): recordings, early (jobs below `early_jobs`), the
        median seconds per epoch of early and later jobs and their ratio, and the ratio of the
        median of seed 2 to that of seeds 0 and 1 (later jobs only).
    """
    import pandas as pd

    grid = recording_costs(frame[frame["source"] == "grid"])
    grid["job"] = grid["seed"] * grid_size + grid["config_id"]
    rows = []
    for (batch_size, width), shape in grid.groupby(["batch_size", "width"], sort=True):
        early, later = shape[shape["job"] < early_jobs], shape[shape["job"] >= early_jobs]
        rows.append({
            "batch_size": int(batch_size), "width": int(width), "recordings": len(shape), "early": len(early),  # type: ignore[call-overload]  # int keys
            "early_s": early["seconds"].median(), "later_s": later["seconds"].median(),
            "early_over_later": early["seconds"].median() / later["seconds"].median(),
            "seed2_over_seeds01": (later.loc[later["seed"] == 2, "seconds"].median()
                                   / later.loc[later["seed"] < 2, "seconds"].median()),
            "median_s": shape["seconds"].median(),
        })
    return pd.DataFrame(rows)


def refit_cost_model(folder: Path, workload: Workload) -> dict:
    """Fit cost.parquet again from the dataset's own recordings and vouch for it in table.json.

    Only table.json's cost_model entry (checksum and method) changes; the curves and the space
    sample are read, not written.

    Returns:
        the new cost_model entry.
    """
    from bench.store.dataset import COST, dataset_frame
    from bench.store.results import atomic_write_bytes, file_sha256
    from bench.store.tables import META, load_table

    folder = Path(folder)
    table = load_table(folder, workload.name)
    fit_cost_table(dataset_frame(table, workload.space), workload.space).to_parquet(folder / COST,
                                                                                    index=False)
    meta = json.loads((folder / META).read_text())
    meta["cost_model"] = {"file": COST, "sha256": file_sha256(folder / COST), "method": COST_METHOD}
    atomic_write_bytes(folder / META, json.dumps(meta, indent=2).encode())
    return meta["cost_model"]


#: What table.json says about a cost model fitted as a function of a workload's cost axes.
COST_FUNCTION_METHOD = ("per recorded shape (the workload's cost axes): the median over every recorded "
                        "(configuration, seed) of that shape of its mean seconds and FLOPs per epoch; any "
                        "other shape: exp of a least-squares polynomial of total degree 3 in the axes, each "
                        "on its search scale scaled to [0, 1] over the space's range, fitted to the log of "
                        "the per-shape medians, one point per shape")
COST_DEGREE = 3


def axis_scales(space: SearchSpace, axes: tuple[str, ...]) -> list[dict[str, Any]]:
    """Each cost axis's range and scale, as table.json records them (what scales a shape to [0, 1])."""
    return [{"name": name, "low": float(space[name].low), "high": float(space[name].high),
             "log": bool(space[name].log)} for name in axes]


def scaled_axes(values: np.ndarray, scales: list[dict[str, Any]]) -> np.ndarray:
    """Shapes (one row each, a column per axis) on each axis's search scale, scaled to [0, 1]."""
    import numpy as np

    columns = []
    for column, scale in zip(np.asarray(values, dtype=float).T, scales, strict=True):
        if scale["log"]:
            columns.append((np.log(column) - math.log(scale["low"]))
                           / (math.log(scale["high"]) - math.log(scale["low"])))
        else:
            columns.append((column - scale["low"]) / (scale["high"] - scale["low"]))
    return np.column_stack(columns)


def polynomial_terms(points: np.ndarray, degree: int = COST_DEGREE) -> np.ndarray:
    """Every monomial of total degree at most `degree` of the points' columns (1 first)."""
    import itertools

    import numpy as np

    points = np.atleast_2d(points)
    terms = [np.ones(len(points))]
    for order in range(1, degree + 1):
        for combination in itertools.combinations_with_replacement(range(points.shape[1]), order):
            terms.append(np.prod(points[:, list(combination)], axis=1))
    return np.column_stack(terms)


def fit_cost_function(frame: pd.DataFrame, space: SearchSpace,
                      axes: tuple[str, ...]) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The cost of one epoch as a function of `axes`: the recorded shapes' medians, and the fit.

    Depends only on the set of recordings, not on their order (medians per shape, one point per
    shape, shapes sorted).

    Returns:
        (a DataFrame of the recorded shapes: the axes, epoch_cost_s, epoch_train_flops and
        recordings; the function's description for table.json: axes with their scales, degree and
        the coefficients for log seconds and log FLOPs).
    """
    import numpy as np

    ordered = frame.sort_values(["config_id", "seed", "epoch"], kind="stable")
    per_recording = ordered.groupby(["config_id", "seed"], sort=True).agg(
        **{name: (name, "first") for name in axes}, seconds=("epoch_compute_s", "mean"),
        flops=("train_flops", "mean")).reset_index()
    shapes = per_recording.groupby(list(axes), sort=True).agg(
        epoch_cost_s=("seconds", "median"), epoch_train_flops=("flops", "median"),
        recordings=("seconds", "size")).reset_index()
    scales = axis_scales(space, axes)
    terms = polynomial_terms(scaled_axes(shapes[list(axes)].to_numpy(), scales))
    coefficients = {}
    for key, column in (("seconds", "epoch_cost_s"), ("flops", "epoch_train_flops")):
        values = np.log(np.maximum(shapes[column].to_numpy(dtype=float), 1e-300))
        coefficients[key] = np.linalg.lstsq(terms, values, rcond=None)[0].tolist()
    return shapes, {"form": "function", "axes": scales, "degree": COST_DEGREE, "coefficients": coefficients}
