"""A replayed run's folder, in the live format: epochs.parquet and a complete manifest."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bench import environment
from bench.results import BASE_COLUMNS, EPOCHS, SCHEMA_VERSION, write_epochs, write_manifest
from bench.runner import workload_record
from strategies import METRIC, MODE

#: Where a PBT or PB2 clone's curve comes from in replay (the manifest and reports say so).
CLONE_APPROXIMATION = (
    "PBT/PB2 clones continue on the recorded curve of their new configuration from the epoch they "
    "copied, not on a curve trained from the copied weights"
)

_ENVIRONMENT: dict = {}


def _environment() -> dict:
    """Library versions and hardware, read once per process (a matrix writes hundreds of runs)."""
    if not _ENVIRONMENT:
        _ENVIRONMENT.update(versions=environment.library_versions(), hardware=environment.hardware())
    return _ENVIRONMENT


def table_record(table, seed: int, mapping: str) -> dict:
    """What a replayed run's manifest says about the table it replayed and how configurations map to curves."""
    from bench.replay.curves import repeat_for_seed

    meta = table.meta
    return {
        "name": table.name, "path": str(table.path), "schema_version": meta["schema_version"],
        "curves_sha256": meta["curves_sha256"], "workload_version": meta["workload"]["version"],
        "repeats": meta["repeats"], "repeat": repeat_for_seed(seed, int(meta["repeats"])), "training_seed": seed,
        "hardware": meta.get("hardware"),
        "hardware_fingerprint": meta.get("hardware_fingerprint"), "created_at": meta.get("created_at"),
        "config_mapping": mapping,
    }


def manifest(spec, run_id: str, workers: int, status: str, started_at: str, table: dict,
             simulation: dict, approximations: list[str], unit: dict) -> dict:
    """The live manifest's fields (bench.runner._manifest) for a replay, plus table and simulation."""
    env = _environment()
    return {
        "schema_version": SCHEMA_VERSION, "run_id": run_id, "status": status, "replay": True,
        "strategy": spec.strategy.describe(),
        "workload": workload_record(spec),
        "seed": spec.seed, "budget": spec.budget.as_dict(), "target": spec.target, "samples": spec.samples,
        "workers": workers, "trial_resources": {"simulated_worker": 1}, "address": None,
        "metric": METRIC, "mode": MODE, "compute_unit": unit, "versions": env["versions"], "hardware": env["hardware"],
        "command": list(spec.command), "started_at": started_at,
        "table": table, "simulation": simulation, "approximations": approximations,
    }


def write_epochs_columnar(folder: Path, rows: list[dict], names: list[str]) -> None:
    """bench.results.write_epochs's file (same columns, types and values), built column by column.

    Going through a DataFrame of row dicts costs as much as replaying a few hundred results;
    tests/replay/test_writer.py checks that both read back identically.
    """
    import os
    import tempfile

    import pyarrow as pa
    import pyarrow.parquet as pq

    if not rows:
        write_epochs(folder, rows, names)
        return
    columns = list(BASE_COLUMNS[:6]) + list(names) + list(BASE_COLUMNS[6:])
    table = pa.table({column: [row[column] for row in rows] for column in columns})
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".epochs.", suffix=".parquet.tmp")
    os.close(fd)
    try:
        pq.write_table(table, tmp)
        os.replace(tmp, Path(folder) / EPOCHS)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_run(folder: Path, body: dict, rows: list[dict], names: list[str], summary) -> None:
    """Write epochs (only for a complete run) and then the manifest that vouches for them."""
    folder.mkdir(parents=True, exist_ok=True)  # PBT may have logged its policy into ray/
    if body["status"] == "complete":
        write_epochs_columnar(folder, rows, names)
    body.update(ended_at=dt.datetime.now(dt.timezone.utc).isoformat(), rows=len(rows), summary=summary.as_dict())
    write_manifest(folder, body)
