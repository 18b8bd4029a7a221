"""Learning-curve tables: every grid point's recorded per-epoch curve, self-describing.

A table is a folder with `curves.parquet` (one row per grid point, repeat and epoch) and
`table.json` (workload, version, space, hardware, versions, command, checksum). A grid run
is the recording; replay and the report's reference both read tables.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench import environment
from bench.errors import BenchError
from bench.store.results import StoredRun, atomic_write_bytes

if TYPE_CHECKING:
    import pandas as pd

    from workloads.base import Workload

TABLE_SCHEMA_VERSION = 1
META = "table.json"
CURVES = "curves.parquet"
REFERENCE_DIR = Path(__file__).resolve().parents[2] / "results" / "reference"

CURVE_COLUMNS = ("grid_index", "repeat", "epoch", "val_accuracy", "val_loss", "train_loss", "epoch_compute_s",
                 "train_flops", "diverged", "result_index")


@dataclass(frozen=True)
class Table:
    """A loaded, validated learning-curve table."""

    path: Path
    meta: dict
    curves: pd.DataFrame  # sorted by grid_index, repeat, epoch

    @property
    def workload(self) -> str:
        return self.meta["workload"]["name"]

    @property
    def name(self) -> str:
        return self.path.name


def table_name(workload_name: str, version: str) -> str:
    return f"{workload_name}-v{version}"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def curves_from_runs(runs: Iterable[StoredRun], workload: Workload) -> pd.DataFrame:
    """Turn complete grid runs (one per repeat, training seed = repeat) into a curves frame."""
    import pandas as pd

    index = {tuple(point.values()): i for i, point in enumerate(workload.space.grid_points())}
    names = workload.space.names
    frames = []
    for repeat, run in enumerate(runs):
        frame = run.epochs.copy()
        if run.manifest["strategy"]["name"] != "grid":
            raise BenchError(f"{run.folder}: only grid runs record tables, not "
                             f"{run.manifest['strategy']['name']}")
        keys = [tuple(workload.space[n].normalise(v) for n, v in zip(names, row, strict=False))
                for row in frame[names].itertuples(index=False)]
        try:
            frame["grid_index"] = [index[key] for key in keys]
        except KeyError as missing:
            raise BenchError(f"{run.folder}: configuration {missing} is not a grid point") from None
        frame["repeat"] = repeat
        frames.append(frame)
    curves = pd.concat(frames, ignore_index=True)
    # A trial restarted after a failure reports its epochs again; the last report stands.
    curves = curves.drop_duplicates(["grid_index", "repeat", "epoch"], keep="last")
    order = list(CURVE_COLUMNS[:2]) + names + list(CURVE_COLUMNS[2:])
    return curves[order].sort_values(["grid_index", "repeat", "epoch"], kind="stable").reset_index(drop=True)


def write_table(folder: Path, curves: pd.DataFrame, workload: Workload, command: list[str],
                source_runs: list[str]) -> Path:
    """Write a table atomically (curves first, then the metadata that vouches for them)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{CURVES}.tmp"
    curves.to_parquet(tmp, index=False)
    tmp.replace(folder / CURVES)
    hardware = environment.hardware()
    meta = {
        "schema_version": TABLE_SCHEMA_VERSION, "kind": "learning-curves",
        "workload": {"name": workload.name, "version": workload.version, "max_epochs": workload.max_epochs,
                     "space": workload.space.as_dict()},
        "grid_size": workload.space.grid_size(), "repeats": int(curves["repeat"].nunique()),
        "rows": len(curves), "curves_sha256": _sha256(folder / CURVES),
        "hardware": hardware, "hardware_fingerprint": environment.hardware_fingerprint(hardware),
        "versions": environment.library_versions(), "command": command, "source_runs": source_runs,
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
    }
    atomic_write_bytes(folder / META, json.dumps(meta, indent=2).encode())
    return folder


#: Fields every table.json has (write_table writes them); `workload` holds WORKLOAD_FIELDS.
REQUIRED_FIELDS = ("schema_version", "workload", "grid_size", "repeats", "rows", "curves_sha256")
WORKLOAD_FIELDS = ("name", "version", "max_epochs", "space")


def _check_fields(meta_path: Path, meta: Any) -> None:
    """Name the fields a table.json lacks, rather than failing on the first one read."""
    if not isinstance(meta, dict):
        raise BenchError(f"{meta_path}: table metadata must be a JSON object with "
                         f"{', '.join(REQUIRED_FIELDS)}")
    if meta.get("schema_version") != TABLE_SCHEMA_VERSION:
        raise BenchError(f"{meta_path}: table schema version {meta.get('schema_version')!r}, "
                         f"this bench reads schema version {TABLE_SCHEMA_VERSION}")
    missing = [key for key in REQUIRED_FIELDS if key not in meta]
    workload = meta.get("workload")
    if isinstance(workload, dict):
        missing += [f"workload.{key}" for key in WORKLOAD_FIELDS if key not in workload]
    elif "workload" in meta:
        missing.append("workload (an object)")
    if missing:
        raise BenchError(f"{meta_path}: incomplete table metadata, missing "
                         f"{', '.join(missing)}; accepted: the table.json a grid run writes (fields "
                         f"{', '.join(REQUIRED_FIELDS)})")


