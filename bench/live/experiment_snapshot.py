"""A consistent copy of Ray Tune's experiment state, taken at the moment Tune saves it.

Tune writes its experiment state (the trials) and its searcher's state into a staging folder,
then copies that folder to the run's storage in the background, file by file. A driver killed
during that copy leaves a torn pair in storage: the searcher's state from the newer save (it has
generated trial N, `basic-variant-state-*` sorts and is copied first) beside the older
experiment state (no trial N), and the resumed run never trains trial N: with such a pair built
from a real killed run's files, a resumed grid run skipped a grid point.

Tune saves its callbacks' state right after the other two, so bench's callback packs the
staging folder's files into one file of the run folder, written atomically; a resume writes
that pair back into Tune's experiment folder before Tune restores it.

The snapshot also holds the scheduler's state at that moment where Tune keeps none and bench can
(ASHA's rungs: bench.tune_compat.scheduler_state), so a resumed ASHA stops the trials the
uninterrupted run stops.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path

from bench import tune_compat
from bench.errors import BenchError
from bench.store.results import atomic_write_bytes

SNAPSHOT = "tune_state.snapshot"
SNAPSHOT_SCHEMA_VERSION = 1
#: Written after bench's callback runs, so the copy in staging belongs to the previous save.
_LATER_FILES = (tune_compat.CALLBACK_STATE_PREFIX,)


def capture(staging_dir: str | Path, folder: Path, scheduler_state: bytes | None = None) -> int:
    """Pack the top-level files of Tune's staging folder (and the scheduler's state) into `folder/SNAPSHOT`.

    Returns the number of files packed.

    When that fails (a full disk), no snapshot is left at all: an older one put back on resume
    would undo the trials created since.
    """
    try:
        files = {}
        for entry in os.scandir(staging_dir):
            name = entry.name
            if (entry.is_file() and not name.startswith(tune_compat.STAGING_TEMP_PREFIX)
                and not name.startswith(_LATER_FILES)):
                files[name] = Path(entry.path).read_bytes()
        if not any(name.startswith(tune_compat.EXPERIMENT_STATE_PREFIX) for name in files):
            return 0
        body = pickle.dumps({"schema_version": SNAPSHOT_SCHEMA_VERSION, "files": files,
                             "scheduler": scheduler_state}, protocol=4)
        atomic_write_bytes(Path(folder) / SNAPSHOT, body)
    except OSError:
        Path(folder, SNAPSHOT).unlink(missing_ok=True)
        return 0
    return len(files)


def load(folder: Path) -> dict[str, bytes] | None:
    """The files of the run's snapshot (None when the run has none); refuse a damaged one."""
    body = _body(folder)
    return None if body is None else body["files"]


def load_scheduler_state(folder: Path) -> bytes | None:
    """The scheduler's state in the run's snapshot (None: no snapshot, or none kept for its scheduler)."""
    body = _body(folder)
    return None if body is None else body.get("scheduler")


def _body(folder: Path) -> dict | None:
    path = Path(folder) / SNAPSHOT
    if not path.exists():
        return None
    try:
        body = pickle.loads(path.read_bytes())
    except Exception as exc:  # any unpickling failure means the file is not what bench wrote
        raise BenchError(f"{path}: damaged snapshot of Ray Tune's state ({type(exc).__name__}); "
                         f"delete it to resume from Tune's own files") from None
    if not isinstance(body, dict) or body.get("schema_version") != SNAPSHOT_SCHEMA_VERSION \
            or not isinstance(body.get("files"), dict):
        raise BenchError(f"{path}: not a bench snapshot of Ray Tune's state (schema version "
                         f"{SNAPSHOT_SCHEMA_VERSION}); delete it to resume from Tune's own files")
    return body


def put_back(folder: Path, tune_dir: Path) -> list[str]:
    """Write the snapshot's files into Tune's experiment folder; returns their names."""
    files = load(folder)
    if not files or not Path(tune_dir).is_dir():
        return []
    for name, data in files.items():
        atomic_write_bytes(Path(tune_dir) / name, data)
    return sorted(files)
