"""What a replayed run's manifest says beyond a live one's: the table it replayed and the simulation."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bench.store.manifest import finish_run, run_manifest

if TYPE_CHECKING:
    from bench.spec import RunSpec
    from bench.store.dataset import CostModel
    from bench.store.manifest import RunSummary
    from bench.store.tables import Table

#: Where a PBT or PB2 clone's curve comes from in replay (the manifest and reports say so).
CLONE_APPROXIMATION = (
    "PBT/PB2 clones continue on the recorded curve of their new configuration from the epoch they "
    "copied, not on a curve trained from the copied weights"
)


def table_record(table: Table, seed: int, mapping: str) -> dict:
    """What a replayed run's manifest says about the table it replayed
    and how configurations map to curves."""
    from bench.store.curves import repeat_for_seed

    meta = table.meta
    return {
        "name": table.name, "path": str(table.path), "schema_version": meta["schema_version"],
        "curves_sha256": meta["curves_sha256"], "workload_version": meta["workload"]["version"],
        "repeats": meta["repeats"], "repeat": repeat_for_seed(seed, int(meta["repeats"])),
        "training_seed": seed, "hardware": meta.get("hardware"),
        "hardware_fingerprint": meta.get("hardware_fingerprint"), "created_at": meta.get("created_at"),
        "config_mapping": mapping,
    }


def write_run(folder: Path, spec: RunSpec, run_id: str, workers: int, status: str, started_at: str,
              table: dict, simulation: dict, approximations: list[str], cost_model: CostModel | None,
              rows: list[dict], summary: RunSummary) -> None:
    """The run folder in the live format: epochs (complete runs only),
    then the manifest that vouches for them."""
    folder.mkdir(parents=True, exist_ok=True)  # PBT may have logged its policy into ray/
    manifest = run_manifest(spec, run_id, status, started_at, replay=True, workers=workers,
                            trial_resources={"simulated_worker": 1}, address=None, cost_model=cost_model,
                            table=table, simulation=simulation, approximations=approximations)
    finish_run(folder, manifest, status, rows, spec.workload.space.names, summary)