def load_table(path: Path | str, workload_name: str | None = None) -> Table:
    """Load and validate a table; refuse truncated, foreign-schema or stale tables.

    Args:
        workload_name: the workload the caller will use the table for; a table of another is refused first.
    """
    import pandas as pd

    import workloads

    path = Path(path)
    meta_path = path / META
    try:
        meta = json.loads(meta_path.read_text())
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        raise BenchError(f"{path}: not a learning-curve table (no {META}); accepted: a table folder "
                         f"(table.json and curves.parquet) or a name from `bench tables`") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BenchError(f"{meta_path}: corrupt table metadata ({exc})") from None
    except OSError as exc:
        raise BenchError(f"{meta_path}: cannot read the table metadata ({exc.strerror or exc})") from None
    _check_fields(meta_path, meta)
    recorded = meta["workload"]
    if workload_name is not None and recorded["name"] != workload_name:
        raise BenchError(f"{path}: a table recorded for workload {recorded['name']!r}, not "
                         f"{workload_name!r}; accepted: a table of {workload_name} (see `bench tables`)")
    curves_path = path / CURVES
    if not curves_path.is_file():
        raise BenchError(f"{curves_path}: missing")
    if _sha256(curves_path) != meta.get("curves_sha256"):
        raise BenchError(f"{curves_path}: checksum differs from {META} (truncated or edited)")
    workload = workloads.get(recorded["name"])
    if recorded["version"] != workload.version:
        raise BenchError(f"{path}: recorded for {workload.name} version {recorded['version']}, but the "
                         f"workload is now version {workload.version}; re-record it")
    if recorded["space"] != workload.space.as_dict():
        changed = [hp["name"] for hp in workload.space.as_dict() if hp not in recorded["space"]]
        raise BenchError(f"{path}: recorded over another search space than {workload.name} version "
                         f"{workload.version} has now (changed: {', '.join(changed) or 'the dimensions'}); "
                         f"re-record it")
    curves = pd.read_parquet(curves_path)
    if len(curves) != meta["rows"]:
        raise BenchError(f"{curves_path}: {len(curves)} rows, metadata says {meta['rows']}")
    check_complete(curves, workload, meta, path)
    return Table(path=path, meta=meta, curves=curves)


def check_complete(curves: pd.DataFrame, workload: Workload, meta: dict, path: Path) -> None:
    """Refuse curves that miss a grid point or repeat, skip an epoch, or stop early without diverging."""
    points = curves.groupby(["grid_index", "repeat"])
    if points.ngroups != meta["grid_size"] * meta["repeats"]:
        raise BenchError(f"{path}: {points.ngroups} curves, expected {meta['grid_size']} grid points x "
                         f"{meta['repeats']} repeats")
    last = points["epoch"].max()
    count = points["epoch"].count()
    diverged_at_end = points["diverged"].last()
    if not (count == last).all():
        raise BenchError(f"{path}: a curve has missing epochs")
    if not ((last == workload.max_epochs) | diverged_at_end).all():
        raise BenchError(f"{path}: a curve stops before max_epochs without diverging (truncated recording)")


def find_tables(extra_dirs: Iterable[Path] = ()) -> list[Path]:
    """Table folders under the shipped reference folder and `extra_dirs`.

    A table is a folder holding table.json, directly under a root (`results/reference/digits-v1`)
    or as a grid run's `table/` (`results/grid-digits-seed0-.../table`).
    """
    found: list[Path] = []
    for root in (REFERENCE_DIR, *extra_dirs):
        root = Path(root)
        if root.is_dir():
            for pattern in (f"*/{META}", f"*/table/{META}"):
                found.extend(p.parent for p in sorted(root.glob(pattern)) if p.parent not in found)
    return found


def table_label(path: Path) -> str:
    """A table's name: its folder, or for a grid run's `table/` the run's folder."""
    path = Path(path)
    return path.parent.name if path.name == "table" else path.name


def resolve_table(text: str, workload_name: str, extra_dirs: Iterable[Path] = ()) -> Table:
    """Load the table `text` names: "" for the workload's shipped table, a folder,
    or a name from `bench tables`."""
    if not text:
        path = default_table_path(workload_name)
        if path is None:
            raise BenchError(f"no shipped learning-curve table for workload {workload_name!r}; record one "
                             f"with `python -m bench run --strategy grid --workload {workload_name}` and "
                             f"pass its run folder's table/ with --replay TABLE")
        return load_table(path, workload_name)
    path = Path(text)
    if path.is_dir():
        return load_table(path, workload_name)
    known = {table_label(p): p for p in find_tables(extra_dirs)}
    if text in known:
        return load_table(known[text], workload_name)
    raise BenchError(f"unknown table {text!r}: not a folder, nor a table name; known: "
                     f"{', '.join(sorted(known)) or 'none'} (see `bench tables`)")


def default_table_path(workload_name: str) -> Path | None:
    """The shipped table of a workload's current version, if there is one."""
    import workloads

    workload = workloads.get(workload_name)
    if workload.reference_table is not None:  # a plugin's own table
        path = Path(workload.reference_table)
    else:
        path = REFERENCE_DIR / table_name(workload.name, workload.version)
    return path if (path / META).exists() else None
