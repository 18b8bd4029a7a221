"""Run folders of a matrix: is one complete and verified, packing one into bytes, writing one back.

A replayed run is executed into a private temporary folder on whichever process or node runs
it; its files come back to the driver as bytes and the driver writes them into `--out`. That
needs no shared file system between Ray nodes, and a run folder appears in `--out` whole (an
atomic rename), so a killed matrix never leaves a half-written replay folder behind.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from bench.errors import BenchError
from bench.store.results import EPOCHS, MANIFEST, file_sha256, read_manifest, write_manifest

#: Files one packed run folder may hold at most, a guard against packing the wrong folder.
MAX_PACKED_BYTES = 256 << 20


def verified(folder: Path) -> str | None:
    """None when `folder` holds a complete run whose files match its checksums; else why not."""
    folder = Path(folder)
    if not (folder / MANIFEST).exists():
        return "no manifest"
    try:
        manifest = read_manifest(folder)
    except BenchError as exc:
        return str(exc)
    if manifest.get("status") != "complete":
        return f"status {manifest.get('status')!r}"
    recorded = manifest.get("epochs_sha256")
    if not recorded or not (folder / EPOCHS).exists():
        return f"no {EPOCHS} checksum"
    if file_sha256(folder / EPOCHS) != recorded:
        return f"{EPOCHS} checksum differs from the manifest's"
    return None


def pack(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`, by path relative to it."""
    files, total = {}, 0
    for path in sorted(Path(folder).rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            total += len(data)
            if total > MAX_PACKED_BYTES:
                raise BenchError(f"{folder}: run folder over {MAX_PACKED_BYTES >> 20} MiB, not sent back")
            files[str(path.relative_to(folder))] = data
    return files


def unpack(files: dict[str, bytes], folder: Path, stamp: dict) -> Path:
    """Write a packed run into `folder` (replacing what is there) through a sibling temporary folder.

    `stamp` is added to the manifest as `matrix` (where the run executed), and the manifest's
    summary is pointed at its new folder; write_manifest then records the checksums again.
    """
    folder = Path(folder)
    staging = folder.parent / f".{folder.name}.incoming"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        for name, data in files.items():
            if name == MANIFEST:
                continue
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        if MANIFEST in files:
            body = json.loads(files[MANIFEST])
            body.pop("manifest_sha256", None)
            body.pop("epochs_sha256", None)
            if isinstance(body.get("summary"), dict):
                body["summary"]["folder"] = str(folder.resolve())
            body["matrix"] = stamp
            write_manifest(staging, body)
        discard(folder)
        os.replace(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return folder


def discard(folder: Path) -> None:
    """Remove a partial or failed run folder that the matrix is about to redo."""
    from bench.store import run_lock

    folder = Path(folder)
    if not folder.exists():
        return
    owner = run_lock.live_owner(folder)
    if owner is not None:
        raise BenchError(run_lock.describe(folder, owner))
    shutil.rmtree(folder)
