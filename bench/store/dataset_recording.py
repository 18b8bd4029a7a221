"""Writing a learning-curve dataset: Sobol configurations beyond the grid, and the fitted cost model.

The training itself is bench.live.epochs.train_curve, driven by bench.recording (`bench record`);
bench.store.dataset reads what is written here.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.store.cost_fit import COST_FUNCTION_METHOD, fit_cost_function, fit_cost_table
from bench.store.dataset import COST, CURVE_FIELDS, SPACE_SAMPLE

if TYPE_CHECKING:
    from collections.abc import Iterable

    import pandas as pd

    from bench.store.tables import Table
    from workloads.base import Workload
    from workloads.space import SearchSpace

__all__ = ["fit_cost_table", "recorded_packing", "records_frame", "sobol_configs", "write_dataset"]




def sobol_configs(space: SearchSpace, count: int, seed: int) -> list[dict[str, Any]]:
    """`count` configurations from a scrambled Sobol sequence on each dimension's search scale.

    Log dimensions are uniform in log space, integers are drawn as Tune's (log)randint draws them
    (uniform over [low, high + 1) on the dimension's scale, then floored).
    """
    from scipy.stats import qmc

    if count < 1 or count & (count - 1):
        raise ValueError(f"a Sobol sample size is a power of 2, not {count}")
    sampler = qmc.Sobol(d=len(space.hyperparameters), scramble=True, seed=seed)
    points = sampler.random_base2(int(math.log2(count)))
    configs = []
    for point in points:
        config = {}
        for u, hp in zip(point, space.hyperparameters, strict=False):
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


def records_frame(jobs: list[dict], done: dict, space: SearchSpace) -> pd.DataFrame:
    """One row per (configuration, training seed, epoch) of a recording, in plan order.

    Columns: config_id, source ("grid" or "sobol"), seed, the hyperparameters, CURVE_FIELDS.
    """
    import pandas as pd

    names = space.names
    rows: list[list] = []
    for job in jobs:
        record = done[(job["config_id"], job["seed"])]
        head = [job["config_id"], job["source"], job["seed"], *(job["config"][n] for n in names)]
        rows.extend(head + list(epoch_row) for epoch_row in record["rows"])
    frame = pd.DataFrame(rows, columns=["config_id", "source", "seed", *names, *CURVE_FIELDS])
    frame["diverged"] = frame["diverged"].astype(bool)
    return frame


def recorded_packing(records: Iterable[dict]) -> list[dict[str, Any]]:
    """How many trainings ran on each (device, GPU share): the packing each epoch's cost was timed under.

    Recordings made before packing was recorded count as CPU with no GPU share.
    """
    from collections import Counter

    counts = Counter((str(r.get("device", "cpu")), float(r.get("gpu_share", 0.0))) for r in records)
    return [{"device": device, "gpu_share": share, "trainings": count}
            for (device, share), count in sorted(counts.items())]


def write_dataset(folder: Path, workload: Workload, jobs: list[dict], done: dict, plan: dict,
                  command: list[str], wall_s: float, grid_table: Table | None = None) -> Path:
    """Write a recording as a dataset: the grid table, the space sample and the cost model.

    `grid_table`: where a recording without the grid (`--no-grid`) takes its grid from; its curves
    are copied as they are, and table.json names it under `grid_from`.
    """
    import json

    from bench.store.results import atomic_write_bytes, file_sha256
    from bench.store.tables import CURVE_COLUMNS, META, write_table

    frame = records_frame(jobs, done, workload.space)
    names = workload.space.names
    columns = list(CURVE_COLUMNS[:2]) + names + list(CURVE_COLUMNS[2:])
    if grid_table is None:
        grid = frame[frame["source"] == "grid"]
        curves = grid.rename(columns={"config_id": "grid_index", "seed": "repeat"}).copy()
        # The order a one-worker grid sweep reports: grid point by grid point, epoch by epoch.
        curves["result_index"] = curves["grid_index"] * workload.max_epochs + curves["epoch"] - 1
    else:
        curves = grid_table.curves.copy()
    curves = curves[columns].sort_values(["grid_index", "repeat", "epoch"], kind="stable")
    curves = curves.reset_index(drop=True)
    folder = Path(folder)
    write_table(folder, curves, workload, command=command, source_runs=[])
    sample = frame[frame["source"] == "sobol"].drop(columns="source").reset_index(drop=True)
    sample["config_id"] -= workload.space.grid_size()
    sample.to_parquet(folder / SPACE_SAMPLE, index=False)
    meta = json.loads((folder / META).read_text())
    if grid_table is not None:
        source = grid_table.meta
        meta["grid_from"] = {"table": str(grid_table.path), "curves_sha256": source["curves_sha256"],
                             "hardware_fingerprint": source.get("hardware_fingerprint"),
                             "command": source.get("command"), "created_at": source.get("created_at"),
                             "note": "the grid was not trained by this recording: its curves are this "
                                     "table's, and the cost model is fitted on this recording's trainings"}
    axes = tuple(workload.cost_axes)
    fingerprints = sorted({str(r["hardware_fingerprint"]) for r in done.values()
                           if r.get("hardware_fingerprint")})
    if len(fingerprints) > 1:
        # Seconds from different machines do not make one unit: no cost model, and the dataset says why.
        meta["mixed_hardware"] = {"fingerprints": fingerprints,
                                  "cost_model": "none: the trainings ran on different hardware, whose "
                                                "seconds are not one unit; record on one kind of node"}
    elif axes and set(axes) <= set(names):
        shapes, function = fit_cost_function(frame, workload.space, axes)
        shapes.to_parquet(folder / COST, index=False)
        meta["cost_model"] = {"file": COST, "sha256": file_sha256(folder / COST),
                              "method": COST_FUNCTION_METHOD, **function}
    # Without cost axes, no cost model: replay of the dataset charges recorded seconds at grid points.
    meta["space_sample"] = {
        "file": SPACE_SAMPLE, "sha256": file_sha256(folder / SPACE_SAMPLE), "rows": len(sample),
        "configs": int(sample["config_id"].nunique()),
        "seeds": sorted(int(s) for s in sample["seed"].unique()),
        "method": f"scrambled Sobol sequence (scipy.stats.qmc.Sobol, seed {plan['scramble_seed']}) on each "
                  f"dimension's search scale",
    }
    meta["recording"] = {**plan, "wall_s": wall_s, "packing": recorded_packing(done.values()),
                         "how": "each (configuration, seed) trained in its own Ray task through the "
                                "workload's trainer, one torch thread, epochs timed as live trials time "
                                "them (on a shared GPU: measured seconds times the GPU share, as a live "
                                "trial packed alike is charged)"}
    atomic_write_bytes(folder / META, json.dumps(meta, indent=2).encode())
    return folder
