"""Continue an unfinished run: find it, check that it is safe to take over, and reload its rows.

A run folder whose manifest says `running` (the driver was killed), `interrupted` (Ctrl-C) or
`failed` (for example a full disk) can be resumed. Its rows come back from
`epochs.partial.jsonl` (a torn last line, from a crash mid-write, is cut off), its trial
outcomes from `trials.partial.jsonl`, and Ray Tune's own state from `ray/tune`.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from bench import environment, tune_compat
from bench.errors import BenchError
from bench.live import experiment_snapshot
from bench.store.journal import JOURNAL_SCHEMA_VERSION, TRIALS_JOURNAL
from bench.store.jsonl import read_records
from bench.store.results import MANIFEST, PARTIAL, read_manifest

RESUMABLE = ("running", "interrupted", "failed")
TUNE_DIR = ("ray", "tune")
ROW_KEYS = ("run_id", "trial_id", "epoch", "val_accuracy", "epoch_compute_s", "epoch_cost_s", "diverged",
            "run_epochs")
EVENT_KEYS = ("schema_version", "event", "trial_id", "outcome", "error")


def tune_path(folder: Path) -> Path:
    return Path(folder).joinpath(*TUNE_DIR)


@dataclass
class Reopened:
    """What a resumed run starts from."""

    folder: Path
    manifest: dict
    rows: list[dict]
    events: list[dict]
    torn_bytes: dict
    tune_state: bool
    resume_record: dict = field(default_factory=dict)
    scheduler_state: bytes | None = None


def check_rows(rows: list[dict], run_id: str, path: Path) -> None:
    for index, row in enumerate(rows):
        if row["run_id"] != run_id:
            raise BenchError(f"{path}: line {index + 1} belongs to run {row['run_id']!r}, not {run_id!r}")
        if row["run_epochs"] != index + 1:
            raise BenchError(f"{path}: line {index + 1} has run_epochs {row['run_epochs']} "
                             "(rows missing or edited)")


def _torn_bytes(path: Path, intact: int) -> int:
    return path.stat().st_size - intact if path.exists() else 0


def load_unfinished(folder: Path) -> tuple[dict, list[dict], list[dict], dict]:
    """Validate a run folder for resuming; nothing is written.

    Returns:
        manifest, rows, trial events, and per journal file the bytes of a torn last line.
    """
    folder = Path(folder)
    if not (folder / MANIFEST).exists():
        raise BenchError(f"{folder}: not a run folder (no {MANIFEST}); --resume takes a run folder or run id")
    manifest = read_manifest(folder)
    status = manifest.get("status")
    if manifest.get("replay"):
        raise BenchError(f"{folder}: a replay run is not resumed; run it again (replays take seconds)")
    if status == "complete":
        raise BenchError(f"{folder}: run is already complete; nothing to resume")
    if status not in RESUMABLE:
        raise BenchError(f"{folder / MANIFEST}: status {status!r} is not one of {', '.join(RESUMABLE)}")
    for key in ("run_id", "strategy", "workload", "seed", "budget", "samples", "workers"):
        if key not in manifest:
            raise BenchError(f"{folder / MANIFEST}: missing {key!r}; cannot resume")
    # A damaged line of a run's journals is refused: resuming from it would continue a different run.
    rows, intact = read_records(folder / PARTIAL, ROW_KEYS, damaged_line="refuse")
    check_rows(rows, manifest["run_id"], folder / PARTIAL)
    events, intact_events = read_records(folder / TRIALS_JOURNAL, EVENT_KEYS, damaged_line="refuse")
    for number, event in enumerate(events, start=1):
        if event["schema_version"] != JOURNAL_SCHEMA_VERSION:
            raise BenchError(f"{folder / TRIALS_JOURNAL}: line {number} has schema version "
                             f"{event['schema_version']!r}, not {JOURNAL_SCHEMA_VERSION}")
    snapshot = experiment_snapshot.load(folder) or {}
    states = tune_states(folder)
    if states and states[-1].name not in snapshot:
        check_tune_state(states[-1])  # the one Tune restores: the newest by name
    elif not states and not snapshot and rows:
        raise BenchError(f"{tune_path(folder)}: Ray Tune's experiment state is missing but "
                         f"{len(rows)} epochs were recorded; cannot resume this run")
    torn = {PARTIAL: _torn_bytes(folder / PARTIAL, intact),
            TRIALS_JOURNAL: _torn_bytes(folder / TRIALS_JOURNAL, intact_events)}
    return manifest, rows, events, torn


def reopen(folder: Path, command: tuple[str, ...]) -> Reopened:
    """Validate, then prepare the folder for appending: cut a torn line, drop stale temporaries."""
    from ray import tune

    folder = Path(folder).resolve()
    manifest, rows, events, torn = load_unfinished(folder)
    # Tune's experiment and searcher states as one save left them (see bench.live.experiment_snapshot).
    put_back = experiment_snapshot.put_back(folder, tune_path(folder))
    # Tune writes tuner.pkl first and its experiment state at the end of its first step; a
    # driver killed in between left nothing to restore.
    tune_state = tune.Tuner.can_restore(str(tune_path(folder))) and bool(tune_states(folder))
    for name, extra in torn.items():
        if extra:
            with open(folder / name, "r+b") as handle:
                handle.truncate(handle.seek(0, 2) - extra)
    for stale in folder.glob(".epochs.*.tmp"):
        stale.unlink()
    if not tune_state and tune_path(folder).exists():
        shutil.rmtree(tune_path(folder))  # killed before Tune saved anything: start Tune afresh
    damaged = drop_damaged_error_pickles(tune_path(folder)) if tune_state else []
    record = {
        "at": dt.datetime.now(dt.UTC).isoformat(), "command": list(command),
        "previous_status": manifest["status"], "rows_reloaded": len(rows),
        "torn_bytes_dropped": sum(torn.values()),
        "tune_state": "restored" if tune_state else "none (started afresh)",
        "tune_state_files_put_back": put_back, "damaged_error_files_dropped": damaged,
        "versions": environment.library_versions(),
    }
    manifest.setdefault("resumes", []).append(record)
    manifest["status"] = "running"
    scheduler_state = experiment_snapshot.load_scheduler_state(folder) if tune_state else None
    return Reopened(folder, manifest, rows, events, torn, tune_state, record, scheduler_state)


def drop_damaged_error_pickles(tune_dir: Path) -> list[str]:
    """Remove the trials' pickled errors a killed driver left empty or cut short; returns their paths.

    Tune reads a trial's error from the pickle when it is there and from its text trace when it
    is not, so without the damaged pickle the restored run reports the error from the trace
    (the trial journal keeps the error too) instead of dying in `EOFError` at its end.
    """
    import pickle

    dropped = []
    for path in sorted(tune_dir.rglob(tune_compat.error_pickle_file())):
        try:
            pickle.loads(path.read_bytes())
            continue
        except (EOFError, pickle.UnpicklingError):
            pass  # empty or cut short: a write the kill interrupted
        except Exception:  # noqa: BLE001  (whole, but naming a class this process cannot import)
            continue
        path.unlink()
        dropped.append(str(path.relative_to(tune_dir)))
    return dropped


def tune_states(folder: Path) -> list[Path]:
    """Ray Tune's experiment state files, oldest first (Tune restores the last)."""
    return sorted(tune_path(folder).glob(tune_compat.EXPERIMENT_STATE_GLOB))


def check_tune_state(path: Path) -> None:
    """Refuse a damaged Ray Tune experiment state: Tune would log the error and start afresh."""
    try:
        state = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BenchError(f"{path}: Ray Tune's experiment state is damaged ({type(exc).__name__}); "
                         f"this run cannot be resumed") from None
    if not isinstance(state, dict) or "trial_data" not in state:
        raise BenchError(f"{path}: not a Ray Tune experiment state (no trial_data); "
                         "this run cannot be resumed")
