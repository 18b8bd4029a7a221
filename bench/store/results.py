"""Run folders: a per-epoch Parquet table and a JSON manifest, written so that an interrupted
run never leaves a table that looks complete."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.errors import BenchError

if TYPE_CHECKING:
    from collections.abc import Callable

    import pandas as pd

#: 2: rows carry epoch_cost_s (the load-free charge) and manifests their compute_unit.
SCHEMA_VERSION = 2
MANIFEST = "manifest.json"
EPOCHS = "epochs.parquet"
PARTIAL = "epochs.partial.jsonl"

OUTCOMES = ("completed", "stopped_early", "paused", "diverged", "errored", "stopped_at_target", "budget_cut")

# Columns every per-epoch table has, besides one column per hyperparameter.
BASE_COLUMNS = (
    "run_id", "strategy", "workload", "workload_version", "seed", "trial_id", "epoch",
    "val_accuracy", "val_loss", "train_loss", "epoch_compute_s", "epoch_cost_s", "trial_compute_s",
    "run_compute_s", "run_epochs", "train_flops", "result_index", "timestamp", "node",
    "diverged", "outcome", "replay",
)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; results are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def file_sha256(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _manifest_digest(body: Mapping[str, Any]) -> str:
    import hashlib

    content = {k: v for k, v in body.items() if k != "manifest_sha256"}
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


def write_manifest(folder: Path, manifest: Mapping[str, Any]) -> None:
    """Write the manifest atomically with checksums of itself and of epochs.parquet (if written)."""
    body = json.loads(json.dumps(dict(manifest), default=str))
    body.setdefault("schema_version", SCHEMA_VERSION)
    if (Path(folder) / EPOCHS).exists():
        body["epochs_sha256"] = file_sha256(Path(folder) / EPOCHS)
    body["manifest_sha256"] = _manifest_digest(body)
    atomic_write_bytes(folder / MANIFEST, json.dumps(body, indent=2).encode())


def read_json(path: Path, missing: str, corrupt: str) -> Any:
    """The JSON document in `path`; a missing file raises BenchError(missing), an unreadable one
    BenchError("corrupt (reason)")."""
    try:
        return json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise BenchError(missing) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BenchError(f"{corrupt} ({exc})") from None


def read_manifest(folder: Path) -> dict:
    path = Path(folder) / MANIFEST
    manifest = read_json(path, f"{path}: no manifest; is this a run folder?", f"{path}: corrupt manifest")
    if not isinstance(manifest, dict) or manifest.get("schema_version") != SCHEMA_VERSION:
        raise BenchError(
            f"{path}: schema version "
            f"{manifest.get('schema_version') if isinstance(manifest, dict) else None!r} is not "
            f"{SCHEMA_VERSION}"
        )
    if manifest.get("manifest_sha256") != _manifest_digest(manifest):
        raise BenchError(f"{path}: checksum does not match the content (edited or damaged manifest)")
    return manifest


class JsonLinesLog:
    """Records appended as they arrive, one flushed JSON line each, so a crash loses at most the last."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._handle = open(self.path, "a", encoding="utf-8")

    def append(self, record: Mapping[str, Any]) -> None:
        self._handle.write(json.dumps(record, default=float) + "\n")
        self._handle.flush()

    def close(self) -> None:
        if not self._handle.closed:
            self._handle.close()


class PartialLog(JsonLinesLog):
    """A live run's rows (epochs.partial.jsonl), as they arrive."""

    def __init__(self, folder: Path) -> None:
        super().__init__(Path(folder) / PARTIAL)


def _replace_epochs(folder: Path, write: Callable[[str], Any]) -> None:
    """Call `write(tmp)` on a temporary file in `folder`, then rename it to epochs.parquet."""
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".epochs.", suffix=".parquet.tmp")
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, Path(folder) / EPOCHS)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def epoch_columns(hyperparameters: list[str]) -> list[str]:
    """The per-epoch table's columns: the base columns with the hyperparameters after the sixth."""
    return list(BASE_COLUMNS[:6]) + list(hyperparameters) + list(BASE_COLUMNS[6:])


def write_epochs(folder: Path, rows: Iterable[Mapping[str, Any]], hyperparameters: list[str]) -> pd.DataFrame:
    """Write the final per-epoch table atomically and return it as a DataFrame."""
    import pandas as pd

    frame = pd.DataFrame(list(rows), columns=epoch_columns(hyperparameters))
    _replace_epochs(folder, lambda tmp: frame.to_parquet(tmp, index=False))
    return frame


def write_epochs_columnar(folder: Path, rows: list[dict], names: list[str]) -> None:
    """write_epochs's file (same columns, types and values), built column by column.

    Going through a DataFrame of row dicts costs as much as replaying a few hundred results;
    tests/replay/test_writer.py checks that both read back identically.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not rows:
        write_epochs(folder, rows, names)
        return
    table = pa.table({column: [row[column] for row in rows] for column in epoch_columns(names)})
    _replace_epochs(folder, lambda tmp: pq.write_table(table, tmp))


@dataclass(frozen=True)
class StoredRun:
    """A complete run read back from its folder: the manifest and the per-epoch table."""

    folder: Path
    manifest: dict
    epochs: pd.DataFrame


def load_run(folder: Path | str) -> StoredRun:
    """Read a complete run folder, refusing incomplete or inconsistent ones."""
    import pandas as pd

    folder = Path(folder)
    manifest = read_manifest(folder)
    if manifest.get("status") != "complete":
        raise BenchError(f"{folder}: run status is {manifest.get('status')!r}, not 'complete'")
    path = folder / EPOCHS
    if path.exists() and not path.is_file():
        raise BenchError(f"{path}: not a file; accepted: the per-epoch table bench run writes")
    if path.exists() and file_sha256(path) != manifest.get("epochs_sha256"):
        raise BenchError(f"{path}: checksum differs from the one in {MANIFEST} (truncated, "
                         "damaged or edited)")
    try:
        frame = pd.read_parquet(path)
    except FileNotFoundError:
        raise BenchError(f"{path}: missing per-epoch table") from None
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise BenchError(f"{path}: unreadable per-epoch table ({type(exc).__name__})") from None
    missing = [c for c in BASE_COLUMNS if c not in frame.columns]
    if missing:
        raise BenchError(f"{path}: missing columns {', '.join(missing)}")
    if len(frame) != manifest.get("rows"):
        raise BenchError(f"{path}: {len(frame)} rows, but the manifest says {manifest.get('rows')}")
    return StoredRun(folder=folder, manifest=manifest, epochs=frame)
